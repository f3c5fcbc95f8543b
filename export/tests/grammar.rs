//! The RE2 grammar (`imgrepl_export::grammar`), evaluated by a real CEL implementation, accepts
//! exactly what `imgrepl::Reference::parse` accepts, on the whole conformance corpus.

mod common;

use imgrepl::Reference;

#[test]
fn the_regular_grammar_is_the_parser_on_the_whole_corpus() {
    let cel = common::Cel::new(&imgrepl_export::grammar::valid("image"));
    let mut corpus = common::corpus();
    // Around the limits the corpus may not reach in every view: paths of 255 and 256 bytes,
    // with and without a domain that counts, and images of 4096 and 4097 bytes.
    for n in [254, 255, 256] {
        let path = format!("a/{}", "b".repeat(n - 2));
        corpus.push(path.clone());
        corpus.push(format!("library/{path}"));
        corpus.push(format!("foo_bar/{}", "b".repeat(n - 8)));
        corpus.push(format!("m.io:5000/{path}:tag"));
    }
    let long_tag = "t".repeat(128);
    corpus.push(format!("a:{long_tag}"));
    corpus.push(format!("a:{long_tag}x"));
    let (mut accepted, mut rejected, mut differences) = (0, 0, Vec::new());
    for image in &corpus {
        let want = Reference::parse(image).is_ok();
        let got = cel.eval_bool(image);
        if got != want {
            differences.push(format!("{image:?}: parse {want}, CEL {got}"));
        }
        if want { accepted += 1 } else { rejected += 1 }
    }
    assert!(
        differences.is_empty(),
        "{} differences:\n{}",
        differences.len(),
        differences.join("\n")
    );
    assert!(
        accepted > 5_000 && rejected > 5_000,
        "{accepted} accepted, {rejected} rejected"
    );
    eprintln!(
        "{} inputs: {accepted} accepted, {rejected} rejected, 0 differences",
        corpus.len()
    );
}
