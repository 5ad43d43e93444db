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
//! Every input goes through `fuzz/oracle.rs`: read, and for a model also
//! canonical write, re-read and summary comparison, under `catch_unwind`. The
//! first failure is saved to `target/fuzz-crashes/<hash>.xml`, printed, and
//! ends the run with an error. The sequence of inputs depends only on the
//! seed and the corpus, so a run can be repeated exactly.
//!
//! For long runs with coverage feedback use the libFuzzer target in `fuzz/`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use odata_codegen::diag::DiagnosticKind;

use crate::args::Args;

// The oracle is shared as source with the libFuzzer target, which lives
// outside the workspace and cannot depend on this crate.
#[path = "../../fuzz/oracle.rs"]
mod oracle;

const USAGE: &str = "usage: cargo xtask fuzz [--seconds N] [--seed S] [--corpus DIR]";
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

pub fn run(raw: &[String]) -> Result<(), String> {
    let args = Args::parse(raw, &["seconds", "seed", "corpus"], &[])?;
    if !args.positional.is_empty() {
        return Err(USAGE.to_owned());
    }
    let seconds = match args.value("seconds") {
        Some(text) => text.parse::<u64>().map_err(|_| format!("`--seconds` must be a whole number, not `{text}`\n{USAGE}"))?,
        None => DEFAULT_SECONDS,
    };
    let seed = match args.value("seed") {
        Some(text) => parse_seed(text).ok_or_else(|| format!("`--seed` must be a number (decimal or 0x-hex), not `{text}`\n{USAGE}"))?,
        None => DEFAULT_SEED,
    };
    let root = crate::workspace_root();
    let corpus = seed_corpus(&root, args.value("corpus").map(Path::new))?;
    let crash_dir = root.join("target").join("fuzz-crashes");
    fuzz(&corpus, seed, Duration::from_secs(seconds), &crash_dir)
}

fn parse_seed(text: &str) -> Option<u64> {
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// One seed document.
struct Seed {
    name: String,
    bytes: Vec<u8>,
}

/// The BC schema (beside the workspace), every committed schema, the reader's
/// test fixtures (with the regression inputs), and the files of `extra`.
fn seed_corpus(root: &Path, extra: Option<&Path>) -> Result<Vec<Seed>, String> {
    let mut paths = Vec::new();
    let bc = root.join("../shared/metadata/bc-api-v2.0.xml");
    if bc.is_file() {
        paths.push(bc);
    }
    collect_files(&root.join("schemas"), &mut |p| p.file_name().is_some_and(|n| n == "metadata.xml"), &mut paths);
    collect_files(&root.join("codegen/tests/fixtures"), &mut |p| p.extension().is_some_and(|e| e == "xml"), &mut paths);
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
        let location = info.location().map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column())).unwrap_or_default();
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(format!("{message}{location}"));
        }
    }));
    let result = fuzz_loop(corpus, seed, budget, crash_dir);
    std::panic::set_hook(previous_hook);
    result
}

