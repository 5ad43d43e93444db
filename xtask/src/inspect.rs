//! `cargo xtask inspect <edmx>`

use odata_v4_codegen::summary::Summary;

use crate::args::Args;

pub fn run(raw: &[String]) -> Result<(), String> {
    let args = Args::parse(raw, &[], &[])?;
    let [path] = args.positional.as_slice() else {
        return Err("usage: cargo xtask inspect <edmx>".to_owned());
    };
    let model = odata_v4_codegen::edmx::read_file(std::path::Path::new(path)).map_err(|e| e.to_string())?;
    for warning in &model.warnings {
        eprintln!("{warning}");
    }
    let json = serde_json::to_string_pretty(&Summary::of(&model)).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}
