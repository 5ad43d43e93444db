//! `cargo xtask fuzz [--seconds N] [--seed S] [--corpus DIR]`: a mutation
//! fuzzer for the CSDL reader that runs on the stable toolchain, for CI.
//!
//! It has no coverage feedback. Instead it knows the shape of CSDL: it starts
//! from real documents (the BC schema, every committed canonical schema, the
//! test fixtures) and applies structure-aware mutations (whole elements
//! deleted, duplicated, swapped or moved; attribute values replaced by odd
//! ones; unknown elements, entity references and deep nesting inserted) and
//! byte-level ones (truncation, byte ranges, invalid UTF-8). Mutants that still
//! read as a model join a small pool and are mutated further, which keeps a
//! good share of inputs deep inside the resolver rather than in the XML layer.
//!
//! A quarter of the runs instead read a main document whose `edmx:Reference`
//! `Uri` values are fuzzed (`..`, absolute paths, `file:` URLs, devices,
//! links, FIFOs, an oversized file, self-references and cycles) with the
//! real file loader against a scratch directory, checking that nothing
//! outside the main document's directory is ever read (`references.rs`).
//!
//! Every input goes through `fuzz/oracle.rs`: read, and for a model also
//! canonical write, re-read and summary comparison, under `catch_unwind`. The
//! first failure is saved to `target/fuzz-crashes/<hash>.xml`, printed, and
//! ends the run with an error. The sequence of inputs depends only on the
//! seed and the corpus, so a run can be repeated exactly.
//!
//! For long runs with coverage feedback use the libFuzzer target in `fuzz/`.
//! The response side of the runtime has its own fuzzer, `fuzz-responses`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use odata_v4_codegen::diag::DiagnosticKind;

mod mutate;
mod references;
mod values;

pub(crate) use mutate::Rng;
use mutate::mutate;

// The oracle is shared as source with the libFuzzer target, which lives
// outside the workspace and cannot depend on this crate.
#[path = "../../../fuzz/oracle.rs"]
mod oracle;

const DEFAULT_SECONDS: u64 = 10;
const DEFAULT_SEED: u64 = 0x00C5_D1F0;
/// An input that takes longer than this is reported as a hang.
const HANG_AFTER: Duration = Duration::from_secs(20);
/// Seeds larger than this (the real BC schemas) are picked less often: each
/// read costs as much as a hundred small ones.
const LARGE_INPUT: usize = 64 * 1024;
const POOL_SIZE: usize = 512;
/// The input being checked right now, in the crash directory.
const IN_PROGRESS: &str = "in-progress.xml";

/// Options of `cargo xtask fuzz`.
#[derive(Debug, Clone, clap::Args)]
pub struct FuzzOptions {
    /// How long to run.
    #[arg(long, default_value_t = DEFAULT_SECONDS)]
    pub seconds: u64,
    /// The seed of the input sequence (decimal or 0x-hex); each seed is a
    /// different, repeatable run.
    #[arg(long, value_parser = parse_seed, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// A directory of more seed documents.
    #[arg(long, value_name = "DIR")]
    pub corpus: Option<PathBuf>,
}

impl Default for FuzzOptions {
    fn default() -> Self {
        FuzzOptions { seconds: DEFAULT_SECONDS, seed: DEFAULT_SEED, corpus: None }
    }
}

pub fn run(options: &FuzzOptions) -> anyhow::Result<()> {
    let root = crate::workspace_root();
    let corpus = seed_corpus(&root, options.corpus.as_deref()).map_err(anyhow::Error::msg)?;
    let crash_dir = root.join("target").join("fuzz-crashes");
    fuzz(&corpus, options.seed, Duration::from_secs(options.seconds), &crash_dir).map_err(anyhow::Error::msg)
}

/// A seed in decimal or `0x`-hex.
pub(crate) fn parse_seed(text: &str) -> Result<u64, String> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    };
    parsed.ok_or_else(|| format!("`{text}` is not a number (decimal or 0x-hex)"))
}

/// One seed document.
pub(super) struct Seed {
    pub(super) name: String,
    pub(super) bytes: Vec<u8>,
}

/// The BC schema (beside the workspace), every committed schema, the reader's
/// test fixtures (with the regression inputs), and the files of `extra`.
fn seed_corpus(root: &Path, extra: Option<&Path>) -> Result<Vec<Seed>, String> {
    let mut paths = Vec::new();
    let bc = root.join("../shared/metadata/bc-api-v2.0.xml");
    if bc.is_file() {
        paths.push(bc);
    }
    collect_files(&crate::schemas_dir(root), &mut |p| p.file_name().is_some_and(|n| n == "metadata.xml"), &mut paths);
    collect_files(&root.join("csdl/tests/fixtures"), &mut |p| p.extension().is_some_and(|e| e == "xml"), &mut paths);
    if let Some(dir) = extra {
        if !dir.is_dir() {
            return Err(format!("`--corpus {}` is not a directory", dir.display()));
        }
        collect_files(dir, &mut |_| true, &mut paths);
    }
    let mut seeds = Vec::new();
    for path in paths {
        let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = path.strip_prefix(root).unwrap_or(&path).display().to_string();
        seeds.push(Seed { name, bytes });
    }
    if seeds.is_empty() {
        return Err("the seed corpus is empty".to_owned());
    }
    Ok(seeds)
}

