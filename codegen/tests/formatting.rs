//! Generated files come out the same whether short items are written
//! directly or everything goes through prettyplease: BC's v2.0 API, the
//! construct fixtures (hostile descriptions included) and, when
//! `../shared` is beside the checkout, TripPin.

use std::path::{Path, PathBuf};

use odata_v4_codegen::Standard;
use odata_v4_codegen::emit::{self, ApiInput, Formatting};
use odata_v4_codegen::facts::DocFacts;

fn schemas() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut schemas =
        vec![root.join("sdk/schemas/api/v2.0/metadata.xml"), root.join("xtask/tests/fixtures/shop-v2.xml")];
    let constructs = root.join("xtask/tests/fixtures/constructs");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&constructs)
        .expect("the construct fixtures are in the repository")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "xml"))
        .collect();
    fixtures.sort();
    schemas.extend(fixtures);
    let trippin = root.join("../shared/metadata/trippin.xml");
    if trippin.exists() {
        schemas.push(trippin);
    }
    schemas
}

#[test]
fn the_fast_layout_is_prettypleases_byte_for_byte() {
    let mut compared = 0;
    for schema in schemas() {
        let text = std::fs::read_to_string(&schema).expect("the schema reads");
        let model =
            odata_v4_codegen::edmx::read_str(&schema.display().to_string(), &text).expect("the schema is valid");
        let docs = DocFacts::default();
        let input = ApiInput {
            route: "api/v1",
            model: &model,
            documentation: &docs,
            source: "schema.xml",
            customization: &Standard,
        };
        let planned = emit::plan_all(&[input], &mut |_, _| {}).expect("the schema plans");
        let fast = emit::render_all_formatted(&planned, "test", Formatting::Fast).expect("fast layout");
        let slow = emit::render_all_formatted(&planned, "test", Formatting::Prettyplease).expect("prettyplease layout");
        assert_eq!(fast.len(), slow.len());
        for (fast, slow) in fast.iter().zip(&slow) {
            assert_eq!(fast.path, slow.path);
            if fast.contents != slow.contents {
                let line = fast.contents.lines().zip(slow.contents.lines()).position(|(a, b)| a != b).unwrap_or(0);
                panic!(
                    "{} from {}: the layouts differ at line {}:\n{}\n--- prettyplease:\n{}",
                    fast.path.display(),
                    schema.display(),
                    line + 1,
                    fast.contents.lines().skip(line.saturating_sub(3)).take(12).collect::<Vec<_>>().join("\n"),
                    slow.contents.lines().skip(line.saturating_sub(3)).take(12).collect::<Vec<_>>().join("\n"),
                );
            }
            compared += 1;
        }
    }
    assert!(compared > 100, "{compared} files compared");
}
