//! `cargo xtask bench …`: the criterion suites of `benches/` (crate `imgrepl-benches`), the
//! same `parse` and `rewrite` suites compiled to wasm32 and timed in Node
//! (`benches/wasm`), and the tables of `BENCHMARKS.md` made from their results.
//!
//! ```text
//! cargo xtask bench [--test] [--summary] [--wasm] [--suite NAME]... [-- CRITERION_ARGS...]
//! ```
//!
//! - no flag: runs every criterion suite, then the wasm32 suite, then prints the tables;
//! - `--suite NAME`: only those criterion suites (and not the wasm32 one);
//! - `--wasm`: only the wasm32 suite, printed beside the native figures of the last run;
//! - `--test`: runs each benchmark once, untimed (`cargo bench … -- --test`), and the wasm32
//!   module once with its answers checked, as CI does;
//! - `--summary`: only prints the tables, from the results of the last run;
//! - arguments after `--` go to criterion (`-- --measurement-time 3`).
//!
//! The wasm32 suite builds `imgrepl-benches-wasm` for `wasm32-unknown-unknown` in the `wasm`
//! profile (what the previewer ships: `opt-level = "z"`) and, when timed, in `release`
//! (`opt-level = 3`), runs `wasm-bindgen --target nodejs` on each, and times them with
//! `benches/wasm/bench.mjs`; its results go to `target/bench-wasm/results.jsonl`.
//!
//! Criterion keeps its results in `target/criterion/<suite>/<benchmark>/new/` (`estimates.json`
//! holds the median, `benchmark.json` the number of images per iteration); the table reads them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cmd::{Cmd, root, say, target_dir};

/// The suites, in the order the tables show them.
const SUITES: [&str; 6] = [
    "parse",
    "rewrite",
    "compile",
    "toolkit",
    "admission",
    "apply",
];

const USAGE: &str = "\
usage: cargo xtask bench [--test] [--summary] [--wasm] [--suite NAME]... [-- CRITERION_ARGS...]

Runs the criterion suites (parse, rewrite, compile, toolkit, admission, apply) and the wasm32
suite (parse and rewrite in Node), then prints the tables of BENCHMARKS.md.
  --test      run each benchmark once, untimed, and the wasm32 module once (what CI does)
  --summary   only print the tables from the last run's results
  --wasm      only the wasm32 suite
  --suite S   only criterion suite S (repeatable)";

/// The parsed arguments.
#[derive(Debug, Default, PartialEq, Eq)]
struct Args {
    test: bool,
    summary: bool,
    wasm: bool,
    suites: Vec<String>,
    extra: Vec<String>,
}

