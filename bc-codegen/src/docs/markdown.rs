//! Markdown docs (Microsoft docs pages and hand-written guides): a small
//! line-based block reader, then extraction of the doc's facts from the
//! blocks. Tables are recognised by their header row, not their heading,
//! because guides and docs name their sections differently.

use super::detect::{front_matter, heading_text};
use super::json;
use super::table::{self, Table};
use super::text::{clean_inline, clean_name, link_targets};
use super::{DocFormat, FilterExample, Method, ResourceDoc};

/// A block of a markdown document.
#[derive(Debug)]
enum Block {
    Heading { level: usize, text: String },
    Paragraph(String),
    Table(Table),
    Code(Vec<String>),
}

pub(crate) fn read(text: &str, format: DocFormat) -> ResourceDoc {
    let mut doc = ResourceDoc::empty(format);
    let (front, body) = match front_matter(text) {
        Some((pairs, offset)) => (pairs, text.get(offset..).unwrap_or("")),
        None => (Default::default(), text),
    };
    let blocks = blocks(body);

    let h1 = blocks.iter().find_map(|b| match b {
        Block::Heading { level: 1, text } => Some(clean_inline(text)),
        _ => None,
    });
    let front_title = front.get("title").map(|t| clean_inline(t)).filter(|t| !t.is_empty());
    doc.title = h1.filter(|t| !t.is_empty()).or_else(|| front_title.clone());
    doc.description = first_paragraph(&blocks).or_else(|| front.get("description").map(|d| clean_inline(d)));

    doc.naming_text.extend(doc.title.iter().cloned());
    doc.naming_text.extend(front_title);
    doc.naming_text.extend(front.get("description").cloned());
    doc.naming_text.extend(doc.description.iter().cloned());

    let mut json_level: Option<usize> = None;
    let mut saw_json_section = false;
    let mut json_text = String::new();
    let mut sample_json = String::new();
    for block in &blocks {
        match block {
            Block::Heading { level, text } => {
                let lower = text.to_ascii_lowercase();
                if lower.contains("json representation") {
                    json_level = Some(*level);
                    saw_json_section = true;
                } else if json_level.is_some_and(|l| *level <= l) {
                    json_level = None;
                }
                if lower.contains("see also") {
                    json_level = None;
                }
            }
            Block::Table(table) => read_table(table, &mut doc),
            Block::Code(lines) => {
                read_requests(lines, &mut doc);
                let joined = lines.join("\n");
                if json_level.is_some() {
                    json_text.push_str(&joined);
                    json_text.push('\n');
                } else if joined.trim_start().starts_with('{') {
                    sample_json.push_str(&joined);
                    sample_json.push('\n');
                }
            }
            Block::Paragraph(text) => {
                if json_level.is_some() && text.contains('"') {
                    json_text.push_str(text);
                    json_text.push('\n');
                }
            }
        }
    }
    // Without a representation section, a guide's response samples are the
    // best evidence of the entity's JSON shape.
    json::keys(if saw_json_section { &json_text } else { &sample_json }, &mut doc.json_properties);
    for block in &blocks {
        if let Block::Table(table) = block {
            table::apply_value_table(table, &mut doc.properties);
        }
    }
    doc
}

/// The first paragraph under the first heading (or of the document), which
/// is where both docs and guides say what the resource is.
fn first_paragraph(blocks: &[Block]) -> Option<String> {
    let start = blocks.iter().position(|b| matches!(b, Block::Heading { level: 1, .. })).map_or(0, |i| i + 1);
    blocks.get(start..)?.iter().take_while(|b| !matches!(b, Block::Heading { .. })).find_map(|b| match b {
        Block::Paragraph(text) => Some(clean_inline(text)).filter(|t| !t.is_empty()),
        _ => None,
    })
}

