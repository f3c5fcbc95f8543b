//go:build !imgrepl_pkgconfig

package imgrepl

// By default the package links the static library that `cargo build --release -p imgrepl-c`
// leaves in the repository's target/release (the native libraries after it are those that
// `rustc --print native-static-libs` lists on Linux). Build with `-tags imgrepl_pkgconfig` to
// use an installed library through pkg-config instead.

/*
#cgo CFLAGS: -I${SRCDIR}/../include
#cgo LDFLAGS: ${SRCDIR}/../../target/release/libimgrepl.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
*/
import "C"
