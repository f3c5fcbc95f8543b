//! Every export called from Rust as C would call it: NULL pointers, `(NULL, 0)`, invalid
//! UTF-8, oversize input, a buffer one byte short, and (with the `test-panic` feature) a panic
//! caught at the boundary. Each test also checks that nothing is written on failure.

#![allow(
    clippy::borrow_as_ptr,
    clippy::too_many_lines,
    reason = "C-style calls pass `&mut x` as out-pointers, and each test walks one function's cases"
)]

use std::ffi::CStr;
use std::ptr::{null, null_mut};

use imgrepl::*;

const OK: imgrepl_status = imgrepl_status::IMGREPL_STATUS_OK;
const NULL_ARGUMENT: imgrepl_status = imgrepl_status::IMGREPL_STATUS_NULL_ARGUMENT;
const INVALID_UTF8: imgrepl_status = imgrepl_status::IMGREPL_STATUS_INVALID_UTF8;
const TOO_LARGE: imgrepl_status = imgrepl_status::IMGREPL_STATUS_INPUT_TOO_LARGE;
const TOO_SMALL: imgrepl_status = imgrepl_status::IMGREPL_STATUS_BUFFER_TOO_SMALL;
const INVALID_ARGUMENT: imgrepl_status = imgrepl_status::IMGREPL_STATUS_INVALID_ARGUMENT;

const POLICY: &str = r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
  {"repositoryPrefix": "", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org1"},
  {"repositoryPrefix": "harbor.domain/a/b/c/d", "replaceWith": "swr.cn-north-4.myhuaweicloud.com/org2"}]"#;

/// A policy freed on drop.
struct Policy(*mut imgrepl_policy);

impl Policy {
    fn parse(json: &str) -> Policy {
        let mut p = null_mut();
        // SAFETY: valid (ptr, len) and out-pointer.
        let status =
            unsafe { imgrepl_policy_parse(json.as_ptr().cast(), json.len(), &mut p, null_mut()) };
        assert_eq!(status, OK);
        Policy(p)
    }
}

impl Drop for Policy {
    fn drop(&mut self) {
        // SAFETY: made by imgrepl_policy_parse, freed once.
        unsafe { imgrepl_policy_free(self.0) };
    }
}

/// A borrowed `imgrepl_str` as a Rust `&str` (the test outlives nothing it borrows from).
fn s(x: imgrepl_str) -> &'static str {
    if x.ptr.is_null() {
        return "";
    }
    // SAFETY: the library hands out UTF-8 (ptr, len) pairs, alive for the test's use.
    unsafe { std::str::from_utf8(std::slice::from_raw_parts(x.ptr.cast(), x.len)).unwrap() }
}

/// Calls `imgrepl_policy_rewrite` with a buffer of `cap` bytes, returning the status, the
/// written length, the rule and the buffer.
fn rewrite(p: &Policy, image: &[u8], cap: usize) -> (imgrepl_status, usize, i64, Vec<u8>) {
    let mut buf = vec![b'#'; cap];
    let (mut len, mut rule) = (usize::MAX, i64::MIN);
    // SAFETY: valid pointers; buf has `cap` bytes.
    let status = unsafe {
        imgrepl_policy_rewrite(
            p.0,
            image.as_ptr().cast(),
            image.len(),
            if cap == 0 {
                null_mut()
            } else {
                buf.as_mut_ptr().cast()
            },
            cap,
            &mut len,
            &mut rule,
            null_mut(),
        )
    };
    (status, len, rule, buf)
}

#[test]
fn statuses_have_fixed_numbers_names_and_messages() {
    let numbers: Vec<u32> = imgrepl_status::ALL.iter().map(|s| *s as u32).collect();
    assert_eq!(numbers, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100]);
    for status in imgrepl_status::ALL {
        // SAFETY: static NUL-terminated strings.
        let name = unsafe { CStr::from_ptr(imgrepl_status_name(status as u32)) };
        assert_eq!(name.to_str().unwrap(), status.name());
        assert!(status.name().starts_with("IMGREPL_STATUS_"));
        // SAFETY: as above.
        let message = unsafe { CStr::from_ptr(imgrepl_status_message(status as u32)) };
        assert_eq!(message.to_str().unwrap(), status.message());
    }
    // SAFETY: as above.
    let unknown = unsafe { CStr::from_ptr(imgrepl_status_name(11)) };
    assert_eq!(unknown.to_str().unwrap(), "IMGREPL_STATUS_UNKNOWN");
}

#[test]
fn rewrite_into_buffer_and_its_sizes() {
    let p = Policy::parse(POLICY);
    let want = b"swr.cn-north-4.myhuaweicloud.com/org1/nginx:latest";
    let (status, len, rule, buf) = rewrite(&p, b"nginx:latest", 128);
    assert_eq!((status, len, rule), (OK, want.len(), 1));
    assert_eq!(&buf[..len], want);
    assert_eq!(buf[len], b'#', "no NUL terminator written");

    // Exactly the needed size.
    let (status, len, _, buf) = rewrite(&p, b"nginx:latest", want.len());
    assert_eq!((status, &buf[..len]), (OK, &want[..]));
    // One byte short: the needed length, the buffer and the rule untouched.
    let (status, len, rule, buf) = rewrite(&p, b"nginx:latest", want.len() - 1);
    assert_eq!((status, len, rule), (TOO_SMALL, want.len(), i64::MIN));
    assert!(buf.iter().all(|&b| b == b'#'));
    // (NULL, 0) asks for the size.
    let (status, len, _, _) = rewrite(&p, b"nginx:latest", 0);
    assert_eq!((status, len), (TOO_SMALL, want.len()));
}