fn read_table(table: &Table, doc: &mut ResourceDoc) {
    match table::kind(table) {
        table::Kind::Methods => {
            for row in &table.rows {
                let first = row.first().map(String::as_str).unwrap_or("");
                let text = clean_inline(first);
                if let Some(method) = text.split_whitespace().next().and_then(Method::parse) {
                    doc.methods.insert(method);
                }
                doc.naming_text.push(text);
                doc.naming_text.extend(link_targets(first));
            }
        }
        table::Kind::Properties { name, ty, description } => {
            for row in &table.rows {
                let cell = |i: usize| row.get(i).map(String::as_str).unwrap_or("");
                let property_name = clean_name(cell(name));
                if !super::text::is_identifier(&property_name) || doc.property(&property_name).is_some() {
                    continue;
                }
                doc.properties.push(super::DocProperty {
                    name: property_name,
                    type_text: clean_name(cell(ty)),
                    description: description.map(|d| clean_inline(cell(d))).unwrap_or_default(),
                    ..Default::default()
                });
            }
        }
        table::Kind::Errors { status, name, text } => doc.errors.extend(table::errors(table, status, name, text)),
        table::Kind::Other => {}
    }
}

/// Request lines in code blocks: the methods a guide demonstrates, the
/// paths it calls (which name the entity set) and its `$filter` examples.
fn read_requests(lines: &[String], doc: &mut ResourceDoc) {
    let mut label: Option<String> = None;
    for line in lines {
        let line = line.trim();
        if let Some(comment) = line.strip_prefix('#').or_else(|| line.strip_prefix("//")) {
            label = Some(comment.trim().to_owned()).filter(|c| !c.is_empty());
            continue;
        }
        let mut words = line.split_whitespace();
        let method = words.next().and_then(Method::parse);
        let target = words.next().unwrap_or("");
        if let Some(method) = method.filter(|_| target.contains('/') || target.starts_with('{')) {
            doc.methods.insert(method);
            let path = line.split('?').next().unwrap_or("");
            doc.naming_text.push(path.rsplit('/').next().unwrap_or("").to_owned());
        }
        if line.contains("$filter=")
            && let Some((_, query)) = line.split_once('?')
        {
            doc.filter_examples.push(FilterExample { label: label.take(), query: query.trim().to_owned() });
        }
        if !line.is_empty() {
            label = None;
        }
    }
}

/// Splits a markdown body into blocks. Every line lands somewhere or is
/// dropped (comments, quotes, rules); nothing here can fail.
fn blocks(body: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut lines = body.lines().peekable();
    let flush = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(paragraph.join(" ")));
            paragraph.clear();
        }
    };
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if let Some(fence) = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f)) {
            flush(&mut paragraph, &mut blocks);
            let mut code = Vec::new();
            for inner in lines.by_ref() {
                if inner.trim().starts_with(fence) {
                    break;
                }
                code.push(inner.to_owned());
            }
            blocks.push(Block::Code(code));
        } else if let Some(text) = heading_text(trimmed) {
            flush(&mut paragraph, &mut blocks);
            let level = trimmed.bytes().take_while(|&b| b == b'#').count();
            blocks.push(Block::Heading { level, text: text.to_owned() });
        } else if trimmed.starts_with('|') {
            flush(&mut paragraph, &mut blocks);
            let mut rows = vec![trimmed];
            while let Some(next) = lines.next_if(|l| l.trim().starts_with('|')) {
                rows.push(next.trim());
            }
            blocks.push(Block::Table(Table::from_rows(&rows)));
        } else if trimmed.is_empty() || trimmed.starts_with('>') || trimmed.starts_with("<!--") || is_rule(trimmed) {
            flush(&mut paragraph, &mut blocks);
        } else {
            paragraph.push(trimmed);
        }
    }
    flush(&mut paragraph, &mut blocks);
    blocks
}

fn is_rule(line: &str) -> bool {
    line.len() >= 3 && (line.bytes().all(|b| b == b'-') || line.bytes().all(|b| b == b'*'))
}
