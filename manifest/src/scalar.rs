//! YAML scalars as Kubernetes reads them (YAML 1.1, as `sigs.k8s.io/yaml` over go-yaml v2
//! resolves untagged plain scalars), and writing a new string scalar in a given style.

use std::fmt::Write as _;

use imgrepl_k8s::ValueType;

/// The type of an untagged plain scalar under YAML 1.1.
///
/// Timestamps (`2001-12-14`) are strings: go-yaml v2 keeps them as strings when decoding into
/// an untyped value, as Kubernetes does. Sexagesimal numbers (`1:20`) are strings too (go-yaml
/// v2 does not read them).
pub(crate) fn resolve_plain(s: &str) -> ValueType {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return ValueType::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "n" | "N" | "no" | "No" | "NO" | "true" | "True"
        | "TRUE" | "false" | "False" | "FALSE" | "on" | "On" | "ON" | "off" | "Off" | "OFF" => {
            return ValueType::Bool;
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return ValueType::Number,
        _ => {}
    }
    if !s.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) {
        return ValueType::String;
    }
    // go-yaml v2 drops every '_' before reading a number.
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if is_go_int(&plain) || is_yaml_float(&plain) {
        ValueType::Number
    } else {
        ValueType::String
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` syntax (any size: a larger one is read as a float).
fn is_go_int(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let digits = |t: &str, f: fn(&u8) -> bool| !t.is_empty() && t.as_bytes().iter().all(f);
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        return digits(h, u8::is_ascii_hexdigit);
    }
    if let Some(o) = s.strip_prefix("0o").or_else(|| s.strip_prefix("0O")) {
        return digits(o, |b| (b'0'..=b'7').contains(b));
    }
    if let Some(b) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
        return digits(b, |c| *c == b'0' || *c == b'1');
    }
    if s.starts_with('0') {
        return digits(s, |b| (b'0'..=b'7').contains(b));
    }
    digits(s, u8::is_ascii_digit)
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => !frac.is_empty() && all_digits(frac),
        Some((int, frac)) => all_digits(int) && all_digits(frac),
        None => !mantissa.is_empty() && all_digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

/// Whether a YAML 1.2 core-schema reader would read this plain scalar as something other than
/// a string (so that writing it plain is ambiguous for some reader).
fn typed_in_yaml12(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "true" | "false" | "null" | "~" | ".inf" | "+.inf" | "-.inf" | ".nan"
    ) || (s.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.'))
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() || b"+-._oOxX".contains(&b)))
}

/// Whether `s` can be written as a plain scalar that every reader reads back as this string,
/// in a flow collection (`flow`) or in block context.
pub(crate) fn plain_ok(s: &str, flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || first.is_whitespace() {
        return false;
    }
    if s.ends_with(|c: char| c.is_whitespace() || c == ':')
        || s.contains(": ")
        || s.contains(" #")
        || s == "<<"
        || s.chars().any(|c| {
            c.is_control() || c == '\u{feff}' || c == '\u{85}' || c == '\u{2028}' || c == '\u{2029}'
        })
        || (flow && s.contains([',', '[', ']', '{', '}']))
    {
        return false;
    }
    resolve_plain(s) == ValueType::String && !typed_in_yaml12(s)
}

/// `s` as a double-quoted scalar, valid in YAML and in JSON.
pub(crate) fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}') => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `s` as a single-quoted scalar, when it has no line break or control character.
pub(crate) fn single_quoted(s: &str) -> Option<String> {
    if s.chars()
        .any(|c| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
    {
        return None;
    }
    Some(format!("'{}'", s.replace('\'', "''")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml11_scalars() {
        let cases: &[(&str, ValueType)] = &[
            ("0400", ValueType::Number),
            ("08", ValueType::Number),
            ("0o644", ValueType::Number),
            ("0x1E", ValueType::Number),
            ("1_000", ValueType::Number),
            ("12345678901234567890123", ValueType::Number),
            ("1e3", ValueType::Number),
            (".5", ValueType::Number),
            ("1.", ValueType::Number),
            ("-.inf", ValueType::Number),
            (".NaN", ValueType::Number),
            ("+12", ValueType::Number),
            ("0b101", ValueType::Number),
            ("1__0", ValueType::Number),
            ("yes", ValueType::Bool),
            ("On", ValueType::Bool),
            ("n", ValueType::Bool),
            ("~", ValueType::Null),
            ("", ValueType::Null),
            ("2001-12-14", ValueType::String),
            ("1:20", ValueType::String),
            ("nginx", ValueType::String),
            ("1.0.0", ValueType::String),
            ("-", ValueType::String),
            ("0x", ValueType::String),
            ("e3", ValueType::String),
        ];
        for (s, t) in cases {
            assert_eq!(resolve_plain(s), *t, "{s}");
        }
    }

    #[test]
    fn plain_only_when_it_reads_back_as_the_string() {
        for s in [
            "nginx",
            "m.io/hub/nginx:1.27",
            "registry:5000/a",
            "a@sha256:00",
            "x[y",
        ] {
            assert!(plain_ok(s, false), "{s}");
        }
        for s in [
            "[::1]:5000/x",
            "yes",
            "0644",
            "1e3",
            "- x",
            "a: b",
            "a #b",
            "",
            " x",
            "x:",
            "0o17",
            "1.0",
            "null",
            "*x",
            "a\tb",
        ] {
            assert!(!plain_ok(s, false), "{s}");
        }
        assert!(!plain_ok("x[y", true));
        assert!(!plain_ok("a,b", true));
    }

    #[test]
    fn quoting() {
        assert_eq!(double_quoted("a\"b\\c\n\u{1}"), r#""a\"b\\c\n\u0001""#);
        assert_eq!(single_quoted("it's"), Some("'it''s'".to_owned()));
        assert_eq!(single_quoted("a\nb"), None);
    }
}