#[test]
fn rewrite_rejects_bad_arguments_and_writes_nothing() {
    let p = Policy::parse(POLICY);
    // Invalid UTF-8, in several shapes.
    for bad in [
        &b"\xff"[..],
        b"nginx\xc3",
        b"a/\xed\xa0\x80b",
        b"\xf8\x88\x80\x80\x80",
    ] {
        let (status, len, rule, _) = rewrite(&p, bad, 64);
        assert_eq!(
            (status, len, rule),
            (INVALID_UTF8, usize::MAX, i64::MIN),
            "{bad:?}"
        );
    }
    // Oversize: one byte past the limit, and far past it, before any byte is read.
    let big = vec![b'a'; 4097];
    assert_eq!(rewrite(&p, &big, 64).0, TOO_LARGE);
    let (mut len, mut buf) = (0usize, [0u8; 8]);
    // SAFETY: the length is checked before the pointer is read, so a dangling (non-null)
    // pointer with a huge length must not be dereferenced.
    let status = unsafe {
        imgrepl_policy_rewrite(
            p.0,
            c"x".as_ptr(),
            usize::MAX,
            buf.as_mut_ptr().cast(),
            8,
            &mut len,
            null_mut(),
            null_mut(),
        )
    };
    assert_eq!(status, TOO_LARGE);
    // NULLs.
    // SAFETY: every pointer is valid or NULL.
    unsafe {
        assert_eq!(
            imgrepl_policy_rewrite(
                null(),
                c"a".as_ptr(),
                1,
                buf.as_mut_ptr().cast(),
                8,
                &mut len,
                null_mut(),
                null_mut()
            ),
            NULL_ARGUMENT
        );
        assert_eq!(
            imgrepl_policy_rewrite(
                p.0,
                null(),
                1,
                buf.as_mut_ptr().cast(),
                8,
                &mut len,
                null_mut(),
                null_mut()
            ),
            NULL_ARGUMENT
        );
        assert_eq!(
            imgrepl_policy_rewrite(
                p.0,
                c"a".as_ptr(),
                1,
                null_mut(),
                8,
                &mut len,
                null_mut(),
                null_mut()
            ),
            NULL_ARGUMENT
        );
        assert_eq!(
            imgrepl_policy_rewrite(
                p.0,
                c"a".as_ptr(),
                1,
                buf.as_mut_ptr().cast(),
                8,
                null_mut(),
                null_mut(),
                null_mut()
            ),
            NULL_ARGUMENT
        );
    }
    // (NULL, 0) is the empty image: invalid, with an error.
    let mut error = null_mut();
    // SAFETY: valid pointers.
    let status = unsafe {
        imgrepl_policy_rewrite(
            p.0,
            null(),
            0,
            buf.as_mut_ptr().cast(),
            8,
            &mut len,
            null_mut(),
            &mut error,
        )
    };
    assert_eq!(status, imgrepl_status::IMGREPL_STATUS_INVALID_IMAGE);
    // SAFETY: a live error, freed once.
    unsafe {
        assert_eq!(
            imgrepl_error_status(error),
            imgrepl_status::IMGREPL_STATUS_INVALID_IMAGE
        );
        assert_eq!(s(imgrepl_error_code(error)), "empty");
        assert_eq!(imgrepl_error_offset(error), 0);
        imgrepl_error_free(error);
    }
}

#[test]
fn errors_carry_code_offset_message_and_json() {
    let p = Policy::parse(POLICY);
    let mut out = imgrepl_string {
        ptr: null_mut(),
        len: 0,
    };
    let mut error = null_mut();
    let image = "team/App:1";
    // SAFETY: valid pointers.
    let status = unsafe {
        imgrepl_policy_rewrite_alloc(
            p.0,
            image.as_ptr().cast(),
            image.len(),
            &mut out,
            null_mut(),
            &mut error,
        )
    };
    assert_eq!(status, imgrepl_status::IMGREPL_STATUS_INVALID_IMAGE);
    assert!(out.ptr.is_null(), "no output on error");
    // SAFETY: a live error.
    unsafe {
        assert_eq!(s(imgrepl_error_code(error)), "uppercase");
        assert_eq!(imgrepl_error_offset(error), 5);
        assert_eq!(
            s(imgrepl_error_message(error)),
            "invalid image: repository name must be lowercase: uppercase letter in repository path at byte 5"
        );
        let json: serde_json::Value = serde_json::from_str(s(imgrepl_error_json(error))).unwrap();
        assert_eq!(json["code"], "uppercase");
        assert_eq!(json["offset"], 5);
        imgrepl_error_free(error);
        // Accessors on NULL return their documented defaults.
        assert_eq!(imgrepl_error_offset(null()), -1);
        assert!(imgrepl_error_code(null()).ptr.is_null());
        assert_eq!(imgrepl_error_status(null()), NULL_ARGUMENT);
    }
}

#[test]
fn owned_strings_are_nul_terminated_and_free_twice_safely() {
    let p = Policy::parse(POLICY);
    let mut out = imgrepl_string {
        ptr: null_mut(),
        len: 0,
    };
    let mut rule = 0i64;
    // SAFETY: valid pointers; the string is freed twice on purpose (documented no-op).
    unsafe {
        let image = "quay.io/x/y";
        let status = imgrepl_policy_rewrite_alloc(
            p.0,
            image.as_ptr().cast(),
            image.len(),
            &mut out,
            &mut rule,
            null_mut(),
        );
        assert_eq!((status, rule), (OK, -1));
        assert_eq!(CStr::from_ptr(out.ptr).to_str().unwrap(), "quay.io/x/y");
        assert_eq!(out.len, 11);
        imgrepl_string_free(&mut out);
        assert!(out.ptr.is_null() && out.len == 0);
        imgrepl_string_free(&mut out);
        imgrepl_string_free(null_mut());
    }
}

