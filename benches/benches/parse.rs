//! `parse`: imgrepl's parsers beside the `memchr` floor and the peers, on the same corpus.
//!
//! Before timing, every engine runs once over the corpus: how many inputs it accepts, how many
//! of its answers agree with imgrepl's, and how long its very first call took are printed, so a
//! fast engine that accepts the wrong inputs is visible as such (rebar's `count`).

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use imgrepl::Reference;
use imgrepl_benches::{corpus, floor};

/// An engine: a name and "does it accept this input".
type Engine = (&'static str, fn(&str) -> bool);

fn imgrepl_parse(s: &str) -> bool {
    let r = Reference::parse(s);
    black_box(&r);
    r.is_ok()
}

fn imgrepl_normalized(s: &str) -> bool {
    let r = Reference::parse_normalized(s);
    black_box(&r);
    r.is_ok()
}

fn memchr_floor(s: &str) -> bool {
    floor::scan(s)
}

fn oci_spec(s: &str) -> bool {
    let r = oci_spec::distribution::Reference::try_from(s);
    black_box(&r);
    r.is_ok()
}

fn docker_image(s: &str) -> bool {
    let r = docker_image::DockerImage::parse(s);
    black_box(&r);
    r.is_ok()
}

fn docker_image_reference(s: &str) -> bool {
    let r = docker_image_reference::Reference::from_str(s);
    black_box(&r);
    r.is_ok()
}

const ENGINES: [Engine; 6] = [
    ("imgrepl/parse", imgrepl_parse),
    ("imgrepl/parse_normalized", imgrepl_normalized),
    ("floor/memchr", memchr_floor),
    ("oci-spec", oci_spec),
    ("docker-image", docker_image),
    ("docker-image-reference", docker_image_reference),
];

fn parse(c: &mut Criterion) {
    let images = corpus::images(corpus::SEED, corpus::LEN);
    let reference: Vec<bool> = images.iter().map(|s| Reference::parse(s).is_ok()).collect();
    println!(
        "parse: corpus of {} images, seed {:#x}; imgrepl accepts {}",
        images.len(),
        corpus::SEED,
        reference.iter().filter(|ok| **ok).count()
    );
    for (name, engine) in ENGINES {
        let start = Instant::now();
        let first = engine(&images[0]);
        let first_call = start.elapsed();
        black_box(first);
        let answers: Vec<bool> = images.iter().map(|s| engine(s)).collect();
        let accepted = answers.iter().filter(|ok| **ok).count();
        let agree = answers
            .iter()
            .zip(&reference)
            .filter(|(a, b)| a == b)
            .count();
        println!(
            "parse/{name:<26} count: accepts {accepted:>4}/{n}, agrees with imgrepl on {agree:>4}/{n}, first call {first_call:?}",
            n = images.len()
        );
    }

    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Elements(images.len() as u64));
    for (name, engine) in ENGINES {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut accepted = 0usize;
                for image in &images {
                    accepted += usize::from(engine(black_box(image)));
                }
                accepted
            });
        });
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
