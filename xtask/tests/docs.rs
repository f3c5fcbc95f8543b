//! The repository's documents against its code.
//!
//! - `docs/CODES.md` lists every code: its first table is `imgrepl::Code::ALL` (code, scope,
//!   severity and the meaning from `Code::description`, in order), its second the codes the
//!   JavaScript package throws itself (the string literals given to `error(…)` in
//!   `bindings-wasm/src/` that are not core codes), its third the manifest editor's error kinds.
//! - Every citation of a section (`§`) of a Markdown file in the tree names a file of the
//!   repository and, for the design in `docs/`, a section it has; the design is always cited
//!   with its folder, since a bare file name would point outside the repository.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use imgrepl::Code;
use imgrepl_manifest::{DocumentErrorKind, InputErrorKind};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The cells of one table row: split at every `|` that is not escaped, trimmed, and a cell that
/// is one code span (`` `x` ``) unquoted.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut escaped = false;
    for c in inner.chars() {
        match c {
            '|' if !escaped => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
        escaped = c == '\\';
    }
    cells.push(cell);
    cells
        .into_iter()
        .map(|c| {
            let c = c.trim();
            match c.strip_prefix('`').and_then(|c| c.strip_suffix('`')) {
                Some(code) if !code.contains('`') => code.to_owned(),
                _ => c.to_owned(),
            }
        })
        .collect()
}

/// The rows of the table of `doc` whose header row is `header` (after its `|---|` line, up to
/// the first line that is not a row).
fn table(doc: &str, header: &str) -> Vec<Vec<String>> {
    let mut lines = doc.lines().skip_while(|l| l.trim() != header);
    assert!(
        lines.next().is_some(),
        "docs/CODES.md has no table with the header `{header}`"
    );
    lines
        .skip(1)
        .take_while(|l| l.trim_start().starts_with('|'))
        .map(cells)
        .collect()
}

fn is_kebab_case(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

/// The design's file name, spelled so that this file does not cite it.
const DESIGN_FILE_NAME: &str = concat!("DESIGN", ".md");

const CORE_HEADER: &str = "| code | scope | severity | meaning |";
const JS_HEADER: &str = "| code | thrown by | meaning |";
const MANIFEST_HEADER: &str = "| code | reported for | meaning |";

#[test]
fn the_code_table_is_code_all() {
    let doc = read("docs/CODES.md");
    let expected: Vec<Vec<String>> = Code::ALL
        .iter()
        .map(|c| {
            vec![
                c.as_str().to_owned(),
                c.scope().as_str().to_owned(),
                c.severity().as_str().to_owned(),
                c.description().to_owned(),
            ]
        })
        .collect();
    let found = table(&doc, CORE_HEADER);
    if found == expected {
        return;
    }
    let codes = |rows: &[Vec<String>]| -> BTreeSet<String> {
        rows.iter().filter_map(|r| r.first().cloned()).collect()
    };
    let (want, have) = (codes(&expected), codes(&found));
    let mut why = String::new();
    for code in want.difference(&have) {
        let _ = writeln!(why, "  missing from docs/CODES.md: {code}");
    }
    for code in have.difference(&want) {
        let _ = writeln!(why, "  not in imgrepl::Code::ALL: {code}");
    }
    for row in &expected {
        if let Some(other) = found.iter().find(|r| r.first() == row.first())
            && other != row
        {
            let _ = writeln!(why, "  differs: {}: has {other:?}, not {row:?}", row[0]);
        }
    }
    if why.is_empty() {
        why.push_str("  the rows are in another order than Code::ALL\n");
    }
    let mut rows = String::new();
    for row in &expected {
        let _ = writeln!(
            rows,
            "| `{}` | {} | {} | {} |",
            row[0], row[1], row[2], row[3]
        );
    }
    panic!(
        "docs/CODES.md's table of the crate's codes differs from imgrepl::Code::ALL:\n{why}\
         its rows should be (under `{CORE_HEADER}`):\n{rows}"
    );
}

/// The codes `bindings-wasm/src` throws by name: the first argument of every `error("…"`.
fn thrown_by_the_js_package() -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    let mut dirs = vec![root().join("bindings-wasm/src")];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("Rust source is UTF-8");
            for (at, _) in text.match_indices("error(\"") {
                let rest = &text[at + "error(\"".len()..];
                if let Some(end) = rest.find('"') {
                    codes.insert(rest[..end].to_owned());
                }
            }
        }
    }
    codes
}

