//! [`AdditionalProperties`]: the properties an entity carried that its type
//! does not declare, kept as raw JSON text in one buffer per entity.

use std::collections::HashSet;
use std::fmt;
use std::hash::BuildHasher;
use std::ops::Range;

use serde_json::value::RawValue;

use super::json::Json;

/// Up to this many properties, a name is looked for by comparing it with
/// each; beyond, a set of name hashes answers "not there" at once, so that
/// an entity with a hundred thousand unknown properties still decodes in
/// linear time.
const NAMES_COMPARED_ONE_BY_ONE: usize = 64;

/// Properties an entity carried that its type does not declare (fields added
/// by extensions of the service, instance annotations). They are kept
/// verbatim so that nothing the service sent is lost, and written back, in
/// the order they came, when the entity is serialized.
///
/// They are stored compactly: all of an entity's unknown properties share
/// one buffer holding each name and the raw JSON text of its value, so they
/// take little more memory than they took on the wire
/// (`benches/unknown_properties.rs`).
#[derive(Clone, Default)]
pub struct AdditionalProperties {
    /// Each property as `{name length}:{name}{value length}:{value}`, in
    /// the order they were inserted.
    entries: String,
    /// Once there are more than [`NAMES_COMPARED_ONE_BY_ONE`] properties.
    index: Option<Box<NameIndex>>,
}

/// The hashes of every name, and how many properties there are.
#[derive(Clone, Default)]
struct NameIndex {
    hashes: HashSet<u64>,
    count: usize,
}

impl AdditionalProperties {
    /// No properties.
    pub fn new() -> Self {
        AdditionalProperties::default()
    }

    /// Keeps `value` under `name`, replacing an earlier value of the same
    /// name in place.
    pub fn insert(&mut self, name: String, value: Json) {
        let value = value.get();
        if let Some(found) = self.find(&name) {
            let mut entry = String::new();
            write_entry(&mut entry, &name, value);
            self.entries.replace_range(found.entry, &entry);
            return;
        }
        self.append(&name, value);
    }

    /// The raw JSON of property `name`, if the entity carried it.
    pub fn get(&self, name: &str) -> Option<&RawValue> {
        self.find(name).and_then(|found| raw_value(&self.entries[found.value]))
    }

    /// Decodes one property into `T`, if present.
    pub fn get_as<'a, T: serde::Deserialize<'a>>(&'a self, name: &str) -> Option<Result<T, serde_json::Error>> {
        self.find(name).map(|found| serde_json::from_str(&self.entries[found.value]))
    }

    /// Every property, in the order received.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &RawValue)> {
        self.raw_entries().filter_map(|(name, value)| raw_value(value).map(|value| (name, value)))
    }

    /// Every property as its name and the JSON text of its value, in the
    /// order received.
    pub(crate) fn raw_entries(&self) -> Entries<'_> {
        Entries { entries: &self.entries, at: 0 }
    }

    /// How many properties are kept.
    pub fn len(&self) -> usize {
        match &self.index {
            Some(index) => index.count,
            None => self.raw_entries().count(),
        }
    }

    /// Whether no property is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn append(&mut self, name: &str, value: &str) {
        let needed = entry_length(name, value);
        if self.entries.capacity() - self.entries.len() < needed {
            // Exact for the first few properties (most entities have few),
            // then by a quarter at least: little unused capacity is left
            // behind, and copying stays linear in the total.
            self.entries.reserve_exact(needed.max(self.entries.len() / 4));
        }
        write_entry(&mut self.entries, name, value);
        match &mut self.index {
            Some(index) => {
                let hash = index.hashes.hasher().hash_one(name);
                index.hashes.insert(hash);
                index.count += 1;
            }
            None => {
                let count = self.raw_entries().count();
                if count > NAMES_COMPARED_ONE_BY_ONE {
                    let mut index = Box::new(NameIndex { hashes: HashSet::new(), count });
                    let entries = Entries { entries: &self.entries, at: 0 };
                    for (name, _) in entries {
                        let hash = index.hashes.hasher().hash_one(name);
                        index.hashes.insert(hash);
                    }
                    self.index = Some(index);
                }
            }
        }
    }

    /// Where property `name` is stored.
    fn find(&self, name: &str) -> Option<Found> {
        if let Some(index) = &self.index
            && !index.hashes.contains(&index.hashes.hasher().hash_one(name))
        {
            return None;
        }
        let mut entries = self.raw_entries();
        loop {
            let start = entries.at;
            let (found, value) = entries.next()?;
            if found == name {
                let value_start = entries.at - value.len();
                return Some(Found { entry: start..entries.at, value: value_start..entries.at });
            }
        }
    }
}

/// Where one property is stored in the buffer.
struct Found {
    entry: Range<usize>,
    value: Range<usize>,
}

/// The bytes `write_entry` adds.
fn entry_length(name: &str, value: &str) -> usize {
    decimal_digits(name.len()) + 1 + name.len() + decimal_digits(value.len()) + 1 + value.len()
}

