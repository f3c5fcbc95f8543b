//! Edit the images of Kubernetes manifests in place: YAML or JSON in, the same text out, changed
//! only inside the image values that a policy rewrites.
//!
//! ```
//! use imgrepl_k8s::Options;
//!
//! let input = "\
//! ## the web tier
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata: {name: web}
//! spec:
//!   template:
//!     metadata:
//!       annotations:
//!         coordinator.cci.io/image-replacement: '[{\"repositoryPrefix\": \"\", \"replaceWith\": \"m.io/hub\"}]'
//!     spec:
//!       containers:
//!       - name: web
//!         image: 'nginx:1.27'   # pinned
//!       volumes:
//!       - {name: creds, secret: {secretName: creds, defaultMode: 0400}}
//! ";
//! let edited = imgrepl_manifest::edit(input.as_bytes(), &Options::default())?;
//! assert_eq!(edited.output, input.replace("'nginx:1.27'", "'m.io/hub/nginx:1.27'"));
//! let document = &edited.documents[0];
//! assert_eq!(document.patch()[0].path, "/spec/template/spec/containers/0/image");
//! assert_eq!((document.edits[0].line, document.edits[0].column), (13, 16));
//! # Ok::<(), imgrepl_manifest::InputError>(())
//! ```
//!
//! # How it reads
//!
//! - The input is split into documents at lines that start with `---`, and each document is
//!   read on its own, so a problem in one never stops the others. Documents are numbered as
//!   the file's `---` sections are, empty ones included (a first section of only comments or
//!   directives before the first `---` is not a document). A section that is a stream of JSON
//!   values (`{…}{…}`) is one document per value.
//! - Each document is read with the `saphyr-parser` YAML 1.2 event parser, whose events carry
//!   the span of every scalar; JSON is read the same way (JSON is YAML). The value view that
//!   decides anything — `apiVersion`, `kind`, annotations, container `name` and `image` — reads
//!   scalars as Kubernetes does (YAML 1.1: `yes` is a boolean, `0400` is a number, `1.0` is a
//!   number and so not an image). Aliases and `<<` merge keys are followed. A key that is there
//!   twice on a path that is read is an error of that object or container.
//! - Where the parser follows YAML 1.2 more strictly than Kubernetes' reader (go-yaml v2), the
//!   document is read again as Kubernetes reads it: the lines of a flow collection and the
//!   continuation lines of a quoted scalar at any indentation, tabs before a flow line's
//!   content and after a block mapping's `:`. An indentation error in block context stays an
//!   error.
//! - Values that are not rewritten are never interpreted, so they cannot change.
//!
//! # How it writes
//!
//! The output is the input, byte for byte (byte order mark, comments, quoting, anchors,
//! `\r\n` line ends, a missing final newline), except the scalars of the rewritten images: a
//! plain, single-quoted, double-quoted or block scalar keeps its style when the new value can
//! be written in it, and becomes double-quoted when it cannot (a plain `[::1]:5000/x` would be
//! a flow sequence). An image reached through an anchor is changed only when every place that
//! shares it gets the same new value; otherwise it is reported, not edited.
//!
//! # Limits
//!
//! The input is at most [`MAX_INPUT_BYTES`] (64 MiB), UTF-8 (a UTF-16 input is named as
//! such). A document nests at most [`MAX_DEPTH`] levels ([`MAX_FLOW_DEPTH`] in flow style, so
//! in JSON: the reader's own limit), and its aliases may expand it to at most [`alias_budget`]
//! nodes (4 per byte of the document, and at least 100,000): an alias
//! bomb is refused for its document, never expanded.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod lenient;
mod scalar;
mod split;
mod tree;

use std::fmt;
use std::ops::Range;

use imgrepl_k8s::{ContainerError, ObjectReport, Options, Patch, PatchOp};
use serde::Serialize;

pub use split::InputError;
pub use split::InputErrorKind;
pub use tree::{MAX_DEPTH, MAX_FLOW_DEPTH};

use crate::tree::{Kind, Style, Tree, skip_properties};

