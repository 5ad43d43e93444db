//! Whole-doc tests of the reader and matcher: small hand-made docs of each
//! format, a tiny model, and a fuzz pass over damaged copies of the seed
//! docs and the project's own docs.

use std::path::PathBuf;

use super::*;
use crate::ir::Model;

/// A two-type schema: a writable `widget` and a read-only `widgetEntry`.
const SCHEMA: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Microsoft.NAV" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="widgetKind">
        <Member Name="_x0020_" Value="0"/>
        <Member Name="Round" Value="1"/>
      </EnumType>
      <EntityType Name="widget">
        <Key><PropertyRef Name="id"/></Key>
        <Property Name="id" Type="Edm.Guid" Nullable="false"/>
        <Property Name="code" Type="Edm.String" MaxLength="10"/>
        <Property Name="kind" Type="Microsoft.NAV.widgetKind"/>
        <Property Name="weight" Type="Edm.Decimal" Scale="variable"/>
      </EntityType>
      <EntityType Name="widgetEntry">
        <Key><PropertyRef Name="entryNumber"/></Key>
        <Property Name="entryNumber" Type="Edm.Int32" Nullable="false"/>
        <Property Name="postingDate" Type="Edm.Date"/>
        <Property Name="amount" Type="Edm.Decimal" Scale="variable"/>
      </EntityType>
      <EntityContainer Name="NAV">
        <EntitySet Name="widgets" EntityType="Microsoft.NAV.widget"/>
        <EntitySet Name="widgetEntries" EntityType="Microsoft.NAV.widgetEntry">
          <Annotation Term="Org.OData.Capabilities.V1.InsertRestrictions">
            <Record><PropertyValue Property="Insertable" Bool="false"/></Record>
          </Annotation>
          <Annotation Term="Org.OData.Capabilities.V1.DeleteRestrictions">
            <Record><PropertyValue Property="Deletable" Bool="false"/></Record>
          </Annotation>
        </EntitySet>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"#;

fn model() -> Model {
    crate::edmx::read_str("widgets.xml", SCHEMA).expect("test schema reads")
}

const MS_DOC: &str = "---\ntitle: widget resource type\ndescription: A widget.\n---\n\n# widget resource type\n\
Represents a widget in [!INCLUDE[prod_short](../includes/prod_short.md)].\n\n## Methods\n\n\
| Method | Return Type | Description |\n|:--|:--|:--|\n|[GET widget](../api/widget_get.md)|widget|Gets one.|\n\
|[POST widget](../api/widget_create.md)|widget|Creates one.|\n\n## Properties\n\n\
| Property | Type | Description |\n|:--|:--|:--|\n|id|GUID|The ID. Non-editable.|\n\
|code|string, maximum size 10|The code.|\n|kind|string|The kind. Can be blank or Round.|\n\
|weight|numeric|The weight. Read-Only.|\n\n## JSON representation\n\n```json\n{\n  \"id\": \"GUID\",\n  \"colour\": \"string\"\n}\n```\n";

const GUIDE: &str = "# Widget Entries\n\nPosted widget entries; **read-only**.\n\n## Fields\n\n\
| Field | Type | Description |\n|---|---|---|\n| `entryNumber` | integer | Number |\n| `postingDate` | date | Date |\n\
| `amount` | decimal | `Small`, `Large`, or blank |\n\n## Filters\n\n```http\n# By date\n\
GET {{URL}}/widgetEntries?$filter=postingDate eq 2025-01-01\nGET {{URL}}/widgetEntries?$top=5\n```\n\n\
## Errors\n\n| Status | Error | Cause |\n|---|---|---|\n| `404` | Not Found | No such entry. |\n| x | y | z |\n";

const PLAIN: &str = "Share via\n\nwidget resource type\n\nRepresents a widget.\n\nMethods\n\n\
Method Return Type Description\nGET widgets widgets Gets widgets.\nPATCH widgets widgets Updates a widget.\n\n\
Properties\n\nProperty Type Description\nid GUID The ID. Read-Only.\ncode string, maximum size 10 The code.\n\
weight decimal The weight.\n\nJSON representation\n\nHere is one.\n\n{\n  \"id\": \"GUID\",\n  \"code\": \"string\"\n}\n";

#[test]
fn reads_microsoft_docs_markdown() {
    let doc = read_doc(MS_DOC);
    assert_eq!(doc.format, DocFormat::MicrosoftDocs);
    assert_eq!(doc.claimed_entity.as_deref(), Some("widget"));
    assert_eq!(doc.description.as_deref(), Some("Represents a widget in Business Central."));
    assert_eq!(doc.methods.iter().copied().collect::<Vec<_>>(), vec![Method::Get, Method::Post]);
    let id = doc.property("id").unwrap();
    assert!(id.read_only);
    assert_eq!(doc.property("code").unwrap().max_length, Some(10));
    assert_eq!(doc.property("kind").unwrap().enum_values, vec![" ", "Round"]);
    assert!(doc.property("weight").unwrap().read_only);
    let json: Vec<&str> = doc.json_properties.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(json, vec!["id", "colour"]);
}

#[test]
fn reads_guides() {
    let doc = read_doc(GUIDE);
    assert_eq!(doc.format, DocFormat::Guide);
    assert_eq!(doc.claimed_entity.as_deref(), Some("widgetEntries"));
    assert_eq!(doc.properties.len(), 3);
    assert_eq!(doc.property("amount").unwrap().enum_values, vec!["Small", "Large", " "]);
    assert_eq!(doc.filter_examples.len(), 1);
    assert_eq!(doc.filter_examples[0].label.as_deref(), Some("By date"));
    assert_eq!(doc.filter_examples[0].query, "$filter=postingDate eq 2025-01-01");
    assert_eq!(doc.errors, vec![DocError { status: 404, name: "Not Found".into(), text: "No such entry.".into() }]);
    assert_eq!(doc.methods.len(), 1);
}

