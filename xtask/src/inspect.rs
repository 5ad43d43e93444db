//! `cargo xtask inspect <edmx>`: a JSON summary of a `$metadata` document.

use std::path::Path;

use odata_v4_codegen::summary::Summary;

pub fn run(path: &Path) -> anyhow::Result<()> {
    let model = odata_v4_codegen::edmx::read_file(path)?;
    for warning in &model.warnings {
        eprintln!("{warning}");
    }
    println!("{}", serde_json::to_string_pretty(&Summary::of(&model))?);
    Ok(())
}
