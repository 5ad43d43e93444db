//! Resource docs: human-written descriptions of BC API resources, read into
//! facts the generator can attach to the schema (descriptions, read-only
//! markers, size limits, enum values, documented methods).
//!
//! Docs come in several shapes (Microsoft docs markdown, plain-text copies of
//! docs pages, hand-written guides) and are often wrong about which resource
//! they describe: titles are copied from other pages and JSON samples belong
//! to other types. So a doc is matched to an entity type by what it documents
//! (property names and types), never by its title; see [`match_doc`].
//!
//! The pipeline is [`read_doc`] (text to [`ResourceDoc`]), [`match_doc`]
//! (doc to entity type) and [`load_docs`] (a directory of docs to
//! [`DocFacts`] plus one [`DocReport`] per file). Reading never fails and
//! never panics: unknown or garbled input yields an emptier `ResourceDoc`.

mod detect;
mod facts;
mod json;
mod markdown;
mod matching;
mod plain;
mod table;
mod text;
mod types;

use std::collections::BTreeSet;
use std::fmt;

pub use detect::detect_format;
pub use facts::{CapabilityConflict, DocReport, add_facts, load_docs};
pub use matching::{
    AMBIGUITY_MARGIN, Candidate, DocMatch, MATCH_THRESHOLD, MatchVerdict, NAMING_WEIGHT, TypeDisagreement, match_doc,
};
pub use odata_v4_codegen::facts::{DocFacts, EntityDocFacts, EntityKey, Method, PropertyDocFacts};

/// The shape of a resource doc, which decides how it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocFormat {
    /// Markdown in the style of Microsoft's docs: YAML front matter, a
    /// `# name resource type` heading, pipe tables for methods and properties.
    MicrosoftDocs,
    /// The text of a docs page copied out of a browser: headings are bare
    /// lines and table rows are space-separated.
    PlainText,
    /// Hand-written markdown without front matter: backticked names in a
    /// field table, example requests in code blocks, value and error tables.
    Guide,
}

impl fmt::Display for DocFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DocFormat::MicrosoftDocs => "Microsoft docs markdown",
            DocFormat::PlainText => "plain-text copy of a docs page",
            DocFormat::Guide => "hand-written guide",
        })
    }
}

/// One row of a doc's property table, with the facts read from its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocProperty {
    /// The property name as written (backticks and links removed).
    pub name: String,
    /// The documented type as written, such as `string, maximum size 20` or `NAV.UnitOfMeasure`.
    pub type_text: String,
    /// The description with markdown links and includes flattened to text.
    pub description: String,
    /// The description says the value cannot be written ("Read-only", "Non-editable").
    pub read_only: bool,
    /// A maximum size from the type or description ("maximum size 20").
    pub max_length: Option<u64>,
    /// Documented values, from "Can be A, B or C" or from a value table for this property.
    pub enum_values: Vec<String>,
    /// The description says "Optional on create": BC fills the value when it is omitted.
    pub optional_on_create: bool,
}

/// A key of the doc's JSON representation block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonProperty {
    /// The key as written.
    pub name: String,
    /// The value when it names a type (`"GUID"`, `"string"`); `None` for sample data.
    pub type_text: Option<String>,
}

/// An example request with a `$filter`, from a code block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterExample {
    /// The comment line above the request, if there is one.
    pub label: Option<String>,
    /// Everything after the `?` of the request URL.
    pub query: String,
}

/// One row of a doc's error table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError {
    /// The HTTP status.
    pub status: u16,
    /// The error name or code column (`Not Found`, `BadRequest_NotFound`).
    pub name: String,
    /// The explanation column.
    pub text: String,
}

/// Everything read from one resource doc. Nothing here has been checked
/// against a schema yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceDoc {
    /// How the doc was read.
    pub format: DocFormat,
    /// The page title (first heading, front-matter title or title line).
    pub title: Option<String>,
    /// The entity name the title claims (`customerPaymentJournal` from
    /// "customerPaymentJournal resource type"). Informational only: titles
    /// are often wrong, so matching does not trust it.
    pub claimed_entity: Option<String>,
    /// What the resource is, from the first paragraph (or the front matter).
    pub description: Option<String>,
    /// The HTTP methods the doc lists for the resource.
    pub methods: BTreeSet<Method>,
    /// Rows of the property table, in document order.
    pub properties: Vec<DocProperty>,
    /// Keys of the JSON representation (or sample) block, kept apart from the
    /// table because such blocks are often pasted from another type.
    pub json_properties: Vec<JsonProperty>,
    /// Example requests with a `$filter`.
    pub filter_examples: Vec<FilterExample>,
    /// Rows of the error table.
    pub errors: Vec<DocError>,
    /// Text that names the documented resource (title, descriptions, method
    /// rows, link targets). Matching uses it only to choose between
    /// candidates whose content fits equally well.
    pub naming_text: Vec<String>,
}

impl ResourceDoc {
    fn empty(format: DocFormat) -> ResourceDoc {
        ResourceDoc {
            format,
            title: None,
            claimed_entity: None,
            description: None,
            methods: BTreeSet::new(),
            properties: Vec::new(),
            json_properties: Vec::new(),
            filter_examples: Vec::new(),
            errors: Vec::new(),
            naming_text: Vec::new(),
        }
    }

    /// The table row for a property (names compare case-insensitively, as BC's do).
    pub fn property(&self, name: &str) -> Option<&DocProperty> {
        self.properties.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }
}

/// Reads one resource doc. Never fails: text that is not a doc gives a
/// `ResourceDoc` with nothing in it.
pub fn read_doc(text: &str) -> ResourceDoc {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let format = detect_format(text);
    let mut doc = match format {
        DocFormat::PlainText => plain::read(text),
        DocFormat::MicrosoftDocs | DocFormat::Guide => markdown::read(text, format),
    };
    if doc.claimed_entity.is_none() {
        doc.claimed_entity = doc.title.as_deref().and_then(text::claimed_entity);
    }
    for property in &mut doc.properties {
        text::derive_property_facts(property);
    }
    doc
}

#[cfg(test)]
mod tests;