fn decimal_digits(mut number: usize) -> usize {
    let mut digits = 1;
    while number >= 10 {
        number /= 10;
        digits += 1;
    }
    digits
}

fn write_entry(out: &mut String, name: &str, value: &str) {
    use fmt::Write as _;
    // Writing to a `String` cannot fail.
    let _ = write!(out, "{}:{name}{}:{value}", name.len(), value.len());
}

/// `text`, validated JSON when it was stored, as a borrowed [`RawValue`].
fn raw_value(text: &str) -> Option<&RawValue> {
    serde_json::from_str(text).ok()
}

/// The stored properties, one `(name, value JSON)` at a time.
pub(crate) struct Entries<'a> {
    entries: &'a str,
    at: usize,
}

impl<'a> Entries<'a> {
    /// The length-prefixed piece at the cursor, moving past it.
    fn piece(&mut self) -> Option<&'a str> {
        let rest = self.entries.get(self.at..)?;
        let colon = rest.find(':')?;
        let length: usize = rest[..colon].parse().ok()?;
        let piece = rest.get(colon + 1..colon + 1 + length)?;
        self.at += colon + 1 + length;
        Some(piece)
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let name = self.piece()?;
        let value = self.piece()?;
        Some((name, value))
    }
}

impl PartialEq for AdditionalProperties {
    /// The same names with the same JSON text, in any order.
    fn eq(&self, other: &Self) -> bool {
        fn sorted(properties: &AdditionalProperties) -> Vec<(&str, &str)> {
            let mut entries: Vec<(&str, &str)> = properties.raw_entries().collect();
            entries.sort_unstable();
            entries
        }
        sorted(self) == sorted(other)
    }
}

impl fmt::Debug for AdditionalProperties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct RawText<'a>(&'a str);
        impl fmt::Debug for RawText<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0)
            }
        }
        f.debug_map().entries(self.raw_entries().map(|(name, value)| (name, RawText(value)))).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Json {
        Json::from_text(text).unwrap()
    }

    #[test]
    fn properties_keep_their_order_and_exact_text() {
        let mut extra = AdditionalProperties::new();
        extra.insert("zeta".to_owned(), json("12345678901234.56789"));
        extra.insert("al:pha".to_owned(), json(r#"{"a": [1, 2]}"#));
        extra.insert("".to_owned(), json("null"));
        extra.insert("ünïcödé 12:3".to_owned(), json(r#""x:y""#));
        let listed: Vec<(&str, &str)> = extra.iter().map(|(name, value)| (name, value.get())).collect();
        assert_eq!(
            listed,
            [
                ("zeta", "12345678901234.56789"),
                ("al:pha", r#"{"a": [1, 2]}"#),
                ("", "null"),
                ("ünïcödé 12:3", r#""x:y""#)
            ]
        );
        assert_eq!(extra.len(), 4);
        assert_eq!(extra.get("al:pha").map(RawValue::get), Some(r#"{"a": [1, 2]}"#));
        assert_eq!(extra.get_as::<String>("ünïcödé 12:3").unwrap().unwrap(), "x:y");
        assert!(extra.get("alpha").is_none());
    }

    #[test]
    fn a_name_inserted_again_is_replaced_in_place() {
        let mut extra = AdditionalProperties::new();
        for (name, value) in [("a", "1"), ("b", "2"), ("c", "3"), ("b", r#""twenty""#)] {
            extra.insert(name.to_owned(), json(value));
        }
        let listed: Vec<(&str, &str)> = extra.raw_entries().collect();
        assert_eq!(listed, [("a", "1"), ("b", r#""twenty""#), ("c", "3")]);
        assert_eq!(extra.len(), 3);
    }

    #[test]
    fn many_properties_are_found_and_replaced_through_their_hashes() {
        let mut extra = AdditionalProperties::new();
        for n in 0..1_000 {
            extra.insert(format!("p{n}"), json(&n.to_string()));
        }
        extra.insert("p500".to_owned(), json("true"));
        extra.insert("p999".to_owned(), json("[]"));
        assert_eq!(extra.len(), 1_000);
        assert_eq!(extra.get("p500").map(RawValue::get), Some("true"));
        assert_eq!(extra.get("p999").map(RawValue::get), Some("[]"));
        assert_eq!(extra.get("p7").map(RawValue::get), Some("7"));
        assert!(extra.get("p1000").is_none());
        assert_eq!(extra.raw_entries().count(), 1_000);
    }

    #[test]
    fn equality_ignores_order_and_debug_shows_the_raw_text() {
        let mut one = AdditionalProperties::new();
        one.insert("a".to_owned(), json("1"));
        one.insert("b".to_owned(), json(r#""x""#));
        let mut other = AdditionalProperties::new();
        other.insert("b".to_owned(), json(r#""x""#));
        other.insert("a".to_owned(), json("1"));
        assert_eq!(one, other);
        other.insert("a".to_owned(), json("2"));
        assert_ne!(one, other);
        assert_eq!(format!("{one:?}"), r#"{"a": 1, "b": "x"}"#);
    }
}