#[test]
fn policy_parse_boundaries() {
    let mut p = null_mut();
    let mut d = null_mut();
    // SAFETY: every pointer valid or NULL as each case needs.
    unsafe {
        assert_eq!(
            imgrepl_policy_parse(null(), 3, &mut p, &mut d),
            NULL_ARGUMENT
        );
        assert_eq!(
            imgrepl_policy_parse(c"[]".as_ptr(), 2, null_mut(), &mut d),
            NULL_ARGUMENT
        );
        assert_eq!(
            imgrepl_policy_parse(c"[\"\xff\"]".as_ptr(), 5, &mut p, &mut d),
            INVALID_UTF8
        );
        let big = format!("[{}]", " ".repeat(256 * 1024));
        assert_eq!(
            imgrepl_policy_parse(big.as_ptr().cast(), big.len(), &mut p, &mut d),
            TOO_LARGE
        );
        assert!(p.is_null() && d.is_null(), "nothing written");
        // (NULL, 0) is the empty text: invalid JSON, with its diagnostic.
        assert_eq!(
            imgrepl_policy_parse(null(), 0, &mut p, &mut d),
            imgrepl_status::IMGREPL_STATUS_INVALID_POLICY
        );
        assert!(p.is_null());
        assert_eq!(imgrepl_diagnostics_len(d), 1);
        let mut diag = std::mem::MaybeUninit::<imgrepl_diagnostic>::uninit();
        assert_eq!(imgrepl_diagnostics_get(d, 0, diag.as_mut_ptr()), OK);
        let diag = diag.assume_init();
        assert_eq!(s(diag.code), "invalid-json");
        assert_eq!(diag.severity, imgrepl_severity::IMGREPL_SEVERITY_ERROR);
        assert_eq!(diag.rule, -1);
        assert!(diag.field.ptr.is_null());
        let mut untouched = diag;
        assert_eq!(
            imgrepl_diagnostics_get(d, 1, &mut untouched),
            INVALID_ARGUMENT
        );
        assert_eq!(
            imgrepl_diagnostics_get(null(), 0, &mut untouched),
            NULL_ARGUMENT
        );
        assert_eq!(imgrepl_diagnostics_get(d, 0, null_mut()), NULL_ARGUMENT);
        imgrepl_diagnostics_free(d);
        imgrepl_diagnostics_free(null_mut());
    }
}

#[test]
fn policy_accessors() {
    let p = Policy::parse(POLICY);
    let (mut prefix, mut replace) = (
        imgrepl_str {
            ptr: null(),
            len: 0,
        },
        imgrepl_str {
            ptr: null(),
            len: 0,
        },
    );
    let mut exact = null_mut();
    // SAFETY: valid pointers.
    unsafe {
        assert_eq!(imgrepl_policy_rules_len(p.0), 3);
        assert_eq!(imgrepl_policy_rule(p.0, 0, &mut prefix, &mut replace), OK);
        assert_eq!(
            (s(prefix), s(replace)),
            ("harbor.domain", "swr.cn-north-4.myhuaweicloud.com/org1")
        );
        assert_eq!(
            imgrepl_policy_rule(p.0, 3, &mut prefix, &mut replace),
            INVALID_ARGUMENT
        );
        assert_eq!(
            imgrepl_policy_rule(p.0, 0, null_mut(), &mut replace),
            NULL_ARGUMENT
        );
        assert_eq!(
            imgrepl_policy_with_mode(p.0, 2, &mut exact),
            INVALID_ARGUMENT
        );
        assert!(exact.is_null());
        assert_eq!(imgrepl_policy_with_mode(p.0, 1, &mut exact), OK);
        assert_eq!(
            imgrepl_policy_mode(exact),
            imgrepl_match_mode::IMGREPL_MATCH_MODE_EXACT_PARENT
        );
        assert_eq!(
            imgrepl_policy_mode(p.0),
            imgrepl_match_mode::IMGREPL_MATCH_MODE_LONGEST_PREFIX
        );
        imgrepl_policy_free(exact);
        let mut w = null_mut();
        assert_eq!(imgrepl_policy_warnings(p.0, &mut w), OK);
        assert_eq!(imgrepl_diagnostics_len(w), 0);
        imgrepl_diagnostics_free(w);
        assert_eq!(imgrepl_policy_warnings(null(), &mut w), NULL_ARGUMENT);
    }
}

