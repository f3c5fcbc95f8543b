module github.com/imgrepl/imgrepl/go/imgrepl

go 1.19
