//! Times a full regeneration (read schemas and docs, plan, render, format)
//! without writing files, and prints the figures.

use std::time::{Duration, Instant};

fn main() {
    let root = xtask::workspace_root();
    let runs: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10);
    let mut total = Vec::new();
    let mut phases = [Duration::ZERO; 3];
    let mut lines = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let apis = xtask::regen::load_apis(&root).expect("schemas load");
        let loaded = Instant::now();
        let docs = xtask::docs_support::load(&root, &apis).expect("docs load");
        let documented = Instant::now();
        let files = xtask::regen::generate(&root, &apis, &docs).expect("generation works");
        let done = Instant::now();
        phases[0] += loaded - started;
        phases[1] += documented - loaded;
        phases[2] += done - documented;
        total.push(done - started);
        lines = files.iter().map(|f| f.contents.lines().count()).sum();
    }
    total.sort();
    let mean = total.iter().sum::<Duration>() / runs as u32;
    println!(
        "full regen ({} runs): min {:?}, median {:?}, mean {:?}; {lines} generated lines",
        runs,
        total[0],
        total[runs / 2],
        mean
    );
    println!(
        "  per run: read schemas {:?}, read and match docs {:?}, plan + render + format {:?}",
        phases[0] / runs as u32,
        phases[1] / runs as u32,
        phases[2] / runs as u32
    );
}
