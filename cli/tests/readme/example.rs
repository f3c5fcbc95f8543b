use imgrepl::{MatchMode, Policy, RuleId};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The value of a workload's `coordinator.cci.io/image-replacement` annotation.
    let policy = Policy::from_json(
        r#"[
          {"repositoryPrefix": "harbor.domain",         "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
          {"repositoryPrefix": "",                      "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
          {"repositoryPrefix": "harbor.domain/a/b/c/d", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org2"}
        ]"#,
    )?;

    // The longest matching prefix wins, whatever the order of the rules.
    let r = policy.rewrite("harbor.domain/a/b/c/d/redis:latest")?;
    assert_eq!(
        r.image,
        "swr.cn-north-4.myhuaweicloud.com/org2/redis:latest"
    );
    assert_eq!(r.rule.map(RuleId::index), Some(2));

    // An image that no rule matches comes back as it is (borrowed, not copied).
    assert!(!policy.rewrite("quay.io/team/app:1")?.changed());

    // A loop over many images can reuse one buffer.
    let mut out = String::new();
    for image in ["nginx:latest", "harbor.domain/ubuntu:latest"] {
        policy.rewrite_into(image, &mut out)?;
        assert!(out.starts_with("swr.cn-north-4.myhuaweicloud.com/org1/"));
    }

    // The opt-in exact-parent mode, and `explain` to see where the two modes differ.
    let exact = policy.clone().with_mode(MatchMode::ExactParent);
    assert!(!exact.rewrite("harbor.domain/team/app:1")?.changed());
    assert!(policy.explain("harbor.domain/team/app:1").modes_disagree);

    // A bad policy reports every mistake, each with a code, a JSON pointer and a byte span.
    let err =
        Policy::from_json(r#"[{"repositoryPrefix": "nginx:latest", "replacewith": "m.io/x"}]"#)
            .unwrap_err();
    for d in err.diagnostics() {
        println!("{} at {}: {}", d.code().as_str(), d.pointer(), d.message());
    }
    assert!(err.diagnostics().len() >= 2);
    Ok(())
}
