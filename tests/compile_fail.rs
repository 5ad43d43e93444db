//! The compile-time promise of the SDK: each program in `ui/fail` makes one
//! mistake and must fail with the diagnostic recorded next to it. Its
//! corrected twin in `ui/pass` must compile: `compile_pass.rs` builds those.
//!
//! The `.stderr` files are compiler output, so the toolchain is pinned in
//! `rust-toolchain.toml`. After a deliberate change, regenerate them with
//! `TRYBUILD=overwrite cargo test -p sdk-tests --test compile_fail` and
//! review the diff.

#[test]
fn mistakes_do_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
}
