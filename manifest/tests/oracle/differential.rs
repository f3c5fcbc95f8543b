//! The differential check of imgrepl-manifest against Kubernetes' own YAML reading
//! (`yamljson.go`, sigs.k8s.io/yaml over gopkg.in/yaml.v2): a generator of pod-like manifests
//! written in the odd ways YAML allows, and the comparison of both readings. Shared by
//! `manifest/tests/oracle.rs` (seeded runs) and the `yaml_oracle` fuzz target (the fuzzer's
//! bytes choose).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use imgrepl::Policy;
use imgrepl_k8s::Options;
use serde_json::Value;

/// The choices of the generator.
pub trait Choose {
    /// A number below `n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize;
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A seeded generator (xorshift64*).
pub struct Seeded(u64);

impl Seeded {
    pub fn new(seed: u64) -> Seeded {
        Seeded(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
}

impl Choose for Seeded {
    fn below(&mut self, n: usize) -> usize {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }
}

/// Choices from bytes (a fuzzer's input); zeros once they run out.
pub struct Bytes<'a>(pub &'a [u8]);

impl Choose for Bytes<'_> {
    fn below(&mut self, n: usize) -> usize {
        let Some((&b, rest)) = self.0.split_first() else {
            return 0;
        };
        self.0 = rest;
        usize::from(b) % n
    }
}

const IMAGES: &[&str] = &[
    "nginx",
    "nginx:1.27",
    "library/nginx:1.27",
    "docker.io/library/nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "harbor.domain:5000/team/app:v1",
    "gcr.io/proj/app",
    "quay.io/org/app:2.0",
    // YAML 1.1 scalars: a boolean, numbers, null for Kubernetes.
    "off",
    "yes",
    "on",
    "0o17",
    "1_000",
    "017",
    "1.0",
    "~",
    "0x1f",
    "12:30",
    "1e3",
];

/// A scalar written in one of the styles YAML allows, at `col` (for continuation lines).
fn scalar(c: &mut impl Choose, value: &str, col: usize, flow: bool) -> String {
    let pad = " ".repeat(col + c.below(3));
    match c.below(12) {
        // A plain or single-quoted scalar folded over two lines (the break reads as a space).
        9 if value.len() > 3 => format!("{}\n{pad}  {}", &value[..3], &value[3..]),
        10 if value.len() > 3 => format!(
            "'{}\n{}{}'",
            &value[..3],
            " ".repeat(c.below(col + 3)),
            &value[3..]
        ),
        0 => format!("'{}'", value.replace('\'', "''")),
        1 => format!("\"{value}\""),
        // An escaped line break inside a double-quoted scalar joins the lines.
        2 if value.len() > 3 => format!("\"{}\\\n{pad}{}\"", &value[..3], &value[3..]),
        // A quoted scalar whose continuation line is indented less than its key.
        3 if value.len() > 3 => format!("\"{}\\\n{}\"", &value[..3], &value[3..]),
        4 => format!("!!str {value}"),
        // On the next line (a plain scalar may start there).
        5 if !flow => format!("\n{pad}  {value}"),
        6 if !flow => format!("{value} # a comment"),
        _ => value.to_owned(),
    }
}

/// The containers of a pod spec, with the images in `images`, at indentation `col` of the
/// `containers` key.
fn containers(c: &mut impl Choose, images: &[String], col: usize, out: &mut String) {
    let key = " ".repeat(col);
    if c.chance(40) {
        // Flow style, with line breaks, comments and indentation that block context would refuse.
        out.push_str(&format!("{key}containers: ["));
        for (i, image) in images.iter().enumerate() {
            let indent = " ".repeat(c.below(col + 4));
            match c.below(4) {
                0 => out.push_str(&format!("\n{indent}")),
                1 => out.push_str(&format!(" # why\n{indent}")),
                2 => out.push_str(&format!("\n{indent}\t")),
                _ => {}
            }
            let value = scalar(c, image, col + 2, true);
            let sep = if c.chance(50) { "\n" } else { " " };
            let sep2 = " ".repeat(c.below(col + 3));
            out.push_str(&format!("{{name: c{i},{sep}{sep2}image: {value}}}"));
            if i + 1 < images.len() || c.chance(30) {
                out.push(',');
            }
        }
        let close = " ".repeat(c.below(col + 3));
        out.push_str(&format!("\n{close}]\n"));
        return;
    }
    out.push_str(&format!("{key}containers:\n"));
    // A sequence may sit at its key's column.
    let item = " ".repeat(col + c.below(3));
    let gap = " ".repeat(1 + c.below(3));
    let inner = item.len() + 1 + gap.len();
    for (i, image) in images.iter().enumerate() {
        let value = scalar(c, image, inner, false);
        let sep = if c.chance(10) { "\t" } else { " " };
        let how = c.below(20);
        if how < 3 {
            let value = scalar(c, image, inner, true);
            out.push_str(&format!(
                "{item}-{gap}<<: {{image: {value}}}\n{}name: c{i}\n",
                " ".repeat(inner)
            ));
        } else if how < 6 {
            out.push_str(&format!(
                "{item}-{gap}name: c{i}\n{}image: &img{i} {}\n",
                " ".repeat(inner),
                image
            ));
            out.push_str(&format!(
                "{item}-{gap}name: d{i}\n{}image: *img{i}\n",
                " ".repeat(inner)
            ));
        } else {
            out.push_str(&format!(
                "{item}-{gap}name: c{i}\n{}image:{sep}{value}\n",
                " ".repeat(inner)
            ));
        }
        if c.chance(20) {
            out.push_str(&format!(
                "{}args: [\n{}\"-a\", \"{}\",\n{}]\n",
                " ".repeat(inner),
                " ".repeat(inner + c.below(3)),
                c.pick(&["x", "off", "1.0"]),
                " ".repeat(c.below(inner + 1)),
            ));
        }
    }
}

/// One pod-like document.
fn document(c: &mut impl Choose, out: &mut String) {
    let unit = [1, 2, 3, 4, 7][c.below(5)];
    let n = 1 + c.below(3);
    let images: Vec<String> = (0..n).map(|_| c.pick(IMAGES).to_owned()).collect();
    let name = c.pick(&["web", "off", "\"yes\"", "'x'", "0o17"]);
    let u = " ".repeat(unit);
    if c.chance(50) {
        out.push_str(&format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n{u}name: {name}\nspec:\n"
        ));
        containers(c, &images, unit, out);
    } else {
        out.push_str(&format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n{u}template:\n{u}{u}spec:\n"
        ));
        containers(c, &images, 3 * unit, out);
    }
}

