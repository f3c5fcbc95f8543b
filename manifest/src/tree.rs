//! One YAML (or JSON) document read into a compact tree: every node keeps its byte span in the
//! text, scalars keep their style and their value as a slice of the text when it has no escape,
//! and aliases point at the anchored node (nothing is copied, so an alias bomb costs nothing
//! until it is followed, and following is budgeted). Keys are compared by their text, so `1:`
//! and `"1":` are the same key, as they are once Kubernetes turns the document into JSON.

use std::borrow::Cow;

use imgrepl_k8s::{Entry, Lookup, Node, ValueType};
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use crate::scalar::resolve_plain;

/// The deepest nesting read (the limit of Kubernetes' own JSON and YAML decoders).
pub const MAX_DEPTH: usize = 10_000;

/// The deepest nesting of flow collections (`{…}`, `[…]`, so JSON too) that the YAML reader
/// (saphyr-parser) reads. Kubernetes objects come nowhere near it.
pub const MAX_FLOW_DEPTH: usize = 255;

/// How deep `<<` merge keys are followed into merged mappings that merge others.
const MAX_MERGE_DEPTH: u32 = 64;

/// The bit of a key edge that says the key is there more than once in its mapping.
const DUP: u32 = 1 << 31;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Scalar,
    Mapping,
    Sequence,
}

/// The style of a scalar, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Plain,
    Single,
    Double,
    Literal,
    Folded,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Raw {
    pub kind: Kind,
    pub style: Style,
    vtype: ValueType,
    /// A scalar inside a flow collection, or a flow collection.
    pub flow: bool,
    /// The value's text is in `owned` (it had escapes or folded lines).
    owned: bool,
    /// A plain, untagged `<<` key.
    merge: bool,
    /// The span in the text, properties (anchor, tag) included.
    pub start: u32,
    pub end: u32,
    /// Scalar: the value's offset and length; collection: first edge and number of edges.
    a: u32,
    b: u32,
    /// The number of nodes once aliases are followed (saturating).
    size: u32,
}

/// A document's tree.
pub(crate) struct Tree<'s> {
    pub text: &'s str,
    pub(crate) nodes: Vec<Raw>,
    edges: Vec<u32>,
    owned: String,
    pub has_aliases: bool,
    pub root: Option<u32>,
}

/// A tree without its text (see [`Tree::into_parts`]).
pub(crate) struct Parts(pub Vec<Raw>, Vec<u32>, String, bool, Option<u32>);

impl Raw {
    /// Whether a scalar's value is a copy (not a slice of the text).
    pub(crate) fn is_owned(&self) -> bool {
        self.owned
    }

    /// Where a scalar's value starts in the text (when it is not [owned](Raw::is_owned)).
    pub(crate) fn value_offset(&self) -> u32 {
        self.a
    }

    pub(crate) fn set_value_offset(&mut self, offset: u32) {
        self.a = offset;
    }
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadError {
    /// Byte offset in the document's text.
    pub offset: usize,
    pub message: String,
}

/// Converts the parser's character indexes to byte offsets, walking from the last position.
struct Chars<'s> {
    text: &'s str,
    ascii: bool,
    char_at: usize,
    byte_at: usize,
}

impl Chars<'_> {
    fn byte(&mut self, index: usize) -> usize {
        if self.ascii {
            return index.min(self.text.len());
        }
        while self.char_at > index {
            match self.text[..self.byte_at].chars().next_back() {
                Some(c) => {
                    self.byte_at -= c.len_utf8();
                    self.char_at -= 1;
                }
                None => break,
            }
        }
        while self.char_at < index {
            match self.text[self.byte_at..].chars().next() {
                Some(c) => {
                    self.byte_at += c.len_utf8();
                    self.char_at += 1;
                }
                None => break,
            }
        }
        self.byte_at
    }
}

