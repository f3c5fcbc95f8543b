//! JSON text without the whitespace between its tokens: how a row of the case table
//! (`testdata/frontdoor/cases.json`, pretty-printed) reads as the library writes it. Shared by
//! the Rust runner of the table and the C include's generator (which includes this file by path).

/// `json` without the whitespace between its tokens (strings kept as they are).
pub fn compact(json: &str) -> String {
    let (mut out, mut in_string, mut escaped) = (String::new(), false, false);
    for c in json.chars() {
        if in_string {
            // A quote ends the string unless a backslash escapes it.
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c.is_ascii_whitespace() {
            continue;
        } else {
            in_string = c == '"';
        }
        out.push(c);
    }
    out
}

#[test]
fn whitespace_between_tokens_goes_and_strings_stay() {
    assert_eq!(
        compact("{ \"a b\": [1, \"x\\\" y\" ],\n \"c\": null }"),
        "{\"a b\":[1,\"x\\\" y\"],\"c\":null}"
    );
}