/// Files below `dir` accepted by `keep`, in a stable order.
fn collect_files(dir: &Path, keep: &mut dyn FnMut(&Path) -> bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_files(&path, keep, out);
        } else if keep(&path) {
            out.push(path);
        }
    }
}

/// What the panic hook saw, for the report.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn fuzz(corpus: &[Seed], seed: u64, budget: Duration, crash_dir: &Path) -> Result<(), String> {
    let total: usize = corpus.iter().map(|s| s.bytes.len()).sum();
    println!("fuzz: seed {seed:#x}, {} seed documents ({} KiB), {} s", corpus.len(), total / 1024, budget.as_secs());
    std::fs::create_dir_all(crash_dir).map_err(|e| format!("cannot create {}: {e}", crash_dir.display()))?;
    // An input left over from a run that died (stack overflow, abort, kill)
    // is kept under its hash before this run overwrites it.
    let left_over = crash_dir.join(IN_PROGRESS);
    if let Ok(input) = std::fs::read(&left_over) {
        let saved = save(crash_dir, &input, "xml")?;
        let _ = std::fs::remove_file(&left_over);
        println!("fuzz: a previous run died on the input now saved as {}", saved.display());
    }

    // A panic is a finding: keep its message and location instead of letting
    // the default hook print it for every caught unwind.
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let message = match info.payload().downcast_ref::<&str>() {
            Some(text) => (*text).to_owned(),
            None => info.payload().downcast_ref::<String>().cloned().unwrap_or_else(|| "(no message)".to_owned()),
        };
        let location =
            info.location().map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column())).unwrap_or_default();
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(format!("{message}{location}"));
        }
    }));
    let result = references::Sandbox::create().and_then(|sandbox| fuzz_loop(corpus, &sandbox, seed, budget, crash_dir));
    std::panic::set_hook(previous_hook);
    result
}

fn fuzz_loop(
    corpus: &[Seed],
    sandbox: &references::Sandbox,
    seed: u64,
    budget: Duration,
    crash_dir: &Path,
) -> Result<(), String> {
    let (small, large): (Vec<&Seed>, Vec<&Seed>) = corpus.iter().partition(|s| s.bytes.len() <= LARGE_INPUT);
    let mut rng = Rng::new(seed);
    let mut pool: Vec<Vec<u8>> = Vec::new();
    let mut stats = Stats::default();

    // A hang cannot be caught like a panic; a watchdog thread saves the input
    // that has been running too long and ends the process.
    let current: Arc<Mutex<Vec<u8>>> = Arc::new(Mutex::new(Vec::new()));
    let started_ms = Arc::new(AtomicU64::new(u64::MAX));
    let clock = Instant::now();
    spawn_watchdog(Arc::clone(&current), Arc::clone(&started_ms), clock, crash_dir.to_owned());

    let in_progress = crash_dir.join(IN_PROGRESS);
    let mut in_progress_file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(&in_progress)
        .map_err(|e| format!("cannot create {}: {e}", in_progress.display()))?;
    println!("fuzz: should this process die without a report, its last input is {}", in_progress.display());
    let mut next_report = Duration::from_secs(10);
    while clock.elapsed() < budget {
        let with_references = rng.below(4) == 0;
        let (origin, input) = if with_references {
            stats.references += 1;
            ("a main document with fuzzed references".to_owned(), references::input(&mut rng, sandbox))
        } else {
            let (origin, mut input) = pick(&mut rng, &small, &large, &pool);
            // Usually one mutation, sometimes a few stacked.
            let rounds = match rng.below(8) {
                0..4 => 1,
                4..6 => 2,
                _ => 3 + rng.below(3),
            };
            for _ in 0..rounds {
                mutate(&mut rng, &mut input, corpus);
            }
            (origin, input)
        };
        if let Ok(mut slot) = current.lock() {
            slot.clear();
            slot.extend_from_slice(&input);
        }
        // A stack overflow or an abort ends the process without unwinding;
        // the input is on disk beforehand so that such a crash is not lost.
        // Rewriting one open file costs microseconds; `fs::write` (truncate
        // and close every time) costs milliseconds on ext4.
        record(&mut in_progress_file, &input).map_err(|e| format!("cannot write {}: {e}", in_progress.display()))?;
        started_ms.store(clock.elapsed().as_millis() as u64, Ordering::SeqCst);
        let outcome = std::panic::catch_unwind(|| {
            if with_references { references::check(sandbox, &input) } else { oracle::check(&input) }
        });
        started_ms.store(u64::MAX, Ordering::SeqCst);
        stats.runs += 1;
        match outcome {
            Ok(oracle::Outcome::Model) => {
                stats.models += 1;
                stats.reference_models += u64::from(with_references);
                // Valid mutants are the interesting ones to mutate further
                // (not those that need the scratch directory's documents).
                if input.len() <= LARGE_INPUT && !with_references {
                    if pool.len() < POOL_SIZE {
                        pool.push(input);
                    } else {
                        let slot = rng.below(POOL_SIZE);
                        pool[slot] = input;
                    }
                }
            }
            Ok(oracle::Outcome::Rejected(kind)) => stats.count(kind),
            Ok(oracle::Outcome::CanonicalTooDeep) => stats.too_deep += 1,
            Err(_) => {
                let message =
                    LAST_PANIC.lock().ok().and_then(|mut m| m.take()).unwrap_or_else(|| "(unknown panic)".to_owned());
                let saved = save(crash_dir, &input, "xml")?;
                let _ = std::fs::remove_file(&in_progress);
                stats.print(clock.elapsed());
                let context = if with_references {
                    "\nit was read as the main document of the scratch directory `xtask/src/fuzz/references.rs` builds"
                } else {
                    ""
                };
                return Err(format!(
                    "fuzz: the reader panicked on a mutant of {origin} (run {}):\n{message}\ninput saved to {}{context}\n\
                     add it to csdl/tests/fixtures/regressions/ once fixed",
                    stats.runs,
                    saved.display()
                ));
            }
        }
        if clock.elapsed() >= next_report && clock.elapsed() < budget {
            stats.print(clock.elapsed());
            next_report += Duration::from_secs(10);
        }
    }
    stats.print(clock.elapsed());
    let _ = std::fs::remove_file(&in_progress);
    println!("fuzz: no failures");
    Ok(())
}

