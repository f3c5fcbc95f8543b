package imgrepl_test

import (
	"errors"
	"fmt"

	"github.com/imgrepl/imgrepl/go/imgrepl"
)

// Example is the README's "Use from Go" example, run by `go test` with its output checked.
func Example() {
	policy, err := imgrepl.ParsePolicy(`[
	  {"repositoryPrefix": "harbor.domain", "replaceWith": "mirror.local/org1"},
	  {"repositoryPrefix": "", "replaceWith": "mirror.local/hub"}]`)
	if err != nil {
		panic(err) // a *imgrepl.PolicyError lists every diagnostic with its span
	}
	defer policy.Close()

	r, _ := policy.Rewrite("harbor.domain/team/app:1.0")
	fmt.Println(r.Image, r.Rule)

	// Many images in one call into the library.
	results, _ := policy.RewriteAll([]string{"nginx:1.27", "quay.io/x/y", "Bad"})
	for _, r := range results {
		var e *imgrepl.Error
		if errors.As(r.Err, &e) {
			fmt.Println(e.Code, e.Offset, errors.Is(r.Err, imgrepl.ErrInvalidImage))
			continue
		}
		fmt.Println(r.Image, r.Changed())
	}
	// Output:
	// mirror.local/org1/team/app:1.0 0
	// mirror.local/hub/nginx:1.27 true
	// quay.io/x/y false
	// uppercase 0 true
}