fn parse_args(args: &[String]) -> Result<Option<Args>, String> {
    let mut parsed = Args::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--test" => parsed.test = true,
            "--summary" => parsed.summary = true,
            "--wasm" => parsed.wasm = true,
            "--suite" => {
                let suite = it.next().ok_or("--suite needs a suite name")?;
                if !SUITES.contains(&suite.as_str()) {
                    return Err(format!(
                        "unknown suite `{suite}`; the suites are: {}",
                        SUITES.join(", ")
                    ));
                }
                parsed.suites.push(suite.clone());
            }
            "--" => parsed.extra.extend(it.by_ref().cloned()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(Some(parsed))
}

/// `cargo xtask bench [--test] [--summary] [--wasm] [--suite NAME]... [-- CRITERION_ARGS...]`.
///
/// # Errors
///
/// A message when an argument is wrong, a suite fails (in `--test` mode too: a suite checks
/// its engines' answers before timing), or the results cannot be read.
pub fn run(args: &[String]) -> Result<(), String> {
    let Some(args) = parse_args(args)? else {
        println!("{USAGE}");
        return Ok(());
    };
    let results = target_dir().join("criterion");
    if !args.summary {
        if !args.wasm {
            let mut cmd = Cmd::cargo().args(["bench", "-p", "imgrepl-benches"]);
            for suite in &args.suites {
                cmd = cmd.args(["--bench", suite]);
            }
            if args.test {
                // Checking answers needs optimized code, not the timing build's whole-program
                // optimization and debug info, whose links are most of this step's time.
                cmd = cmd
                    .env("CARGO_PROFILE_BENCH_LTO", "false")
                    .env("CARGO_PROFILE_BENCH_CODEGEN_UNITS", "16")
                    .env("CARGO_PROFILE_BENCH_DEBUG", "false");
            }
            cmd = cmd.arg("--");
            if args.test {
                cmd = cmd.arg("--test");
            }
            cmd.args(&args.extra).run()?;
        }
        if args.wasm || args.suites.is_empty() {
            wasm_suite(args.test)?;
        }
        if args.test {
            say("benches ran once each in test mode (no timing)");
            return Ok(());
        }
    }
    let mut table = if args.wasm {
        String::new()
    } else {
        summary(&results)?
    };
    let wasm_results = root().join(WASM_RESULTS);
    if let Ok(lines) = std::fs::read_to_string(&wasm_results) {
        let native = native_estimates(&results);
        wasm_table(&lines, &native, &mut table);
    }
    println!("{table}");
    say(format_args!(
        "criterion's results are in {} (<suite>/<benchmark>/new/estimates.json)",
        results.display()
    ));
    Ok(())
}

/// One benchmark's result.
#[derive(Debug, Clone, PartialEq)]
struct Estimate {
    suite: String,
    /// The engine (`imgrepl/parse`, `floor/memchr`, …).
    engine: String,
    /// The parameter: the policy size, for `rewrite` and `compile`.
    n: Option<u64>,
    /// The parameter as criterion names it (`pod-40` for `admission`).
    param: Option<String>,
    /// Median time per iteration, in nanoseconds.
    median_ns: f64,
    /// Elements (images, or rules for `compile`) or bytes (`admission`, `apply`) per iteration.
    elements: u64,
    /// Whether `elements` counts bytes.
    bytes: bool,
}

impl Estimate {
    /// Median nanoseconds per element.
    #[allow(clippy::cast_precision_loss)]
    fn per_element(&self) -> f64 {
        self.median_ns / self.elements.max(1) as f64
    }
}

/// The estimate of one benchmark from criterion's `benchmark.json` and `estimates.json`; `None`
/// when either is not what criterion writes.
fn estimate_from(benchmark: &str, estimates: &str) -> Option<Estimate> {
    let b: Value = serde_json::from_str(benchmark).ok()?;
    let e: Value = serde_json::from_str(estimates).ok()?;
    let throughput = &b["throughput"];
    let (elements, bytes) = match throughput["Elements"].as_u64() {
        Some(n) => (n, false),
        None => (throughput["Bytes"].as_u64()?, true),
    };
    Some(Estimate {
        suite: b["group_id"].as_str()?.to_owned(),
        engine: b["function_id"].as_str()?.to_owned(),
        n: b["value_str"].as_str().and_then(|v| v.parse().ok()),
        param: b["value_str"].as_str().map(str::to_owned),
        median_ns: e["median"]["point_estimate"].as_f64()?,
        elements,
        bytes,
    })
}

/// Reads one benchmark directory (`…/new/`).
fn read_estimate(new: &Path) -> Result<Estimate, String> {
    let read = |name: &str| {
        let path = new.join(name);
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    estimate_from(&read("benchmark.json")?, &read("estimates.json")?)
        .ok_or_else(|| format!("unexpected contents in {}", new.display()))
}

/// Every `new/` directory under `dir`.
fn find_new(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") {
            if path.join("benchmark.json").is_file() {
                out.push(path);
            }
        } else {
            find_new(&path, out);
        }
    }
}

