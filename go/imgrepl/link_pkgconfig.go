//go:build imgrepl_pkgconfig

package imgrepl

// With `-tags imgrepl_pkgconfig`, the package finds an installed libimgrepl (`cargo xtask
// install-c --prefix DIR`, then PKG_CONFIG_PATH=DIR/lib/pkgconfig) through pkg-config.

/*
#cgo pkg-config: imgrepl
*/
import "C"
