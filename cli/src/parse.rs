//! `imgrepl parse [REF...]`: how each reference parses, in all three views of the library
//! (as written, normalized, and as `ParseDockerRef` gives it).
//!
//! Human output is one line per valid input, and for an invalid one the input with a caret
//! under the offset where it stopped being valid:
//!
//! ```text
//! ok       nginx:latest  path=nginx tag=latest normalized=docker.io/library/nginx:latest
//! invalid  registry/Team/app
//!                   ^ [uppercase] repository name must be lowercase: uppercase letter in repository path at byte 9
//! ```
//!
//! `--json` prints one object per input (JSON Lines); fields that do not apply are `null`.

use std::ffi::OsString;
use std::io::Write;

use imgrepl::{Code, Normalized, ParseError, Reference};
use serde::{Serialize, Serializer};

use crate::exit::{Failure, Verdict};
use crate::input::each_input;
use crate::output::{Out, clipped, render};

/// Arguments of `imgrepl parse`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON object per reference (JSON Lines) instead of text.
    #[arg(long)]
    pub json: bool,

    /// The references to parse; read one per line from stdin when none is given.
    #[arg(value_name = "REF")]
    pub refs: Vec<OsString>,
}

/// Runs `imgrepl parse`.
///
/// # Errors
///
/// A failure to read stdin or to write stdout.
pub fn run(args: &Args, out: &mut Out) -> Result<Verdict, Failure> {
    let mut verdict = Verdict::Valid;
    let complete = each_input(&args.refs, |input| {
        let ok = one(input.text, input.utf8, args.json, out)?;
        out.end_record(input.pending)?;
        verdict = verdict.and(ok);
        Ok(())
    })?;
    out.flush()?;
    Ok(verdict.and(complete))
}

/// Parses one input and prints its record; tells whether it is valid (as written). An input that
/// was not UTF-8 (`utf8` false) comes with U+FFFD in place of its bad bytes, so it is invalid.
fn one(text: &str, utf8: bool, json: bool, out: &mut Out) -> Result<bool, Failure> {
    let written = Reference::parse(text);
    let normalized = Reference::parse_normalized(text);
    let docker_ref = Reference::parse_docker_ref(text);
    let record = Record::new(text, &written, &normalized, &docker_ref);
    if json {
        out.json_line(&record)?;
    } else {
        human(&record, &written, &normalized, utf8, out)?;
    }
    Ok(written.is_ok())
}

fn human(
    record: &Record<'_>,
    written: &Result<Reference<'_>, ParseError>,
    normalized: &Result<Normalized<'_>, ParseError>,
    utf8: bool,
    out: &mut Out,
) -> Result<(), Failure> {
    match written {
        Err(e) => {
            let (shown, caret) = clipped(record.input, e.offset()..e.offset());
            writeln!(out, "invalid  {shown}")?;
            write!(out, "         {caret} [{}] {e}", e.code())?;
            if !utf8 {
                write!(out, " (the input is not UTF-8: U+FFFD shows the bad bytes)")?;
            }
            writeln!(out)?;
        }
        Ok(r) => {
            // A valid reference is at most `MAX_IMAGE_BYTES` long: shown whole.
            write!(out, "ok       {} ", render(record.input))?;
            let parts = [
                ("domain", r.domain()),
                ("path", Some(r.path())),
                ("tag", r.tag()),
                ("digest", r.digest()),
            ];
            for (key, value) in parts {
                if let Some(value) = value {
                    write!(out, " {key}={value}")?;
                }
            }
            match normalized {
                Ok(n) => writeln!(out, " normalized={n}")?,
                Err(e) => writeln!(out, " normalized=[{}] {}", e.code(), e.kind())?,
            }
        }
    }
    Ok(())
}

/// The JSON record of one input. Field order is the documented one.
#[derive(Serialize)]
struct Record<'a> {
    input: &'a str,
    ok: bool,
    code: Option<Code>,
    error: Option<Shown<'a>>,
    offset: Option<usize>,
    name: Option<&'a str>,
    domain: Option<&'a str>,
    path: Option<&'a str>,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
    normalized: NormalizedRecord<'a>,
    docker_ref: DockerRefRecord<'a>,
}

/// The normalized view (`ParseNormalizedNamed`) of one input.
#[derive(Serialize)]
struct NormalizedRecord<'a> {
    ok: bool,
    code: Option<Code>,
    error: Option<Shown<'a>>,
    name: Option<&'a str>,
    domain: Option<&'a str>,
    path: Option<&'a str>,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
    familiar: Option<&'a str>,
    string: Option<&'a str>,
}

/// The `ParseDockerRef` view of one input.
#[derive(Serialize)]
struct DockerRefRecord<'a> {
    ok: bool,
    code: Option<Code>,
    error: Option<Shown<'a>>,
    string: Option<&'a str>,
}

/// A parse error serialized as its full `Display` ("kind: reason at byte N").
struct Shown<'a>(&'a ParseError);

impl Serialize for Shown<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self.0)
    }
}

impl<'a> Record<'a> {
    fn new(
        input: &'a str,
        written: &'a Result<Reference<'a>, ParseError>,
        normalized: &'a Result<Normalized<'a>, ParseError>,
        docker_ref: &'a Result<Normalized<'a>, ParseError>,
    ) -> Self {
        let r = written.as_ref().ok();
        let e = written.as_ref().err();
        Record {
            input,
            ok: r.is_some(),
            code: e.map(ParseError::code),
            error: e.map(Shown),
            offset: e.map(ParseError::offset),
            name: r.map(Reference::name),
            domain: r.and_then(Reference::domain),
            path: r.map(Reference::path),
            tag: r.and_then(Reference::tag),
            digest: r.and_then(Reference::digest),
            normalized: NormalizedRecord::new(normalized),
            docker_ref: DockerRefRecord::new(docker_ref),
        }
    }
}

impl<'a> NormalizedRecord<'a> {
    fn new(view: &'a Result<Normalized<'a>, ParseError>) -> Self {
        let n = view.as_ref().ok();
        let e = view.as_ref().err();
        NormalizedRecord {
            ok: n.is_some(),
            code: e.map(ParseError::code),
            error: e.map(Shown),
            name: n.map(Normalized::name),
            domain: n.and_then(Normalized::domain),
            path: n.map(Normalized::path),
            tag: n.and_then(Normalized::tag),
            digest: n.and_then(Normalized::digest),
            familiar: n.map(Normalized::familiar),
            string: n.map(Normalized::as_str),
        }
    }
}

impl<'a> DockerRefRecord<'a> {
    fn new(view: &'a Result<Normalized<'a>, ParseError>) -> Self {
        let n = view.as_ref().ok();
        let e = view.as_ref().err();
        DockerRefRecord {
            ok: n.is_some(),
            code: e.map(ParseError::code),
            error: e.map(Shown),
            string: n.map(Normalized::as_str),
        }
    }
}
