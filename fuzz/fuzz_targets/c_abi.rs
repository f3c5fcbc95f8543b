//! `c_abi`: arbitrary bytes, lengths and buffer sizes through libimgrepl's C entry points,
//! called as `extern "C"` functions through the rlib.
//!
//! Oracles, for each input:
//! - the status is the one the core's own answer implies (`OK` iff the policy validates, the
//!   rewrite's result or error code, `INVALID_UTF8` for bytes that are not UTF-8,
//!   `BUFFER_TOO_SMALL` with the needed length when the buffer is short);
//! - outputs are written only on success: sentinels in every out-parameter and in the buffer
//!   survive every failure;
//! - the batch call gives, per image, what the single call gives;
//! - the same images as a corpus give the core's coverage and second pass, byte for byte;
//! - the policy's bytes as a bursting list parse exactly when the core's `BurstSet` reads them;
//! - every object made is freed (leaks show under the fuzzer's leak detection).
#![no_main]

use std::ptr::{null, null_mut};

use arbitrary::Arbitrary;
use imgrepl::Policy;
use imgrepl_c::*;
use libfuzzer_sys::fuzz_target;

const SEED_POLICY: &str = r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org1"},
  {"repositoryPrefix": "", "replaceWith": "m.io/hub"}, {"repositoryPrefix": "a.io/b", "replaceWith": "m.io/b"}]"#;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    policy: &'a [u8],
    images: Vec<&'a [u8]>,
    cap: u16,
    view: u8,
    null_policy_text: bool,
}

const OK: imgrepl_status = imgrepl_status::IMGREPL_STATUS_OK;

