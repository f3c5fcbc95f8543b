//! `rewrite`: `Policy::rewrite` and `Policy::rewrite_into` for every policy size, beside the
//! naive rewriter (a scan over every rule) and the copy floor, on the same corpus.
//!
//! Before timing, for every size, imgrepl and the naive rewriter must give identical answers on
//! every corpus image (result, rule, or error code), and `rewrite` must agree with
//! `rewrite_into`; the number of images each rewrites is printed beside the group.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use imgrepl::{Policy, Rule};
use imgrepl_benches::{corpus, floor, naive::Naive};

/// Builds the policy of size `n`, or says why it cannot be built.
fn policy(rules: &[(String, String)]) -> Result<Policy, String> {
    // PolicyError's Display names the first error and how many more there are.
    Policy::from_rules(rules.iter().map(|(p, r)| Rule::new(p.as_str(), r.as_str())))
        .map_err(|e| e.to_string())
}

/// Asserts that imgrepl and the naive rewriter agree on every image; returns how many images
/// were rewritten and how many were errors.
fn check(policy: &Policy, naive: &Naive, images: &[String]) -> (usize, usize) {
    let (mut rewritten, mut errors) = (0, 0);
    let mut out = String::new();
    for image in images {
        let got = policy.rewrite(image);
        let into = policy.rewrite_into(image, &mut out);
        let want = naive.rewrite(image);
        match (&got, &want) {
            (Ok(got), Ok(want)) => {
                assert_eq!(got.image, want.image.as_str(), "{image}");
                assert_eq!(got.rule.map(imgrepl::RuleId::index), want.rule, "{image}");
                assert_eq!(
                    into.map(|r| r.map(imgrepl::RuleId::index)),
                    Ok(want.rule),
                    "{image}"
                );
                assert_eq!(out, want.image, "{image}");
                rewritten += usize::from(want.rule.is_some());
            }
            (Err(got), Err(want)) => {
                assert_eq!(got.code().as_str(), want.code(), "{image}");
                assert_eq!(
                    into.map_err(|e| e.code().as_str()),
                    Err(want.code()),
                    "{image}"
                );
                errors += 1;
            }
            _ => panic!("{image}: imgrepl {got:?}, naive {want:?}"),
        }
    }
    (rewritten, errors)
}

fn rewrite(c: &mut Criterion) {
    let images = corpus::images(corpus::SEED, corpus::LEN);
    let elements = Throughput::Elements(images.len() as u64);
    let capacity = images.iter().map(String::len).max().unwrap_or(0) + 256;

    let mut group = c.benchmark_group("rewrite");
    group.throughput(elements.clone());
    group.bench_function("floor/copy_into", |b| {
        let mut out = String::with_capacity(capacity);
        b.iter(|| {
            let mut total = 0usize;
            for image in &images {
                floor::copy_into(black_box(image), &mut out);
                total += out.len();
            }
            total
        });
    });

    for n in corpus::SIZES {
        let rules = corpus::rules(corpus::SEED, n);
        let json_len = corpus::policy_json(&rules).len();
        // `from_rules` has no size limit: a policy that cannot be built is a bug, and fails the
        // run rather than leaving a size untimed.
        let policy = policy(&rules).unwrap_or_else(|why| {
            panic!("rewrite/N={n}: the policy ({json_len} bytes of JSON) cannot be built: {why}")
        });
        let naive = Naive::new(rules.iter().map(|(p, r)| (p.as_str(), r.as_str())));
        let (rewritten, errors) = check(&policy, &naive, &images);
        println!(
            "rewrite/N={n}: count: imgrepl and naive agree on all {} images: {rewritten} rewritten, {errors} errors, {} unchanged",
            images.len(),
            images.len() - rewritten - errors
        );

        group.bench_with_input(
            BenchmarkId::new("imgrepl/rewrite", n),
            &policy,
            |b, policy| {
                b.iter(|| {
                    let mut total = 0usize;
                    for image in &images {
                        if let Ok(r) = policy.rewrite(black_box(image)) {
                            total += r.image.len();
                        }
                    }
                    total
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("imgrepl/rewrite_into", n),
            &policy,
            |b, policy| {
                let mut out = String::with_capacity(capacity);
                b.iter(|| {
                    let mut total = 0usize;
                    for image in &images {
                        let _ = policy.rewrite_into(black_box(image), &mut out);
                        total += out.len();
                    }
                    total
                });
            },
        );
        if n >= 10_000 {
            // Each iteration scans n rules per image: keep the run short.
            group.sample_size(10);
        }
        group.bench_with_input(
            BenchmarkId::new("naive/rewrite_into", n),
            &naive,
            |b, naive| {
                let mut out = String::with_capacity(capacity);
                b.iter(|| {
                    let mut total = 0usize;
                    for image in &images {
                        let _ = naive.rewrite_into(black_box(image), &mut out);
                        total += out.len();
                    }
                    total
                });
            },
        );
        group.sample_size(100);
    }
    group.finish();
}

criterion_group!(benches, rewrite);
criterion_main!(benches);
