//! `apply`: what `imgrepl apply -f m10.yaml` does in memory — read the pull secrets of the
//! manifests (`imgrepl_manifest::pull_secrets`), then edit every document
//! (`imgrepl_manifest::edit_each`, each document dropped when done) — on 10 MB of multi-document
//! YAML (`imgrepl_benches::manifests::yaml`, the file `gen_manifests` writes), beside the floor:
//! the YAML parser imgrepl-manifest reads with (saphyr-parser), alone, pulling every event of
//! the same bytes as one stream.
//!
//! Before timing, the output must be the input with exactly the expected images changed, and
//! both engines must have read every document.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use imgrepl_benches::manifests;
use imgrepl_k8s::Options;
use saphyr_parser::{Event, Parser};

/// The size of the file, in bytes (the document that crosses it is completed).
const SIZE: usize = 10_000_000;

/// `imgrepl apply`'s work: the pull secrets, then every document edited; returns the output and
/// the number of documents.
fn apply(text: &str) -> (String, usize) {
    let secrets = imgrepl_manifest::pull_secrets(text.as_bytes())
        .unwrap_or_else(|e| panic!("the manifests are readable: {e}"));
    let options = Options::default().pull_secrets(&secrets);
    let mut documents = 0;
    let output = imgrepl_manifest::edit_each(text.as_bytes(), &options, |document| {
        documents += 1;
        black_box(&document);
    })
    .unwrap_or_else(|e| panic!("the manifests are readable: {e}"));
    (output, documents)
}

/// The floor: every event of the YAML parser over the whole text; returns (events, documents).
fn parse(text: &str) -> (usize, usize) {
    let (mut events, mut documents) = (0, 0);
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        match next {
            Ok((event, _span)) => {
                events += 1;
                documents += usize::from(matches!(event, Event::DocumentStart(_)));
                black_box(&event);
            }
            Err(e) => panic!("the manifests are YAML: {e}"),
        }
    }
    (events, documents)
}

fn bench(c: &mut Criterion) {
    let text = manifests::yaml(SIZE);
    let (output, documents) = apply(&text);
    let want = text
        .replace("harbor.domain/shop/", "mirror.example.com/harbor/shop/")
        .replace("'nginx:1.27'", "'mirror.example.com/hub/nginx:1.27'");
    assert!(output == want, "apply's output is not the expected edit");
    let (events, parsed) = parse(&text);
    assert_eq!(documents, parsed, "both read every document");
    let images = text.matches("harbor.domain/shop/").count() + text.matches("'nginx:1.27'").count();
    println!(
        "apply: {} bytes, {documents} documents, {images} images rewritten; saphyr-parser: {events} events",
        text.len()
    );

    let mut group = c.benchmark_group("apply");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(10);
    group.bench_function("imgrepl/apply", |b| {
        b.iter(|| apply(black_box(&text)).0.len());
    });
    group.bench_function("floor/saphyr-parser", |b| {
        b.iter(|| parse(black_box(&text)).0);
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