/// The byte offset after the properties (`&anchor`, `!tag`) and the blanks and comments
/// around them, from `start`.
pub(crate) fn skip_properties(text: &str, mut at: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    loop {
        while at < end && matches!(bytes[at], b' ' | b'\t' | b'\r' | b'\n') {
            at += 1;
        }
        if at < end && bytes[at] == b'#' {
            while at < end && bytes[at] != b'\n' {
                at += 1;
            }
            continue;
        }
        if at < end && matches!(bytes[at], b'&' | b'!') {
            if bytes[at] == b'!' && bytes.get(at + 1) == Some(&b'<') {
                while at < end && bytes[at] != b'>' {
                    at += 1;
                }
            }
            while at < end && !matches!(bytes[at], b' ' | b'\t' | b'\r' | b'\n') {
                at += 1;
            }
            continue;
        }
        return at;
    }
}

fn tag_type(tag: &Tag, style: Style, value: &str) -> ValueType {
    if tag.is_yaml_core_schema() {
        return match tag.suffix.as_str() {
            "int" | "float" => ValueType::Number,
            "bool" => ValueType::Bool,
            "null" => ValueType::Null,
            _ => ValueType::String,
        };
    }
    if tag.handle == "!" && tag.suffix.is_empty() {
        return ValueType::String;
    }
    // A local or custom tag (`!Ref x`): read as the untagged scalar would be.
    untagged_type(style, value)
}