/// A stream of one to three documents with directives, markers and comments between them.
pub fn stream(c: &mut impl Choose) -> String {
    let mut out = String::new();
    if c.chance(10) {
        out.push_str("%YAML 1.1\n---\n");
    } else if c.chance(20) {
        out.push_str("# leading comment\n---\n");
    }
    let docs = 1 + c.below(3);
    for d in 0..docs {
        document(c, &mut out);
        if d + 1 < docs {
            if c.chance(20) {
                out.push_str("...\n");
            }
            out.push_str(c.pick(&["---\n", "--- # next\n", "---\n# only a comment\n---\n"]));
        }
    }
    out
}

/// The oracle, kept running: one stream in, its documents out.
pub struct Oracle {
    _child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Oracle {
    /// Starts `path -batch`.
    pub fn start(path: &str) -> Oracle {
        let mut child = Command::new(path)
            .arg("-batch")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the oracle starts");
        let stdin = child.stdin.take().expect("its stdin");
        let stdout = BufReader::new(child.stdout.take().expect("its stdout"));
        Oracle {
            _child: child,
            stdin,
            stdout,
        }
    }

    /// The oracle's documents of `stream`: `Ok(json)` or `Err(message)` each, nulls left out.
    pub fn read(&mut self, stream: &str) -> Vec<Result<Value, String>> {
        let line = serde_json::to_string(stream).expect("a string");
        writeln!(self.stdin, "{line}").expect("the oracle reads");
        self.stdin.flush().expect("the oracle reads");
        let mut answer = String::new();
        self.stdout
            .read_line(&mut answer)
            .expect("the oracle answers");
        let docs: Vec<Value> = serde_json::from_str(&answer).expect("the oracle's JSON");
        docs.into_iter()
            .map(|d| match d.get("error") {
                Some(e) => Err(e.as_str().unwrap_or_default().to_owned()),
                None => Ok(d.get("json").cloned().unwrap_or(Value::Null)),
            })
            .collect()
    }
}

/// The string images of a JSON object, by pointer: every `image` of the items of a
/// `containers`, `initContainers` or `ephemeralContainers` array.
pub fn images(value: &Value, pointer: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                if matches!(
                    k.as_str(),
                    "containers" | "initContainers" | "ephemeralContainers"
                ) && let Value::Array(items) = v
                {
                    for (i, item) in items.iter().enumerate() {
                        if let Some(Value::String(s)) = item.get("image")
                            && !s.is_empty()
                        {
                            out.push((format!("{p}/{i}/image"), s.clone()));
                        }
                    }
                }
                images(v, &p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                images(v, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The mirror policy the check rewrites with: every image to `m.io/hub`.
pub fn policy() -> Policy {
    Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#)
        .expect("a valid policy")
}

/// The oracle's documents of `stream`, but for one known difference: kubectl splits a `%YAML`
/// directive from the document after its `---` and refuses the directive alone; imgrepl reads
/// the directive with its document.
fn read(oracle: &mut Oracle, stream: &str) -> Vec<Result<Value, String>> {
    let mut theirs = oracle.read(stream);
    if stream.starts_with('%')
        && theirs.first().is_some_and(|d| {
            d.as_ref()
                .is_err_and(|e| e.contains("did not find expected <document start>"))
        })
    {
        let _directive = theirs.remove(0);
    }
    theirs
}

/// Compares imgrepl's reading of `stream` with the oracle's: the same documents readable, the
/// same images at the same pointers, and the edited output read by the oracle as the input
/// with those images rewritten. `Err` describes the first difference.
pub fn compare(oracle: &mut Oracle, stream: &str) -> Result<(), String> {
    let policy = policy();
    let options = Options::default().policy(&policy).check_pulls(false);
    let edited = imgrepl_manifest::edit(stream.as_bytes(), &options)
        .map_err(|e| format!("the input is refused: {e}"))?;
    let ours: Vec<&imgrepl_manifest::Document> = edited
        .documents
        .iter()
        .filter(|d| d.error.is_some() || !d.objects.is_empty())
        .collect();
    let theirs = read(oracle, stream);
    if ours.len() != theirs.len() {
        return Err(format!(
            "{} documents read by imgrepl, {} by Kubernetes ({:?})",
            ours.len(),
            theirs.len(),
            theirs.iter().map(|d| d.as_ref().err()).collect::<Vec<_>>()
        ));
    }
    let mut expected_output = Vec::new();
    for (i, (d, t)) in ours.iter().zip(&theirs).enumerate() {
        let json = match (&d.error, t) {
            (None, Ok(json)) => json,
            (Some(_), Err(_)) => {
                expected_output.push(None);
                continue;
            }
            (Some(e), Ok(_)) => {
                return Err(format!(
                    "document {} is refused by imgrepl ({e}, line {}) and read by Kubernetes",
                    i + 1,
                    e.position().line
                ));
            }
            (None, Err(e)) => {
                return Err(format!(
                    "document {} is read by imgrepl and refused by Kubernetes: {e}",
                    i + 1
                ));
            }
        };
        let mut found = Vec::new();
        images(json, "", &mut found);
        found.sort();
        let mut rows: Vec<(String, String)> = Vec::new();
        let mut after = json.clone();
        for o in &d.objects {
            let Ok(report) = &o.outcome else { continue };
            for row in &report.containers {
                if let Some(before) = row.before.as_ref().filter(|b| !b.is_empty()) {
                    rows.push((format!("{}{}", o.pointer, row.pointer), before.clone()));
                }
                if row.changed()
                    && let (Some(a), Some(slot)) = (
                        &row.after,
                        after.pointer_mut(&format!("{}{}", o.pointer, row.pointer)),
                    )
                {
                    *slot = Value::String(a.clone());
                }
            }
        }
        rows.sort();
        if rows != found {
            return Err(format!(
                "document {}: imgrepl finds {rows:?}, Kubernetes {found:?}",
                i + 1
            ));
        }
        expected_output.push(Some(after));
    }
    let output = read(oracle, &edited.output);
    let got: Vec<Option<Value>> = output.into_iter().map(Result::ok).collect();
    if got != expected_output {
        return Err(format!(
            "the edited output reads as {got:?}, not as the input with its images rewritten: {expected_output:?}"
        ));
    }
    Ok(())
}
