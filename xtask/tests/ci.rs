//! Checks that belong to every test run, so that the one test command
//! (`cargo test --workspace`) covers them: the committed generated code
//! matches the schemas, and the CSDL reader survives a bounded fuzz run.

#[test]
fn generated_code_matches_the_committed_schemas() {
    let root = xtask::workspace_root();
    let apis = xtask::regen::load_apis(&root).expect("the committed schemas read");
    let docs = xtask::docs_support::load(&root, &apis).expect("the committed docs read");
    let files = xtask::regen::generate(&root, &apis, &docs).expect("generation succeeds");
    let drift = xtask::regen::compare(&root.join("sdk/src/generated"), &files).expect("the generated tree is readable");
    assert!(
        drift.is_empty(),
        "sdk/src/generated differs from what the schemas produce in:\n  {}\nrun `cargo xtask regen` and commit the result",
        drift.join("\n  ")
    );
}

/// The seconds come from `BC_FUZZ_SECONDS` when set (longer runs by hand).
#[test]
fn the_reader_survives_a_bounded_fuzz_run() {
    let seconds = std::env::var("BC_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(30);
    let options = xtask::fuzz::FuzzOptions { seconds, ..Default::default() };
    xtask::fuzz::run(&options).expect("no input crashed the reader");
}
