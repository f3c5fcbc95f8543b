//! The public types can be shared between threads and kept in errors.

fn send_sync<T: Send + Sync>() {}
fn owned<T: Send + Sync + 'static>() {}
fn error<T: std::error::Error + Clone + PartialEq + Send + Sync + 'static + serde::Serialize>() {}

#[test]
fn public_types_are_send_and_sync() {
    send_sync::<imgrepl::Policy>();
    send_sync::<imgrepl::Reference<'static>>();
    send_sync::<imgrepl::ReferenceBuf>();
    send_sync::<imgrepl::Normalized<'static>>();
    send_sync::<imgrepl::Diagnostic>();
    send_sync::<imgrepl::Explanation<'static>>();
    send_sync::<imgrepl::Rewritten<'static>>();
    owned::<imgrepl::RewriteBatch>();
    owned::<imgrepl::Validation>();
    owned::<imgrepl::span::Utf16Index<'static>>();
}

#[test]
fn errors_are_plain_values() {
    error::<imgrepl::ParseError>();
    error::<imgrepl::PolicyError>();
    error::<imgrepl::RewriteError>();
}

#[test]
fn one_policy_serves_many_threads() {
    let policy =
        imgrepl::Policy::from_json(r#"[{"repositoryPrefix": "", "replaceWith": "m.io"}]"#).unwrap();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let policy = &policy;
                s.spawn(move || {
                    let image = format!("app{t}:1");
                    policy.rewrite(&image).unwrap().image.into_owned()
                })
            })
            .collect();
        let got: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(
            got,
            ["m.io/app0:1", "m.io/app1:1", "m.io/app2:1", "m.io/app3:1"]
        );
    });
}