fn fuzz_loop(corpus: &[Seed], seed: u64, budget: Duration, crash_dir: &Path) -> Result<(), String> {
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
        let outcome = std::panic::catch_unwind(|| oracle::check(&input));
        started_ms.store(u64::MAX, Ordering::SeqCst);
        stats.runs += 1;
        match outcome {
            Ok(oracle::Outcome::Model) => {
                stats.models += 1;
                // Valid mutants are the interesting ones to mutate further.
                if input.len() <= LARGE_INPUT {
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
                let message = LAST_PANIC.lock().ok().and_then(|mut m| m.take()).unwrap_or_else(|| "(unknown panic)".to_owned());
                let saved = save(crash_dir, &input, "xml")?;
                let _ = std::fs::remove_file(&in_progress);
                stats.print(clock.elapsed());
                return Err(format!(
                    "fuzz: the reader panicked on a mutant of {origin} (run {}):\n{message}\ninput saved to {}\n\
                     add it to codegen/tests/fixtures/regressions/ once fixed",
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
                Ok(path) => eprintln!("fuzz: one input has run for {} s; saved to {}", running.as_secs(), path.display()),
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
            "fuzz: {:.0} s, {} runs ({per_second:.0}/s), {} models, {} too deep to rewrite, rejected: {}",
            elapsed.as_secs_f64(),
            self.runs,
            self.models,
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

/// xorshift64*: tiny, fast and reproducible; quality is ample for choosing mutations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 spreads small seeds over the whole state; zero is not a valid state.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A length that is usually small and sometimes large.
    fn length(&mut self, max: usize) -> usize {
        let limit = match self.below(4) {
            0 => 4,
            1 => 32,
            2 => 512,
            _ => max,
        };
        1 + self.below(limit.min(max).max(1))
    }
}

const ODD_VALUES: &[&str] = &[
    "",
    " ",
    "-1",
    "0",
    "-0",
    "+1",
    "1",
    "max",
    "MAX",
    "Max",
    "Variable",
    "variable",
    "floating",
    "maybe",
    "true",
    "false",
    "TRUE",
    "99999999999999999999999999999",
    "18446744073709551616",
    "4294967296",
    "2147483648",
    "-2147483649",
    "256",
    "-129",
    "32768",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "1e400",
    "NaN",
    "Edm.String",
    "Edm.Stream",
    "Edm.Untyped",
    "Edm.EntityType",
    "Edm.ComplexType",
    "Edm.PrimitiveType",
    "Edm.GeographyPoint",
    "Edm.GeometryCollection",
    "Edm.AnnotationPath",
    "Edm.Nope",
    "Edm.",
    "Collection(",
    "Collection()",
    "Collection(Edm.String)",
    "Collection(Collection(Edm.Int32))",
    "Collection(Edm.String",
    ".",
    "..",
    "a.",
    ".a",
    "NS.",
    "a/b",
    "a/b/c/d",
    "/",
    "//",
    "$ReturnType",
    "NS.f()",
    "NS.f(NS.t)/p",
    "NS.f(Collection(NS.t),Edm.String)/$ReturnType",
    "x(",
    "x)",
    "((((",
    "))))",
    "_x0020_",
    "_xD800_",
    "_xD83D__xDE00_",
    "_x",
    "_x00zz_",
    "&amp;",
    "&lt;&gt;",
    "&#0;",
    "&#x10FFFF;",
    "&#xD800;",
    "&#1114112;",
    "&unknown;",
    "&",
    "<",
    "\"",
    "'",
    "ä€😀",
    "a b c",
    "&#9;&#10;&#13;",
    "Cascade",
    "None",
    "Core.Description",
    "Org.OData.Core.V1.Computed",
    "OData.Community.Keys.V1.AlternateKeys",
    "Org.OData.Capabilities.V1.InsertRestrictions",
    "Core.Permission/Read Core.Permission/Write",
    "4.0",
    "4.01",
    "1.0",
    "http://docs.oasis-open.org/odata/ns/edm",
    "http://docs.oasis-open.org/odata/ns/edmx",
];

const ATTRIBUTE_NAMES: &[&str] = &[
    "Name",
    "Type",
    "Nullable",
    "MaxLength",
    "Precision",
    "Scale",
    "SRID",
    "Unicode",
    "DefaultValue",
    "BaseType",
    "Abstract",
    "OpenType",
    "HasStream",
    "Partner",
    "ContainsTarget",
    "Property",
    "ReferencedProperty",
    "Action",
    "IsBound",
    "IsComposable",
    "EntitySetPath",
    "EntityType",
    "EntitySet",
    "Function",
    "Path",
    "Target",
    "Term",
    "Qualifier",
    "Bool",
    "String",
    "Int",
    "EnumMember",
    "PropertyPath",
    "Value",
    "IsFlags",
    "UnderlyingType",
    "Alias",
    "Namespace",
    "Version",
    "Uri",
    "Extends",
    "AppliesTo",
    "BaseTerm",
    "IncludeInServiceDocument",
    "xmlns",
    "xmlns:edmx",
    "x:unknown",
];

const SNIPPETS: &[&str] = &[
    "<Foo/>",
    "<edmx:Unknown/>",
    "<Annotation Term=\"Core.Description\" String=\"x\"/>",
    "<Annotation Term=\"Org.OData.Core.V1.Computed\"/>",
    "<Annotation Term=\"Org.OData.Core.V1.Immutable\" Bool=\"yes\"/>",
    "<Annotations Target=\"NS.missing\"><Annotation Term=\"A.b\"/></Annotations>",
    "<Annotations Target=\"Microsoft.NAV.customer/displayName\" Qualifier=\"q\"><Annotation Term=\"A.b\" Int=\"1\"/></Annotations>",
    "<If><Bool>true</Bool><String>a</String><String>b</String></If>",
    "<Apply Function=\"odata.concat\"><String>a</String><Path>b</Path></Apply>",
    "<Property Name=\"dup\" Type=\"Edm.String\"/>",
    "<Property Name=\"id\" Type=\"Edm.Guid\" Nullable=\"false\"/>",
    "<NavigationProperty Name=\"n\" Type=\"Collection(Microsoft.NAV.customer)\" Partner=\"p\"/>",
    "<NavigationProperty Name=\"n\" Type=\"NS.x\"><ReferentialConstraint Property=\"a\" ReferencedProperty=\"b\"/><OnDelete Action=\"Cascade\"/></NavigationProperty>",
    "<Key><PropertyRef Name=\"k\"/></Key>",
    "<Key/>",
    "<EntityType Name=\"e\"/>",
    "<EntityType Name=\"customer\" BaseType=\"Microsoft.NAV.customer\"/>",
    "<ComplexType Name=\"c\" BaseType=\"NS.c\"/>",
    "<EnumType Name=\"e\" UnderlyingType=\"Edm.Byte\"><Member Name=\"a\" Value=\"255\"/><Member Name=\"b\"/></EnumType>",
    "<TypeDefinition Name=\"t\" UnderlyingType=\"Edm.String\"/>",
    "<Term Name=\"t\" Type=\"Collection(Edm.String)\"/>",
    "<Action Name=\"a\" IsBound=\"true\"/>",
    "<Function Name=\"f\"><ReturnType Type=\"Edm.Int32\"/></Function>",
    "<EntityContainer Name=\"c\"/>",
    "<EntitySet Name=\"s\" EntityType=\"NS.e\"><NavigationPropertyBinding Path=\"a/b\" Target=\"c/d\"/></EntitySet>",
    "<Singleton Name=\"s\" Type=\"NS.e\"/>",
    "<ActionImport Name=\"i\" Action=\"NS.a\"/>",
    "<FunctionImport Name=\"i\" Function=\"NS.f\" EntitySet=\"x\"/>",
    "<Member Name=\"m\" Value=\"1\"/>",
    "<Record><PropertyValue Property=\"p\"/></Record>",
    "<Record Type=\"NS.r\"><Annotation Term=\"A.b\"/><PropertyValue Property=\"Key\"><Collection><Record><PropertyValue Property=\"Name\" PropertyPath=\"x\"/></Record></Collection></PropertyValue></Record>",
    "<Collection/>",
    "<Collection><Null/><Int>1</Int><Bool>no</Bool></Collection>",
    "<Null/>",
    "<![CDATA[x]]>",
    "<!-- c -->",
    "<?pi x?>",
    "<!DOCTYPE x [<!ENTITY e \"v\">]>",
    "&e;",
    "</",
    "<",
    ">",
    "]]>",
    "<x:y/>",
    "<></>",
    "<1/>",
    "<a b\0c=\"d\"/>",
    "<a xmlns=\"\"/>",
    "<Schema Namespace=\"Z\" Alias=\"Microsoft.NAV\"/>",
    "<Schema Namespace=\"Microsoft.NAV\"/>",
    "<edmx:DataServices/>",
    "<edmx:Reference Uri=\"u\"><edmx:Include Namespace=\"Org.OData.Core.V1\" Alias=\"Core\"/><edmx:IncludeAnnotations TermNamespace=\"A\"/></edmx:Reference>",
];

const ENTITY_REFERENCES: &[&str] = &[
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "&apos;",
    "&#65;",
    "&#x41;",
    "&#0;",
    "&#xD800;",
    "&#x110000;",
    "&#99999999999;",
    "&nbsp;",
    "&;",
    "&#;",
    "&#x;",
    "&",
    "&amp",
    "&#10;",
    "&#x1F600;",
];

const INVALID_UTF8: &[&[u8]] =
    &[&[0xFF], &[0xC0, 0x80], &[0xED, 0xA0, 0x80], &[0xF4, 0x90, 0x80, 0x80], &[0x80], &[0xE2, 0x82], &[0xF0, 0x9F, 0x98], &[0xFE, 0xFF]];

const HUGE_NUMBERS: &[&str] = &[
    "99999999999999999999999999999999",
    "18446744073709551615",
    "9223372036854775807",
    "-9223372036854775808",
    "4294967295",
    "0000000000000000000001",
    "1e308",
];

const WRAPPERS: &[(&str, &str)] = &[
    ("<Collection>", "</Collection>"),
    ("<Record><PropertyValue Property=\"p\">", "</PropertyValue></Record>"),
    ("<If>", "</If>"),
    ("<a>", "</a>"),
    ("<Annotation Term=\"A.b\">", "</Annotation>"),
];

/// Applies one randomly chosen mutation.
fn mutate(rng: &mut Rng, input: &mut Vec<u8>, corpus: &[Seed]) {
    if input.is_empty() {
        input.extend_from_slice(rng.pick(SNIPPETS).as_bytes());
        return;
    }
    let len = input.len();
    // Weights: byte-level damage mostly ends in the XML layer, so it gets a
    // fifth of the draws; structural and attribute changes get the rest.
    let choice = match rng.below(100) {
        n @ 0..20 => n % 6,       // 0..=5: byte level
        n @ 20..45 => 6 + n % 4,  // 6..=9: whole elements
        n @ 45..75 => 10 + n % 5, // 10..=14: attributes
        75..85 => 15,             // snippets
        85..88 => 17,             // entity references
        88..92 => 18,             // deep nesting
        92..95 => 19,             // unbalanced tags
        95..98 => 20,             // huge numbers
        _ => 21,                  // names pointing elsewhere
    };
    match choice {
        // Byte level.
        0 => input.truncate(rng.below(len)),
        1 => {
            let start = rng.below(len);
            let end = (start + rng.length(len)).min(len);
            input.drain(start..end);
        }
        2 => {
            let start = rng.below(len);
            let end = (start + rng.length(len)).min(len);
            let copy = input[start..end].to_vec();
            let at = rng.below(len + 1);
            input.splice(at..at, copy);
        }
        3 => {
            let a = rng.below(len);
            let b = rng.below(len);
            let n = rng.length(len).min(len - a.max(b));
            let (first, second) = (a.min(b), a.max(b));
            if first + n <= second {
                let (left, right) = input.split_at_mut(second);
                left[first..first + n].swap_with_slice(&mut right[..n]);
            }
        }
        4 => {
            let at = rng.below(len);
            input[at] = *rng.pick(b"<>/\"'&;=\0\xFF\x80 \n_.()x");
        }
        5 => {
            let bytes = INVALID_UTF8[rng.below(INVALID_UTF8.len())];
            insert(input, rng.below(len + 1), bytes);
        }
        // Whole elements.
        6 => {
            if let Some((start, end)) = element_from(input, rng.below(len)) {
                input.drain(start..end);
            }
        }
        7 => {
            // Duplicate an element in place: duplicate names of every kind.
            if let Some((start, end)) = element_from(input, rng.below(len)) {
                let copy = input[start..end].to_vec();
                insert(input, end, &copy);
            }
        }
        8 => {
            let a = element_from(input, rng.below(len));
            let b = element_from(input, rng.below(len));
            if let (Some(a), Some(b)) = (a, b) {
                let (first, second) = if a.0 <= b.0 { (a, b) } else { (b, a) };
                if first.1 <= second.0 {
                    let mut swapped = input[..first.0].to_vec();
                    swapped.extend_from_slice(&input[second.0..second.1]);
                    swapped.extend_from_slice(&input[first.1..second.0]);
                    swapped.extend_from_slice(&input[first.0..first.1]);
                    swapped.extend_from_slice(&input[second.1..]);
                    *input = swapped;
                }
            }
        }
        9 => {
            // Move an element from another document (or this one) to an element boundary.
            let donor = &rng.pick(corpus).bytes;
            if let Some((start, end)) = element_from(donor, rng.below(donor.len().max(1))) {
                let piece = donor[start..end].to_vec();
                let at = boundary_from(input, rng.below(len));
                insert(input, at, &piece);
            }
        }
        // Attributes.
        10 | 11 => {
            if let Some((_, value_start, value_end)) = attribute_from(input, rng.below(len)) {
                let value = odd_value(rng, input);
                input.splice(value_start..value_end, value);
            }
        }
        12 => {
            if let Some((name_start, value_start, _)) = attribute_from(input, rng.below(len)) {
                let name = rng.pick(ATTRIBUTE_NAMES).as_bytes().to_vec();
                input.splice(name_start..value_start - 2, name);
            }
        }
        13 => {
            // Remove an attribute, usually a required one.
            if let Some((name_start, _, value_end)) = attribute_from(input, rng.below(len)) {
                input.drain(name_start.saturating_sub(1)..(value_end + 1).min(input.len()));
            }
        }
        14 => {
            if let Some((name_start, value_start, value_end)) = attribute_from(input, rng.below(len))
                && input[name_start..value_start].starts_with(b"Name")
            {
                input.drain(value_start..value_end);
            }
        }
        // Insertions.
        15 => {
            let at = boundary_from(input, rng.below(len));
            insert(input, at, rng.pick(SNIPPETS).as_bytes());
        }
        17 => insert(input, rng.below(len + 1), rng.pick(ENTITY_REFERENCES).as_bytes()),
        18 => {
            // Nest deeply: around the reader's limit, or far beyond it.
            let depth = match rng.below(4) {
                0 => 90 + rng.below(20),
                1 => 1 + rng.below(50),
                2 => 1000,
                _ => 20_000,
            };
            let (open, close) = *rng.pick(WRAPPERS);
            let (start, end) = element_from(input, rng.below(len)).unwrap_or((len, len));
            let mut wrapped = input[..start].to_vec();
            for _ in 0..depth {
                wrapped.extend_from_slice(open.as_bytes());
            }
            wrapped.extend_from_slice(&input[start..end]);
            for _ in 0..depth {
                wrapped.extend_from_slice(close.as_bytes());
            }
            wrapped.extend_from_slice(&input[end..]);
            *input = wrapped;
        }
        19 => {
            // Unbalanced tags: drop or rename a closing tag, or add a stray one.
            let from = rng.below(len);
            match find(input, b"</", from) {
                Some(at) if rng.below(2) == 0 => {
                    let end = find(input, b">", at).map_or(input.len(), |e| e + 1);
                    input.drain(at..end);
                }
                Some(at) => insert(input, at + 2, b"x"),
                None => input.extend_from_slice(b"</Schema>"),
            }
        }
        20 => {
            // Huge numbers where there are digits.
            let from = rng.below(len);
            if let Some(start) = input[from..].iter().position(u8::is_ascii_digit).map(|p| p + from) {
                let end = input[start..].iter().position(|b| !b.is_ascii_digit()).map_or(input.len(), |p| p + start);
                input.splice(start..end, rng.pick(HUGE_NUMBERS).bytes());
            }
        }
        _ => {
            // Point one name at another: take an attribute value from elsewhere.
            let from = attribute_from(input, rng.below(len)).map(|(_, s, e)| input[s..e].to_vec());
            if let (Some(value), Some((_, start, end))) = (from, attribute_from(input, rng.below(len))) {
                input.splice(start..end, value);
            }
        }
    }
}

fn odd_value(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    match rng.below(8) {
        0 => "x".repeat(rng.length(20_000)).into_bytes(),
        1 => {
            let from = attribute_from(input, rng.below(input.len().max(1))).map(|(_, s, e)| input[s..e].to_vec());
            from.unwrap_or_default()
        }
        _ => rng.pick(ODD_VALUES).as_bytes().to_vec(),
    }
}

fn insert(input: &mut Vec<u8>, at: usize, bytes: &[u8]) {
    let at = at.min(input.len());
    input.splice(at..at, bytes.iter().copied());
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let from = from.min(haystack.len());
    haystack[from..].windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// The position after the next `>` at or after `from` (the end when there is none).
fn boundary_from(input: &[u8], from: usize) -> usize {
    find(input, b">", from).map_or(input.len(), |p| p + 1)
}

/// The next attribute at or after `from`: (name start, value start, value end),
/// for `name="value"`; the value excludes the quotes.
fn attribute_from(input: &[u8], from: usize) -> Option<(usize, usize, usize)> {
    let eq = find(input, b"=\"", from)?;
    let value_start = eq + 2;
    let value_end = find(input, b"\"", value_start)?;
    let name_start = input[..eq].iter().rposition(|b| b.is_ascii_whitespace() || *b == b'<').map_or(0, |p| p + 1);
    (name_start < eq).then_some((name_start, value_start, value_end))
}

/// The byte span of the next element that starts at or after `from`, found by
/// a light tag scanner: quotes inside tags are honoured, comments, processing
/// instructions and CDATA are skipped. On broken input it may return nonsense
/// spans, which is fine for a mutator as long as they are in bounds.
fn element_from(input: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut at = from.min(input.len());
    let start = loop {
        let open = at + input.get(at..)?.iter().position(|&b| b == b'<')?;
        let next = input.get(open + 1).copied().unwrap_or(b' ');
        if next.is_ascii_alphabetic() || next == b'_' {
            break open;
        }
        at = open + 1;
    };
    let mut depth = 0usize;
    let mut at = start;
    while at < input.len() {
        let Some(offset) = input[at..].iter().position(|&b| b == b'<') else { break };
        let open = at + offset;
        let rest = &input[open..];
        if rest.starts_with(b"<!--") {
            at = find(input, b"-->", open).map_or(input.len(), |p| p + 3);
            continue;
        }
        if rest.starts_with(b"<![CDATA[") {
            at = find(input, b"]]>", open).map_or(input.len(), |p| p + 3);
            continue;
        }
        if rest.starts_with(b"<?") || rest.starts_with(b"<!") {
            at = boundary_from(input, open);
            continue;
        }
        let end = tag_end(input, open)?;
        if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return Some((start, end));
            }
        } else if input[end - 2] != b'/' {
            depth += 1;
        } else if depth == 0 {
            return Some((start, end));
        }
        at = end;
    }
    None
}

/// The position after the `>` that ends the tag opened at `open`, skipping quoted values.
fn tag_end(input: &[u8], open: usize) -> Option<usize> {
    let mut quote = None;
    for (i, &b) in input.iter().enumerate().skip(open + 1) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rng_is_reproducible() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let first: Vec<u64> = (0..5).map(|_| a.next()).collect();
        assert_eq!(first, (0..5).map(|_| b.next()).collect::<Vec<_>>());
        assert_ne!(Rng::new(8).next(), first[0]);
    }

    #[test]
    fn element_spans_follow_nesting_and_quotes() {
        let doc = b"<a x='>'><b/><c>t<!-- <d> --></c></a>";
        assert_eq!(element_from(doc, 0), Some((0, doc.len())));
        assert_eq!(element_from(doc, 1), Some((9, 13)));
        assert_eq!(element_from(doc, 10), Some((13, 33)));
        assert_eq!(element_from(b"<a><b>", 0), None);
    }

    #[test]
    fn attributes_are_found_with_their_names() {
        let doc = b"<Property Name=\"id\" Type=\"Edm.Int32\"/>";
        assert_eq!(attribute_from(doc, 0), Some((10, 16, 18)));
        assert_eq!(attribute_from(doc, 19), Some((20, 26, 35)));
    }

    #[test]
    fn mutations_stay_in_bounds() {
        let corpus = vec![Seed { name: "s".into(), bytes: b"<a Name=\"1\"><b/>x</a>".to_vec() }];
        let mut rng = Rng::new(1);
        for _ in 0..5_000 {
            let mut input = corpus[0].bytes.clone();
            for _ in 0..3 {
                mutate(&mut rng, &mut input, &corpus);
            }
        }
    }
}
