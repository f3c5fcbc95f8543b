//go:build !imgrepl_pkgconfig && !imgrepl_ldflags

package imgrepl

// By default the package links the static library that `cargo build --release -p imgrepl-c`
// leaves in the repository's target/release (the native libraries after it are those that
// `rustc --print native-static-libs` lists on Linux). When it is not there, the build stops
// with an #error that says so.
//
// With CARGO_TARGET_DIR (or build.target-dir) set, cargo leaves the library elsewhere; build
// with one of the other modes instead:
//
//	-tags imgrepl_ldflags, with CGO_LDFLAGS="$CARGO_TARGET_DIR/release/libimgrepl.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
//	-tags imgrepl_pkgconfig, with an installed library (cargo xtask install-c --prefix DIR)
//
// `cargo xtask test go` picks the first by itself when the target directory is not the
// repository's target.

/*
#cgo CFLAGS: -I${SRCDIR}/../../bindings-c/include -I${SRCDIR}/../../target/release
#cgo LDFLAGS: ${SRCDIR}/../../target/release/libimgrepl.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
#if defined(__has_include)
#if !__has_include("libimgrepl.a")
#error "libimgrepl.a is not in the repository's target/release: run `cargo build --release -p imgrepl-c` first; to link a library built with CARGO_TARGET_DIR set, or installed, see link_default.go"
#endif
#endif
*/
import "C"