/// `1234567.0` → `"1.23 M"`.
fn per_second(ns: f64) -> String {
    let rate = 1e9 / ns;
    if rate >= 1e6 {
        format!("{:.2} M", rate / 1e6)
    } else if rate >= 1e3 {
        format!("{:.1} k", rate / 1e3)
    } else {
        format!("{rate:.0}")
    }
}

/// A duration in ns with three significant digits.
fn ns(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// The tables of `BENCHMARKS.md`, from criterion's results in `results`.
///
/// # Errors
///
/// When there are no results, or a result cannot be read.
fn summary(results: &Path) -> Result<String, String> {
    let mut dirs = Vec::new();
    find_new(results, &mut dirs);
    let mut all = dirs
        .iter()
        .map(|d| read_estimate(d))
        .collect::<Result<Vec<_>, _>>()?;
    if all.is_empty() {
        return Err(format!(
            "no criterion results in {}: run `cargo xtask bench` first",
            results.display()
        ));
    }
    // imgrepl first, then the floor, the naive rewriter and the peers; by size within each.
    let rank = |e: &Estimate| match e.engine.split('/').next() {
        Some("imgrepl") => 0,
        Some("floor") => 1,
        Some("naive") => 2,
        _ => 3,
    };
    all.sort_by(|a, b| (rank(a), &a.engine, a.n).cmp(&(rank(b), &b.engine, b.n)));
    let mut out = String::new();
    for suite in SUITES {
        let rows: Vec<&Estimate> = all.iter().filter(|e| e.suite == suite).collect();
        if rows.is_empty() {
            continue;
        }
        match suite {
            "parse" => parse_table(&rows, &mut out),
            "rewrite" => rewrite_table(&rows, &mut out),
            "compile" => compile_table(&rows, &mut out),
            "admission" => admission_table(&rows, &mut out),
            "apply" => apply_table(&rows, &mut out),
            // The toolkit's table is written by hand (BENCHMARKS.md, issue 12).
            _ => continue,
        }
        out.push('\n');
    }
    Ok(out)
}

/// `parse`: each engine against the floor and the peers.
fn parse_table(rows: &[&Estimate], out: &mut String) {
    let floor = rows.iter().find(|e| e.engine.starts_with("floor/"));
    let peers: Vec<&&Estimate> = rows
        .iter()
        .filter(|e| !e.engine.starts_with("imgrepl/") && !e.engine.starts_with("floor/"))
        .collect();
    let mut header = String::from("| parse | median ns/image | images/s | × memchr floor |");
    let mut rule = String::from("|---|---:|---:|---:|");
    for peer in &peers {
        let _ = write!(header, " {} ÷ this |", peer.engine);
        rule.push_str("---:|");
    }
    let _ = writeln!(out, "{header}\n{rule}");
    for e in rows {
        let t = e.per_element();
        let _ = write!(
            out,
            "| {} | {} | {} | {} |",
            e.engine,
            ns(t),
            per_second(t),
            floor.map_or("–".to_owned(), |f| format!("{:.1}", t / f.per_element()))
        );
        for peer in &peers {
            let _ = write!(out, " {:.1} |", peer.per_element() / t);
        }
        out.push('\n');
    }
}

/// `rewrite`: each engine at each policy size against the copy floor and its own N = 1.
fn rewrite_table(rows: &[&Estimate], out: &mut String) {
    let floor = rows.iter().find(|e| e.engine.starts_with("floor/"));
    let _ = writeln!(
        out,
        "| rewrite | N rules | median ns/image | images/s | × copy floor | × its N = 1 |\n|---|---:|---:|---:|---:|---:|"
    );
    for e in rows {
        let t = e.per_element();
        let at_one = rows
            .iter()
            .find(|o| o.engine == e.engine && o.n == Some(1))
            .map_or("–".to_owned(), |o| format!("{:.2}", t / o.per_element()));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            e.engine,
            e.n.map_or("–".to_owned(), group_digits),
            ns(t),
            per_second(t),
            floor.map_or("–".to_owned(), |f| format!("{:.1}", t / f.per_element())),
            if e.n.is_some() {
                at_one
            } else {
                "–".to_owned()
            },
        );
    }
}

