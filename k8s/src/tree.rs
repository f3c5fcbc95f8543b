//! A lean, read-only JSON tree borrowed from its text, for the object of an `AdmissionReview`:
//! the [`Node`] view that [`rewrite_node`](super::rewrite_node) reads, at about a third of the
//! memory of a `serde_json::Value`.
//!
//! A `Value` keeps each object in a `BTreeMap`, whose smallest node holds room for 11 members
//! (about 630 bytes, for objects that mostly have one to five members), and copies every string.
//! Here an object is a boxed slice of exactly its members, a string without escapes is borrowed
//! from the text, and a value is 24 bytes. It is read by `serde_json` (the same grammar, the
//! same errors, the same recursion limit) and dropped after the review.
//!
//! Keys are kept in the text's order; a key given twice reads as `serde_json::Value` reads it:
//! [`Node::get`] finds the last one, and [`Node::entries`] lists only the last one.

use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::node::{Entry, Lookup, Node, ValueType};

/// A string of the tree: borrowed from the text, or unescaped into its own memory.
#[derive(Debug, PartialEq)]
pub(crate) enum Text<'a> {
    Borrowed(&'a str),
    Owned(Box<str>),
}

impl Text<'_> {
    fn as_str(&self) -> &str {
        match self {
            Text::Borrowed(s) => s,
            Text::Owned(s) => s,
        }
    }
}

/// A JSON value borrowed from its text.
#[derive(Debug, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(Text<'a>),
    Array(Box<[Json<'a>]>),
    Object(Box<[(Text<'a>, Json<'a>)]>),
}

impl<'a> Json<'a> {
    /// Reads `text` (a JSON value, as `serde_json::from_str` reads it: the same errors).
    pub(crate) fn parse(text: &'a str) -> Result<Json<'a>, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let value = Scratch::default().seed().deserialize(&mut de)?;
        de.end()?;
        Ok(value)
    }
}

/// The members of the arrays and objects being read, innermost last: each container collects
/// its members on top of this stack and, once it is read, moves exactly them into its boxed
/// slice (one allocation of the right size), where a `Vec` per container would grow one push
/// at a time and then shrink. A container's members are always on top: the containers inside
/// it have taken theirs off before it reads its next member. An array's items are kept with an
/// empty key (one stack, one allocation, for both).
pub(crate) struct Scratch<'a> {
    members: Vec<(Text<'a>, Json<'a>)>,
}

impl Default for Scratch<'_> {
    /// Room for the members open at once in a small Kubernetes object (an object and the
    /// objects on the way to its pod spec's containers), so that they seldom grow; small
    /// enough for the allocator's fast path (under 1 KiB).
    fn default() -> Self {
        Scratch {
            members: Vec::with_capacity(16),
        }
    }
}

impl<'a> Scratch<'a> {
    /// Reads one value (a [`DeserializeSeed`]), its containers collected through `self`.
    pub(crate) fn seed(&mut self) -> Seed<'_, 'a> {
        Seed(self)
    }
}

/// Reads one [`Json`] value through a [`Scratch`].
pub(crate) struct Seed<'s, 'a>(&'s mut Scratch<'a>);

impl<'de> DeserializeSeed<'de> for Seed<'_, 'de> {
    type Value = Json<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(JsonVisitor(self.0))
    }
}

struct JsonVisitor<'s, 'a>(&'s mut Scratch<'a>);

/// Reads a key, borrowed when it has no escapes.
struct Key<'a>(Text<'a>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Text::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Text::Owned(Box::from(v))))
            }
        }
        deserializer.deserialize_str(V)
    }
}

impl<'de> Visitor<'de> for JsonVisitor<'_, 'de> {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Json::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Json::Bool(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Json::U64(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Json::I64(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Json::F64(v))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Json::Str(Text::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Json::Str(Text::Owned(Box::from(v))))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Json::Str(Text::Owned(v.into_boxed_str())))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let scratch = self.0;
        let start = scratch.members.len();
        while let Some(item) = seq.next_element_seed(scratch.seed())? {
            scratch.members.push((Text::Borrowed(""), item));
        }
        let items = scratch.members.drain(start..).map(|(_, item)| item);
        Ok(Json::Array(items.collect()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let scratch = self.0;
        let start = scratch.members.len();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let value = map.next_value_seed(scratch.seed())?;
            scratch.members.push((key, value));
        }
        Ok(Json::Object(scratch.members.drain(start..).collect()))
    }
}

/// Written as `serde_json::Value` writes it (numbers too), for the object's compact length;
/// a key given twice is written twice.
impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(b) => serializer.serialize_bool(*b),
            Json::U64(n) => serializer.serialize_u64(*n),
            Json::I64(n) => serializer.serialize_i64(*n),
            Json::F64(n) => serializer.serialize_f64(*n),
            Json::Str(s) => serializer.serialize_str(s.as_str()),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (key, value) in members {
                    map.serialize_entry(key.as_str(), value)?;
                }
                map.end()
            }
        }
    }
}