fn untagged_type(style: Style, value: &str) -> ValueType {
    if style == Style::Plain {
        resolve_plain(value)
    } else {
        ValueType::String
    }
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

struct Frame {
    node: u32,
    scratch: usize,
    anchor: usize,
}

impl<'s> Tree<'s> {
    /// Reads the one document of `text`.
    pub(crate) fn read(text: &'s str) -> Result<Tree<'s>, ReadError> {
        let mut tree = Tree {
            text,
            nodes: Vec::new(),
            edges: Vec::new(),
            owned: String::new(),
            has_aliases: false,
            root: None,
        };
        let mut chars = Chars {
            text,
            ascii: text.is_ascii(),
            char_at: 0,
            byte_at: 0,
        };
        let mut stack: Vec<Frame> = Vec::new();
        let mut scratch: Vec<u32> = Vec::new();
        let mut anchors: Vec<Option<u32>> = Vec::new();
        let mut documents = 0;
        let mut parser = Parser::new_from_str(text);
        while let Some(next) = parser.next_event() {
            let (event, span) = match next {
                Ok(e) => e,
                Err(e) => {
                    let message = if e.info() == "recursion limit exceeded" {
                        format!(
                            "nested more than {MAX_FLOW_DEPTH} levels deep in flow style ({{…}} or […], the YAML reader's limit)"
                        )
                    } else {
                        e.info().to_owned()
                    };
                    return Err(ReadError {
                        offset: chars.byte(e.marker().index()),
                        message,
                    });
                }
            };
            let start = chars.byte(span.start.index());
            let end = chars.byte(span.end.index()).max(start);
            let flow_parent = stack
                .last()
                .is_some_and(|f| tree.nodes.get(f.node as usize).is_some_and(|n| n.flow));
            match event {
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        return Err(ReadError {
                            offset: start,
                            message: "a second document in the same section: start it with a line \"---\"".to_owned(),
                        });
                    }
                }
                Event::Alias(id) => {
                    let Some(target) = anchors.get(id).copied().flatten() else {
                        return Err(ReadError {
                            offset: start,
                            message: "this alias refers to a node that contains it".to_owned(),
                        });
                    };
                    tree.has_aliases = true;
                    tree.add_child(&mut stack, &mut scratch, target);
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let id = tree.scalar(&value, style, tag.as_deref(), flow_parent, start, end);
                    register(&mut anchors, anchor, id);
                    tree.add_child(&mut stack, &mut scratch, id);
                }
                Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(ReadError {
                            offset: start,
                            message: format!(
                                "nested more than {MAX_DEPTH} levels deep (the limit of Kubernetes' own decoders)"
                            ),
                        });
                    }
                    let mapping = matches!(event, Event::MappingStart(..));
                    let id = tree.collection(mapping, flow_parent, start, end);
                    tree.add_child(&mut stack, &mut scratch, id);
                    stack.push(Frame {
                        node: id,
                        scratch: scratch.len(),
                        anchor,
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(frame) = stack.pop() else { continue };
                    let children = scratch.split_off(frame.scratch);
                    tree.end_collection(frame.node, &children, end);
                    register(&mut anchors, frame.anchor, frame.node);
                }
                Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
            }
        }
        Ok(tree)
    }

    /// The tree without its text, to give it another text whose offsets it was mapped to.
    pub(crate) fn into_parts(self) -> Parts {
        Parts(
            self.nodes,
            self.edges,
            self.owned,
            self.has_aliases,
            self.root,
        )
    }

    /// A tree of `text` from [`Tree::into_parts`].
    pub(crate) fn from_parts(text: &'s str, parts: Parts) -> Tree<'s> {
        let Parts(nodes, edges, owned, has_aliases, root) = parts;
        Tree {
            text,
            nodes,
            edges,
            owned,
            has_aliases,
            root,
        }
    }

    /// Reads one JSON text (already checked to be valid JSON) into a tree, without the YAML
    /// reader: JSON needs none of its look-ahead, which buffers the tokens of a whole flow
    /// collection (measured: a 5 MB JSON `List` made the YAML reader hold 54 MB of tokens).
    /// Strings are double-quoted scalars; numbers, `true`, `false` and `null` plain ones.
    pub(crate) fn read_json(text: &'s str) -> Result<Tree<'s>, ReadError> {
        let mut tree = Tree {
            text,
            nodes: Vec::new(),
            edges: Vec::new(),
            owned: String::new(),
            has_aliases: false,
            root: None,
        };
        let bytes = text.as_bytes();
        let mut stack: Vec<Frame> = Vec::new();
        let mut scratch: Vec<u32> = Vec::new();
        // The section's `---` line, when it has one.
        let mut at = text.len() - crate::split::after_marker(text).len();
        while at < bytes.len() {
            let start = at;
            match bytes[at] {
                b' ' | b'\t' | b'\r' | b'\n' | b',' | b':' => at += 1,
                b'{' | b'[' => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(ReadError {
                            offset: start,
                            message: format!(
                                "nested more than {MAX_DEPTH} levels deep (the limit of Kubernetes' own decoders)"
                            ),
                        });
                    }
                    at += 1;
                    let id = tree.collection(bytes[start] == b'{', true, start, at);
                    tree.add_child(&mut stack, &mut scratch, id);
                    stack.push(Frame {
                        node: id,
                        scratch: scratch.len(),
                        anchor: 0,
                    });
                }
                b'}' | b']' => {
                    at += 1;
                    let Some(frame) = stack.pop() else {
                        return Err(ReadError {
                            offset: start,
                            message: "a closing bracket without its opening one".to_owned(),
                        });
                    };
                    let children = scratch.split_off(frame.scratch);
                    tree.end_collection(frame.node, &children, at);
                }
                b'"' => {
                    let (end, value) = json_string(text, start).ok_or_else(|| ReadError {
                        offset: start,
                        message: "a string without its closing quote".to_owned(),
                    })?;
                    at = end;
                    let flow = !stack.is_empty();
                    let id = tree.scalar(&value, ScalarStyle::DoubleQuoted, None, flow, start, end);
                    tree.add_child(&mut stack, &mut scratch, id);
                }
                _ => {
                    while at < bytes.len()
                        && !matches!(
                            bytes[at],
                            b',' | b']' | b'}' | b':' | b' ' | b'\t' | b'\r' | b'\n'
                        )
                    {
                        at += 1;
                    }
                    let token = text.get(start..at).unwrap_or_default();
                    let flow = !stack.is_empty();
                    let id = tree.scalar(token, ScalarStyle::Plain, None, flow, start, at);
                    tree.add_child(&mut stack, &mut scratch, id);
                }
            }
        }
        if !stack.is_empty() {
            return Err(ReadError {
                offset: text.len(),
                message: "the JSON text ends inside a collection".to_owned(),
            });
        }
        Ok(tree)
    }

    /// Adds a scalar node.
    fn scalar(
        &mut self,
        value: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        flow: bool,
        start: usize,
        end: usize,
    ) -> u32 {
        let style = match style {
            ScalarStyle::Plain => Style::Plain,
            ScalarStyle::SingleQuoted => Style::Single,
            ScalarStyle::DoubleQuoted => Style::Double,
            ScalarStyle::Literal => Style::Literal,
            ScalarStyle::Folded => Style::Folded,
        };
        let vtype = match tag {
            Some(tag) => tag_type(tag, style, value),
            None => untagged_type(style, value),
        };
        let merge = tag.is_none() && style == Style::Plain && value == "<<";
        let (owned, a, b) = self.keep(value);
        self.push(Raw {
            kind: Kind::Scalar,
            style,
            vtype,
            flow,
            owned,
            merge,
            start: u32_of(start),
            end: u32_of(end),
            a,
            b,
            size: 1,
        })
    }

    /// Adds a mapping or a sequence, to be completed by [`Tree::end_collection`].
    fn collection(&mut self, mapping: bool, flow_parent: bool, start: usize, end: usize) -> u32 {
        let kind = if mapping {
            Kind::Mapping
        } else {
            Kind::Sequence
        };
        let after = skip_properties(self.text, start, end.max(start));
        let flow = matches!(self.text.as_bytes().get(after), Some(b'{' | b'[')) && after < end;
        self.push(Raw {
            kind,
            style: Style::Plain,
            vtype: if mapping {
                ValueType::Object
            } else {
                ValueType::Array
            },
            flow: flow || flow_parent,
            owned: false,
            merge: false,
            start: u32_of(start),
            end: u32_of(end),
            a: 0,
            b: 0,
            size: 1,
        })
    }

    /// Completes a collection with its children.
    fn end_collection(&mut self, node: u32, children: &[u32], end: usize) {
        let first = u32_of(self.edges.len());
        let mut size: u32 = 1;
        for &child in children {
            let s = self.nodes.get(child as usize).map_or(1, |n| n.size);
            size = size.saturating_add(s);
        }
        self.edges.extend_from_slice(children);
        let mut is_mapping = false;
        if let Some(raw) = self.nodes.get_mut(node as usize) {
            raw.a = first;
            raw.b = u32_of(children.len());
            raw.size = size;
            raw.end = u32_of(end.max(raw.start as usize));
            is_mapping = raw.kind == Kind::Mapping;
        }
        if is_mapping {
            self.mark_duplicates(first as usize, children.len());
        }
    }

    /// Where a scalar's value is kept: a slice of the text, or a copy in `owned`.
    fn keep(&mut self, value: &str) -> (bool, u32, u32) {
        {
            let s = value;
            let base = self.text.as_ptr() as usize;
            let at = (s.as_ptr() as usize).wrapping_sub(base);
            if at <= self.text.len() && self.text.get(at..at + s.len()) == Some(s) {
                return (false, u32_of(at), u32_of(s.len()));
            }
        }
        let at = self.owned.len();
        self.owned.push_str(value);
        (true, u32_of(at), u32_of(value.len()))
    }

    fn push(&mut self, raw: Raw) -> u32 {
        self.nodes.push(raw);
        u32_of(self.nodes.len() - 1)
    }

    fn add_child(&mut self, stack: &mut [Frame], scratch: &mut Vec<u32>, id: u32) {
        if stack.is_empty() {
            if self.root.is_none() {
                self.root = Some(id);
            }
        } else {
            scratch.push(id);
        }
    }

    /// Sets the [`DUP`] bit on every key edge of the mapping whose key text is there twice.
    fn mark_duplicates(&mut self, first: usize, len: usize) {
        let mut keys: Vec<(&str, usize)> = (first..first + len)
            .step_by(2)
            .filter_map(|e| {
                let key = self.edges[e];
                let raw = self.nodes.get(key as usize)?;
                (raw.kind == Kind::Scalar && !raw.merge).then(|| (self.text_of(raw), e))
            })
            .collect();
        keys.sort_unstable();
        let mut dup = Vec::new();
        for pair in keys.windows(2) {
            if pair[0].0 == pair[1].0 {
                dup.push(pair[0].1);
                dup.push(pair[1].1);
            }
        }
        for e in dup {
            self.edges[e] |= DUP;
        }
    }

    fn text_of(&self, raw: &Raw) -> &str {
        let (a, b) = (raw.a as usize, raw.b as usize);
        let source = if raw.owned {
            self.owned.as_str()
        } else {
            self.text
        };
        source.get(a..a + b).unwrap_or_default()
    }

    pub(crate) fn raw(&self, id: u32) -> Option<&Raw> {
        self.nodes.get(id as usize)
    }

    /// The value of a scalar.
    pub(crate) fn value(&self, id: u32) -> Option<&str> {
        let raw = self.raw(id)?;
        (raw.kind == Kind::Scalar).then(|| self.text_of(raw))
    }

    /// The number of nodes once aliases are followed.
    pub(crate) fn expanded_size(&self) -> u32 {
        self.root.and_then(|r| self.raw(r)).map_or(0, |n| n.size)
    }

    fn children(&self, raw: &Raw) -> &[u32] {
        let (a, b) = (raw.a as usize, raw.b as usize);
        if raw.kind == Kind::Scalar {
            return &[];
        }
        self.edges.get(a..a + b).unwrap_or_default()
    }

    fn lookup(&self, map: u32, key: &str, depth: u32) -> Lookup<u32> {
        let Some(raw) = self.raw(map).filter(|r| r.kind == Kind::Mapping) else {
            return Lookup::Missing;
        };
        let children = self.children(raw);
        for pair in children.chunks_exact(2) {
            let k = pair[0] & !DUP;
            let Some(kr) = self.raw(k) else { continue };
            if kr.kind == Kind::Scalar && !kr.merge && self.text_of(kr) == key {
                return if pair[0] & DUP != 0 {
                    Lookup::Duplicate
                } else {
                    Lookup::Found(pair[1])
                };
            }
        }
        if depth >= MAX_MERGE_DEPTH {
            return Lookup::Missing;
        }
        for source in self.merge_sources(children) {
            match self.lookup(source, key, depth + 1) {
                Lookup::Missing => {}
                found => return found,
            }
        }
        Lookup::Missing
    }

    /// The mappings merged into a mapping by `<<` keys, in the order they count.
    fn merge_sources(&self, children: &[u32]) -> Vec<u32> {
        let mut out = Vec::new();
        for pair in children.chunks_exact(2) {
            if !self.raw(pair[0] & !DUP).is_some_and(|k| k.merge) {
                continue;
            }
            match self.raw(pair[1]).map(|r| r.kind) {
                Some(Kind::Mapping) => out.push(pair[1]),
                Some(Kind::Sequence) => {
                    if let Some(r) = self.raw(pair[1]) {
                        out.extend(
                            self.children(r)
                                .iter()
                                .filter(|&&i| self.raw(i).is_some_and(|x| x.kind == Kind::Mapping)),
                        );
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The members of a mapping as Kubernetes sees them: its own, then the merged ones it
    /// does not override.
    fn entries_of<'t>(&'t self, map: u32, depth: u32, out: &mut Vec<(Option<&'t str>, u32, bool)>) {
        let Some(raw) = self.raw(map).filter(|r| r.kind == Kind::Mapping) else {
            return;
        };
        let children = self.children(raw);
        let start = out.len();
        for pair in children.chunks_exact(2) {
            let Some(kr) = self.raw(pair[0] & !DUP) else {
                continue;
            };
            if kr.merge {
                continue;
            }
            let key = (kr.kind == Kind::Scalar).then(|| self.text_of(kr));
            out.push((key, pair[1], pair[0] & DUP != 0));
        }
        if depth >= MAX_MERGE_DEPTH {
            return;
        }
        for source in self.merge_sources(children) {
            let mut merged = Vec::new();
            self.entries_of(source, depth + 1, &mut merged);
            for entry in merged {
                if entry.0.is_some() && !out[start..].iter().any(|e| e.0 == entry.0) {
                    out.push(entry);
                }
            }
        }
    }

    /// The node at an RFC 6901 pointer.
    pub(crate) fn at_pointer(&self, pointer: &str) -> Option<u32> {
        let mut at = self.root?;
        if pointer.is_empty() {
            return Some(at);
        }
        for token in pointer.strip_prefix('/')?.split('/') {
            let token = token.replace("~1", "/").replace("~0", "~");
            let raw = self.raw(at)?;
            at = match raw.kind {
                Kind::Mapping => match self.lookup(at, &token, 0) {
                    Lookup::Found(v) => v,
                    _ => return None,
                },
                Kind::Sequence => *self.children(raw).get(token.parse::<usize>().ok()?)?,
                Kind::Scalar => return None,
            };
        }
        Some(at)
    }

    /// How many times each of `targets` (sorted) is reached from the root once aliases and
    /// merges are followed (each is reached once when the document has no alias).
    pub(crate) fn reach_counts(&self, targets: &[u32]) -> Vec<u32> {
        let mut counts = vec![0u32; targets.len()];
        if !self.has_aliases {
            counts.fill(1);
            return counts;
        }
        let mut work: Vec<u32> = self.root.into_iter().collect();
        let mut entries = Vec::new();
        while let Some(id) = work.pop() {
            if let Ok(i) = targets.binary_search(&id) {
                counts[i] = counts[i].saturating_add(1);
            }
            let Some(raw) = self.raw(id) else { continue };
            match raw.kind {
                Kind::Scalar => {}
                Kind::Sequence => work.extend_from_slice(self.children(raw)),
                Kind::Mapping => {
                    entries.clear();
                    self.entries_of(id, 0, &mut entries);
                    work.extend(entries.iter().map(|e| e.1));
                }
            }
        }
        counts
    }

    /// A handle for the rewriting of `imgrepl-k8s`.
    pub(crate) fn node(&self, id: u32) -> YamlNode<'_> {
        YamlNode { tree: self, id }
    }
}

/// The end of the JSON string that starts with the quote at `start`, and its value (a slice of
/// `text` when it has no escape).
fn json_string(text: &str, start: usize) -> Option<(usize, Cow<'_, str>)> {
    let bytes = text.as_bytes();
    let mut at = start + 1;
    let mut escaped = false;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => break,
            b'\\' => {
                escaped = true;
                at += 2;
            }
            _ => at += 1,
        }
    }
    if at >= bytes.len() {
        return None;
    }
    let raw = text.get(start + 1..at)?;
    if !escaped {
        return Some((at + 1, Cow::Borrowed(raw)));
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'u' => {
                let hex: String = chars.by_ref().take(4).collect();
                let unit = u32::from_str_radix(&hex, 16).ok()?;
                let code = if (0xD800..0xDC00).contains(&unit) {
                    // A high surrogate: the low one follows as another \uXXXX.
                    let rest: String = chars.by_ref().take(6).collect();
                    let low = u32::from_str_radix(rest.strip_prefix("\\u")?, 16).ok()?;
                    0x10000 + ((unit - 0xD800) << 10) + (low.checked_sub(0xDC00)?)
                } else {
                    unit
                };
                out.push(char::from_u32(code)?);
            }
            other => out.push(other),
        }
    }
    Some((at + 1, Cow::Owned(out)))
}

fn register(anchors: &mut Vec<Option<u32>>, anchor: usize, id: u32) {
    if anchor == 0 {
        return;
    }
    if anchors.len() <= anchor {
        anchors.resize(anchor + 1, None);
    }
    anchors[anchor] = Some(id);
}

/// A node of a [`Tree`], as `imgrepl-k8s` reads it.
#[derive(Clone, Copy)]
pub(crate) struct YamlNode<'t> {
    tree: &'t Tree<'t>,
    id: u32,
}