fuzz_target!(|input: Input<'_>| {
    // Parse the fuzzed policy, or fall back to the seed policy.
    let (ptr, len) = if input.null_policy_text {
        (null(), input.policy.len())
    } else {
        (input.policy.as_ptr().cast(), input.policy.len())
    };
    let mut policy = 1 as *mut imgrepl_policy;
    let mut diags = 1 as *mut imgrepl_diagnostics;
    // SAFETY: (ptr, len) is the fuzzer's slice or (NULL, n); the out-pointers are valid.
    let status = unsafe { imgrepl_policy_parse(ptr, len, &mut policy, &mut diags) };
    let expected = if input.null_policy_text && len > 0 {
        imgrepl_status::IMGREPL_STATUS_NULL_ARGUMENT
    } else if len > imgrepl::MAX_POLICY_BYTES {
        imgrepl_status::IMGREPL_STATUS_INPUT_TOO_LARGE
    } else {
        let text = if input.null_policy_text {
            Ok("")
        } else {
            std::str::from_utf8(input.policy)
        };
        match text {
            Err(_) => imgrepl_status::IMGREPL_STATUS_INVALID_UTF8,
            Ok(t) if Policy::validate(t).policy.is_some() => OK,
            Ok(_) => imgrepl_status::IMGREPL_STATUS_INVALID_POLICY,
        }
    };
    assert_eq!(status, expected);
    match status {
        imgrepl_status::IMGREPL_STATUS_OK => assert!(!policy.is_null() && !diags.is_null()),
        imgrepl_status::IMGREPL_STATUS_INVALID_POLICY => {
            assert_eq!(policy, 1 as *mut _, "no policy on an invalid policy");
            // SAFETY: a live list.
            assert!(unsafe { imgrepl_diagnostics_len(diags) } > 0);
        }
        _ => assert!(
            policy == 1 as *mut _ && diags == 1 as *mut _,
            "nothing written"
        ),
    }
    if diags as usize != 1 {
        // SAFETY: a list made above, freed once.
        unsafe { imgrepl_diagnostics_free(diags) };
    }
    let (policy, core) = if status == OK {
        // SAFETY: validated above to be UTF-8 and a valid policy.
        let text = if input.null_policy_text {
            ""
        } else {
            std::str::from_utf8(input.policy).unwrap()
        };
        (policy, Policy::from_json(text).unwrap())
    } else {
        let mut p = null_mut();
        // SAFETY: a valid string and out-pointer.
        assert_eq!(
            unsafe {
                imgrepl_policy_parse(
                    SEED_POLICY.as_ptr().cast(),
                    SEED_POLICY.len(),
                    &mut p,
                    null_mut(),
                )
            },
            OK
        );
        (p, Policy::from_json(SEED_POLICY).unwrap())
    };

    let cap = usize::from(input.cap % 600);
    for image in &input.images {
        let mut buf = vec![0xA5u8; cap];
        let (mut out_len, mut rule, mut error) = (usize::MAX, i64::MIN, null_mut());
        // SAFETY: valid policy, the fuzzer's slice, a buffer of `cap` bytes (NULL when 0).
        let status = unsafe {
            imgrepl_policy_rewrite(
                policy,
                image.as_ptr().cast(),
                image.len(),
                if cap == 0 {
                    null_mut()
                } else {
                    buf.as_mut_ptr().cast()
                },
                cap,
                &mut out_len,
                &mut rule,
                &mut error,
            )
        };
        let untouched = |buf: &[u8]| buf.iter().all(|&b| b == 0xA5);
        match std::str::from_utf8(image) {
            Err(_) if image.len() <= imgrepl::MAX_IMAGE_BYTES => {
                assert_eq!(status, imgrepl_status::IMGREPL_STATUS_INVALID_UTF8);
                assert!(
                    out_len == usize::MAX && rule == i64::MIN && error.is_null() && untouched(&buf)
                );
            }
            Err(_) => assert_eq!(status, imgrepl_status::IMGREPL_STATUS_INPUT_TOO_LARGE),
            Ok(_) if image.len() > imgrepl::MAX_IMAGE_BYTES => {
                assert_eq!(status, imgrepl_status::IMGREPL_STATUS_INPUT_TOO_LARGE);
                assert!(untouched(&buf));
            }
            Ok(text) => match core.rewrite(text) {
                Ok(r) if r.image.len() <= cap => {
                    assert_eq!(status, OK);
                    assert_eq!(&buf[..out_len], r.image.as_bytes());
                    assert_eq!(rule, r.rule.map_or(-1, |id| id.index() as i64));
                    assert!(error.is_null());
                }
                Ok(r) => {
                    assert_eq!(status, imgrepl_status::IMGREPL_STATUS_BUFFER_TOO_SMALL);
                    assert_eq!(out_len, r.image.len(), "the needed length");
                    assert!(rule == i64::MIN && untouched(&buf));
                }
                Err(e) => {
                    assert_ne!(status, OK);
                    assert!(out_len == usize::MAX && rule == i64::MIN && untouched(&buf));
                    // SAFETY: an error made by the call, freed once.
                    unsafe {
                        assert_eq!(imgrepl_error_status(error), status);
                        let code = imgrepl_error_code(error);
                        let code = std::slice::from_raw_parts(code.ptr.cast::<u8>(), code.len);
                        assert_eq!(code, e.code().as_str().as_bytes());
                        assert_eq!(imgrepl_error_offset(error), e.offset() as i64);
                        imgrepl_error_free(error);
                    }
                }
            },
        }
        // Parsing the same bytes as a reference: OK exactly when the core parses them.
        let mut reference = null_mut();
        // SAFETY: the fuzzer's slice; valid out-pointers.
        let status = unsafe {
            imgrepl_reference_parse(
                image.as_ptr().cast(),
                image.len(),
                u32::from(input.view % 4),
                &mut reference,
                null_mut(),
            )
        };
        if let (Ok(text), 0) = (std::str::from_utf8(image), input.view % 4) {
            assert_eq!(status == OK, imgrepl::Reference::parse(text).is_ok());
        }
        if input.view % 4 == 3 {
            assert!(matches!(
                status,
                imgrepl_status::IMGREPL_STATUS_INVALID_ARGUMENT
                    | imgrepl_status::IMGREPL_STATUS_INVALID_UTF8
                    | imgrepl_status::IMGREPL_STATUS_INPUT_TOO_LARGE
            ));
        }
        if status == OK {
            // SAFETY: made above, freed once.
            unsafe { imgrepl_reference_free(reference) };
        } else {
            assert!(reference.is_null());
        }
    }

    // The batch call agrees with the single one, image by image.
    let all: Vec<u8> = input.images.concat();
    let lens: Vec<usize> = input.images.iter().map(|i| i.len()).collect();
    let mut batch = null_mut();
    // SAFETY: the concatenation and its lengths.
    let status = unsafe {
        imgrepl_policy_rewrite_batch(
            policy,
            all.as_ptr().cast(),
            all.len(),
            lens.as_ptr(),
            lens.len(),
            &mut batch,
        )
    };
    let texts: Option<Vec<&str>> = input
        .images
        .iter()
        .map(|i| std::str::from_utf8(i).ok())
        .collect();
    let too_long = input
        .images
        .iter()
        .any(|i| i.len() > imgrepl::MAX_IMAGE_BYTES);
    match &texts {
        Some(texts) if !too_long => {
            assert_eq!(status, OK);
            let (mut items, mut n) = (null(), 0usize);
            // SAFETY: a live batch; its items are read while it lives, then it is freed.
            unsafe {
                assert_eq!(imgrepl_batch_items(batch, &mut items, &mut n), OK);
                assert_eq!(n, texts.len());
                let items = std::slice::from_raw_parts(items, n);
                for (text, item) in texts.iter().zip(items) {
                    let got =
                        std::slice::from_raw_parts(item.image.ptr.cast::<u8>(), item.image.len);
                    match core.rewrite(text) {
                        Ok(r) => {
                            assert_eq!(item.status, OK);
                            assert_eq!(got, r.image.as_bytes());
                        }
                        Err(_) => {
                            assert_ne!(item.status, OK);
                            assert_eq!(got, text.as_bytes(), "an image left as it is");
                        }
                    }
                }
                imgrepl_batch_free(batch);
            }
        }
        _ => {
            assert_ne!(status, OK);
            assert!(batch.is_null(), "no batch on failure");
        }
    }
    // The batch into the caller's memory: the same status as the batch object, then, once the
    // buffer is as large as asked, per image what the single call gives.
    let mut cap = usize::from(input.cap);
    loop {
        let mut entries = vec![
            imgrepl_batch_entry {
                status: imgrepl_status::IMGREPL_STATUS_PANIC,
                rule: i64::MIN,
                start: usize::MAX,
                end: usize::MAX,
            };
            lens.len()
        ];
        let mut buf = vec![b'#'; cap];
        let mut out_len = usize::MAX;
        // SAFETY: the concatenation and its lengths; an entry per image; `cap` bytes.
        let into = unsafe {
            imgrepl_policy_rewrite_batch_into(
                policy,
                all.as_ptr().cast(),
                all.len(),
                lens.as_ptr(),
                lens.len(),
                entries.as_mut_ptr(),
                buf.as_mut_ptr().cast(),
                cap,
                &mut out_len,
            )
        };
        if into == imgrepl_status::IMGREPL_STATUS_BUFFER_TOO_SMALL {
            assert!(out_len > cap && status == OK);
            cap = out_len;
            continue;
        }
        assert_eq!(into, status, "the same status as the batch object");
        let Some(texts) = texts.as_ref().filter(|_| into == OK) else {
            assert_eq!(out_len, usize::MAX, "nothing written on failure");
            break;
        };
        let mut at = 0;
        for (text, entry) in texts.iter().zip(&entries) {
            assert_eq!(entry.start, at);
            match core.rewrite(text) {
                Ok(r) if r.changed() => {
                    assert_eq!(entry.status, OK);
                    assert_eq!(&buf[entry.start..entry.end], r.image.as_bytes());
                    at = entry.end;
                }
                Ok(_) => assert_eq!((entry.status, entry.rule, entry.end), (OK, -1, at)),
                Err(_) => assert_ne!(entry.status, OK),
            }
        }
        assert_eq!(out_len, at);
        break;
    }
    // The same images as a corpus: coverage and second pass are the core's, as JSON; a corpus
    // add that fails adds nothing.
    let mut corpus = null_mut();
    // SAFETY: a valid out-pointer; the concatenation and its lengths; the policy's bytes as a
    // workload name; every object freed once.
    unsafe {
        assert_eq!(imgrepl_corpus_new(&mut corpus), OK);
        let workload = input
            .policy
            .get(..input.policy.len().min(64))
            .unwrap_or_default();
        let status = imgrepl_corpus_add(
            corpus,
            all.as_ptr().cast(),
            all.len(),
            lens.as_ptr(),
            lens.len(),
            workload.as_ptr().cast(),
            workload.len(),
        );
        let name = std::str::from_utf8(workload).ok().filter(|w| !w.is_empty());
        match (&texts, std::str::from_utf8(workload)) {
            (Some(texts), Ok(_)) if !too_long => {
                assert_eq!(status, OK);
                assert_eq!(imgrepl_corpus_len(corpus), texts.len());
                let items = texts.iter().map(|&image| imgrepl::corpus::CorpusItem {
                    image,
                    workload: name,
                });
                let mut json = imgrepl_string {
                    ptr: null_mut(),
                    len: 0,
                };
                assert_eq!(
                    imgrepl_policy_coverage(policy, corpus, &mut json, null_mut()),
                    OK
                );
                let got = std::slice::from_raw_parts(json.ptr.cast::<u8>(), json.len);
                let want = serde_json::to_string(&core.coverage(items.clone())).unwrap();
                assert_eq!(got, want.as_bytes());
                imgrepl_string_free(&mut json);
                assert_eq!(
                    imgrepl_policy_second_pass(policy, corpus, &mut json, null_mut()),
                    OK
                );
                let got = std::slice::from_raw_parts(json.ptr.cast::<u8>(), json.len);
                let want = serde_json::to_string(&core.second_pass(items)).unwrap();
                assert_eq!(got, want.as_bytes());
                imgrepl_string_free(&mut json);
            }
            _ => {
                assert_ne!(status, OK);
                assert_eq!(imgrepl_corpus_len(corpus), 0, "a failed add adds nothing");
            }
        }
        imgrepl_corpus_free(corpus);
    }

    // The policy's bytes as a bursting list: OK exactly when the core's BurstSet reads them.
    let (mut mask, mut error) = (u32::MAX, null_mut());
    // SAFETY: the fuzzer's slice; valid out-pointers; the error freed once.
    unsafe {
        let status = imgrepl_burst_parse(
            input.policy.as_ptr().cast(),
            input.policy.len(),
            &mut mask,
            &mut error,
        );
        let parsed = std::str::from_utf8(input.policy)
            .ok()
            .filter(|t| t.len() <= 256)
            .map(str::parse::<imgrepl_k8s::BurstSet>);
        match parsed {
            Some(Ok(set)) => {
                assert_eq!(status, OK);
                assert!(mask != 0 && mask & !7 == 0);
                assert_eq!(set.modes().count(), mask.count_ones() as usize);
            }
            Some(Err(_)) => {
                assert_eq!(status, imgrepl_status::IMGREPL_STATUS_INVALID_ARGUMENT);
                assert_eq!(mask, u32::MAX);
                imgrepl_error_free(error);
            }
            None => assert!(mask == u32::MAX && error.is_null()),
        }
    }
    // SAFETY: made above, freed once.
    unsafe { imgrepl_policy_free(policy) };
});
