//go:build race

package main

// raceEnabled: the race detector multiplies the memory of the Go side, so the memory test
// measures the build without it.
const raceEnabled = true
