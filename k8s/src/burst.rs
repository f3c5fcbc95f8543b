//! The bursting label: whether a workload's pods may run on the serverless side (`auto`), must
//! (`enforce`) or must not (`off`). CCI 2.0 reads `bursting.cci.io/burst-to-cci`
//! ([`BURST_LABEL_V2`]), CCI 1.0 `virtual-kubelet.io/burst-to-cci` ([`BURST_LABEL`]); both are
//! read.
//!
//! It is read from the pod template's labels (what the pods carry), then the workload's own
//! `metadata.labels`. Where both keys are set on the same labels, the CCI 2.0 key wins, and when
//! their values differ that is a [`Code::BurstLabelConflict`] warning. Any other value than the
//! three is reported ([`Code::InvalidBurstLabel`]) with the value.
//!
//! [`Code::BurstLabelConflict`]: imgrepl::Code::BurstLabelConflict
//! [`Code::InvalidBurstLabel`]: imgrepl::Code::InvalidBurstLabel

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::Warning;
use super::node::{Lookup, Node, ValueType};
use imgrepl::__private::push_token;
use imgrepl::Code;

/// The bursting label's key of CCI 1.0 (virtual-kubelet).
pub const BURST_LABEL: &str = "virtual-kubelet.io/burst-to-cci";

/// The bursting label's key of CCI 2.0; it wins over [`BURST_LABEL`] when both are set.
pub const BURST_LABEL_V2: &str = "bursting.cci.io/burst-to-cci";

/// The bursting label's keys, the one that wins first.
pub const BURST_LABELS: [&str; 2] = [BURST_LABEL_V2, BURST_LABEL];

/// A value of the bursting label.
///
/// ```
/// use imgrepl_k8s::BurstMode;
/// assert_eq!("enforce".parse::<BurstMode>(), Ok(BurstMode::Enforce));
/// assert!("Enforce".parse::<BurstMode>().is_err());
/// assert_eq!(BurstMode::Off.as_str(), "off");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BurstMode {
    /// Pods may burst to the serverless side when the cluster is short of resources.
    Auto,
    /// Pods always run on the serverless side.
    Enforce,
    /// Pods never burst.
    Off,
}

impl BurstMode {
    /// Every value.
    pub const ALL: [BurstMode; 3] = [BurstMode::Auto, BurstMode::Enforce, BurstMode::Off];

    /// The label value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            BurstMode::Auto => "auto",
            BurstMode::Enforce => "enforce",
            BurstMode::Off => "off",
        }
    }

    const fn bit(self) -> u8 {
        match self {
            BurstMode::Auto => 1,
            BurstMode::Enforce => 2,
            BurstMode::Off => 4,
        }
    }
}

impl fmt::Display for BurstMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of [`BurstMode::from_str`]: the value that is none of the three.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown bursting value {0:?}: expected \"auto\", \"enforce\" or \"off\"")]
pub struct UnknownBurstMode(pub String);

impl FromStr for BurstMode {
    type Err = UnknownBurstMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BurstMode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| UnknownBurstMode(s.to_owned()))
    }
}

/// A set of [`BurstMode`]s: the pod specs [`Options::burst`](super::Options::burst) rewrites.
///
/// ```
/// use imgrepl_k8s::{BurstMode, BurstSet};
///
/// let set = BurstSet::of(&[BurstMode::Auto, BurstMode::Enforce]);
/// assert!(set.contains(Some(BurstMode::Auto)));
/// assert!(!set.contains(Some(BurstMode::Off)));
/// assert!(!set.contains(None)); // no label, or a value that is none of the three
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BurstSet(u8);

impl BurstSet {
    /// The set of `modes`.
    #[must_use]
    pub const fn of(modes: &[BurstMode]) -> BurstSet {
        let mut bits = 0;
        let mut i = 0;
        while i < modes.len() {
            bits |= modes[i].bit();
            i += 1;
        }
        BurstSet(bits)
    }

    /// Whether a pod spec whose label reads `mode` is in the set (`None`, no valid label, never
    /// is).
    #[must_use]
    pub const fn contains(self, mode: Option<BurstMode>) -> bool {
        match mode {
            Some(m) => self.0 & m.bit() != 0,
            None => false,
        }
    }

    /// The modes in the set.
    pub fn modes(self) -> impl Iterator<Item = BurstMode> {
        BurstMode::ALL
            .into_iter()
            .filter(move |m| self.0 & m.bit() != 0)
    }
}

/// Reads a comma-separated list of label values (`auto,enforce`), as the command line's
/// `--burst` and the bindings take it: each value is read by [`BurstMode::from_str`], without
/// trimming; a repeated value counts once. The error names the first value that is none of the
/// three (the empty string for `""` or `auto,`).
///
/// ```
/// use imgrepl_k8s::{BurstMode, BurstSet, UnknownBurstMode};
///
/// let set: BurstSet = "enforce,auto".parse()?;
/// assert_eq!(set, BurstSet::of(&[BurstMode::Auto, BurstMode::Enforce]));
/// assert_eq!(set.to_string(), "auto,enforce");
/// assert_eq!("auto, off".parse::<BurstSet>(), Err(UnknownBurstMode(" off".to_owned())));
/// assert_eq!("".parse::<BurstSet>(), Err(UnknownBurstMode(String::new())));
/// # Ok::<(), UnknownBurstMode>(())
/// ```
impl FromStr for BurstSet {
    type Err = UnknownBurstMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',').try_fold(BurstSet(0), |set, value| {
            value
                .parse::<BurstMode>()
                .map(|m| BurstSet(set.0 | m.bit()))
        })
    }
}

