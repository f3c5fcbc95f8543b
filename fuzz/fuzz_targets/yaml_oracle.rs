//! `yaml_oracle`: imgrepl-manifest against Kubernetes' own YAML reading.
//!
//! The fuzzer's bytes drive the generator of `manifest/tests/oracle/differential.rs` (pod-like
//! manifests with flow collections at odd indentation, multi-line and quoted scalars, tabs,
//! comments, anchors and merge keys, directives, markers, YAML 1.1 scalars); both readers must agree on which documents are readable and
//! find the same images at the same places, and the edited output must read as the input with
//! those images rewritten. The oracle is the Go program `yamljson` (sigs.k8s.io/yaml over
//! gopkg.in/yaml.v2), kept running; `cargo xtask fuzz` builds it and names it in
//! `IMGREPL_YAML_ORACLE`. Without it the target only checks that imgrepl does not panic.
#![no_main]

use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;

#[path = "../../manifest/tests/oracle/differential.rs"]
#[allow(dead_code, missing_docs, clippy::pedantic)]
mod differential;

use differential::{Bytes, Oracle, compare, stream};

fn oracle() -> Option<&'static Mutex<Oracle>> {
    static ORACLE: OnceLock<Option<Mutex<Oracle>>> = OnceLock::new();
    ORACLE
        .get_or_init(|| {
            std::env::var("IMGREPL_YAML_ORACLE")
                .ok()
                .map(|path| Mutex::new(Oracle::start(&path)))
        })
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let input = stream(&mut Bytes(data));
    let Some(oracle) = oracle() else {
        let _ = imgrepl_manifest::edit(input.as_bytes(), &imgrepl_k8s::Options::default());
        return;
    };
    let mut oracle = oracle.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Err(why) = compare(&mut oracle, &input) {
        panic!("imgrepl and Kubernetes read this differently: {why}\n{input}");
    }
});
