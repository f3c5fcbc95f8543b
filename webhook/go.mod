module github.com/imgrepl/imgrepl/webhook

go 1.19

require github.com/imgrepl/imgrepl/go/imgrepl v0.0.0-00010101000000-000000000000

// The package is not published: the webhook builds against the package of the same commit.
replace github.com/imgrepl/imgrepl/go/imgrepl => ../go/imgrepl
