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

/// Every valid policy of `testdata/` (the case table's named policies included) and of the core's
/// and imgrepl-k8s's test sources.
pub fn test_policies() -> Vec<(String, imgrepl::Policy)> {
    let mut out = Vec::new();
    let root = root();
    for dir in ["testdata/cases/policy", "testdata/toolkit"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            if let Ok(policy) = imgrepl::Policy::from_json(&text) {
                out.push((file.display().to_string(), policy));
            }
        }
    }
    // The named policies of the case table every front door runs.
    let table: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("testdata/frontdoor/cases.json")).unwrap(),
    )
    .unwrap();
    for (name, text) in table["policies"].as_object().unwrap() {
        if let Ok(policy) = imgrepl::Policy::from_json(text.as_str().unwrap())
            && !policy.rules().is_empty()
        {
            out.push((format!("testdata/frontdoor/cases.json: {name}"), policy));
        }
    }
    let mut sources: Vec<_> = ["core/tests", "k8s/tests"]
        .into_iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    sources.sort();
    for file in sources {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut rest = text.as_str();
        while let Some(start) = rest.find("r#\"[") {
            let Some(len) = rest[start + 3..].find("\"#") else {
                break;
            };
            let literal = &rest[start + 3..start + 3 + len];
            if let Ok(policy) = imgrepl::Policy::from_json(literal)
                && !policy.rules().is_empty()
            {
                out.push((format!("{}: {literal}", file.display()), policy));
            }
            rest = &rest[start + 3 + len..];
        }
    }
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
        // `matches` as the `cel` crate's `regex` feature defines it (`Regex::new`, then
        // `is_match`: unanchored, like RE2's), with the compiled expressions kept: the crate
        // compiles on every call, which makes a corpus of millions of calls take minutes.
        env.add_member_overload(
            "matches",
            "string.matches(string)",
            cel::common::types::STRING_TYPE,
            vec![cel::common::types::STRING_TYPE],
            matches,
        )
        .unwrap();
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

/// Evaluates `source` with JSON variables, and gives the value as JSON.
pub fn eval_with(source: &str, vars: &[(&str, &serde_json::Value)]) -> serde_json::Value {
    let cel = Cel::new(source);
    let mut context = cel::Context::with_env(cel.env.clone());
    for (name, value) in vars {
        context
            .add_variable(*name, cel::to_value(value).unwrap())
            .unwrap();
    }
    let value = cel
        .program
        .execute(&context)
        .unwrap_or_else(|e| panic!("{e:?}\n{source}"));
    value.json().unwrap_or_else(|e| panic!("{e:?}"))
}

thread_local! {
    static REGEXES: std::cell::RefCell<std::collections::HashMap<String, regex::Regex>> =
        std::cell::RefCell::default();
}

// The signature of `cel::common::functions::Function`.
#[allow(clippy::needless_pass_by_value)]
fn matches<'b, 'v>(
    args: Vec<cel::common::value::CowVal<'b, 'v>>,
) -> Result<cel::common::value::CowVal<'b, 'v>, cel::ExecutionError> {
    use cel::common::types::{CelBool, CelString};
    let [text, re] = args.as_slice() else {
        return Err(cel::ExecutionError::invalid_argument_count(2, args.len()));
    };
    let (Some(text), Some(re)) = (
        text.as_ref().downcast_ref::<CelString>(),
        re.as_ref().downcast_ref::<CelString>(),
    ) else {
        return Err(cel::ExecutionError::function_error(
            "matches",
            "not strings",
        ));
    };
    let hit = REGEXES.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.contains_key(re.inner()) {
            let compiled = regex::Regex::new(re.inner())
                .map_err(|e| cel::ExecutionError::function_error("matches", e))?;
            cache.insert(re.inner().to_owned(), compiled);
        }
        Ok::<_, cel::ExecutionError>(cache[re.inner()].is_match(text.inner()))
    })?;
    Ok(cel::common::value::CowVal::Owned(Box::new(CelBool::from(
        hit,
    ))))
}
