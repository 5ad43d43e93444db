//! Plain-text copies of docs pages (text selected in a browser and pasted):
//! no markdown, headings are bare lines, table rows are space-separated
//! and the JSON block is unfenced.

use super::json;
use super::text::{clean_inline, is_identifier};
use super::{DocFormat, DocProperty, FilterExample, Method, ResourceDoc};

/// Section headings of docs pages, as they appear once copied as text.
const HEADINGS: &[&str] = &[
    "methods",
    "properties",
    "fields",
    "navigation",
    "relationships",
    "json representation",
    "see also",
    "note",
    "example",
    "examples",
    "errors",
];

/// Lines browsers copy from the page chrome rather than the article.
const CHROME: &[&str] = &["share via", "in this article", "table of contents", "feedback"];

/// Words that continue a documented type ("string, maximum size 20").
const TYPE_CONTINUATION: &[&str] = &["maximum", "max", "max.", "size", "length", "of"];

pub(crate) fn read(text: &str) -> ResourceDoc {
    let mut doc = ResourceDoc::empty(DocFormat::PlainText);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let is_heading = |line: &str| HEADINGS.contains(&line.to_ascii_lowercase().as_str());
    let is_chrome = |line: &str| CHROME.contains(&line.to_ascii_lowercase().as_str());

    let title_at = lines
        .iter()
        .position(|l| l.to_ascii_lowercase().contains("resource type"))
        .or_else(|| lines.iter().position(|l| !l.is_empty() && !is_chrome(l) && !is_heading(l)));
    if let Some(at) = title_at {
        doc.title = lines.get(at).map(|l| clean_inline(l));
        doc.description = lines
            .get(at + 1..)
            .unwrap_or_default()
            .iter()
            .take_while(|l| !is_heading(l))
            .find(|l| l.contains(' ') && !l.is_empty())
            .map(|l| clean_inline(l));
    }
    doc.naming_text.extend(doc.title.iter().cloned());
    doc.naming_text.extend(doc.description.iter().cloned());

    let mut section = String::new();
    let mut json_text = String::new();
    for (index, line) in lines.iter().enumerate() {
        if Some(index) == title_at {
            continue;
        }
        if is_heading(line) {
            section = line.to_ascii_lowercase();
            continue;
        }
        if let Some((_, query)) = line.split_once('?').filter(|_| line.contains("$filter=")) {
            doc.filter_examples.push(FilterExample { label: None, query: query.trim().to_owned() });
        }
        match section.as_str() {
            "methods" => {
                if let Some(method) = line.split_whitespace().next().and_then(Method::parse) {
                    doc.methods.insert(method);
                    doc.naming_text.push((*line).to_owned());
                }
            }
            "properties" | "fields" => {
                if let Some(property) = property_row(line)
                    && doc.property(&property.name).is_none()
                {
                    doc.properties.push(property);
                }
            }
            "json representation" => {
                json_text.push_str(line);
                json_text.push('\n');
            }
            "see also" => doc.naming_text.push((*line).to_owned()),
            _ => {}
        }
    }
    // The JSON starts at its first brace; the sentence before it is prose.
    if let Some(start) = json_text.find(['{', '"']) {
        json::keys(json_text.get(start..).unwrap_or(""), &mut doc.json_properties);
    }
    doc
}

/// `name type[, maximum size N] description...`; the column header row
/// and lines that do not start with a name give nothing.
fn property_row(line: &str) -> Option<DocProperty> {
    let mut words = line.split_whitespace().peekable();
    let name = words.next()?;
    if !is_identifier(name) || matches!(name.to_ascii_lowercase().as_str(), "property" | "field" | "name") {
        return None;
    }
    let mut type_text = words.next()?.to_owned();
    if type_text.ends_with(',') {
        while let Some(word) =
            words.next_if(|w| TYPE_CONTINUATION.contains(&w.to_ascii_lowercase().as_str()) || w.parse::<u64>().is_ok())
        {
            type_text.push(' ');
            type_text.push_str(word);
        }
    }
    let description: Vec<&str> = words.collect();
    Some(DocProperty {
        name: name.to_owned(),
        type_text: type_text.trim_end_matches(',').to_owned(),
        description: clean_inline(&description.join(" ")),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_rows() {
        let row = property_row("customerNumber string, maximum size 20 The number of the customer.").unwrap();
        assert_eq!(row.name, "customerNumber");
        assert_eq!(row.type_text, "string, maximum size 20");
        assert_eq!(row.description, "The number of the customer.");
        assert!(property_row("Property Type Description").is_none());
        assert!(property_row("(see the table above)").is_none());
        assert!(property_row("lonely").is_none());
    }
}