/// The largest input accepted, in bytes (64 MiB).
pub const MAX_INPUT_BYTES: usize = 64 << 20;

/// The most nodes a document of `len` bytes may have once its aliases are followed: 4 per
/// byte, and at least 100,000. Without aliases a document never comes close (every node takes
/// at least one byte).
///
/// ```
/// assert_eq!(imgrepl_manifest::alias_budget(1_000_000), 4_000_000);
/// assert_eq!(imgrepl_manifest::alias_budget(10), 100_000);
/// ```
#[must_use]
pub const fn alias_budget(len: usize) -> usize {
    let per_byte = len.saturating_mul(4);
    if per_byte > 100_000 {
        per_byte
    } else {
        100_000
    }
}

/// The syntax of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Syntax {
    /// YAML (block or flow style).
    Yaml,
    /// A JSON text.
    Json,
}

/// A line and column, both 1-based; the column counts characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, in characters.
    pub column: usize,
}

/// What kind of problem stopped a document from being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocumentErrorKind {
    /// Not valid YAML (nor JSON).
    Syntax,
    /// Nested deeper than [`MAX_DEPTH`] ([`MAX_FLOW_DEPTH`] in flow style).
    TooDeep,
    /// Aliases expand it past [`alias_budget`].
    AliasExpansion,
}

impl DocumentErrorKind {
    /// Every kind, in declaration order (docs/CODES.md lists their codes).
    ///
    /// ```
    /// use imgrepl_manifest::DocumentErrorKind;
    ///
    /// let codes: Vec<&str> = DocumentErrorKind::ALL.iter().map(|k| k.as_str()).collect();
    /// assert_eq!(codes, ["invalid-yaml", "too-deep", "alias-expansion"]);
    /// ```
    pub const ALL: [DocumentErrorKind; 3] = [
        DocumentErrorKind::Syntax,
        DocumentErrorKind::TooDeep,
        DocumentErrorKind::AliasExpansion,
    ];

    /// The stable code: `invalid-yaml`, `too-deep` or `alias-expansion`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            DocumentErrorKind::Syntax => "invalid-yaml",
            DocumentErrorKind::TooDeep => "too-deep",
            DocumentErrorKind::AliasExpansion => "alias-expansion",
        }
    }
}

/// A document that could not be read; it is passed through unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentError {
    kind: DocumentErrorKind,
    message: String,
    offset: usize,
    position: Position,
}

impl DocumentError {
    /// What kind of problem.
    #[must_use]
    pub fn kind(&self) -> DocumentErrorKind {
        self.kind
    }

    /// The stable code of the kind.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.kind.as_str()
    }

    /// The byte offset in the input where it was found.
    #[must_use]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The line and column in the input.
    #[must_use]
    pub fn position(&self) -> Position {
        self.position
    }
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DocumentError {}

impl Serialize for DocumentError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("DocumentError", 5)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", &self.message)?;
        s.serialize_field("offset", &self.offset)?;
        s.serialize_field("line", &self.position.line)?;
        s.serialize_field("column", &self.position.column)?;
        s.end()
    }
}

/// One change to the text: the scalar of a rewritten image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// The bytes of the input replaced.
    pub span: Range<usize>,
    /// Where they start.
    pub line: usize,
    /// Where they start (in characters, from 1).
    pub column: usize,
    /// The text replaced, as written (quotes included).
    pub before: String,
    /// The text written in its place.
    pub after: String,
    /// The pointers (from the document's root) of the images it changes: more than one when
    /// a YAML anchor shares the value.
    pub pointers: Vec<String>,
}

/// A pointer into a document and where it is in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located {
    /// The RFC 6901 pointer from the document's root.
    pub pointer: String,
    /// The line and column of the value there (of the nearest existing parent for a missing
    /// value).
    pub position: Position,
}

