//! Generation of Microsoft Graph v1.0 (`../shared/metadata/graph-v1.0.xml`,
//! 3.5 MB): read and resolve, plan, render, format and write every file
//! (into a new directory under `target/bench-graph/` per run, as a first
//! generation writes them), which is what a user waits for. Prints the time
//! of each phase and the process's peak memory (resident set high-water
//! mark, from `/proc/self/status`).
//!
//! `cargo bench -p xtask --bench graph --profile generator [-- <runs>]`
//! (the `generator` profile is release with thin LTO; plain `--release`
//! figures are a few per cent slower).

use std::time::{Duration, Instant};

// The allocator `odata-v4-gen` runs with (see its Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use odata_v4_codegen::Standard;
use odata_v4_codegen::emit::{self, ApiInput};
use odata_v4_codegen::facts::DocFacts;

fn main() {
    let root = xtask::workspace_root();
    let path = root.join("../shared/metadata/graph-v1.0.xml");
    let runs: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(3);
    let scratch = root.join("target").join("bench-graph");
    let _ = std::fs::remove_dir_all(&scratch);
    let mut totals = Vec::new();
    let mut phases = [Duration::ZERO; 2];
    let (mut files, mut lines, mut largest) = (0, 0, 0);
    for run in 0..runs {
        let out = scratch.join(format!("run-{run}"));
        let started = Instant::now();
        let model = odata_v4_codegen::edmx::read_file(&path).unwrap_or_else(|e| panic!("Graph reads: {e}"));
        let read = Instant::now();
        let docs = DocFacts::default();
        let input = ApiInput {
            route: "v1.0",
            model: &model,
            documentation: &docs,
            source: "graph-v1.0.xml",
            customization: &Standard,
        };
        let planned = emit::plan_all(&[input], &mut |_, _| {}).expect("Graph plans");
        // As `odata-v4-gen generate` does: the model goes before rendering,
        // and each file is dropped once counted (written, there).
        drop(model);
        (lines, largest) = (0, 0);
        files = emit::render_each(&planned, "bench", &mut |file| {
            let count = file.contents.lines().count();
            lines += count;
            largest = largest.max(count);
            let path = out.join(&file.path);
            std::fs::create_dir_all(path.parent().expect("a file has a directory")).expect("directory created");
            std::fs::write(&path, &file.contents).expect("file written");
            Ok(())
        })
        .expect("Graph generates");
        let done = Instant::now();
        phases[0] += read - started;
        phases[1] += done - read;
        totals.push(done - started);
    }
    totals.sort();
    println!(
        "Graph v1.0 generation ({runs} runs): min {:.2?}, median {:.2?}; read + resolve {:.2?}, plan + render + format + write {:.2?} per run",
        totals[0],
        totals[runs / 2],
        phases[0] / runs as u32,
        phases[1] / runs as u32
    );
    println!("  {files} files, {lines} lines, largest file {largest} lines");
    println!("  peak memory (VmHWM): {}", peak_memory().unwrap_or_else(|| "unknown (no /proc/self/status)".to_owned()));
    let _ = std::fs::remove_dir_all(&scratch);
}

fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{:.0} MB", kib as f64 / 1024.0))
}
