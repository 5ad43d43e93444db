//! `cargo xtask docs-report <docs-dir> [<schema>...]`: matches every resource
//! doc in a directory to the entity type it describes and prints what the
//! doc would contribute, so a maintainer can review docs before the
//! generator uses them.
//!
//! Output: one `<file> -> <entityType> (<confidence>)` or `<file> -> none`
//! line per doc, a blank line, then a block of details per doc.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use business_central_codegen::docs::{DocReport, load_docs};
use odata_v4_codegen::ir::Model;

pub fn run(docs_dir: &Path, schema_args: &[PathBuf]) -> anyhow::Result<()> {
    let schemas: Vec<(String, PathBuf)> = if schema_args.is_empty() {
        crate::regen::find_schemas(&crate::workspace_root())?
    } else {
        schema_args.iter().map(|s| (route_of(s), s.clone())).collect()
    };
    let mut models: Vec<(String, Model)> = Vec::new();
    for (route, path) in schemas {
        let model = odata_v4_codegen::edmx::read_file(&path)?;
        models.push((route, model));
    }
    let borrowed: Vec<(&str, &Model)> = models.iter().map(|(r, m)| (r.as_str(), m)).collect();
    let (_facts, reports) = load_docs(docs_dir, &borrowed)?;
    print!("{}", render(&reports));
    Ok(())
}

/// The route of a schema given on the command line: the directories after
/// the last `schemas` component (`schemas/api/v2.0/metadata.xml` is
/// `api/v2.0`), else the path without its file name.
fn route_of(path: &Path) -> String {
    let dirs: Vec<String> = path
        .parent()
        .map_or_else(Vec::new, |p| p.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect());
    match dirs.iter().rposition(|d| d == "schemas") {
        Some(at) => dirs.get(at + 1..).unwrap_or_default().join("/"),
        None => match path.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(parent) => parent.display().to_string(),
            None => path.display().to_string(),
        },
    }
}

/// The whole report: summary lines, a blank line, then details.
pub fn render(reports: &[DocReport]) -> String {
    let mut out = String::new();
    for report in reports {
        out.push_str(&report.summary_line());
        out.push('\n');
    }
    for report in reports {
        out.push('\n');
        details(&mut out, report);
    }
    out
}

fn details(out: &mut String, report: &DocReport) {
    let found = &report.doc_match;
    let _ = writeln!(out, "== {}", report.file);
    let _ = writeln!(out, "format: {}", report.format);
    if let Some(title) = &report.title {
        let claim = report.claimed_entity.as_deref().map(|c| format!(" (claims {c})")).unwrap_or_default();
        let _ = writeln!(out, "title: {title}{claim}");
    }
    match &found.target {
        Some(t) => {
            let _ = writeln!(
                out,
                "match: {} {} ({:.2}; properties {:.2}, wording {:.2})",
                t.route, t.entity, t.score, t.content, t.naming
            );
        }
        None => {
            let best = found.best.as_ref().map(|b| format!("; best was {} {} ({:.2})", b.route, b.entity, b.score));
            let _ = writeln!(out, "match: none: {}{}", found.verdict, best.unwrap_or_default());
        }
    }
    let runner =
        found.runner_up.as_ref().map_or("none".to_owned(), |r| format!("{} {} ({:.2})", r.route, r.entity, r.score));
    let _ = writeln!(out, "runner-up: {runner}");
    for note in &report.notes {
        let _ = writeln!(out, "note: {note}");
    }
    list(out, "not in schema", &found.missing_in_schema);
    list(out, "JSON keys not in schema", &found.json_missing_in_schema);
    let disagreements: Vec<String> = found
        .type_disagreements
        .iter()
        .map(|d| format!("{} (doc: {}, schema: {})", d.property, d.documented, d.schema))
        .collect();
    list(out, "type disagreements", &disagreements);
    list(out, "read-only", &report.read_only);
    list(out, "optional on create", &report.optional_on_create);
    for (property, values) in &report.enum_values {
        let shown: Vec<String> =
            values.iter().map(|v| if v.trim().is_empty() { "(blank)".to_owned() } else { v.clone() }).collect();
        let _ = writeln!(out, "values of {property}: {}", shown.join(", "));
    }
    let methods: Vec<String> = report.methods.iter().map(|m| m.to_string()).collect();
    list(out, "methods", &methods);
    let conflicts: Vec<String> = report
        .capability_conflicts
        .iter()
        .map(|c| format!("{} on {} ({})", c.method, c.entity_set, c.restriction))
        .collect();
    list(out, "methods contradicting capabilities", &conflicts);
    if report.filter_examples > 0 || report.errors > 0 {
        let _ = writeln!(out, "filter examples: {}, documented errors: {}", report.filter_examples, report.errors);
    }
}

fn list(out: &mut String, label: &str, items: &[String]) {
    let text = if items.is_empty() { "none".to_owned() } else { items.join(", ") };
    let _ = writeln!(out, "{label}: {text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_from_paths() {
        assert_eq!(route_of(Path::new("/x/schemas/api/v2.0/metadata.xml")), "api/v2.0");
        assert_eq!(
            route_of(Path::new("schemas/api/microsoft/reportsFinance/beta/metadata.xml")),
            "api/microsoft/reportsFinance/beta"
        );
        assert_eq!(route_of(Path::new("/tmp/m.xml")), "/tmp");
    }

    #[test]
    #[cfg_attr(not(has_shared_seeds), ignore = "needs ../shared/seeds/ beside the repository")]
    fn seeds_report_with_the_committed_schemas() {
        let root = crate::workspace_root();
        let schemas = crate::regen::find_schemas(&root).unwrap();
        let routes: Vec<&str> = schemas.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(routes, vec!["api/microsoft/reportsFinance/beta", "api/v2.0"]);
        let models: Vec<(String, Model)> =
            schemas.into_iter().map(|(r, p)| (r, odata_v4_codegen::edmx::read_file(&p).unwrap())).collect();
        let borrowed: Vec<(&str, &Model)> = models.iter().map(|(r, m)| (r.as_str(), m)).collect();
        let (_, reports) = load_docs(&root.join("../shared/seeds"), &borrowed).unwrap();
        let out = render(&reports);
        let summary: Vec<&str> = out.lines().take_while(|l| !l.is_empty()).collect();
        let shape: Vec<String> =
            summary.iter().map(|l| l.split_once(' ').map_or("", |(_, rest)| rest).to_owned()).collect();
        assert_eq!(summary.len(), 5, "{out}");
        assert!(shape[0].starts_with("-> customerLedgerEntry ("), "{out}");
        assert!(shape[4].starts_with("-> salesInvoiceLine (0."), "{out}");
        assert!(out.contains("\n\n== 000_"), "details follow a blank line");
    }
}