impl<'t> Node<'t> for YamlNode<'t> {
    fn value_type(self) -> ValueType {
        self.tree.raw(self.id).map_or(ValueType::Null, |r| r.vtype)
    }

    fn as_str(self) -> Option<&'t str> {
        let raw = self.tree.raw(self.id)?;
        (raw.kind == Kind::Scalar && raw.vtype == ValueType::String).then(|| self.tree.text_of(raw))
    }

    fn written(self) -> Option<&'t str> {
        let raw = self.tree.raw(self.id)?;
        (raw.kind == Kind::Scalar).then(|| self.tree.text_of(raw))
    }

    fn get(self, key: &str) -> Lookup<Self> {
        match self.tree.lookup(self.id, key, 0) {
            Lookup::Found(id) => Lookup::Found(YamlNode {
                tree: self.tree,
                id,
            }),
            Lookup::Missing => Lookup::Missing,
            Lookup::Duplicate => Lookup::Duplicate,
        }
    }

    fn items(self) -> impl Iterator<Item = Self> + 't {
        let tree = self.tree;
        let children: &'t [u32] = match tree.raw(self.id) {
            Some(raw) if raw.kind == Kind::Sequence => tree.children(raw),
            _ => &[],
        };
        children.iter().map(move |&id| YamlNode { tree, id })
    }

    fn entries(self) -> impl Iterator<Item = Entry<'t, Self>> + 't {
        let tree = self.tree;
        let mut entries = Vec::new();
        tree.entries_of(self.id, 0, &mut entries);
        entries.into_iter().map(move |(key, id, duplicate)| Entry {
            key,
            value: YamlNode { tree, id },
            duplicate,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Tree<'_> {
        Tree::read(text).unwrap()
    }

    #[test]
    fn spans_are_bytes_even_after_non_ascii_text() {
        let text = "a: é日本\nb: \"x\"\nc: 'y'\nd: plain # c\n";
        let t = read(text);
        for (pointer, span) in [("/b", "\"x\""), ("/c", "'y'"), ("/d", "plain")] {
            let raw = t.raw(t.at_pointer(pointer).unwrap()).unwrap();
            assert_eq!(&text[raw.start as usize..raw.end as usize], span);
        }
        assert_eq!(t.value(t.at_pointer("/a").unwrap()), Some("é日本"));
    }

    #[test]
    fn merges_and_duplicates() {
        let t = read("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\nd: {k: 1, k: 2}\n");
        let m = t.node(t.at_pointer("/m").unwrap());
        let keys: Vec<_> = m.entries().map(|e| e.key).collect();
        assert_eq!(keys, [Some("y"), Some("x")]);
        assert_eq!(t.value(t.at_pointer("/m/y").unwrap()), Some("3"));
        assert_eq!(t.value(t.at_pointer("/m/x").unwrap()), Some("1"));
        let d = t.node(t.at_pointer("/d").unwrap());
        assert!(matches!(d.get("k"), Lookup::Duplicate));
        assert!(t.has_aliases);
        let x = t.at_pointer("/base/x").unwrap();
        assert_eq!(t.reach_counts(&[x]), [2]);
    }

    #[test]
    fn json_is_read_without_the_yaml_reader_and_gives_the_same_tree() {
        let text =
            r#" {"a": "x\"y\u00e9", "b": [1, -2.5e3, true, null, {}], "c": {"d": "e"}, "a": 0}"#;
        let json = Tree::read_json(text).unwrap();
        let yaml = Tree::read(text).unwrap();
        for pointer in ["/b/0", "/b/1", "/b/2", "/b/3", "/c/d"] {
            let (j, y) = (
                json.at_pointer(pointer).unwrap(),
                yaml.at_pointer(pointer).unwrap(),
            );
            assert_eq!(json.value(j), yaml.value(y), "{pointer}");
            assert_eq!(
                json.node(j).value_type(),
                yaml.node(y).value_type(),
                "{pointer}"
            );
            let (rj, ry) = (json.raw(j).unwrap(), yaml.raw(y).unwrap());
            assert_eq!((rj.start, rj.style), (ry.start, ry.style), "{pointer}");
        }
        assert!(matches!(
            json.node(json.root.unwrap()).get("a"),
            Lookup::Duplicate
        ));
        let first = json.raw(json.edges[1..2][0]).map(|r| r.kind);
        assert_eq!(first, Some(Kind::Scalar));
        assert_eq!(
            json_string(text, 7).map(|(_, s)| s.into_owned()).as_deref(),
            Some("x\"yé")
        );
        // A surrogate pair, which JSON has and YAML's reader refuses.
        let pair = r#""\ud83d\ude00!""#;
        assert_eq!(
            json_string(pair, 0).map(|(end, s)| (end, s.into_owned())),
            Some((pair.len(), "😀!".to_owned()))
        );
    }

    #[test]
    fn an_alias_into_its_own_node_is_refused() {
        assert!(Tree::read("a: &a [1, *a]\n").is_err());
    }

    #[test]
    fn alias_expansion_is_counted_not_done() {
        let t = read("a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n");
        assert_eq!(t.expanded_size(), 1 + 3 + 4 + 13 + 40);
    }
}