#[test]
fn batch_matches_one_by_one() {
    let p = Policy::parse(POLICY);
    let images = [
        "nginx:latest",
        "Bad",
        "quay.io/x/y",
        "harbor.domain/a/b/c/d/redis:7",
        "",
    ];
    let all: String = images.concat();
    let lens: Vec<usize> = images.iter().map(|i| i.len()).collect();
    let mut batch = null_mut();
    // SAFETY: valid pointers; the batch is freed below.
    unsafe {
        assert_eq!(
            imgrepl_policy_rewrite_batch(
                p.0,
                all.as_ptr().cast(),
                all.len(),
                lens.as_ptr(),
                lens.len(),
                &mut batch
            ),
            OK
        );
        let (mut items, mut n) = (null(), 0usize);
        assert_eq!(imgrepl_batch_items(batch, &mut items, &mut n), OK);
        assert_eq!(n, images.len());
        let items = std::slice::from_raw_parts(items, n);
        let output = s(imgrepl_batch_output(batch));
        for (image, item) in images.iter().zip(items) {
            let (status, len, rule, buf) = rewrite(&p, image.as_bytes(), 256);
            assert_eq!(item.status, status, "{image}");
            assert_eq!(&output[item.start..item.end], s(item.image));
            if status == OK {
                assert_eq!(s(item.image).as_bytes(), &buf[..len], "{image}");
                assert_eq!(item.rule, rule);
                assert!(item.code.ptr.is_null());
            } else {
                assert_eq!(s(item.image), *image, "an error keeps the image");
                let mut e = null_mut();
                let i = images.iter().position(|x| x == image).unwrap();
                assert_eq!(imgrepl_batch_error(batch, i, &mut e), OK);
                assert_eq!(s(imgrepl_error_code(e)), s(item.code));
                imgrepl_error_free(e);
            }
        }
        let mut e = null_mut();
        assert_eq!(imgrepl_batch_error(batch, 0, &mut e), INVALID_ARGUMENT);
        assert_eq!(imgrepl_batch_error(batch, 99, &mut e), INVALID_ARGUMENT);
        assert!(e.is_null());
        imgrepl_batch_free(batch);

        // Lengths that do not add up, each way; an image past the limit; bad UTF-8.
        let mut b = null_mut();
        let short = [1usize, 2];
        assert_eq!(
            imgrepl_policy_rewrite_batch(p.0, c"abcd".as_ptr(), 4, short.as_ptr(), 2, &mut b),
            INVALID_ARGUMENT
        );
        let long = [3usize, 2];
        assert_eq!(
            imgrepl_policy_rewrite_batch(p.0, c"abcd".as_ptr(), 4, long.as_ptr(), 2, &mut b),
            INVALID_ARGUMENT
        );
        let huge = [usize::MAX, 5];
        assert_eq!(
            imgrepl_policy_rewrite_batch(p.0, c"abcd".as_ptr(), 4, huge.as_ptr(), 2, &mut b),
            TOO_LARGE
        );
        let one = [2usize];
        assert_eq!(
            imgrepl_policy_rewrite_batch(p.0, c"a\xff".as_ptr(), 2, one.as_ptr(), 1, &mut b),
            INVALID_UTF8
        );
        assert_eq!(
            imgrepl_policy_rewrite_batch(p.0, null(), 0, null(), 1, &mut b),
            NULL_ARGUMENT
        );
        assert_eq!(
            imgrepl_policy_rewrite_batch(p.0, null(), 0, null(), usize::MAX, &mut b),
            TOO_LARGE
        );
        assert!(b.is_null(), "nothing written");
        assert_eq!(imgrepl_batch_len(null()), 0);
        assert!(imgrepl_batch_output(null()).ptr.is_null());
    }
}

/// Calls `imgrepl_policy_rewrite_batch_into` with `cap` bytes of buffer (NULL for 0) and room
/// for every entry, both filled with sentinels first; returns the status, `*out_len`, the
/// entries and the buffer.
fn batch_into(
    p: &Policy,
    all: &[u8],
    lens: &[usize],
    cap: usize,
) -> (imgrepl_status, usize, Vec<imgrepl_batch_entry>, Vec<u8>) {
    let sentinel = imgrepl_batch_entry {
        status: imgrepl_status::IMGREPL_STATUS_PANIC,
        rule: i64::MIN,
        start: usize::MAX,
        end: usize::MAX,
    };
    let mut entries = vec![sentinel; lens.len()];
    let mut buf = vec![b'#'; cap];
    let mut out_len = usize::MAX;
    // SAFETY: valid pointers; `entries` has one entry per length and `buf` has `cap` bytes.
    let status = unsafe {
        imgrepl_policy_rewrite_batch_into(
            p.0,
            all.as_ptr().cast(),
            all.len(),
            lens.as_ptr(),
            lens.len(),
            entries.as_mut_ptr(),
            if cap == 0 {
                null_mut()
            } else {
                buf.as_mut_ptr().cast()
            },
            cap,
            &mut out_len,
        )
    };
    (status, out_len, entries, buf)
}

#[test]
fn batch_into_matches_one_by_one() {
    let p = Policy::parse(POLICY);
    let long_path = format!("harbor.domain/{}/x:1", "a".repeat(250));
    let images = [
        "nginx:latest",
        "Bad",
        "quay.io/x/y",
        "harbor.domain/a/b/c/d/redis:7",
        "",
        "é",
        long_path.as_str(),
        "harbor.domain/ubuntu",
    ];
    let all: String = images.concat();
    let lens: Vec<usize> = images.iter().map(|i| i.len()).collect();
    // The size first, with no buffer: the entries are written, the buffer is not needed.
    let (status, needed, _, _) = batch_into(&p, all.as_bytes(), &lens, 0);
    assert_eq!(status, TOO_SMALL);
    let (status, short_len, _, _) = batch_into(&p, all.as_bytes(), &lens, needed - 1);
    assert_eq!((status, short_len), (TOO_SMALL, needed), "one byte short");
    let (status, out_len, entries, buf) = batch_into(&p, all.as_bytes(), &lens, needed);
    assert_eq!((status, out_len), (OK, needed));
    let mut at = 0;
    for (image, entry) in images.iter().zip(&entries) {
        let (status, len, rule, one) = rewrite(&p, image.as_bytes(), 4096);
        assert_eq!(entry.status, status, "{image}");
        assert_eq!(entry.start, at, "{image}: results back to back");
        if status == OK && rule >= 0 {
            assert_eq!(entry.rule, rule, "{image}");
            assert_eq!(&buf[entry.start..entry.end], &one[..len], "{image}");
            at = entry.end;
        } else {
            assert_eq!(entry.end, entry.start, "{image}: nothing copied");
            if status == OK {
                assert_eq!(entry.rule, -1, "{image}");
            }
        }
    }
    assert_eq!(at, needed);
    // The rule that matched stays on an invalid result; an invalid image has none.
    assert_eq!(
        entries[6].status,
        imgrepl_status::IMGREPL_STATUS_INVALID_RESULT
    );
    assert_eq!(entries[6].rule, 0);
    assert_eq!(
        entries[1].status,
        imgrepl_status::IMGREPL_STATUS_INVALID_IMAGE
    );
    assert_eq!(entries[1].rule, -1);
    // A larger buffer holds the same, and nothing is written past the results.
    let (status, out_len, more, buf) = batch_into(&p, all.as_bytes(), &lens, needed + 8);
    assert_eq!((status, out_len), (OK, needed));
    assert_eq!(more, entries);
    assert_eq!(&buf[needed..], b"########");

    // Nothing but unchanged images: nothing in the buffer, which may be (NULL, 0).
    let (status, out_len, entries, _) = batch_into(&p, b"quay.io/aBad", &[9, 3], 0);
    assert_eq!((status, out_len), (OK, 0));
    assert_eq!(
        (entries[0].rule, entries[0].start, entries[0].end),
        (-1, 0, 0)
    );
    assert_eq!(
        entries[1].status,
        imgrepl_status::IMGREPL_STATUS_INVALID_IMAGE
    );
    // An empty batch.
    let (status, out_len, entries, _) = batch_into(&p, b"", &[], 0);
    assert_eq!((status, out_len, entries.len()), (OK, 0, 0));
}

