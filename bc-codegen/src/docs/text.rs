//! Reading facts out of free text: inline markdown, property descriptions,
//! and the words a doc uses to name its resource.

use super::DocProperty;

/// Flattens inline markdown to plain text: includes become the product
/// name, links become their text, bold markers go, whitespace collapses.
/// Backticks stay: the text ends up in rustdoc, where they still mean code.
pub(crate) fn clean_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('[') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        if let Some((replacement, used)) = include_at(after).or_else(|| link_at(after)) {
            out.push_str(&replacement);
            rest = after.get(used..).unwrap_or("");
        } else {
            out.push('[');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    let out = out.replace("**", "").replace("__", "");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `[!INCLUDE[name](path)]`: Microsoft's docs splice the product name in
/// through includes, so that is what the reader puts back.
fn include_at(text: &str) -> Option<(String, usize)> {
    let rest = text.strip_prefix("[!INCLUDE[")?;
    let close = rest.find("](")?;
    let end = rest[close..].find(")]")? + close;
    Some(("Business Central".to_owned(), "[!INCLUDE[".len() + end + 2))
}

/// `[text](target)` at the start of `text`: the link text and the bytes used.
fn link_at(text: &str) -> Option<(String, usize)> {
    split_link(text).map(|(label, _, used)| (label.to_owned(), used))
}

/// Splits `[label](target)` at the start of `text` into label, target and
/// the bytes used. A target with spaces is prose in brackets, not a link.
fn split_link(text: &str) -> Option<(&str, &str, usize)> {
    let rest = text.strip_prefix('[')?;
    let close = rest.find("](")?;
    let label = &rest[..close];
    if label.contains('\n') {
        return None;
    }
    let after = &rest[close + 2..];
    let end = after.find(')')?;
    let target = &after[..end];
    if target.contains(char::is_whitespace) {
        return None;
    }
    Some((label, target, 1 + close + 2 + end + 1))
}

/// The targets of every markdown link in `text`.
pub(crate) fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('[') {
        let after = &rest[start..];
        match split_link(after) {
            Some((_, target, used)) => {
                targets.push(target.to_owned());
                rest = after.get(used..).unwrap_or("");
            }
            None => rest = &after[1..],
        }
    }
    targets
}

/// A name cell as written: backticks, emphasis and link syntax removed.
pub(crate) fn clean_name(cell: &str) -> String {
    let text = clean_inline(cell);
    text.trim().trim_matches(|c| c == '`' || c == '*' || c == '_' || c == '"').trim().to_owned()
}

/// Whether `word` could be a property or entity name (letters, digits, `_`).
pub(crate) fn is_identifier(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The entity a title claims: the identifier before "resource type", or the
/// title's words joined in lower camel case for guides ("General Ledger
/// Entries" claims `generalLedgerEntries`).
pub(crate) fn claimed_entity(title: &str) -> Option<String> {
    let lower = title.to_ascii_lowercase();
    if let Some(at) = lower.find("resource type") {
        let name = title.get(..at)?.trim();
        return is_identifier(name).then(|| name.to_owned());
    }
    let words: Vec<&str> = title.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if words.is_empty() || words.len() > 6 {
        return None;
    }
    let mut name = String::new();
    for (i, word) in words.iter().enumerate() {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            if i == 0 {
                name.push(first.to_ascii_lowercase());
            } else {
                name.push(first.to_ascii_uppercase());
            }
            name.push_str(chars.as_str());
        }
    }
    is_identifier(&name).then_some(name)
}

/// Fills the facts of a property from its type and description. Enum
/// values already taken from a value table are kept.
pub(crate) fn derive_property_facts(property: &mut DocProperty) {
    property.read_only = says_read_only(&property.description);
    property.max_length = max_length(&property.type_text).or_else(|| max_length(&property.description));
    property.optional_on_create = property.description.to_ascii_lowercase().contains("optional on create");
    if property.enum_values.is_empty() {
        property.enum_values = listed_values(&property.description)
            .or_else(|| backticked_values(&property.description))
            .unwrap_or_default();
    }
}

/// "Read-Only", "read-only", "read only" or "Non-editable", unless negated ("not read-only").
pub(crate) fn says_read_only(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["read-only", "read only", "readonly", "non-editable", "not editable"].iter().any(|marker| {
        lower.match_indices(marker).any(|(at, _)| {
            let before = lower.get(..at).unwrap_or("").trim_end();
            *marker == "not editable" || !(before.ends_with("not") || before.ends_with("never"))
        })
    })
}

/// A size limit such as "string, maximum size 20" or "max length: 50".
pub(crate) fn max_length(text: &str) -> Option<u64> {
    let lower = text.to_ascii_lowercase();
    for marker in ["maximum size", "max. size", "max size", "maximum length", "max. length", "max length", "up to"] {
        for (at, _) in lower.match_indices(marker) {
            let rest = lower.get(at + marker.len()..).unwrap_or("");
            let rest = rest.trim_start_matches([' ', ':', '=', '(']);
            let rest = rest.strip_prefix("of ").unwrap_or(rest);
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let unit_ok = marker != "up to" || rest.get(digits.len()..).unwrap_or("").trim_start().starts_with("char");
            if unit_ok && let Ok(n) = digits.parse::<u64>() {
                return Some(n);
            }
        }
    }
    None
}

