//! A read-only view of a Kubernetes object's tree, so that the same rewriting reads a
//! `serde_json::Value` (the admission webhook) and a YAML or JSON document read with positions
//! (the manifest editor), without converting one into the other.

use serde_json::Value;

/// The type of a value, as Kubernetes reads it (a YAML scalar resolved by YAML 1.1 rules).
///
/// ```
/// use imgrepl_k8s::ValueType;
///
/// assert_eq!(ValueType::Number.type_name(), "a number");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// `null` (YAML: `~`, `null`, an empty value).
    Null,
    /// `true` or `false` (YAML 1.1 also: `yes`, `on`, …).
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array (a YAML sequence).
    Array,
    /// An object (a YAML mapping).
    Object,
}

impl ValueType {
    /// The type with its article, for messages: `"null"`, `"a boolean"`, `"a number"`,
    /// `"a string"`, `"an array"` or `"an object"`.
    #[must_use]
    pub const fn type_name(self) -> &'static str {
        match self {
            ValueType::Null => "null",
            ValueType::Bool => "a boolean",
            ValueType::Number => "a number",
            ValueType::String => "a string",
            ValueType::Array => "an array",
            ValueType::Object => "an object",
        }
    }
}

/// The result of looking a key up in an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<N> {
    /// The key is not there (or the value is not an object).
    Missing,
    /// The key's value.
    Found(N),
    /// The key is there more than once: which value counts is not clear (Kubernetes keeps the
    /// last, a YAML 1.2 reader refuses the document).
    Duplicate,
}

/// One member of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a, N> {
    /// The key, when it is a string.
    pub key: Option<&'a str>,
    /// The value.
    pub value: N,
    /// Whether the key is there more than once.
    pub duplicate: bool,
}

/// A node of an object tree: what [`rewrite_node`](super::rewrite_node) needs to read.
///
/// Implemented for `&serde_json::Value`; the `imgrepl-manifest` crate implements it for YAML and
/// JSON documents read with the position of every value.
///
/// ```
/// use imgrepl_k8s::{Lookup, Node, ValueType};
///
/// let v = serde_json::json!({"spec": {"containers": [{"image": "nginx"}]}, "x": 1});
/// let Lookup::Found(spec) = Node::get(&v, "spec") else { unreachable!() };
/// assert_eq!(spec.value_type(), ValueType::Object);
/// let Lookup::Found(list) = Node::get(spec, "containers") else { unreachable!() };
/// assert_eq!(Node::items(list).count(), 1);
/// assert_eq!(Node::get(&v, "y"), Lookup::Missing);
/// ```
pub trait Node<'a>: Copy + 'a {
    /// The value's type.
    fn value_type(self) -> ValueType;
    /// The value, when it is a string.
    fn as_str(self) -> Option<&'a str>;
    /// The value of `key`, when this is an object.
    fn get(self, key: &str) -> Lookup<Self>;
    /// The items, when this is an array (nothing otherwise).
    fn items(self) -> impl Iterator<Item = Self> + 'a;
    /// The members, when this is an object (nothing otherwise), in order.
    fn entries(self) -> impl Iterator<Item = Entry<'a, Self>> + 'a;
    /// A scalar as written in its source, whatever type it reads as (`off` for YAML's boolean
    /// `off`), when the source keeps it (YAML); `None` otherwise (JSON values).
    fn written(self) -> Option<&'a str> {
        None
    }
}

impl<'a> Node<'a> for &'a Value {
    fn value_type(self) -> ValueType {
        match self {
            Value::Null => ValueType::Null,
            Value::Bool(_) => ValueType::Bool,
            Value::Number(_) => ValueType::Number,
            Value::String(_) => ValueType::String,
            Value::Array(_) => ValueType::Array,
            Value::Object(_) => ValueType::Object,
        }
    }

    fn as_str(self) -> Option<&'a str> {
        Value::as_str(self)
    }

    fn get(self, key: &str) -> Lookup<Self> {
        match self.as_object().and_then(|o| o.get(key)) {
            Some(v) => Lookup::Found(v),
            None => Lookup::Missing,
        }
    }

    fn items(self) -> impl Iterator<Item = Self> + 'a {
        self.as_array().map(|a| a.iter()).into_iter().flatten()
    }

    fn entries(self) -> impl Iterator<Item = Entry<'a, Self>> + 'a {
        self.as_object()
            .map(|o| o.iter())
            .into_iter()
            .flatten()
            .map(|(k, v)| Entry {
                key: Some(k.as_str()),
                value: v,
                duplicate: false,
            })
    }
}
