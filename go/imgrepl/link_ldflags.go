//go:build imgrepl_ldflags && !imgrepl_pkgconfig

package imgrepl

// With `-tags imgrepl_ldflags`, the package adds no linker flag: CGO_LDFLAGS names the
// library and its native libraries, e.g. for a library built with CARGO_TARGET_DIR set:
//
//	CGO_LDFLAGS="$CARGO_TARGET_DIR/release/libimgrepl.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc" go build -tags imgrepl_ldflags
//
// (`cargo xtask test go` builds this way when the target directory is not the repository's
// target.)

/*
#cgo CFLAGS: -I${SRCDIR}/../../bindings-c/include
*/
import "C"