/// Values listed after "Can be" / "Possible values are": "Can be
/// Comment,Account,Item" gives the three names. Each value must look like
/// a name (capitalised or quoted), so prose such as "can be changed later"
/// lists nothing.
pub(crate) fn listed_values(text: &str) -> Option<Vec<String>> {
    let lower = text.to_ascii_lowercase();
    let markers = ["can be one of", "possible values are", "possible values:", "valid values are", "can be"];
    let (at, marker) = markers.iter().filter_map(|m| lower.find(m).map(|at| (at, *m))).min_by_key(|(at, _)| *at)?;
    let rest = text.get(at + marker.len()..)?.trim_start_matches([':', ' ']);
    // The list ends with its sentence.
    let end = [". ", ";", "\n"].iter().filter_map(|m| rest.find(m)).min().unwrap_or(rest.len());
    let list = rest.get(..end)?.trim().trim_end_matches('.');
    let mut values = Vec::new();
    for part in list.split(',') {
        for piece in split_or(part) {
            let value = piece.trim().trim_matches(|c| c == '"' || c == '\'' || c == '`').trim();
            if value.eq_ignore_ascii_case("blank") || value.eq_ignore_ascii_case("empty") {
                values.push(" ".to_owned());
                continue;
            }
            let looks_like_name = value.starts_with(|c: char| c.is_ascii_uppercase() || c.is_ascii_digit());
            if value.is_empty() || value.len() > 40 || !looks_like_name {
                return None;
            }
            values.push(value.to_owned());
        }
    }
    (values.len() >= 2).then_some(values)
}

fn split_or(part: &str) -> Vec<&str> {
    let part = part.trim();
    let part = part.strip_prefix("or ").or_else(|| part.strip_prefix("and ")).unwrap_or(part);
    part.split(" or ").flat_map(|p| p.split(" and ")).collect()
}

/// A description that is nothing but a list of backticked values
/// ("`Payment`, `Invoice`, or blank").
pub(crate) fn backticked_values(text: &str) -> Option<Vec<String>> {
    let mut values = Vec::new();
    let mut outside = String::new();
    let mut parts = text.split('`');
    if let Some(first) = parts.next() {
        outside.push_str(first);
    }
    let mut inside = true;
    for part in parts {
        if inside {
            values.push(part.to_owned());
        } else {
            outside.push_str(part);
        }
        inside = !inside;
    }
    let leftover = outside.to_ascii_lowercase().replace(['.', ','], " ");
    let only_glue = leftover.split_whitespace().all(|w| matches!(w, "or" | "and" | "blank" | "empty"));
    if values.len() < 2 || !only_glue || !inside {
        return None;
    }
    if leftover.split_whitespace().any(|w| w == "blank" || w == "empty") {
        values.push(" ".to_owned());
    }
    Some(values)
}

/// The words of an identifier (`salesInvoiceLine` gives sales, invoice, line).
pub(crate) fn identifier_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous: Option<char> = None;
    for c in name.chars() {
        let boundary = !c.is_ascii_alphanumeric()
            || (c.is_ascii_uppercase() && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit()));
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        if c.is_ascii_alphanumeric() {
            current.push(c.to_ascii_lowercase());
        }
        previous = Some(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Plural and singular compare equal ("entries"/"entry", "journals"/"journal").
pub(crate) fn stem(word: &str) -> String {
    if let Some(base) = word.strip_suffix("ies").filter(|b| b.len() > 1) {
        return format!("{base}y");
    }
    match word.strip_suffix('s') {
        Some(base) if base.len() > 2 && !base.ends_with('s') => base.to_owned(),
        _ => word.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markdown() {
        assert_eq!(clean_inline("in [!INCLUDE[prod](../a.md)]."), "in Business Central.");
        assert_eq!(clean_inline("[GET x](../api/x_get.md) **bold**"), "GET x bold");
        assert_eq!(clean_inline("[unclosed"), "[unclosed");
        assert_eq!(link_targets("[a](b.md) and [c](d.md)"), vec!["b.md", "d.md"]);
        assert_eq!(clean_name("`documentType`"), "documentType");
    }

    #[test]
    fn titles() {
        assert_eq!(
            claimed_entity("customerPaymentJournal resource type | Microsoft Docs").as_deref(),
            Some("customerPaymentJournal")
        );
        assert_eq!(claimed_entity("General Ledger Entries").as_deref(), Some("generalLedgerEntries"));
        assert_eq!(claimed_entity("two words resource type"), None);
    }

    #[test]
    fn description_facts() {
        assert!(says_read_only("The total. Read-Only."));
        assert!(says_read_only("The unique ID. Non-editable."));
        assert!(!says_read_only("This is not read-only."));
        assert_eq!(max_length("string, maximum size 20"), Some(20));
        assert_eq!(max_length("Up to 50 characters."), Some(50));
        assert_eq!(max_length("up to date"), None);
        assert_eq!(
            listed_values("The type of the line. Can be Comment,Account,Item,Resource,Fixed Asset,Charge").unwrap(),
            vec!["Comment", "Account", "Item", "Resource", "Fixed Asset", "Charge"]
        );
        assert_eq!(listed_values("It can be changed later, or left empty."), None);
        assert_eq!(backticked_values("`A`, `B`, or blank").unwrap(), vec!["A", "B", " "]);
        assert_eq!(backticked_values("Use `A` to do things"), None);
    }

    #[test]
    fn words() {
        assert_eq!(identifier_words("dimensionSetID"), vec!["dimension", "set", "id"]);
        assert_eq!(
            identifier_words("dynamics_salesinvoiceline_get.md"),
            vec!["dynamics", "salesinvoiceline", "get", "md"]
        );
        assert_eq!(stem("entries"), "entry");
        assert_eq!(stem("journals"), "journal");
        assert_eq!(stem("address"), "address");
    }
}