#[test]
fn the_javascript_codes_are_those_the_package_throws() {
    let doc = read("docs/CODES.md");
    let documented: BTreeSet<String> = table(&doc, JS_HEADER)
        .into_iter()
        .filter_map(|r| r.into_iter().next())
        .collect();
    let thrown = thrown_by_the_js_package();
    assert!(
        thrown.contains("invalid-argument"),
        "the scan of bindings-wasm/src found no `error(\"invalid-argument\"`: {thrown:?}"
    );
    let own: BTreeSet<String> = thrown
        .into_iter()
        .filter(|c| Code::from_code(c).is_none())
        .collect();
    assert_eq!(
        documented, own,
        "docs/CODES.md's table of the JavaScript package's own codes (left) differs from the codes \
         bindings-wasm/src throws that are not imgrepl::Code (right)"
    );
    for code in &documented {
        assert!(is_kebab_case(code), "{code}");
    }
}

#[test]
fn the_manifest_codes_are_its_error_kinds() {
    let doc = read("docs/CODES.md");
    let documented: BTreeSet<(String, String)> = table(&doc, MANIFEST_HEADER)
        .into_iter()
        .map(|r| (r[0].clone(), r.get(1).cloned().unwrap_or_default()))
        .collect();
    let kinds: BTreeSet<(String, String)> = InputErrorKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), "input".to_owned()))
        .chain(
            DocumentErrorKind::ALL
                .iter()
                .map(|k| (k.as_str().to_owned(), "document".to_owned())),
        )
        .collect();
    assert_eq!(
        documented, kinds,
        "docs/CODES.md's table of the manifest editor's codes (left) differs from \
         InputErrorKind::ALL and DocumentErrorKind::ALL (right)"
    );
}

/// The section numbers of `docs/DESIGN.md` (`1`, `1.1`, …), checked to run in order.
fn design_sections() -> Vec<String> {
    let design = read("docs/DESIGN.md");
    let mut sections = Vec::new();
    let (mut major, mut minor) = (0, 0);
    for line in design.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            let Some((n, _)) = title.split_once(". ") else {
                continue;
            };
            major += 1;
            minor = 0;
            assert_eq!(
                n,
                major.to_string(),
                "docs/DESIGN.md: `{line}` out of order"
            );
            sections.push(n.to_owned());
        } else if let Some(title) = line.strip_prefix("### ") {
            let n = title.split(' ').next().unwrap_or_default();
            minor += 1;
            assert_eq!(
                n,
                format!("{major}.{minor}"),
                "docs/DESIGN.md: `{line}` out of order"
            );
            sections.push(n.to_owned());
        }
    }
    assert!(sections.len() > 5, "docs/DESIGN.md has numbered sections");
    sections
}

/// The section number right after a `§` (`3.3` in `§3.3,`).
fn section_after(text: &str) -> &str {
    let end = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    text[..end].trim_end_matches('.')
}

