//! `toolkit`: the operators' toolkit over a corpus of 100,000 images — `Policy::coverage`,
//! `diff::diff` and `Policy::second_pass` — for policies of 10 and 10,000 rules, to show that the
//! cost follows the images and not the number of rules.
//!
//! Before timing, for every size, the wins that `coverage` counts per rule must equal those a
//! naive rewriter (a scan over every rule) gives image by image, and `diff` of a policy against
//! one with ten rules changed must list exactly the images whose naive rewrite differs.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use imgrepl::{Policy, Rule, diff};
use imgrepl_benches::{corpus, naive::Naive};

/// The number of images of the corpus.
const IMAGES: usize = 100_000;

/// The policy sizes measured.
const SIZES: [usize; 2] = [10, 10_000];

fn policy(rules: &[(String, String)]) -> Policy {
    Policy::from_rules(rules.iter().map(|(p, r)| Rule::new(p.as_str(), r.as_str())))
        .unwrap_or_else(|e| panic!("the corpus policy is valid: {e}"))
}

/// The same rules with every thousandth `replaceWith` changed (at least one).
fn edited(rules: &[(String, String)]) -> Vec<(String, String)> {
    let step = (rules.len() / 10).max(1);
    rules
        .iter()
        .enumerate()
        .map(|(i, (p, r))| {
            let r = if i % step == 0 {
                format!("{r}-new")
            } else {
                r.clone()
            };
            (p.clone(), r)
        })
        .collect()
}

/// Asserts that coverage counts the wins the naive rewriter finds, and that the diff lists
/// exactly the images whose naive rewrite differs; returns (rewritten, changed).
fn check(rules: &[(String, String)], images: &[String]) -> (usize, usize) {
    let p = policy(rules);
    let naive = Naive::new(rules.iter().cloned());
    let coverage = p.coverage(images);
    let mut wins = vec![0usize; rules.len()];
    for image in images {
        if let Ok(Some((rule, _))) = naive.find(image) {
            wins[rule] += 1;
        }
    }
    let counted: Vec<usize> = coverage.rules.iter().map(|r| r.wins).collect();
    assert_eq!(counted, wins);
    let new_rules = edited(rules);
    let new_naive = Naive::new(new_rules.iter().cloned());
    let d = diff::diff(&p, &policy(&new_rules), images);
    let changed = images
        .iter()
        .filter(|i| {
            let (a, b) = (naive.rewrite(i), new_naive.rewrite(i));
            a.as_ref().ok().map(|r| &r.image) != b.as_ref().ok().map(|r| &r.image)
        })
        .count();
    assert_eq!(d.summary.images_changed, changed);
    (coverage.rewritten, changed)
}

fn toolkit(c: &mut Criterion) {
    let images = corpus::images(corpus::SEED, IMAGES);
    let mut group = c.benchmark_group("toolkit");
    group.throughput(Throughput::Elements(IMAGES as u64));
    group.sample_size(10);
    for n in SIZES {
        let rules = corpus::rules(corpus::SEED, n);
        let (rewritten, changed) = check(&rules, &images);
        println!(
            "toolkit/{n} rules: {rewritten} of {IMAGES} images rewritten, {changed} change in the diff"
        );
        let p = policy(&rules);
        let q = policy(&edited(&rules));
        group.bench_with_input(BenchmarkId::new("coverage", n), &images, |b, images| {
            b.iter(|| black_box(p.coverage(black_box(images))));
        });
        group.bench_with_input(BenchmarkId::new("diff", n), &images, |b, images| {
            b.iter(|| black_box(diff::diff(&p, &q, black_box(images))));
        });
        group.bench_with_input(BenchmarkId::new("second_pass", n), &images, |b, images| {
            b.iter(|| black_box(p.second_pass(black_box(images))));
        });
    }
    group.finish();
}

criterion_group!(benches, toolkit);
criterion_main!(benches);