#[test]
fn batch_into_fails_as_the_batch_does_and_writes_nothing() {
    let p = Policy::parse(POLICY);
    let cases: [(&[u8], &[usize]); 9] = [
        (b"abcd", &[1, 2]),
        (b"abcd", &[3, 2]),
        (b"abcd", &[usize::MAX, 5]),
        (b"a\xff", &[2]),
        // Valid UTF-8 as a whole, cut inside a character: neither image is valid.
        ("xé".as_bytes(), &[2, 1]),
        // The first image's bad UTF-8 comes before the second's excess length.
        (b"\xffb", &[1, imgrepl_core::MAX_IMAGE_BYTES + 1]),
        (b"ab", &[imgrepl_core::MAX_IMAGE_BYTES + 1, 1]),
        (b"", &[0, 0, 1]),
        (b"abc", &[1, 1]),
    ];
    for (all, lens) in cases {
        let mut b = null_mut();
        // SAFETY: valid pointers; a batch made is freed.
        let want = unsafe {
            let status = imgrepl_policy_rewrite_batch(
                p.0,
                all.as_ptr().cast(),
                all.len(),
                lens.as_ptr(),
                lens.len(),
                &mut b,
            );
            imgrepl_batch_free(b);
            status
        };
        assert_ne!(want, OK, "{all:?} {lens:?}");
        let (status, out_len, entries, buf) = batch_into(&p, all, lens, 64);
        assert_eq!(status, want, "{all:?} {lens:?}");
        assert_eq!(out_len, usize::MAX, "{all:?} {lens:?}: no length written");
        assert!(
            entries.iter().all(|e| e.rule == i64::MIN),
            "no entry written"
        );
        assert!(buf.iter().all(|&b| b == b'#'), "no byte written");
    }
    let (mut entries, mut buf, mut out_len) = (
        [imgrepl_batch_entry {
            status: OK,
            rule: 0,
            start: 0,
            end: 0,
        }],
        [0u8; 8],
        0usize,
    );
    let one = [7usize];
    // SAFETY: valid pointers but for the NULLs under test.
    unsafe {
        let call = |policy, entries, buf, cap, out_len| {
            imgrepl_policy_rewrite_batch_into(
                policy,
                c"nginx:1".as_ptr(),
                7,
                one.as_ptr(),
                1,
                entries,
                buf,
                cap,
                out_len,
            )
        };
        let (e, b, o) = (
            entries.as_mut_ptr(),
            buf.as_mut_ptr().cast(),
            &raw mut out_len,
        );
        assert_eq!(call(null(), e, b, 8, o), NULL_ARGUMENT);
        assert_eq!(
            call(p.0, null_mut(), b, 8, o),
            NULL_ARGUMENT,
            "(NULL, 1) entries"
        );
        assert_eq!(
            call(p.0, e, null_mut(), 8, o),
            NULL_ARGUMENT,
            "(NULL, 8) buffer"
        );
        assert_eq!(call(p.0, e, b, 8, null_mut()), NULL_ARGUMENT);
        assert_eq!(
            imgrepl_policy_rewrite_batch_into(
                p.0,
                null(),
                0,
                null(),
                usize::MAX,
                null_mut(),
                null_mut(),
                0,
                o
            ),
            TOO_LARGE
        );
        assert_eq!(out_len, 0, "nothing written");
    }
}

#[test]
fn find_and_explain() {
    let p = Policy::parse(POLICY);
    let mut m = imgrepl_match {
        found: true,
        rule: 9,
        prefix_len: 9,
    };
    let mut json = imgrepl_string {
        ptr: null_mut(),
        len: 0,
    };
    // SAFETY: valid pointers.
    unsafe {
        let image = "harbor.domain/a/b/c/d/redis:latest";
        assert_eq!(
            imgrepl_policy_find(p.0, image.as_ptr().cast(), image.len(), &mut m, null_mut()),
            OK
        );
        assert!(m.found);
        assert_eq!((m.rule, m.prefix_len), (2, 21));
        assert_eq!(
            imgrepl_policy_find(p.0, c"\xff".as_ptr(), 1, &mut m, null_mut()),
            INVALID_UTF8
        );
        let image = "harbor.domain/team/app:1";
        assert_eq!(
            imgrepl_policy_explain(p.0, image.as_ptr().cast(), image.len(), &mut json),
            OK
        );
        let v: serde_json::Value =
            serde_json::from_str(CStr::from_ptr(json.ptr).to_str().unwrap()).unwrap();
        assert_eq!(v["modesDisagree"], true);
        assert_eq!(
            v["result"],
            "swr.cn-north-4.myhuaweicloud.com/org1/team/app:1"
        );
        imgrepl_string_free(&mut json);
        assert_eq!(
            imgrepl_policy_explain(p.0, null(), 1, &mut json),
            NULL_ARGUMENT
        );
        assert!(json.ptr.is_null());
    }
}

