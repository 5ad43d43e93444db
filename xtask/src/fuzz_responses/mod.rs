//! `cargo xtask fuzz-responses [--seconds N] [--seed S]`: a mutation fuzzer
//! for the response side of the runtime, for CI like `cargo xtask fuzz` is
//! for the CSDL reader.
//!
//! It starts from answers shaped like Business Central's (pages of entities
//! with next links, single entities, OData and OAuth error bodies, gateway
//! pages, JSON `$batch` answers) and mutates them JSON-aware (values and
//! keys replaced by odd ones, members duplicated, pieces spliced in from
//! other answers, deep nesting, cuts) and byte by byte. Every input goes
//! through the whole client, over an in-memory transport, and through
//! `oracle.rs`: no panic, entities round-trip through their own JSON,
//! error text is bounded and keeps the service's code, every `$batch`
//! operation gets one result, and paging stays on the client's origin and
//! within its page cap (so next-link cycles end). Webhook notification
//! calls go through the SDK's receiver instead (`webhooks.rs`): a reply
//! every time, at most 1,000 notifications looked at, none accepted
//! without the client state.
//!
//! The first failure is saved to `target/fuzz-crashes/response-<hash>.json`
//! (with the target in its name), printed, and ends the run with an error.
//! The inputs depend only on the seed, so a run can be repeated exactly.

mod model;
mod mutate;
mod oracle;
mod seeds;
mod webhooks;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::fuzz::Rng;

const DEFAULT_SECONDS: u64 = 10;
const DEFAULT_SEED: u64 = 0x0DA7_A5EE;
/// Inputs that still decode join the pool they came from, to be mutated
/// further.
const POOL_SIZE: usize = 256;

/// Options of `cargo xtask fuzz-responses`.
#[derive(Debug, Clone, clap::Args)]
pub struct FuzzResponsesOptions {
    /// How long to run.
    #[arg(long, default_value_t = DEFAULT_SECONDS)]
    pub seconds: u64,
    /// The seed of the input sequence (decimal or 0x-hex); each seed is a
    /// different, repeatable run.
    #[arg(long, value_parser = crate::fuzz::parse_seed, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
}

impl Default for FuzzResponsesOptions {
    fn default() -> Self {
        FuzzResponsesOptions { seconds: DEFAULT_SECONDS, seed: DEFAULT_SEED }
    }
}

pub fn run(options: &FuzzResponsesOptions) -> anyhow::Result<()> {
    let crash_dir = crate::workspace_root().join("target").join("fuzz-crashes");
    fuzz(options.seed, Duration::from_secs(options.seconds), &crash_dir).map_err(anyhow::Error::msg)
}

/// What the panic hook saw last, for the report.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn fuzz(seed: u64, budget: Duration, crash_dir: &Path) -> Result<(), String> {
    println!("fuzz-responses: seed {seed:#x}, {} s", budget.as_secs());
    std::fs::create_dir_all(crash_dir).map_err(|e| format!("cannot create {}: {e}", crash_dir.display()))?;
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
    let result = fuzz_loop(seed, budget, crash_dir);
    std::panic::set_hook(previous_hook);
    result
}

fn fuzz_loop(seed: u64, budget: Duration, crash_dir: &Path) -> Result<(), String> {
    let seeds: Vec<Vec<String>> = seeds::TARGETS.iter().map(|target| seeds::seeds(*target)).collect();
    let donors: Vec<String> = seeds.iter().flatten().cloned().collect();
    let mut pools: Vec<Vec<Vec<u8>>> = vec![Vec::new(); seeds::TARGETS.len()];
    let oracle = oracle::Oracle::new();
    let mut rng = Rng::new(seed);
    let mut stats = Stats::default();
    let clock = Instant::now();
    let mut next_report = Duration::from_secs(10);
    while clock.elapsed() < budget {
        let which = rng.below(seeds::TARGETS.len());
        let target = seeds::TARGETS[which];
        let mut input = match pools[which].len() {
            0 => rng.pick(&seeds[which]).clone().into_bytes(),
            _ if rng.below(2) == 0 => rng.pick(&seeds[which]).clone().into_bytes(),
            _ => rng.pick(&pools[which]).clone(),
        };
        let rounds = match rng.below(8) {
            0..4 => 1,
            4..6 => 2,
            _ => 3 + rng.below(4),
        };
        for _ in 0..rounds {
            mutate::mutate(&mut rng, &mut input, &donors);
        }
        let variant = rng.next();
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| oracle.check(target, &input, variant)));
        stats.runs += 1;
        let failure = match outcome {
            Ok(Ok(oracle::Outcome::Decoded)) => {
                stats.decoded += 1;
                let pool = &mut pools[which];
                if pool.len() < POOL_SIZE {
                    pool.push(input.clone());
                } else {
                    let slot = rng.below(POOL_SIZE);
                    pool[slot] = input.clone();
                }
                None
            }
            Ok(Ok(oracle::Outcome::Refused)) => {
                stats.refused += 1;
                None
            }
            Ok(Err(broken)) => Some(broken),
            Err(_) => Some(format!(
                "panicked: {}",
                LAST_PANIC.lock().ok().and_then(|mut m| m.take()).unwrap_or_else(|| "(unknown panic)".to_owned())
            )),
        };
        let failure = failure.or_else(|| {
            (started.elapsed() > Duration::from_secs(5))
                .then(|| format!("one input took {:.1} s", started.elapsed().as_secs_f64()))
        });
        if let Some(failure) = failure {
            let saved = save(crash_dir, target, &input)?;
            stats.print(clock.elapsed());
            return Err(format!(
                "fuzz-responses: {target:?} answer (run {}, variant {variant:#x}): {failure}\ninput saved to {}",
                stats.runs,
                saved.display()
            ));
        }
        if clock.elapsed() >= next_report && clock.elapsed() < budget {
            stats.print(clock.elapsed());
            next_report += Duration::from_secs(10);
        }
    }
    stats.print(clock.elapsed());
    println!("fuzz-responses: no failures");
    Ok(())
}

fn save(dir: &Path, target: seeds::Target, input: &[u8]) -> Result<PathBuf, String> {
    let hash =
        input.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let path = dir.join(format!("response-{target:?}-{hash:016x}.json").to_lowercase());
    std::fs::write(&path, input).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

#[derive(Default)]
struct Stats {
    runs: u64,
    decoded: u64,
    refused: u64,
}

impl Stats {
    fn print(&self, elapsed: Duration) {
        let per_second = self.runs as f64 / elapsed.as_secs_f64().max(1e-9);
        println!(
            "fuzz-responses: {:.0} s, {} runs ({per_second:.0}/s), {} decoded and round-tripped, {} refused with an error",
            elapsed.as_secs_f64(),
            self.runs,
            self.decoded,
            self.refused
        );
    }
}
