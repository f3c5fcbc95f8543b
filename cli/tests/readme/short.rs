use imgrepl::{Policy, RuleId};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = Policy::from_json(
        r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "mirror.local/org1"}]"#,
    )?;
    let r = policy.rewrite("harbor.domain/team/app:1.0")?;
    assert_eq!(r.image, "mirror.local/org1/team/app:1.0");
    assert_eq!(r.rule.map(RuleId::index), Some(0));
    Ok(())
}
