//! Pipe tables: splitting rows into cells and deciding what a table lists
//! from its header row.

use super::text::{clean_inline, clean_name};
use super::{DocError, DocProperty};

/// A pipe table: the header cells and the body rows (separator rows dropped).
#[derive(Debug, Default)]
pub(crate) struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// What a table lists, with the columns that matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Methods,
    Properties { name: usize, ty: usize, description: Option<usize> },
    Errors { status: usize, name: Option<usize>, text: Option<usize> },
    Other,
}

impl Table {
    /// Builds a table from its lines (each starting with `|`).
    pub fn from_rows(lines: &[&str]) -> Table {
        let mut table = Table::default();
        for line in lines {
            let cells = split_cells(line);
            if cells.iter().all(|c| is_separator(c)) {
                continue;
            }
            if table.header.is_empty() {
                table.header = cells;
            } else {
                table.rows.push(cells);
            }
        }
        table
    }

    fn normalized_header(&self) -> Vec<String> {
        self.header.iter().map(|h| clean_name(h).to_ascii_lowercase()).collect()
    }
}

/// Splits a row at `|`, except inside backticks or after a backslash.
fn split_cells(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut current = String::new();
    let mut in_code = false;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            _ if escaped => {
                current.push(c);
                escaped = false;
            }
            '\\' => escaped = true,
            '`' => {
                in_code = !in_code;
                current.push(c);
            }
            '|' if !in_code => cells.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    cells.push(current);
    // The leading and trailing pipes leave empty cells at the ends.
    if line.trim_start().starts_with('|') && !cells.is_empty() {
        cells.remove(0);
    }
    if line.trim_end().ends_with('|') && cells.len() > 1 && cells.last().is_some_and(|c| c.trim().is_empty()) {
        cells.pop();
    }
    cells.into_iter().map(|c| c.trim().to_owned()).collect()
}

fn is_separator(cell: &str) -> bool {
    let cell = cell.trim();
    !cell.is_empty() && cell.chars().all(|c| matches!(c, '-' | ':' | ' '))
}

/// Classifies a table by its header.
pub(crate) fn kind(table: &Table) -> Kind {
    let header = table.normalized_header();
    let first = header.first().map(String::as_str).unwrap_or("");
    let find = |wanted: &[&str]| header.iter().position(|h| wanted.contains(&h.as_str()));
    if matches!(first, "method" | "methods" | "operation" | "http method") {
        return Kind::Methods;
    }
    if let Some(status) = header.iter().position(|h| h.contains("status")) {
        let name = find(&["error", "code", "error code", "name", "title"]).filter(|&i| i != status);
        let text = header
            .iter()
            .enumerate()
            .position(|(i, h)| {
                i != status
                    && Some(i) != name
                    && ["cause", "description", "message", "resolution", "meaning", "reason"]
                        .iter()
                        .any(|w| h.contains(w))
            })
            .or_else(|| (0..header.len()).rev().find(|&i| i != status && Some(i) != name));
        return Kind::Errors { status, name, text };
    }
    let names = ["property", "properties", "field", "fields", "name", "column", "attribute"];
    if names.contains(&first)
        && let Some(ty) = find(&["type", "data type", "edm type"])
    {
        let description = header
            .iter()
            .position(|h| h.contains("description"))
            .or_else(|| (0..header.len()).rev().find(|&i| i != 0 && i != ty));
        return Kind::Properties { name: 0, ty, description };
    }
    Kind::Other
}

/// The rows of an error table; rows without a status code are skipped.
pub(crate) fn errors(table: &Table, status: usize, name: Option<usize>, text: Option<usize>) -> Vec<DocError> {
    let cell =
        |row: &Vec<String>, i: Option<usize>| i.and_then(|i| row.get(i)).map(|c| clean_inline(c)).unwrap_or_default();
    table
        .rows
        .iter()
        .filter_map(|row| {
            let status_text = row.get(status)?;
            let digits: String =
                status_text.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
            let status = digits.parse::<u16>().ok().filter(|s| (100..600).contains(s))?;
            let name = cell(row, name).trim_matches('`').to_owned();
            Some(DocError { status, name, text: cell(row, text) })
        })
        .collect()
}

/// A table whose first header cell is a documented property name lists
/// that property's values (a guide's "Document Type Values"). Its values
/// replace any taken from the description: the table is the fuller list.
pub(crate) fn apply_value_table(table: &Table, properties: &mut [DocProperty]) {
    if kind(table) != Kind::Other {
        return;
    }
    let Some(first) = table.header.first().map(|h| clean_name(h)) else {
        return;
    };
    let Some(property) = properties.iter_mut().find(|p| p.name.eq_ignore_ascii_case(&first)) else {
        return;
    };
    let values: Vec<String> = table.rows.iter().filter_map(|row| row.first().and_then(|c| value_cell(c))).collect();
    if values.len() >= 2 {
        property.enum_values = values;
    }
}

/// The value a value-table cell names: the backticked text if any (a blank
/// member is written as a backticked space), else the cell's text.
fn value_cell(cell: &str) -> Option<String> {
    let mut parts = cell.split('`').skip(1);
    if let (Some(inside), Some(_)) = (parts.next(), parts.next()) {
        return Some(if inside.trim().is_empty() { " ".to_owned() } else { inside.to_owned() });
    }
    let text = clean_inline(cell);
    let lower = text.to_ascii_lowercase();
    let without_blank = lower.replace("(blank)", "");
    if without_blank.trim().is_empty() {
        return lower.contains("blank").then(|| " ".to_owned());
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        assert_eq!(split_cells("| a | `b|c` | d\\|e |"), vec!["a", "`b|c`", "d|e"]);
        assert_eq!(split_cells("|a||"), vec!["a", ""]);
        assert_eq!(split_cells("|"), vec![""]);
        assert!(is_separator(":---"));
        assert!(!is_separator(""));
    }

    #[test]
    fn kinds() {
        let t = Table::from_rows(&["| Property | Type | Description |", "|---|---|---|", "|id|GUID|x|"]);
        assert_eq!(kind(&t), Kind::Properties { name: 0, ty: 1, description: Some(2) });
        let t = Table::from_rows(&["| Status | Error | Cause & Resolution |", "|--|--|--|"]);
        assert_eq!(kind(&t), Kind::Errors { status: 0, name: Some(1), text: Some(2) });
        let t = Table::from_rows(&["| Navigation | Return Type | Description |"]);
        assert_eq!(kind(&t), Kind::Other);
    }

    #[test]
    fn value_cells() {
        assert_eq!(value_cell("` ` (blank)").as_deref(), Some(" "));
        assert_eq!(value_cell("`Credit Memo`").as_deref(), Some("Credit Memo"));
        assert_eq!(value_cell("(blank)").as_deref(), Some(" "));
        assert_eq!(value_cell("").as_deref(), None);
    }
}
