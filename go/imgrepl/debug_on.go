//go:build debug

package imgrepl

// debugGC makes every use of a Policy's C pointer force a garbage collection first, so a
// missing runtime.KeepAlive shows up as a use after free in tests (`go test -tags debug`).
const debugGC = true
