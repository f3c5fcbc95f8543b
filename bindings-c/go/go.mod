module github.com/imgrepl/imgrepl/bindings-c/go

go 1.19