#[test]
fn reference_views() {
    let mut r = null_mut();
    let mut parts = std::mem::MaybeUninit::<imgrepl_reference_parts>::uninit();
    // SAFETY: valid pointers; the references are freed.
    unsafe {
        assert_eq!(
            imgrepl_reference_parse(c"nginx".as_ptr(), 5, 1, &mut r, null_mut()),
            OK
        );
        assert_eq!(imgrepl_reference_get(r, parts.as_mut_ptr()), OK);
        let p = parts.assume_init();
        assert_eq!(s(p.full), "docker.io/library/nginx");
        assert_eq!(s(p.familiar), "nginx");
        assert!(p.tag.ptr.is_null() && p.digest.ptr.is_null());
        imgrepl_reference_free(r);
        let mut error = null_mut();
        r = null_mut();
        assert_eq!(
            imgrepl_reference_parse(c"a/B".as_ptr(), 3, 0, &mut r, &mut error),
            imgrepl_status::IMGREPL_STATUS_INVALID_IMAGE
        );
        assert!(r.is_null());
        assert_eq!(s(imgrepl_error_code(error)), "uppercase");
        imgrepl_error_free(error);
        assert_eq!(
            imgrepl_reference_parse(c"a".as_ptr(), 1, 3, &mut r, null_mut()),
            INVALID_ARGUMENT
        );
        assert_eq!(
            imgrepl_reference_parse(c"\xff".as_ptr(), 1, 0, &mut r, null_mut()),
            INVALID_UTF8
        );
        assert_eq!(
            imgrepl_reference_get(null(), parts.as_mut_ptr()),
            NULL_ARGUMENT
        );
        imgrepl_reference_free(null_mut());
    }
}

