//! The runtime survives a bounded fuzz run of service answers (entities,
//! pages and next links, error bodies, `$batch`), in a test binary of its
//! own: the fuzzer installs a panic hook for the whole process.

/// The seconds come from `BC_FUZZ_SECONDS` when set (longer runs by hand).
#[test]
fn the_runtime_survives_a_bounded_fuzz_run_of_service_answers() {
    let seconds = std::env::var("BC_FUZZ_SECONDS").unwrap_or_else(|_| "30".to_owned());
    xtask::fuzz_responses::run(&["--seconds".to_owned(), seconds]).expect("no answer broke the runtime");
}
