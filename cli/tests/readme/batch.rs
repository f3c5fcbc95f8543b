use imgrepl::{Code, Policy, RuleId};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy =
        Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "mirror.local/hub"}]"#)?;

    // Many images in, one owned result out: one output string, and per image its byte range in
    // it and the rule (or the error). No allocation per image.
    let batch = policy.rewrite_batch(["nginx:1.27", "quay.io/team/app:2", "Bad:tag"]);
    assert_eq!(
        batch.output(),
        "mirror.local/hub/nginx:1.27quay.io/team/app:2Bad:tag"
    );
    let rows: Vec<(&str, Option<usize>, Option<Code>)> = batch
        .iter()
        .map(|(result, item)| match item.result {
            Ok(rule) => (result, rule.map(RuleId::index), None),
            Err(e) => (result, None, Some(e.code())),
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("mirror.local/hub/nginx:1.27", Some(0), None),
            ("quay.io/team/app:2", None, None), // no rule: as it was
            ("Bad:tag", None, Some(Code::Uppercase)), // invalid: as it was, with the reason
        ]
    );

    // The same result as JSON, shaped once in core for the CLI, the C and the JS layers.
    let json = serde_json::to_value(&batch)?;
    assert_eq!(
        json["items"][0]["span"],
        serde_json::json!({"start": 0, "end": 27})
    );
    assert_eq!(json["items"][2]["error"]["code"], "uppercase");
    Ok(())
}