/// One document of the input: where it is, what was found in it, and what was changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// Its number, from 1, as the file's `---` sections are counted.
    pub number: usize,
    /// Its bytes in the input.
    pub span: Range<usize>,
    /// The line it starts on.
    pub line: usize,
    /// YAML or JSON.
    pub syntax: Syntax,
    /// Why it could not be read (it is then passed through unchanged, with no objects).
    pub error: Option<DocumentError>,
    /// Its objects: the document, or the items of its `List`s.
    pub objects: Vec<ObjectReport>,
    /// The changes made to its text, in order.
    pub edits: Vec<Edit>,
    /// The positions of the pointers that messages name (object errors, warnings, container
    /// rows with an error, policies), sorted by pointer.
    pub locations: Vec<Located>,
}

impl Document {
    /// The RFC 6902 JSON Patch of the document (paths from its root), as `--patch` prints it.
    #[must_use]
    pub fn patch(&self) -> Vec<PatchOp> {
        self.objects.iter().flat_map(ObjectReport::patch).collect()
    }

    /// Whether something is wrong: the document could not be read, or an object or a
    /// container has an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.error.is_some()
            || self.objects.iter().any(|o| match &o.outcome {
                Ok(report) => report.errors().next().is_some(),
                Err(_) => true,
            })
    }

    /// The position of a pointer that a message names (see [`Document::locations`]).
    #[must_use]
    pub fn position(&self, pointer: &str) -> Option<Position> {
        self.locations
            .binary_search_by(|l| l.pointer.as_str().cmp(pointer))
            .ok()
            .and_then(|i| self.locations.get(i))
            .map(|l| l.position)
    }
}

/// The result of [`edit`]: the output text and every document's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edited {
    /// The input with the rewritten images changed, and nothing else.
    pub output: String,
    /// Every document, in order.
    pub documents: Vec<Document>,
}

impl Edited {
    /// Whether some document has an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.documents.iter().any(Document::has_errors)
    }
}

/// Edits the images of the manifests in `input` (YAML or JSON, one or more documents) by the
/// policy each workload carries or the one in `options`.
///
/// # Errors
///
/// An [`InputError`] when the input as a whole cannot be read: larger than
/// [`MAX_INPUT_BYTES`], UTF-16, or not UTF-8. Problems of one document are in its
/// [`Document`], and the other documents are still edited.
///
/// ```
/// use imgrepl_k8s::Options;
///
/// let input = "apiVersion: v1\nkind: ConfigMap\ndata: {k: 1, k: 2}\n---\n{\"apiVersion\": \"v1\", \"kind\": \"Pod\",\n \"metadata\": {\"annotations\": {\"coordinator.cci.io/image-replacement\": \"[{\\\"repositoryPrefix\\\": \\\"\\\", \\\"replaceWith\\\": \\\"m.io/hub\\\"}]\"}},\n \"spec\": {\"containers\": [{\"image\": \"nginx\"}]}}";
/// let edited = imgrepl_manifest::edit(input.as_bytes(), &Options::default())?;
/// assert_eq!(edited.output, input.replace("\"nginx\"", "\"m.io/hub/nginx\""));
/// assert_eq!(edited.documents.len(), 2);
/// assert!(!edited.has_errors()); // the duplicate key is in data, which nothing reads
/// # Ok::<(), imgrepl_manifest::InputError>(())
/// ```
pub fn edit(input: &[u8], options: &Options<'_>) -> Result<Edited, InputError> {
    let mut documents = Vec::new();
    let output = edit_each(input, options, |document| documents.push(document))?;
    Ok(Edited { output, documents })
}