#[test]
fn reads_plain_text_copies() {
    let doc = read_doc(PLAIN);
    assert_eq!(doc.format, DocFormat::PlainText);
    assert_eq!(doc.title.as_deref(), Some("widget resource type"));
    assert_eq!(doc.description.as_deref(), Some("Represents a widget."));
    assert_eq!(doc.methods.iter().copied().collect::<Vec<_>>(), vec![Method::Get, Method::Patch]);
    assert_eq!(doc.properties.len(), 3);
    assert!(doc.property("id").unwrap().read_only);
    assert_eq!(doc.property("code").unwrap().type_text, "string, maximum size 10");
    assert_eq!(doc.json_properties.len(), 2);
}

#[test]
fn matches_by_content_and_reports_conflicts() {
    let model = model();
    let models = [("api/test", &model)];
    let found = match_doc(&read_doc(MS_DOC), &models);
    assert_eq!(found.verdict, MatchVerdict::Matched);
    assert_eq!(found.target.as_ref().unwrap().entity.name, "widget");
    assert_eq!(found.json_missing_in_schema, vec!["colour"]);
    // `numeric` is a decimal, so weight agrees; nothing else is typed differently.
    assert!(found.type_disagreements.is_empty());

    // The guide lists POST for a set that is not insertable.
    let mut doc = read_doc(GUIDE);
    doc.methods.insert(Method::Post);
    let report = DocReport::new("guide.md", &doc, &models);
    assert_eq!(report.doc_match.target.as_ref().unwrap().entity.name, "widgetEntry");
    assert_eq!(report.capability_conflicts.len(), 1);
    assert_eq!(report.capability_conflicts[0].method, Method::Post);
    assert_eq!(report.capability_conflicts[0].entity_set, "widgetEntries");

    // Reported, not applied: the facts keep the documented methods.
    let mut facts = DocFacts::default();
    add_facts(&mut facts, "guide.md", &doc, &report.doc_match, &models);
    let entity = report.doc_match.target.as_ref().unwrap().entity.clone();
    assert!(facts.entity("api/test", &entity).unwrap().methods.contains(&Method::Post));
}

#[test]
fn weak_or_tied_docs_match_nothing() {
    let model = model();
    let models = [("api/test", &model)];
    let unrelated =
        read_doc("# Things\n\n| Field | Type | Description |\n|-|-|-|\n| `a` | string | x |\n| `b` | date | y |\n");
    assert_eq!(match_doc(&unrelated, &models).verdict, MatchVerdict::BelowThreshold);
    // The same type in two routes cannot be told apart.
    let found = match_doc(&read_doc(MS_DOC), &[("api/one", &model), ("api/two", &model)]);
    assert_eq!(found.verdict, MatchVerdict::Ambiguous);
    assert!(found.target.is_none());
    assert_eq!(found.confidence(), 0.0);
    assert_eq!(match_doc(&read_doc(MS_DOC), &[]).verdict, MatchVerdict::NoCandidates);
}

/// The docs the fuzz pass damages: the shared seeds (if this checkout sits
/// beside them) plus the project's own docs and the inline samples.
fn corpus() -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut texts = vec![MS_DOC.to_owned(), GUIDE.to_owned(), PLAIN.to_owned()];
    for dir in ["../shared/seeds", "sdk/schemas/api/v2.0/docs", "sdk/schemas/api/microsoft/reportsFinance/beta/docs"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        texts.extend(paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()));
    }
    texts
}

/// A small deterministic generator, so a failure reproduces.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

#[test]
fn never_panics_on_damaged_docs() {
    let model = model();
    let models = [("api/test", &model)];
    let noise = ['|', '`', '#', '\n', '"', '{', '}', '[', ']', '(', ')', ':', ',', '-', 'é', '\u{feff}', ' ', '!'];
    let mut rng = Lcg(7);
    for text in corpus() {
        let chars: Vec<char> = text.chars().collect();
        let check = |damaged: &str| {
            let doc = read_doc(damaged);
            let found = match_doc(&doc, &models);
            let confidence = found.confidence();
            assert!((0.0..=1.0).contains(&confidence), "confidence {confidence} out of range");
            let _ = DocReport::new("fuzz", &doc, &models).summary_line();
        };
        // Every truncation point along the text (in steps, to stay quick).
        for end in (0..=chars.len()).step_by(7) {
            check(&chars[..end].iter().collect::<String>());
        }
        // Random character replacements, insertions and line deletions.
        for _ in 0..60 {
            let mut damaged = chars.clone();
            for _ in 0..1 + rng.next(12) {
                let at = rng.next(damaged.len() + 1);
                let c = noise[rng.next(noise.len())];
                match rng.next(3) {
                    0 if at < damaged.len() => damaged[at] = c,
                    1 if at < damaged.len() => {
                        damaged.remove(at);
                    }
                    _ => damaged.insert(at.min(damaged.len()), c),
                }
            }
            let text: String = damaged.into_iter().collect();
            check(&text);
            let lines: Vec<&str> = text.lines().filter(|_| rng.next(4) != 0).collect();
            check(&lines.join("\n"));
        }
    }
    for odd in ["", "---", "---\n---", "|", "| |\n|-|", "```", "{", "\"", "[!INCLUDE[", "[a](", "# ", "#######"] {
        let _ = read_doc(odd);
    }
}
