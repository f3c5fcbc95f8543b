//go:build !debug

package imgrepl

// debugGC is false in normal builds; see debug_on.go.
const debugGC = false
