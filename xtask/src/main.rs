//! `cargo xtask <command>`: see `cargo xtask --help`.

use std::process::ExitCode;

use clap::Parser;

// Generation allocates small pieces by the million (tokens, syntax trees);
// with glibc's allocator generating Microsoft Graph takes half as long again.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match xtask::run(xtask::Command::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // CSDL diagnostics name their file, position and severity
            // themselves (`file:5:3: error: …`), as compilers print them.
            match error.downcast_ref::<odata_v4_csdl::diag::Diagnostics>() {
                Some(diagnostics) => eprintln!("{diagnostics}"),
                None => eprintln!("error: {error:#}"),
            }
            ExitCode::FAILURE
        }
    }
}