/// `compile`: time per policy and per rule.
fn compile_table(rows: &[&Estimate], out: &mut String) {
    let _ = writeln!(
        out,
        "| compile | N rules | median per policy | ns/rule | rules/s |\n|---|---:|---:|---:|---:|"
    );
    for e in rows {
        let t = e.per_element();
        let _ = writeln!(
            out,
            "| {} | {} | {:.1} µs | {} | {} |",
            e.engine,
            e.n.map_or("–".to_owned(), group_digits),
            e.median_ns / 1e3,
            ns(t),
            per_second(t),
        );
    }
}

/// `admission`: each review's `review_json` against the `serde_json` floor of the same body.
fn admission_table(rows: &[&Estimate], out: &mut String) {
    let _ = writeln!(
        out,
        "| review | request bytes | imgrepl/review_json | floor/serde_json | × floor | review_json MB/s |\n|---|---:|---:|---:|---:|---:|"
    );
    for e in rows.iter().filter(|e| e.engine.starts_with("imgrepl/")) {
        let floor = rows
            .iter()
            .find(|f| f.engine.starts_with("floor/") && f.param == e.param);
        let _ = writeln!(
            out,
            "| {} | {} | {:.1} µs | {} | {} | {:.0} |",
            e.param.as_deref().unwrap_or("–"),
            group_digits(e.elements),
            e.median_ns / 1e3,
            floor.map_or("–".to_owned(), |f| format!("{:.1} µs", f.median_ns / 1e3)),
            floor.map_or("–".to_owned(), |f| format!(
                "{:.2}",
                e.median_ns / f.median_ns
            )),
            megabytes_per_second(e),
        );
    }
}

/// `apply`: `imgrepl apply`'s work against the YAML parser alone.
fn apply_table(rows: &[&Estimate], out: &mut String) {
    let floor = rows.iter().find(|e| e.engine.starts_with("floor/"));
    let _ = writeln!(
        out,
        "| apply | input bytes | median | MB/s | × parser floor |\n|---|---:|---:|---:|---:|"
    );
    for e in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} ms | {:.1} | {} |",
            e.engine,
            group_digits(e.elements),
            e.median_ns / 1e6,
            megabytes_per_second(e),
            floor.map_or("–".to_owned(), |f| format!(
                "{:.2}",
                e.median_ns / f.median_ns
            )),
        );
    }
}

/// Decimal megabytes per second of a bytes benchmark.
#[allow(clippy::cast_precision_loss)]
fn megabytes_per_second(e: &Estimate) -> f64 {
    e.elements as f64 / e.median_ns * 1e3
}

/// Where the wasm32 suite writes its results (one JSON object a line), from the root.
const WASM_RESULTS: &str = "target/bench-wasm/results.jsonl";

/// The profiles the wasm32 suite is built in: the previewer's, then speed-optimized.
const WASM_PROFILES: [&str; 2] = ["wasm", "release"];

