//! Shared by the tests: the conformance corpus, the rule sets of the tests, and a CEL
//! evaluator (the `cel` crate, with cel-go's strings extension).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every input of the conformance corpus: the oracle's and the sample's records, and the lines
/// of `testdata/cases/images`.
pub fn corpus() -> Vec<String> {
    let mut out = Vec::new();
    for file in ["reference-oracle.jsonl", "reference-sample.jsonl"] {
        let text = std::fs::read_to_string(root().join("testdata").join(file)).unwrap();
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            out.push(v["input"].as_str().unwrap().to_owned());
        }
    }
    let dir = root().join("testdata/cases/images");
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for line in String::from_utf8_lossy(&bytes).split('\n') {
            out.push(line.to_owned());
        }
    }
    assert!(out.len() > 14_500, "{}", out.len());
    out
}

/// A CEL program over the string variable `image`.
pub struct Cel {
    env: Arc<cel::Env>,
    program: cel::Program,
}

impl Cel {
    pub fn new(source: &str) -> Cel {
        let mut env = cel::Env::stdlib();
        env.add_extension(cel::extensions::strings).unwrap();
        let env = Arc::new(env);
        let program = env
            .compile(source)
            .unwrap_or_else(|e| panic!("{e:?}\n{source}"));
        Cel { env, program }
    }

    /// The value for `image`: a string, a bool, or the error's text.
    pub fn eval(&self, image: &str) -> cel::Value {
        let mut context = cel::Context::with_env(self.env.clone());
        context.add_variable("image", image.to_owned()).unwrap();
        self.program
            .execute(&context)
            .unwrap_or_else(|e| panic!("{image:?}: {e:?}"))
    }

    pub fn eval_string(&self, image: &str) -> String {
        match self.eval(image) {
            cel::Value::String(s) => s.to_string(),
            other => panic!("{image:?}: not a string: {other:?}"),
        }
    }

    pub fn eval_bool(&self, image: &str) -> bool {
        match self.eval(image) {
            cel::Value::Bool(b) => b,
            other => panic!("{image:?}: not a bool: {other:?}"),
        }
    }
}