/// Replaces the content of `file` with `input`.
fn record(file: &mut std::fs::File, input: &[u8]) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    file.seek(SeekFrom::Start(0))?;
    file.write_all(input)?;
    file.set_len(input.len() as u64)
}

fn spawn_watchdog(current: Arc<Mutex<Vec<u8>>>, started_ms: Arc<AtomicU64>, clock: Instant, crash_dir: PathBuf) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(500));
            let started = started_ms.load(Ordering::SeqCst);
            if started == u64::MAX {
                continue;
            }
            let running = Duration::from_millis((clock.elapsed().as_millis() as u64).saturating_sub(started));
            if running < HANG_AFTER {
                continue;
            }
            let input = current.lock().map(|i| i.clone()).unwrap_or_default();
            match save(&crash_dir, &input, "hang.xml") {
                Ok(path) => {
                    eprintln!("fuzz: one input has run for {} s; saved to {}", running.as_secs(), path.display());
                }
                Err(e) => eprintln!("fuzz: one input has run for {} s and could not be saved: {e}", running.as_secs()),
            }
            std::process::exit(2);
        }
    });
}

fn save(dir: &Path, input: &[u8], extension: &str) -> Result<PathBuf, String> {
    let path = dir.join(format!("{:016x}.{extension}", fnv1a(input)));
    std::fs::write(&path, input).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

#[derive(Default)]
struct Stats {
    runs: u64,
    /// Runs with fuzzed references (see `references.rs`), and how many of
    /// them read as a model.
    references: u64,
    reference_models: u64,
    models: u64,
    too_deep: u64,
    rejected: Vec<(DiagnosticKind, u64)>,
}

impl Stats {
    fn count(&mut self, kind: DiagnosticKind) {
        match self.rejected.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => {
                self.rejected.push((kind, 1));
                self.rejected.sort();
            }
        }
    }

    fn print(&self, elapsed: Duration) {
        let per_second = self.runs as f64 / elapsed.as_secs_f64().max(1e-9);
        let rejected: Vec<String> = self.rejected.iter().map(|(k, n)| format!("{k:?} {n}")).collect();
        println!(
            "fuzz: {:.0} s, {} runs ({per_second:.0}/s), {} models ({} of {} runs with fuzzed references), {} too deep to rewrite, rejected: {}",
            elapsed.as_secs_f64(),
            self.runs,
            self.models,
            self.reference_models,
            self.references,
            self.too_deep,
            if rejected.is_empty() { "none".to_owned() } else { rejected.join(", ") }
        );
    }
}

/// Chooses what to mutate: mostly small seeds and pool entries, now and then
/// one of the large real schemas.
fn pick(rng: &mut Rng, small: &[&Seed], large: &[&Seed], pool: &[Vec<u8>]) -> (String, Vec<u8>) {
    if !large.is_empty() && (small.is_empty() || rng.below(48) == 0) {
        let seed = large[rng.below(large.len())];
        return (seed.name.clone(), seed.bytes.clone());
    }
    if !pool.is_empty() && rng.below(2) == 0 {
        return ("a valid mutant".to_owned(), pool[rng.below(pool.len())].clone());
    }
    match small.get(rng.below(small.len().max(1))) {
        Some(seed) => (seed.name.clone(), seed.bytes.clone()),
        None => ("an empty document".to_owned(), Vec::new()),
    }
}