impl<'a> Node<'a> for &'a Json<'_> {
    fn value_type(self) -> ValueType {
        match self {
            Json::Null => ValueType::Null,
            Json::Bool(_) => ValueType::Bool,
            Json::U64(_) | Json::I64(_) | Json::F64(_) => ValueType::Number,
            Json::Str(_) => ValueType::String,
            Json::Array(_) => ValueType::Array,
            Json::Object(_) => ValueType::Object,
        }
    }

    fn as_str(self) -> Option<&'a str> {
        match self {
            Json::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    fn get(self, key: &str) -> Lookup<Self> {
        match self {
            Json::Object(members) => members
                .iter()
                .rev()
                .find(|(k, _)| k.as_str() == key)
                .map_or(Lookup::Missing, |(_, v)| Lookup::Found(v)),
            _ => Lookup::Missing,
        }
    }

    fn items(self) -> impl Iterator<Item = Self> + 'a {
        let items: &'a [Json<'_>] = match self {
            Json::Array(items) => items,
            _ => &[],
        };
        items.iter()
    }

    fn entries(self) -> impl Iterator<Item = Entry<'a, Self>> + 'a {
        let members: &'a [(Text<'_>, Json<'_>)] = match self {
            Json::Object(members) => members,
            _ => &[],
        };
        members
            .iter()
            .enumerate()
            // A key given again later is read there (the last one counts).
            .filter(move |(i, (key, _))| {
                !members[i + 1..]
                    .iter()
                    .any(|(k, _)| k.as_str() == key.as_str())
            })
            .map(|(_, (key, value))| Entry {
                key: Some(key.as_str()),
                value,
                duplicate: false,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn a_value_is_24_bytes() {
        assert_eq!(std::mem::size_of::<Json<'_>>(), 24);
    }

    #[test]
    fn reads_and_writes_as_serde_json_does() {
        for text in [
            r#"{"a": [1, -2, 3.5, 9e15, 1e-7, true, null, "x\"y\u0041", {"b": {}}], "c\n": "é/"}"#,
            "[]",
            r#""\ud83d\ude00""#,
            "18446744073709551615",
            "-9223372036854775808",
            "123456789012345678901234567890",
        ] {
            let tree = Json::parse(text).unwrap();
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                serde_json::to_string(&tree).unwrap().len(),
                serde_json::to_string(&value).unwrap().len(),
                "{text}"
            );
        }
        for bad in ["{", "[1,]", "1e400", r#"{"a" 1}"#] {
            let tree = Json::parse(bad).unwrap_err().to_string();
            let value = serde_json::from_str::<Value>(bad).unwrap_err().to_string();
            assert_eq!(tree, value, "{bad}");
        }
    }

    #[test]
    fn strings_without_escapes_are_borrowed_and_the_last_key_counts() {
        let text = r#"{"a": "x", "b": "y\n", "a": "z", "c": [1]}"#;
        let tree = Json::parse(text).unwrap();
        let Json::Object(members) = &tree else {
            unreachable!()
        };
        assert!(matches!(members[0].1, Json::Str(Text::Borrowed("x"))));
        assert!(matches!(&members[1].1, Json::Str(Text::Owned(s)) if &**s == "y\n"));
        assert_eq!(Node::get(&tree, "a"), Lookup::Found(&members[2].1));
        let keys: Vec<&str> = Node::entries(&tree).filter_map(|e| e.key).collect();
        assert_eq!(keys, ["b", "a", "c"]);
        let Lookup::Found(c) = Node::get(&tree, "c") else {
            unreachable!()
        };
        assert_eq!(Node::items(c).count(), 1);
        assert_eq!(Node::get(c, "x"), Lookup::Missing);
    }
}
