//! Reads the BC v2.0 `$metadata` many times and prints how long it takes:
//! XML parsing alone, read + resolve (what every tool pays), and the canonical
//! writer. Figures, not a pass/fail test; the goal is under 20 ms per
//! read + resolve in release on the project's two-core machines.
//!
//! `cargo bench -p odata-v4-csdl --bench read_bc [-- --iterations N]`
//!
//! Under `cargo test --benches` (no `--bench` argument) each stage runs once,
//! as a smoke test.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use odata_v4_csdl::edmx::{self, canonical};

const DEFAULT_ITERATIONS: usize = 200;
const TARGET: Duration = Duration::from_millis(20);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let benchmarking = args.iter().any(|a| a == "--bench");
    let iterations = match args.iter().position(|a| a == "--iterations") {
        Some(i) => match args.get(i + 1).and_then(|n| n.parse::<usize>().ok()) {
            Some(n) if n > 0 => n,
            _ => {
                eprintln!("`--iterations` needs a positive whole number");
                std::process::exit(2);
            }
        },
        None if benchmarking => DEFAULT_ITERATIONS,
        None => 1,
    };

    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path =
        [manifest.join("../../shared/metadata/bc-api-v2.0.xml"), manifest.join("../sdk/schemas/api/v2.0/metadata.xml")]
            .into_iter()
            .find(|p| p.is_file())
            .unwrap_or_else(|| {
                eprintln!("neither the BC download nor sdk/schemas/api/v2.0/metadata.xml is there");
                std::process::exit(2);
            });
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {e}", path.display());
        std::process::exit(2);
    });
    let model = edmx::read_str("bc", &text).unwrap_or_else(|e| {
        eprintln!("{} does not read:\n{e}", path.display());
        std::process::exit(1);
    });

    println!("read_bc: {} ({} KiB), {iterations} iterations per stage", path.display(), text.len() / 1024);
    if cfg!(debug_assertions) {
        println!("read_bc: this is a debug build; figures mean little (use `cargo bench`)");
    }
    // One untimed round warms caches and the allocator.
    black_box(edmx::read_str("bc", &text).ok());

    let parse = measure(iterations, || {
        black_box(odata_v4_csdl::xml::parse(black_box(&text)).ok());
    });
    report("xml::parse", &parse);
    let read = measure(iterations, || {
        black_box(edmx::read_str("bc", black_box(&text)).ok());
    });
    report("read + resolve", &read);
    let write = measure(iterations, || {
        black_box(canonical::write(black_box(&model)));
    });
    report("canonical::write", &write);

    let median = read[read.len() / 2];
    let verdict = if median < TARGET { "within" } else { "OVER" };
    println!("read_bc: median read + resolve {} is {verdict} the {} ms target", millis(median), TARGET.as_millis());
}

/// Sorted per-iteration times.
fn measure(iterations: usize, mut run: impl FnMut()) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn report(stage: &str, sorted: &[Duration]) {
    let total: Duration = sorted.iter().sum();
    let mean = total / sorted.len() as u32;
    let median = sorted[sorted.len() / 2];
    let per_second = sorted.len() as f64 / total.as_secs_f64().max(1e-12);
    println!(
        "{stage:>18}: min {}  median {}  mean {}  max {}  ({per_second:.1} documents/s)",
        millis(sorted[0]),
        millis(median),
        millis(mean),
        millis(sorted[sorted.len() - 1]),
    );
}

fn millis(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}