/// Builds the wasm32 module in each profile (only `wasm` for `--test`), generates its Node glue
/// and runs `benches/wasm/bench.mjs`: timed, into [`WASM_RESULTS`]; or once, answers checked.
fn wasm_suite(test: bool) -> Result<(), String> {
    crate::wasm::tools()?;
    crate::wasm::node()?;
    let profiles = if test {
        &WASM_PROFILES[..1]
    } else {
        &WASM_PROFILES[..]
    };
    let mut lines = String::new();
    for profile in profiles {
        Cmd::cargo()
            .args(["build", "-p", "imgrepl-benches-wasm", "--lib", "--target"])
            .args([crate::wasm::TARGET, "--profile", profile])
            .run()?;
        let module = target_dir()
            .join(crate::wasm::TARGET)
            .join(profile)
            .join("imgrepl_benches_wasm.wasm");
        let glue = root().join("target/bench-wasm").join(profile);
        Cmd::new("wasm-bindgen")
            .args(["--target", "nodejs", "--out-dir"])
            .arg(&glue)
            .arg(&module)
            .run()?;
        let node = Cmd::new("node")
            .arg("benches/wasm/bench.mjs")
            .arg(&glue)
            .arg(format!("--profile={profile}"));
        if test {
            node.arg("--test").run()?;
        } else {
            lines.push_str(&node.read()?);
            lines.push('\n');
        }
    }
    if !test {
        let path = root().join(WASM_RESULTS);
        std::fs::write(&path, lines)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// The native figures the wasm32 table compares with: `parse/imgrepl/parse` and
/// `rewrite/imgrepl/rewrite_into/N`, from the last criterion run.
fn native_estimates(results: &Path) -> Vec<Estimate> {
    let mut dirs = Vec::new();
    find_new(results, &mut dirs);
    dirs.iter()
        .filter_map(|d| read_estimate(d).ok())
        .filter(|e| e.engine == "imgrepl/parse" || e.engine == "imgrepl/rewrite_into")
        .collect()
}

/// The wasm32 table: each line of `lines` (`{"engine": "wasm/parse", "n": null, "median_ns":
/// …, "min_ns": …, "max_ns": …}`) beside the same native benchmark.
fn wasm_table(lines: &str, native: &[Estimate], out: &mut String) {
    let _ = writeln!(
        out,
        "| wasm32 in Node | N rules | median ns/image | fastest–slowest run | native ns/image | × native |\n|---|---:|---:|---:|---:|---:|"
    );
    for line in lines.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(row) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let (Some(engine), Some(median)) = (row["engine"].as_str(), row["median_ns"].as_f64())
        else {
            continue;
        };
        let n = row["n"].as_u64();
        let function = engine.split_once('/').map_or(engine, |(_, f)| f);
        let same = native
            .iter()
            .find(|e| e.engine == format!("imgrepl/{function}") && e.n == n);
        let _ = writeln!(
            out,
            "| {engine} | {} | {} | {}–{} | {} | {} |",
            n.map_or("–".to_owned(), group_digits),
            ns(median),
            ns(row["min_ns"].as_f64().unwrap_or(f64::NAN)),
            ns(row["max_ns"].as_f64().unwrap_or(f64::NAN)),
            same.map_or("–".to_owned(), |e| ns(e.per_element())),
            same.map_or("–".to_owned(), |e| format!(
                "{:.1}",
                median / e.per_element()
            )),
        );
    }
}

/// `100000` → `100,000`.
fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn arguments() {
        assert_eq!(parse_args(&[]).unwrap(), Some(Args::default()));
        let parsed = parse_args(&args(&["--test", "--suite", "parse", "--", "--quick"]))
            .unwrap()
            .unwrap();
        assert!(parsed.test && !parsed.summary && !parsed.wasm);
        assert!(parse_args(&args(&["--wasm"])).unwrap().unwrap().wasm);
        assert_eq!(parsed.suites, ["parse"]);
        assert_eq!(parsed.extra, ["--quick"]);
        assert!(
            parse_args(&args(&["--suite", "nope"]))
                .unwrap_err()
                .starts_with("unknown suite")
        );
        assert!(parse_args(&args(&["--bogus"])).is_err());
        assert_eq!(parse_args(&args(&["-h"])).unwrap(), None);
    }

    #[test]
    fn reads_criterion_json() {
        let benchmark = r#"{"group_id":"rewrite","function_id":"imgrepl/rewrite","value_str":"1000","throughput":{"Elements":1000},"full_id":"rewrite/imgrepl/rewrite/1000"}"#;
        let estimates = r#"{"mean":{"confidence_interval":{"lower_bound":1.0},"point_estimate":99.5},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":40000.5,"standard_error":1.0}}"#;
        assert_eq!(
            estimate_from(benchmark, estimates),
            Some(Estimate {
                suite: "rewrite".to_owned(),
                engine: "imgrepl/rewrite".to_owned(),
                n: Some(1000),
                param: Some("1000".to_owned()),
                median_ns: 40000.5,
                elements: 1000,
                bytes: false,
            })
        );
        // No parameter: `"value_str":null`.
        let plain = benchmark.replace(r#""1000","throughput""#, r#"null,"throughput""#);
        assert_eq!(estimate_from(&plain, estimates).map(|e| e.n), Some(None));
        // A throughput in bytes, and a parameter that is not a number.
        let review = r#"{"group_id":"admission","function_id":"imgrepl/review_json","value_str":"pod-40","throughput":{"Bytes":90766}}"#;
        let e = estimate_from(review, estimates).unwrap();
        assert_eq!(
            (e.n, e.param.as_deref(), e.elements, e.bytes),
            (None, Some("pod-40"), 90766, true)
        );
        // Not criterion's shape.
        assert_eq!(estimate_from(r#"{"group_id":1}"#, estimates), None);
        assert_eq!(estimate_from(benchmark, "{"), None);
    }

    #[test]
    fn formats() {
        assert_eq!(group_digits(100_000), "100,000");
        assert_eq!(group_digits(10), "10");
        assert_eq!(per_second(40.0), "25.00 M");
        assert_eq!(per_second(4000.0), "250.0 k");
        assert_eq!(ns(147.2), "147");
        assert_eq!(ns(4.777), "4.78");
    }

    #[test]
    fn summary_of_a_results_tree() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
        let write = |path: &str, benchmark: &str, median: f64| {
            let new = dir.join(path).join("new");
            std::fs::create_dir_all(&new).unwrap();
            std::fs::write(new.join("benchmark.json"), benchmark).unwrap();
            std::fs::write(
                new.join("estimates.json"),
                format!(r#"{{"median":{{"point_estimate":{median}}}}}"#),
            )
            .unwrap();
        };
        write(
            "parse/imgrepl_parse",
            r#"{"group_id":"parse","function_id":"imgrepl/parse","value_str":null,"throughput":{"Elements":1000}}"#,
            20_000.0,
        );
        write(
            "parse/floor_memchr",
            r#"{"group_id":"parse","function_id":"floor/memchr","value_str":null,"throughput":{"Elements":1000}}"#,
            5_000.0,
        );
        write(
            "parse/oci-spec",
            r#"{"group_id":"parse","function_id":"oci-spec","value_str":null,"throughput":{"Elements":1000}}"#,
            2_000_000.0,
        );
        write(
            "admission/imgrepl_review_json/pod",
            r#"{"group_id":"admission","function_id":"imgrepl/review_json","value_str":"pod","throughput":{"Bytes":10000}}"#,
            75_000.0,
        );
        write(
            "admission/floor_serde_json/pod",
            r#"{"group_id":"admission","function_id":"floor/serde_json","value_str":"pod","throughput":{"Bytes":10000}}"#,
            50_000.0,
        );
        let table = summary(&dir).unwrap();
        let native = native_estimates(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            table.contains("| pod | 10,000 | 75.0 µs | 50.0 µs | 1.50 | 133 |"),
            "{table}"
        );
        let mut wasm = String::new();
        wasm_table(
            "{\"engine\":\"wasm/parse\",\"n\":null,\"median_ns\":200.0,\"min_ns\":150.0,\"max_ns\":300.0}\nnot json\n",
            &native,
            &mut wasm,
        );
        assert!(
            wasm.contains("| wasm/parse | – | 200 | 150–300 | 20.0 | 10.0 |"),
            "{wasm}"
        );
        assert!(
            table.contains("| imgrepl/parse | 20.0 | 50.00 M | 4.0 | 100.0 |"),
            "{table}"
        );
        assert!(table.contains("| oci-spec ÷ this |"), "{table}");
    }
}