/// The text files of the repository that may cite a document: sources, scripts and documents,
/// without build output, installed packages and fuzz corpora.
fn cited_from() -> Vec<PathBuf> {
    const SKIP_DIRS: &[&str] = &[
        "target",
        "node_modules",
        "pkg",
        "artifacts",
        "corpus",
        "coverage",
    ];
    const EXTENSIONS: &[&str] = &[
        "rs", "go", "c", "h", "js", "mjs", "cjs", "ts", "md", "py", "toml", "yaml", "yml", "dict",
        "sh", "html", "css",
    ];
    let mut files = Vec::new();
    let mut dirs = vec![root()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                let hidden = name.starts_with('.') && name != ".ci" && name != ".cargo";
                if !hidden && !SKIP_DIRS.contains(&name.as_str()) {
                    dirs.push(path);
                }
            } else if name == "run"
                || path
                    .extension()
                    .is_some_and(|e| EXTENSIONS.iter().any(|x| e == *x))
            {
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn every_citation_names_a_document_and_section_of_the_repository() {
    let root = root();
    let design = root.join("docs/DESIGN.md");
    let sections = design_sections();
    let mut wrong = Vec::new();
    let mut citations = 0;
    for file in cited_from() {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let name = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .display()
            .to_string();
        let in_docs = file.parent() == Some(root.join("docs").as_path());
        for (n, line) in text.lines().enumerate() {
            let at = format!("{name}:{}", n + 1);
            // The design is docs/DESIGN.md: a bare name would be a file outside the tree.
            for (i, _) in line.match_indices(DESIGN_FILE_NAME) {
                if !in_docs && !line[..i].ends_with("docs/") {
                    wrong.push(format!("{at}: cite the design as docs/DESIGN.md: {line}"));
                }
            }
            for (i, _) in line.match_indices('§') {
                let section = section_after(&line[i + '§'.len_utf8()..]);
                let before = line[..i].trim_end();
                let token = before
                    .rsplit(char::is_whitespace)
                    .next()
                    .unwrap_or_default()
                    .trim_start_matches(['(', '[', '`', '"', '\'', '*']);
                let markdown = Path::new(token)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("md"));
                let cited = if markdown {
                    let from_root = root.join(token);
                    let from_here = file.parent().unwrap_or(&root).join(token);
                    let Some(path) = [from_root, from_here].into_iter().find(|p| p.is_file())
                    else {
                        wrong.push(format!("{at}: {token} is not a file of the repository"));
                        continue;
                    };
                    path
                } else if file == design && !section.is_empty() {
                    // The design's own cross-references (`§3.5`).
                    design.clone()
                } else {
                    continue;
                };
                citations += 1;
                if cited.canonicalize().ok() == design.canonicalize().ok()
                    && !section.is_empty()
                    && !sections.iter().any(|s| s == section)
                {
                    wrong.push(format!(
                        "{at}: docs/DESIGN.md has no section §{section} (it has {})",
                        sections.join(", ")
                    ));
                }
            }
        }
    }
    assert!(
        citations > 20,
        "only {citations} citations found: is the walk right?"
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The lines of `text`, each without its leading whitespace.
fn dedented(text: &str) -> Vec<&str> {
    text.lines().map(str::trim_start).collect()
}

/// Every code block of a Markdown file marked `<!-- excerpt: PATH -->` is a piece of PATH (from
/// the root) that its tests run: its lines are consecutive lines of that file, indentation aside.
/// Returns the files named.
fn checked_excerpts(markdown: &str) -> Vec<String> {
    let text = read(markdown);
    let mut named = Vec::new();
    for marked in text.split("<!-- excerpt: ").skip(1) {
        let (path, after) = marked
            .split_once(" -->\n")
            .unwrap_or_else(|| panic!("{markdown}: an excerpt marker ends with ` -->`"));
        assert!(
            after.starts_with("```"),
            "{markdown}: no code block after the marker for {path}"
        );
        let body = &after[after.find('\n').expect("a fence line") + 1..];
        let block = &body[..body.find("```\n").expect("the code block is closed")];
        let excerpt = dedented(block);
        let source = read(path);
        let lines = dedented(&source);
        assert!(
            !excerpt.is_empty()
                && lines
                    .windows(excerpt.len())
                    .any(|w| w == excerpt.as_slice()),
            "{markdown}: the excerpt of {path} is not in it, line for line:\n{block}"
        );
        named.push(path.to_owned());
    }
    named
}

#[test]
fn the_readmes_excerpts_are_from_the_tested_files() {
    assert_eq!(
        checked_excerpts("README.md"),
        [
            "bindings-c/ctests/example.c",
            "go/imgrepl/README.md",
            "webhook/README.md"
        ]
    );
}

#[test]
fn an_excerpt_that_drifted_is_caught() {
    let example = read("bindings-c/ctests/example.c");
    let drifted = example.replace("imgrepl_policy_rewrite(", "imgrepl_policy_rewrite_v2(");
    let excerpt = dedented(
        "status = imgrepl_policy_rewrite(policy, images[i], strlen(images[i]), buf, sizeof buf,\n&len, &rule, &error);\n",
    );
    assert!(
        dedented(&example)
            .windows(2)
            .any(|w| w == excerpt.as_slice())
    );
    assert!(
        !dedented(&drifted)
            .windows(2)
            .any(|w| w == excerpt.as_slice())
    );
}