/// [`edit`], handing each document to `each` as soon as it is done instead of keeping them
/// all: memory then holds the input, the output and one document, however many documents
/// the input has. Returns the output.
///
/// # Errors
///
/// As [`edit`].
///
/// ```
/// use imgrepl_k8s::Options;
///
/// let mut numbers = Vec::new();
/// let output = imgrepl_manifest::edit_each(b"a: 1\n---\nb: 2\n", &Options::default(), |d| numbers.push(d.number))?;
/// assert_eq!((output.as_str(), numbers.as_slice()), ("a: 1\n---\nb: 2\n", &[1, 2][..]));
/// # Ok::<(), imgrepl_manifest::InputError>(())
/// ```
pub fn edit_each(
    input: &[u8],
    options: &Options<'_>,
    mut each: impl FnMut(Document),
) -> Result<String, InputError> {
    let text = split::check(input)?;
    // Room for images a little longer than before; more grows the string.
    let mut output = String::with_capacity(text.len() + text.len() / 8 + 64);
    let mut at = 0;
    for (number, section) in split::documents(text).into_iter().enumerate() {
        let document = edit_document(text, &section, number + 1, options);
        for edit in &document.edits {
            output.push_str(text.get(at..edit.span.start).unwrap_or_default());
            output.push_str(&edit.after);
            at = edit.span.end;
        }
        each(document);
    }
    output.push_str(text.get(at..).unwrap_or_default());
    Ok(output)
}

/// Line starts of a document, to turn offsets into positions.
struct Lines<'s> {
    text: &'s str,
    base: usize,
    first_line: usize,
    starts: Option<Vec<usize>>,
}

impl Lines<'_> {
    fn position(&mut self, offset: usize) -> Position {
        let text = self.text;
        let starts = self.starts.get_or_insert_with(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let offset = offset.min(text.len());
        let line = starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = starts.get(line).copied().unwrap_or_default();
        let column = text.get(start..offset).map_or(1, |t| t.chars().count() + 1);
        Position {
            line: self.first_line + line,
            column,
        }
    }
}

fn edit_document(
    input: &str,
    section: &split::Section,
    number: usize,
    options: &Options<'_>,
) -> Document {
    let text = input.get(section.span.clone()).unwrap_or_default();
    let base = section.span.start;
    let mut lines = Lines {
        text,
        base,
        first_line: section.line,
        starts: None,
    };
    let mut document = Document {
        number,
        span: section.span.clone(),
        line: section.line,
        syntax: section.syntax,
        error: None,
        objects: Vec::new(),
        edits: Vec::new(),
        locations: Vec::new(),
    };
    let error = |kind, offset: usize, message: String, lines: &mut Lines<'_>| DocumentError {
        kind,
        message,
        offset: lines.base + offset,
        position: lines.position(offset),
    };
    let read = if section.syntax == Syntax::Json {
        Tree::read_json(text)
    } else {
        lenient::read(text)
    };
    let tree = match read {
        Ok(tree) => tree,
        Err(e) => {
            let kind = if e.message.starts_with("nested more than") {
                DocumentErrorKind::TooDeep
            } else {
                DocumentErrorKind::Syntax
            };
            document.error = Some(error(kind, e.offset, e.message, &mut lines));
            return document;
        }
    };
    let budget = alias_budget(text.len());
    if tree.expanded_size() as usize > budget {
        let offset = tree
            .root
            .and_then(|r| tree.raw(r))
            .map_or(0, |r| r.start as usize);
        document.error = Some(error(
            DocumentErrorKind::AliasExpansion,
            offset,
            format!(
                "its aliases expand it to more than {budget} values (at most 4 per byte of the document, and at least 100,000)"
            ),
            &mut lines,
        ));
        return document;
    }
    let Some(root) = tree.root else {
        return document;
    };
    document.objects = imgrepl_k8s::rewrite_objects(tree.node(root), options);
    plan_edits(&tree, &mut document, &mut lines);
    locate(&tree, &mut document, &mut lines);
    document
}

/// A changed image: the object and row it is on, its pointer from the root, its new value.
struct Change {
    object: usize,
    row: usize,
    pointer: String,
    after: String,
}