#[test]
fn workload_and_admission() {
    let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
      "metadata": {"annotations": {"coordinator.cci.io/image-replacement": r#"[{"repositoryPrefix": "", "replaceWith": "m.io/hub"}]"#}},
      "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}})
    .to_string();
    let review = format!(
        r#"{{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {{"uid": "u-7", "operation": "CREATE", "object": {pod}}}}}"#
    );
    let mut out = imgrepl_string {
        ptr: null_mut(),
        len: 0,
    };
    let mut info = imgrepl_admission_info {
        patch_ops: 99,
        has_errors: true,
    };
    // SAFETY: valid pointers.
    unsafe {
        assert_eq!(
            imgrepl_workload_rewrite(pod.as_ptr().cast(), pod.len(), null(), &mut out, null_mut()),
            OK
        );
        let report: serde_json::Value =
            serde_json::from_str(CStr::from_ptr(out.ptr).to_str().unwrap()).unwrap();
        assert_eq!(report["patch"][0]["value"], "m.io/hub/nginx:1.27");
        imgrepl_string_free(&mut out);

        assert_eq!(
            imgrepl_admission_review(
                review.as_ptr().cast(),
                review.len(),
                null(),
                &mut out,
                &mut info,
                null_mut()
            ),
            OK
        );
        let response: serde_json::Value =
            serde_json::from_str(CStr::from_ptr(out.ptr).to_str().unwrap()).unwrap();
        assert_eq!(response["response"]["uid"], "u-7");
        assert_eq!(response["response"]["patchType"], "JSONPatch");
        assert_eq!((info.patch_ops, info.has_errors), (1, false));
        imgrepl_string_free(&mut out);

        // Options: a bad mode, a bad key, and a NULL policy pointer is "no policy".
        let mut options = imgrepl_options {
            policy: null(),
            annotation_key: null(),
            annotation_key_len: 0,
            mode: 5,
        };
        assert_eq!(
            imgrepl_workload_rewrite(
                pod.as_ptr().cast(),
                pod.len(),
                &options,
                &mut out,
                null_mut()
            ),
            INVALID_ARGUMENT
        );
        options.mode = 0;
        options.annotation_key = c"\xff".as_ptr();
        options.annotation_key_len = 1;
        assert_eq!(
            imgrepl_workload_rewrite(
                pod.as_ptr().cast(),
                pod.len(),
                &options,
                &mut out,
                null_mut()
            ),
            INVALID_UTF8
        );
        options.annotation_key_len = 1000;
        assert_eq!(
            imgrepl_workload_rewrite(
                pod.as_ptr().cast(),
                pod.len(),
                &options,
                &mut out,
                null_mut()
            ),
            TOO_LARGE
        );
        assert!(out.ptr.is_null());

        let mut error = null_mut();
        assert_eq!(
            imgrepl_admission_review(c"[]".as_ptr(), 2, null(), &mut out, &mut info, &mut error),
            imgrepl_status::IMGREPL_STATUS_INVALID_REVIEW
        );
        assert!(out.ptr.is_null());
        assert!(!s(imgrepl_error_message(error)).is_empty());
        imgrepl_error_free(error);
        let big = vec![b' '; 3 * 1024 * 1024 + 1];
        assert_eq!(
            imgrepl_workload_rewrite(big.as_ptr().cast(), big.len(), null(), &mut out, null_mut()),
            TOO_LARGE
        );
        assert_eq!(
            imgrepl_workload_rewrite(null(), 1, null(), &mut out, null_mut()),
            NULL_ARGUMENT
        );
        assert_eq!(
            imgrepl_admission_review(
                c"{}".as_ptr(),
                2,
                null(),
                null_mut(),
                null_mut(),
                null_mut()
            ),
            NULL_ARGUMENT
        );
    }
}

/// An owned string's text, freed.
fn take(mut out: imgrepl_string) -> String {
    // SAFETY: a string this library wrote, NUL-terminated, freed once.
    unsafe {
        let text = CStr::from_ptr(out.ptr).to_str().unwrap().to_owned();
        imgrepl_string_free(&mut out);
        text
    }
}

const EMPTY: imgrepl_string = imgrepl_string {
    ptr: null_mut(),
    len: 0,
};

#[test]
fn toolkit_answers_are_the_cores_over_the_same_corpus() {
    let new_json = r#"[{"repositoryPrefix": "harbor.domain", "replaceWith": "m.io/org9"},
      {"repositoryPrefix": "mirror.io", "replaceWith": "cache.io/m"}, {"repositoryPrefix": "", "replaceWith": "mirror.io/hub"}]"#;
    // (workload, images): several adds, a workload without a name, repeats, invalid images.
    let batches: [(&str, &[&str]); 4] = [
        (
            "Deployment/shop/web",
            &["nginx:1", "harbor.domain/a/b/c/d/redis:7", "Bad"],
        ),
        ("", &["harbor.domain/team/app:1", "nginx:1", "quay.io/x/y"]),
        (
            "Pod/shop/db",
            &["nginx:1", "harbor.domain/a/b/c/d/redis:7", "a//b"],
        ),
        ("CronJob/ops/backup", &[]),
    ];
    let (old, new) = (Policy::parse(POLICY), Policy::parse(new_json));
    let mut corpus = null_mut();
    let mut items: Vec<imgrepl_core::corpus::CorpusItem<'_>> = Vec::new();
    // SAFETY: valid pointers and lengths throughout; every object is freed at the end.
    unsafe {
        assert_eq!(imgrepl_corpus_new(&mut corpus), OK);
        for (workload, images) in batches {
            let all = images.concat();
            let lens: Vec<usize> = images.iter().map(|i| i.len()).collect();
            let status = imgrepl_corpus_add(
                corpus,
                all.as_ptr().cast(),
                all.len(),
                lens.as_ptr(),
                lens.len(),
                workload.as_ptr().cast(),
                workload.len(),
            );
            assert_eq!(status, OK);
            items.extend(
                images
                    .iter()
                    .map(|&image| imgrepl_core::corpus::CorpusItem {
                        image,
                        workload: (!workload.is_empty()).then_some(workload),
                    }),
            );
        }
        assert_eq!(imgrepl_corpus_len(corpus), 9);
        let core_old = imgrepl_core::Policy::from_json(POLICY).unwrap();
        let core_new = imgrepl_core::Policy::from_json(new_json).unwrap();

        let mut out = EMPTY;
        assert_eq!(
            imgrepl_policy_coverage(old.0, corpus, &mut out, null_mut()),
            OK
        );
        let want = serde_json::to_string(&core_old.coverage(items.iter().copied())).unwrap();
        assert_eq!(take(out), want);

        let mut out = EMPTY;
        let mut summary = imgrepl_diff_summary::default();
        assert_eq!(
            imgrepl_policy_diff(old.0, new.0, corpus, &mut out, &mut summary),
            OK
        );
        let diff = imgrepl_core::diff::diff(&core_old, &core_new, items.iter().copied());
        assert_eq!(take(out), serde_json::to_string(&diff).unwrap());
        assert_eq!(
            (
                summary.rules_added,
                summary.rules_removed,
                summary.rules_changed
            ),
            (1, 1, 2)
        );
        assert_eq!(summary.distinct_changed, diff.images.len());

        let mut out = EMPTY;
        let mut summary = imgrepl_second_pass_summary::default();
        assert_eq!(
            imgrepl_policy_second_pass(new.0, corpus, &mut out, &mut summary),
            OK
        );
        let passes = core_new.second_pass(items.iter().copied());
        assert_eq!(take(out), serde_json::to_string(&passes).unwrap());
        // nginx:1 -> mirror.io/hub/nginx:1 -> cache.io/m/hub/nginx:1, three times.
        assert_eq!((summary.images, summary.occurrences), (1, 3));
        assert_eq!((summary.stable, summary.longest_chain), (1, 2));
        imgrepl_corpus_free(corpus);
    }
}

#[test]
fn toolkit_exports_reject_bad_arguments_and_write_nothing() {
    let p = Policy::parse(POLICY);
    let mut corpus = null_mut();
    // SAFETY: valid or deliberately NULL pointers, with lengths that match.
    unsafe {
        assert_eq!(imgrepl_corpus_new(&mut corpus), OK);
        let lens = [1usize, 1];
        for (images, images_len, lens, count, workload, workload_len, want) in [
            (c"ab".as_ptr(), 2, lens.as_ptr(), 2, null(), 0, OK),
            (
                c"ab".as_ptr(),
                2,
                lens.as_ptr(),
                1,
                null(),
                0,
                INVALID_ARGUMENT,
            ),
            (c"ab".as_ptr(), 2, null(), 2, null(), 0, NULL_ARGUMENT),
            (null(), 2, lens.as_ptr(), 2, null(), 0, NULL_ARGUMENT),
            (
                c"ab".as_ptr(),
                2,
                lens.as_ptr(),
                2,
                null(),
                1,
                NULL_ARGUMENT,
            ),
            (
                c"a\xff".as_ptr(),
                2,
                lens.as_ptr(),
                2,
                null(),
                0,
                INVALID_UTF8,
            ),
            (
                c"ab".as_ptr(),
                2,
                lens.as_ptr(),
                2,
                c"\xff".as_ptr(),
                1,
                INVALID_UTF8,
            ),
            (
                c"abc".as_ptr(),
                3,
                lens.as_ptr(),
                2,
                null(),
                0,
                INVALID_ARGUMENT,
            ),
            (null(), 0, null(), 0, null(), 0, OK),
        ] {
            let status = imgrepl_corpus_add(
                corpus,
                images,
                images_len,
                lens,
                count,
                workload,
                workload_len,
            );
            assert_eq!(status, want, "{images_len} bytes, {count} images");
        }
        assert_eq!(imgrepl_corpus_len(corpus), 2, "only the good adds added");

        let mut out = EMPTY;
        let mut summary = imgrepl_coverage_summary {
            images: 7,
            ..Default::default()
        };
        assert_eq!(
            imgrepl_policy_coverage(null(), corpus, &mut out, &mut summary),
            NULL_ARGUMENT
        );
        assert_eq!(
            imgrepl_policy_coverage(p.0, null(), &mut out, &mut summary),
            NULL_ARGUMENT
        );
        assert_eq!(
            imgrepl_policy_coverage(p.0, corpus, null_mut(), null_mut()),
            NULL_ARGUMENT
        );
        assert_eq!(
            imgrepl_policy_diff(p.0, p.0, null(), &mut out, null_mut()),
            NULL_ARGUMENT
        );
        assert_eq!(
            imgrepl_policy_diff(null(), p.0, corpus, &mut out, null_mut()),
            NULL_ARGUMENT
        );
        assert_eq!(
            imgrepl_policy_second_pass(p.0, corpus, null_mut(), null_mut()),
            NULL_ARGUMENT
        );
        assert!(out.ptr.is_null() && summary.images == 7);
        // Either output alone: the summary without the JSON.
        assert_eq!(
            imgrepl_policy_coverage(p.0, corpus, null_mut(), &mut summary),
            OK
        );
        assert_eq!(summary.images, 2);
        summary.images = 7;
        assert_eq!(
            imgrepl_policy_coverage(p.0, corpus, &mut out, &mut summary),
            OK
        );
        assert_eq!((summary.images, summary.uncovered), (2, 0));
        assert_eq!(summary.rewritten, 2, "a and b by the empty prefix");
        drop(take(out));
        imgrepl_corpus_free(corpus);

        // The bursting mask: parsed by the core's BurstSet, checked bit by bit.
        let mut mask = 99u32;
        let mut error = null_mut();
        for (text, want, mask_want) in [
            ("auto", OK, 1),
            ("off,enforce", OK, 6),
            ("auto,", INVALID_ARGUMENT, 99),
            ("\u{e9}", INVALID_ARGUMENT, 99),
        ] {
            mask = 99;
            let status =
                imgrepl_burst_parse(text.as_ptr().cast(), text.len(), &mut mask, &mut error);
            assert_eq!((status, mask), (want, mask_want), "{text:?}");
            if status != OK {
                assert_eq!(s(imgrepl_error_code(error)), "invalid-burst-label");
                assert_eq!(imgrepl_error_offset(error), -1);
                let json: serde_json::Value =
                    serde_json::from_str(s(imgrepl_error_json(error))).unwrap();
                assert_eq!(json["code"], "invalid-burst-label");
                imgrepl_error_free(error);
                error = null_mut();
            }
        }
        assert_eq!(
            imgrepl_burst_parse(c"auto".as_ptr(), 257, &mut mask, null_mut()),
            TOO_LARGE
        );
        let mut options = null_mut();
        assert_eq!(imgrepl_workload_options_new(null(), &mut options), OK);
        for bit in 0..32 {
            let want = if bit < 3 { OK } else { INVALID_ARGUMENT };
            assert_eq!(
                imgrepl_workload_options_set_burst(options, 1 << bit),
                want,
                "bit {bit}"
            );
        }
        assert_eq!(imgrepl_workload_options_set_burst(options, 0), OK);
        imgrepl_workload_options_free(options);

        let mut secrets = null_mut();
        assert_eq!(imgrepl_pull_secrets_new(&mut secrets), OK);
        assert_eq!(
            imgrepl_pull_secrets_add_docker_config(
                secrets,
                null(),
                0,
                null(),
                0,
                c"{}".as_ptr(),
                2,
                null_mut()
            ),
            OK,
            "(NULL, 0) is the empty name"
        );
        assert_eq!(
            imgrepl_pull_secrets_add_docker_config(
                secrets,
                null(),
                1,
                null(),
                0,
                c"{}".as_ptr(),
                2,
                null_mut()
            ),
            NULL_ARGUMENT
        );
        let mut out = EMPTY;
        assert_eq!(imgrepl_pull_secrets_json(secrets, &mut out), OK);
        assert_eq!(
            take(out),
            r#"{"secrets":[{"name":"","namespace":null,"registries":[]}],"serviceAccounts":[],"problems":[]}"#
        );
        imgrepl_pull_secrets_free(secrets);
    }
}

#[cfg(feature = "test-panic")]
#[test]
fn a_panic_becomes_a_status_and_writes_nothing() {
    let mut out = 7u32;
    // SAFETY: a valid out-pointer.
    let status = unsafe { imgrepl_test_panic(&mut out) };
    assert_eq!(status, imgrepl_status::IMGREPL_STATUS_PANIC);
    assert_eq!(out, 7);
    // The library still works after a caught panic.
    let p = Policy::parse(POLICY);
    assert_eq!(rewrite(&p, b"nginx:1", 64).0, OK);
    // SAFETY: NULL is checked before the panic.
    assert_eq!(unsafe { imgrepl_test_panic(null_mut()) }, NULL_ARGUMENT);
}
