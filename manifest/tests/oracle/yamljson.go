// Command yamljson reads a stream of Kubernetes manifests the way kubectl does and prints, per
// document, whether it is readable and its JSON: the oracle of imgrepl-manifest's differential
// test (manifest/tests/oracle.rs).
//
// Documents are split as k8s.io/apimachinery's YAMLReader splits them (that package is not in
// Debian; its rule is reproduced here): a line that starts with "---" and has nothing after it
// but blanks or a comment ends a document; a document with no bytes is not one. Each document
// is then read by sigs.k8s.io/yaml (Unmarshal: gopkg.in/yaml.v2 to a value, then JSON), as
// kubectl's YAMLOrJSONDecoder does, and a document that reads as null (only comments) is
// skipped, as kubectl skips it.
//
// Output: one JSON line per document that is not null, in order:
// {"line": L, "json": VALUE} or {"line": L, "error": "MESSAGE"}; L is the line where the
// document's "---" is (1 for the first document). With -batch, each line of the input is a
// JSON string holding a whole stream, and each line of the output the array of its documents.
//
// Build: GO111MODULE=off GOPATH=/usr/share/gocode go build -o yamljson yamljson.go (Debian's
// golang-k8s-sigs-yaml-dev 1.3.0 and golang-gopkg-yaml.v2-dev 2.4.0).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"sigs.k8s.io/yaml"
)

type chunk struct {
	line int
	data []byte
}

func isSeparator(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("---")) {
		return false
	}
	rest := strings.TrimSpace(string(line[3:]))
	return rest == "" || strings.HasPrefix(rest, "#")
}

func split(data []byte) []chunk {
	var out []chunk
	var buf bytes.Buffer
	start := 1
	line := 0
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		var l []byte
		if i < 0 {
			l, data = data, nil
		} else {
			l, data = data[:i+1], data[i+1:]
		}
		line++
		if isSeparator(l) {
			if buf.Len() != 0 {
				out = append(out, chunk{start, append([]byte(nil), buf.Bytes()...)})
				buf.Reset()
			}
			start = line
			continue
		}
		buf.Write(l)
	}
	if buf.Len() != 0 {
		out = append(out, chunk{start, buf.Bytes()})
	}
	return out
}

func read(data []byte) []map[string]interface{} {
	out := []map[string]interface{}{}
	for _, c := range split(data) {
		var v interface{}
		if err := yaml.Unmarshal(c.data, &v); err != nil {
			out = append(out, map[string]interface{}{"line": c.line, "error": err.Error()})
			continue
		}
		if v == nil {
			continue
		}
		out = append(out, map[string]interface{}{"line": c.line, "json": v})
	}
	return out
}

func main() {
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	if len(os.Args) > 1 && os.Args[1] == "-batch" {
		in := bufio.NewReader(os.Stdin)
		for {
			line, err := in.ReadBytes('\n')
			if len(bytes.TrimSpace(line)) > 0 {
				var stream string
				if e := json.Unmarshal(line, &stream); e != nil {
					fmt.Fprintln(os.Stderr, e)
					os.Exit(2)
				}
				enc.Encode(read([]byte(stream)))
				out.Flush()
			}
			if err != nil {
				return
			}
		}
	}
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for _, d := range read(data) {
		enc.Encode(d)
	}
}