/// Finds the scalar of every changed image, checks that it can be changed in place, and adds
/// the splices; a row that cannot be is given a `not-editable` error.
fn plan_edits(tree: &Tree<'_>, document: &mut Document, lines: &mut Lines<'_>) {
    let mut changes: Vec<(u32, Change)> = Vec::new();
    let mut refused: Vec<(usize, usize, String)> = Vec::new();
    for (o, object) in document.objects.iter().enumerate() {
        let Ok(report) = &object.outcome else {
            continue;
        };
        for (r, row) in report.containers.iter().enumerate() {
            let Some(after) = row.after.as_ref().filter(|_| row.changed()) else {
                continue;
            };
            let pointer = format!("{}{}", object.pointer, row.pointer);
            match tree.at_pointer(&pointer) {
                Some(id) => changes.push((
                    id,
                    Change {
                        object: o,
                        row: r,
                        pointer,
                        after: after.clone(),
                    },
                )),
                None => refused.push((
                    o,
                    r,
                    "the image's value was not found in the text".to_owned(),
                )),
            }
        }
    }
    changes.sort_by_key(|(id, _)| *id);
    let mut targets: Vec<u32> = changes.iter().map(|(id, _)| *id).collect();
    targets.dedup();
    let counts = tree.reach_counts(&targets);
    let mut edits = Vec::new();
    for ((target, count), run) in targets
        .iter()
        .zip(counts)
        .zip(changes.chunk_by(|a, b| a.0 == b.0))
    {
        let group: Vec<&Change> = run.iter().map(|(_, c)| c).collect();
        let Some(first) = group.first() else { continue };
        let agree = group.iter().all(|c| c.after == first.after);
        let reason = if !agree || group.len() != count as usize {
            Some(format!(
                "the image is a YAML anchor's value shared by {count} places that would not all be rewritten to the same image: left as it is"
            ))
        } else {
            None
        };
        match reason.map_or_else(|| replacement(tree, *target, &first.after), Err) {
            Ok((span, new)) => {
                let position = lines.position(span.start);
                edits.push(Edit {
                    before: tree.text.get(span.clone()).unwrap_or_default().to_owned(),
                    span: lines.base + span.start..lines.base + span.end,
                    line: position.line,
                    column: position.column,
                    after: new,
                    pointers: group.iter().map(|c| c.pointer.clone()).collect(),
                });
            }
            Err(reason) => {
                refused.extend(group.iter().map(|c| (c.object, c.row, reason.clone())));
            }
        }
    }
    edits.sort_by_key(|e| e.span.start);
    document.edits = edits;
    for (o, r, reason) in refused {
        if let Some(Ok(report)) = document.objects.get_mut(o).map(|x| &mut x.outcome) {
            if let Some(row) = report.containers.get_mut(r) {
                row.after.clone_from(&row.before);
                row.error = Some(ContainerError::not_editable(reason));
            }
            let ops: Vec<PatchOp> = report
                .containers
                .iter()
                .filter(|row| row.changed())
                .filter_map(|row| {
                    row.after
                        .as_ref()
                        .map(|after| PatchOp::replace(row.pointer.clone(), after.clone()))
                })
                .collect();
            report.patch = Patch::from(ops);
        }
    }
}

/// The span (in the document's text) of a scalar's value and the text that writes `after`
/// there in the same style, or why it cannot be.
fn replacement(tree: &Tree<'_>, id: u32, after: &str) -> Result<(Range<usize>, String), String> {
    let (Some(raw), Some(value)) = (tree.raw(id), tree.value(id)) else {
        return Err("the image is not a scalar".to_owned());
    };
    if raw.kind != Kind::Scalar {
        return Err("the image is not a scalar".to_owned());
    }
    let text = tree.text;
    let (start, end) = (raw.start as usize, raw.end as usize);
    let inner = skip_properties(text, start, end);
    let token = text.get(inner..end).unwrap_or_default();
    // The parser's span of a quoted scalar runs on over the blanks and comment after it.
    let end = match raw.style {
        Style::Single | Style::Double => quoted_end(text, inner, raw.style)
            .ok_or_else(|| "the image's closing quote was not found".to_owned())?,
        _ => end,
    };
    match raw.style {
        Style::Plain => {
            if token != value {
                return Err("the image is written over several lines: left as it is".to_owned());
            }
            let new = if scalar::plain_ok(after, raw.flow) {
                after.to_owned()
            } else {
                scalar::double_quoted(after)
            };
            Ok((inner..end, new))
        }
        Style::Single => match scalar::single_quoted(after) {
            Some(new) => Ok((inner..end, new)),
            None => Ok((inner..end, scalar::double_quoted(after))),
        },
        Style::Double => Ok((inner..end, scalar::double_quoted(after))),
        Style::Literal | Style::Folded => {
            let body = text.get(start..end).unwrap_or_default();
            let lead = body.len() - body.trim_start().len();
            let at = start + lead;
            let rest = text.get(at + value.len()..end).unwrap_or("x");
            if text.get(at..at + value.len()) == Some(value)
                && rest.trim().is_empty()
                && !after.contains(['\n', '\r'])
                && after.trim() == after
            {
                Ok((at..at + value.len(), after.to_owned()))
            } else {
                Err("the image is a block scalar over several lines: left as it is".to_owned())
            }
        }
    }
}

