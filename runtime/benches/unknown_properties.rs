//! Memory that unknown properties (`AdditionalProperties`, kept so that
//! they round-trip) take once decoded, per byte they took on the wire.
//!
//! Run with `cargo bench -p odata-v4-runtime --bench unknown_properties`.
//! `BC_BENCH_EXTRA_MIB` sets how many MiB of unknown properties each page
//! carries (default 32).
//!
//! Each case decodes one page twice, each time in a fresh child process
//! (this same binary): into rows that keep the unknown properties, as
//! generated types do, and into rows that skip them. The difference in
//! resident memory while the rows are held, divided by the wire bytes of
//! the unknown properties, is what keeping them costs per wire byte.

use std::process::Command;

use odata_v4_runtime::Page;

#[path = "../tests/support/unknown_rows.rs"]
mod unknown_rows;
use unknown_rows::{Kept, Skipped};

const MIB: usize = 1024 * 1024;

/// The unknown properties of each row in one case, as JSON members.
struct Case {
    name: &'static str,
    members: fn() -> String,
}

const CASES: &[Case] = &[
    Case { name: "one short field", members: || r#""contosoRegion":"EU""#.to_owned() },
    Case {
        name: "three fields",
        members: || r#""contosoRegion":"EU","contosoPriority":3,"contosoApproved":true"#.to_owned(),
    },
    Case {
        name: "ten fields, one an object",
        members: || {
            concat!(
                r#""contosoRegion":"EU","contosoPriority":3,"contosoApproved":true,"#,
                r#""contosoCostCenter":"CC-1001","contosoProject":"PRJ-2025-017","contosoWeight":12.345,"#,
                r#""contosoReviewer":"j.doe","contosoBatch":771,"contosoFlags":[1,2,3],"#,
                r#""contosoAddress":{"street":"1 Main St","city":"Springfield","zip":"12345"}"#
            )
            .to_owned()
        },
    },
    Case { name: "an annotation and a long text", members: || LONG_TEXT.to_owned() },
    Case {
        name: "a million fields in one row",
        members: || (0..1_000_000).map(|n| format!(r#""p{n}":{n}"#)).collect::<Vec<_>>().join(","),
    },
];

const LONG_TEXT: &str = concat!(
    r#""description@odata.type":"String","contosoNotes":"Lorem ipsum dolor sit amet, consectetur "#,
    r#"adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad "#,
    r#"minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.""#
);

/// Rows carrying about `extra_bytes` of `members` in all, and how many.
fn page(members: &str, extra_bytes: usize) -> (Vec<u8>, usize) {
    let rows = extra_bytes / (members.len() + 1);
    let mut out = String::with_capacity(rows * (members.len() + 32) + 64);
    out.push_str(r#"{"value":["#);
    for number in 0..rows {
        if number > 0 {
            out.push(',');
        }
        out.push_str(&format!(r#"{{"entryNumber":{number},{members}}}"#));
    }
    out.push_str("]}");
    (out.into_bytes(), rows)
}

/// `VmRSS` of this process, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}

/// Decodes the page of case `index` (keeping or skipping the unknown
/// properties) and prints the resident memory it added, in KiB, and the
/// seconds decoding took.
fn run_case(index: usize, keep: bool, extra_bytes: usize) {
    let (body, rows) = page(&(CASES[index].members)(), extra_bytes);
    let before = rss_kib();
    let started = std::time::Instant::now();
    let growth = if keep {
        let page: Page<Kept> = serde_json::from_slice(&body).unwrap();
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(page.items.len(), rows);
        let growth = (rss_kib().saturating_sub(before), seconds);
        drop(page);
        growth
    } else {
        let page: Page<Skipped> = serde_json::from_slice(&body).unwrap();
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(page.items.len(), rows);
        let growth = (rss_kib().saturating_sub(before), seconds);
        drop(page);
        growth
    };
    println!("{} {:.3}", growth.0, growth.1);
}

/// The growth in KiB and the seconds a child process reported.
fn measure(exe: &std::path::Path, index: usize, keep: bool) -> (u64, f64) {
    let output = Command::new(exe)
        .args(["--case", &index.to_string(), if keep { "keep" } else { "skip" }])
        .output()
        .expect("the benchmark runs itself");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut figures = text.split_whitespace();
    let growth = figures.next().and_then(|v| v.parse().ok());
    let seconds = figures.next().and_then(|v| v.parse().ok());
    growth.zip(seconds).unwrap_or_else(|| {
        panic!("case {index} printed no figures: {}", String::from_utf8_lossy(&output.stderr));
    })
}

fn main() {
    let extra_bytes =
        std::env::var("BC_BENCH_EXTRA_MIB").ok().and_then(|v| v.parse::<usize>().ok()).unwrap_or(32) * MIB;
    let mut args = std::env::args().skip_while(|arg| arg != "--case").skip(1);
    if let Some(index) = args.next().and_then(|index| index.parse::<usize>().ok()) {
        run_case(index, args.next().as_deref() == Some("keep"), extra_bytes);
        return;
    }
    let exe = std::env::current_exe().unwrap();
    println!("unknown_properties: about {} MiB of unknown properties per page", extra_bytes / MIB);
    println!(
        "  {:<30} {:>9} {:>11} {:>11} {:>16} {:>12}",
        "case", "rows", "wire (KiB)", "kept (KiB)", "bytes/wire byte", "decode (s)"
    );
    for (index, case) in CASES.iter().enumerate() {
        let members = (case.members)();
        let (_, rows) = page(&members, extra_bytes);
        // Each row's members plus the comma that separates them.
        let wire_kib = (rows * (members.len() + 1)) as f64 / 1024.0;
        let (kept, seconds) = measure(&exe, index, true);
        let (skipped, _) = measure(&exe, index, false);
        let kept_kib = kept.saturating_sub(skipped) as f64;
        println!(
            "  {:<30} {:>9} {:>11.0} {:>11.0} {:>16.1} {:>12.3}",
            case.name,
            rows,
            wire_kib,
            kept_kib,
            kept_kib / wire_kib,
            seconds
        );
    }
}
