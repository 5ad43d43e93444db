//! libFuzzer target: every input goes through the same checks as
//! `cargo xtask fuzz` (`fuzz/oracle.rs`): read, and for a model also canonical
//! write, re-read and summary comparison. Any panic is a finding.
//!
//! From the workspace root, for hours (Ctrl-C to stop; `-max_total_time=N` to bound):
//!
//! ```text
//! cargo install cargo-fuzz
//! mkdir -p fuzz/corpus/read_edmx
//! RUSTC_BOOTSTRAP=1 cargo fuzz run read_edmx fuzz/corpus/read_edmx csdl/tests/fixtures schemas/api/v2.0 \
//!     -- -dict=fuzz/csdl.dict -max_len=400000 -timeout=20 -rss_limit_mb=4096
//! ```
//!
//! The first directory collects new inputs; the others are read-only seeds.
//! Crashes land in `fuzz/artifacts/read_edmx/`; replay one with
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run read_edmx fuzz/artifacts/read_edmx/crash-...`.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../oracle.rs"]
mod oracle;

fuzz_target!(|data: &[u8]| {
    oracle::check(data);
});