/// The offset just after the closing quote of the quoted scalar that starts at `at`.
fn quoted_end(text: &str, at: usize, style: Style) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = if style == Style::Single { b'\'' } else { b'"' };
    if bytes.get(at) != Some(&quote) {
        return None;
    }
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if style == Style::Double => i += 2,
            b'\'' if style == Style::Single && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Records the positions of the pointers that messages name.
fn locate(tree: &Tree<'_>, document: &mut Document, lines: &mut Lines<'_>) {
    let mut pointers = Vec::new();
    for object in &document.objects {
        match &object.outcome {
            Err(e) => pointers.push(format!("{}{}", object.pointer, e.pointer())),
            Ok(report) => {
                pointers.extend(
                    report
                        .warnings
                        .iter()
                        .map(|w| format!("{}{}", object.pointer, w.pointer)),
                );
                pointers.extend(
                    report
                        .errors()
                        .map(|row| format!("{}{}", object.pointer, row.pointer)),
                );
                if let Some(p) = report.policy.as_ref().and_then(|p| p.pointer.as_ref()) {
                    pointers.push(format!("{}{p}", object.pointer));
                }
            }
        }
    }
    pointers.sort_unstable();
    pointers.dedup();
    for pointer in pointers {
        // The value there, or the nearest parent that exists.
        let mut at = pointer.as_str();
        let id = loop {
            if let Some(id) = tree.at_pointer(at) {
                break Some(id);
            }
            match at.rfind('/') {
                Some(i) => at = &at[..i],
                None => break None,
            }
        };
        let Some(raw) = id.and_then(|id| tree.raw(id)) else {
            continue;
        };
        let offset = skip_properties(tree.text, raw.start as usize, raw.end as usize);
        document.locations.push(Located {
            pointer,
            position: lines.position(offset),
        });
    }
}

/// Whether a document's text may hold a pull secret or a service account: a Secret whose
/// `type` is `kubernetes.io/dockerconfigjson` or `kubernetes.io/dockercfg`, or a
/// `ServiceAccount`. YAML and JSON can write `docker` or `ServiceAccount` without those letters
/// only with an escape (`"\x64ocker…"`, `"\u0064ocker…"`): a document with none of them is not
/// read (most are neither, and reading is most of `apply`'s time; this keeps it to one reading of
/// each document).
fn may_hold_pull_secret(document: &str) -> bool {
    document.contains("docker") || document.contains("ServiceAccount") || document.contains('\\')
}