/// The modes in the set, comma-separated, in the order of [`BurstMode::ALL`]
/// (`auto,enforce`); what [`BurstSet::from_str`] reads back. The empty set is `""`.
impl fmt::Display for BurstSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, mode) in self.modes().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(mode.as_str())?;
        }
        Ok(())
    }
}

/// Where a bursting label was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum LabelOrigin {
    /// The pod template's (or a Pod's own) `metadata.labels`.
    PodTemplate,
    /// The workload's own `metadata.labels`.
    Workload,
}

/// The bursting label of a pod spec, as found.
///
/// Serialized as `{"value", "mode": "auto" | "enforce" | "off" | null, "origin", "pointer",
/// "key"}`.
///
/// ```
/// use imgrepl_k8s::{BurstMode, Options};
///
/// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
///   "metadata": {"labels": {"bursting.cci.io/burst-to-cci": "enforce", "virtual-kubelet.io/burst-to-cci": "off"}},
///   "spec": {"containers": []}});
/// let report = imgrepl_k8s::rewrite(&pod, &Options::default())?;
/// let label = report.burst.as_ref().unwrap();
/// assert_eq!((label.key, label.mode), ("bursting.cci.io/burst-to-cci", Some(BurstMode::Enforce)));
/// assert_eq!(report.warnings[0].code, imgrepl::Code::BurstLabelConflict);
/// # Ok::<(), imgrepl_k8s::WorkloadError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BurstLabel {
    /// The value as written (a non-string value from JSON is shown as its type, e.g. `a
    /// number`; from YAML as written, e.g. `off`).
    pub value: String,
    /// What the value reads as when it is not a string (`a boolean`, `a number`, …): an
    /// unquoted YAML `off` or `yes` is a boolean, not a label value. Left out when a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_as: Option<&'static str>,
    /// What it means; `None` when it is none of the three values.
    pub mode: Option<BurstMode>,
    /// Where it was read.
    pub origin: LabelOrigin,
    /// The RFC 6901 pointer of the label.
    pub pointer: String,
    /// The label's key: [`BURST_LABEL_V2`] (CCI 2.0) or [`BURST_LABEL`] (CCI 1.0).
    pub key: &'static str,
}

impl BurstLabel {
    /// The value for messages and tables: one of the three values as it is (`auto`), another
    /// string quoted (`"auto "`, so blanks show), another value as written with what it reads
    /// as (`off (a boolean)`).
    ///
    /// ```
    /// use imgrepl_k8s::Options;
    ///
    /// let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
    ///   "metadata": {"labels": {"bursting.cci.io/burst-to-cci": "auto "}}, "spec": {"containers": []}});
    /// let report = imgrepl_k8s::rewrite(&pod, &Options::default())?;
    /// assert_eq!(report.burst.unwrap().shown(), "\"auto \"");
    /// # Ok::<(), imgrepl_k8s::WorkloadError>(())
    /// ```
    #[must_use]
    pub fn shown(&self) -> String {
        match self.read_as {
            Some(type_name) if type_name != self.value => format!("{} ({type_name})", self.value),
            Some(type_name) => type_name.to_owned(),
            None if self.mode.is_some() => self.value.clone(),
            None => format!("{:?}", self.value),
        }
    }
}

/// The label under `base/metadata/labels`, when there is one; a conflict warning when both keys
/// are there with different values.
fn label_at<'a, N: Node<'a>>(
    base: N,
    base_pointer: &str,
    origin: LabelOrigin,
    warnings: &mut Vec<Warning>,
) -> Option<BurstLabel> {
    let Lookup::Found(metadata) = base.get("metadata") else {
        return None;
    };
    let Lookup::Found(labels) = metadata.get("labels") else {
        return None;
    };
    let mut found = BURST_LABELS.into_iter().filter_map(|key| {
        let value = match labels.get(key) {
            Lookup::Found(v) if v.value_type() != ValueType::Null => v,
            _ => return None,
        };
        let mut pointer = base_pointer.to_owned();
        for token in ["metadata", "labels", key] {
            push_token(&mut pointer, token);
        }
        let (text, mode, read_as) = if let Some(text) = value.as_str() {
            (text.to_owned(), text.parse().ok(), None)
        } else {
            let type_name = value.value_type().type_name();
            let text = value.written().unwrap_or(type_name);
            (text.to_owned(), None, Some(type_name))
        };
        Some(BurstLabel {
            value: text,
            read_as,
            mode,
            origin,
            pointer,
            key,
        })
    });
    let first = found.next()?;
    if let Some(other) = found.next().filter(|o| o.value != first.value) {
        warnings.push(Warning {
            code: Code::BurstLabelConflict,
            message: format!(
                "the labels {:?} ({:?}) and {:?} ({:?}) differ: the first (CCI 2.0) applies",
                first.key, first.value, other.key, other.value
            ),
            pointer: other.pointer,
        });
    }
    Some(first)
}

/// The bursting label of a pod spec: its pod template's first, then the object's own.
pub(crate) fn read<'a, N: Node<'a>>(
    root: N,
    template: Option<(N, &str)>,
    warnings: &mut Vec<Warning>,
) -> Option<BurstLabel> {
    if let Some((node, pointer)) = template {
        let origin = LabelOrigin::PodTemplate;
        if let Some(label) = label_at(node, pointer, origin, warnings) {
            return Some(label);
        }
        if pointer.is_empty() {
            return None;
        }
    }
    label_at(root, "", LabelOrigin::Workload, warnings)
}
