//! The runtime survives a bounded fuzz run of service answers (entities,
//! pages and next links, error bodies, `$batch`), in a test binary of its
//! own: the fuzzer installs a panic hook for the whole process.

/// The seconds come from `BC_FUZZ_SECONDS` when set (longer runs by hand).
#[test]
fn the_runtime_survives_a_bounded_fuzz_run_of_service_answers() {
    let seconds = std::env::var("BC_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(30);
    let options = xtask::fuzz_responses::FuzzResponsesOptions { seconds, ..Default::default() };
    xtask::fuzz_responses::run(&options).expect("no answer broke the runtime");
}