/// The image pull secrets of the manifests in `input`: every `kubernetes.io/dockerconfigjson`
/// (or `kubernetes.io/dockercfg`) Secret and every `ServiceAccount` (whose `imagePullSecrets` a
/// pod spec without its own pulls with), `List`s entered, for
/// [`Options::pull_secrets`](imgrepl_k8s::Options::pull_secrets). A document that cannot
/// be read holds none ([`edit`] reports it).
///
/// # Errors
///
/// An [`InputError`] when the input as a whole cannot be read, as for [`edit`].
///
/// ```
/// let input = "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\nmetadata: {name: regcred}\nstringData:\n  .dockerconfigjson: '{\"auths\": {\"m.io\": {}}}'\n";
/// let secrets = imgrepl_manifest::pull_secrets(input.as_bytes())?;
/// assert_eq!(secrets.secrets()[0].name, "regcred");
/// assert!(secrets.secrets()[0].covers("m.io/hub/nginx"));
/// # Ok::<(), imgrepl_manifest::InputError>(())
/// ```
pub fn pull_secrets(input: &[u8]) -> Result<imgrepl_k8s::PullSecrets, InputError> {
    let text = split::check(input)?;
    let mut secrets = imgrepl_k8s::PullSecrets::default();
    for section in split::documents(text) {
        let document = text.get(section.span.clone()).unwrap_or_default();
        if !may_hold_pull_secret(document) {
            continue;
        }
        let read = if section.syntax == Syntax::Json {
            Tree::read_json(document)
        } else {
            lenient::read(document)
        };
        let Ok(tree) = read else {
            continue;
        };
        if tree.expanded_size() as usize > alias_budget(document.len()) {
            continue;
        }
        if let Some(root) = tree.root {
            secrets.add_objects(tree.node(root));
        }
    }
    Ok(secrets)
}

#[cfg(test)]
mod tests {
    use super::DocumentErrorKind;

    #[test]
    fn all_holds_every_document_error_kind() {
        // No wildcard: a new kind does not compile here until it has its place in `ALL`.
        for (i, kind) in DocumentErrorKind::ALL.into_iter().enumerate() {
            let place = match kind {
                DocumentErrorKind::Syntax => 0,
                DocumentErrorKind::TooDeep => 1,
                DocumentErrorKind::AliasExpansion => 2,
            };
            assert_eq!(place, i, "{kind:?}");
        }
    }

    #[test]
    fn pull_secrets_spelled_with_escapes_are_read() {
        let auths = r#"{\"auths\": {\"m.io\": {}}}"#;
        for (input, found) in [
            (
                format!(
                    "kind: Secret\ntype: kubernetes.io/dockerconfigjson\nmetadata: {{name: a}}\nstringData: {{.dockerconfigjson: \"{auths}\"}}\n"
                ),
                true,
            ),
            // "docker" only through YAML escapes.
            (
                format!(
                    "kind: Secret\ntype: \"kubernetes.io/\\x64ockerconfigjson\"\nmetadata: {{name: a}}\nstringData: {{\"\\x2e\\x64ockerconfigjson\": \"{auths}\"}}\n"
                ),
                true,
            ),
            // And through JSON escapes.
            (
                format!(
                    "{{\"kind\": \"Secret\", \"type\": \"kubernetes.io/\\u0064ockerconfigjson\", \"metadata\": {{\"name\": \"a\"}}, \"stringData\": {{\".\\u0064ockerconfigjson\": \"{auths}\"}}}}"
                ),
                true,
            ),
            (
                "kind: Secret\ntype: Opaque\nmetadata: {name: a}\n".to_owned(),
                false,
            ),
        ] {
            let secrets = super::pull_secrets(input.as_bytes()).unwrap();
            assert_eq!(!secrets.secrets().is_empty(), found, "{input}");
            assert!(super::may_hold_pull_secret(&input) || !found, "{input}");
        }
        assert!(!super::may_hold_pull_secret("kind: Secret\ntype: Opaque\n"));
    }

    #[test]
    fn service_accounts_are_read_however_spelled() {
        for input in [
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: builder}\nimagePullSecrets: [{name: regcred}]\n",
            "apiVersion: v1\nkind: \"\\x53erviceAccount\"\nmetadata: {name: builder}\nimagePullSecrets: [{name: regcred}]\n",
            r#"{"apiVersion": "v1", "kind": "\u0053erviceAccount", "metadata": {"name": "builder"}, "imagePullSecrets": [{"name": "regcred"}]}"#,
        ] {
            let secrets = super::pull_secrets(input.as_bytes()).unwrap();
            let accounts: Vec<(&str, &[String])> = secrets
                .service_accounts()
                .iter()
                .map(|a| (a.name.as_str(), a.image_pull_secrets.as_slice()))
                .collect();
            assert_eq!(
                accounts,
                [("builder", &["regcred".to_owned()][..])],
                "{input}"
            );
        }
    }
}
