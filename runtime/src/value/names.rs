//! Field names made `&'static` for serde.
//!
//! serde's `serialize_struct` takes `&'static str` field names, and a struct
//! is what formats without maps need (the csv crate writes a struct's field
//! names as its header row). The names of unknown properties and of stream
//! annotations are only known at run time, so they are interned: each
//! distinct name is leaked once and reused for every later entity. What
//! the process keeps that way is capped, so a service that sends a new name
//! in every entity cannot make it grow without bound; past the cap,
//! serializing a new name is an error that says so.

use std::collections::HashSet;
use std::sync::{LazyLock, RwLock};

/// At most this many distinct names are interned per process.
pub const MAX_INTERNED_NAMES: usize = 10_000;
/// And at most this many bytes of names in all (1 MiB).
pub const MAX_INTERNED_BYTES: usize = 1 << 20;

/// The characters of a refused name that its error message quotes.
const QUOTED_NAME_CHARS: usize = 40;

static NAMES: LazyLock<Interner> = LazyLock::new(|| Interner::new(MAX_INTERNED_NAMES, MAX_INTERNED_BYTES));

/// `name` as a `&'static str`, or an error message once the process-wide
/// cap is reached.
pub fn intern(name: &str) -> Result<&'static str, String> {
    NAMES.intern(name)
}

struct Interner {
    max_names: usize,
    max_bytes: usize,
    interned: RwLock<Interned>,
}

#[derive(Default)]
struct Interned {
    names: HashSet<&'static str>,
    bytes: usize,
}

impl Interner {
    fn new(max_names: usize, max_bytes: usize) -> Interner {
        Interner { max_names, max_bytes, interned: RwLock::default() }
    }

    fn intern(&self, name: &str) -> Result<&'static str, String> {
        // The set is only changed by the `insert` below, which cannot leave
        // it half-updated, so a lock poisoned by a panic elsewhere is used
        // as it is.
        if let Some(&found) = self.interned.read().unwrap_or_else(|e| e.into_inner()).names.get(name) {
            return Ok(found);
        }
        let mut interned = self.interned.write().unwrap_or_else(|e| e.into_inner());
        if let Some(&found) = interned.names.get(name) {
            return Ok(found);
        }
        if interned.names.len() >= self.max_names || interned.bytes + name.len() > self.max_bytes {
            let quoted: String = name.chars().take(QUOTED_NAME_CHARS).collect();
            let cut = if quoted.len() < name.len() { "…" } else { "" };
            return Err(format!(
                "cannot serialize the property `{quoted}{cut}`: this process has already serialized {} distinct \
                 names of unknown properties ({} bytes), the most it keeps; remove the unknown properties you do \
                 not need from `additional_properties` first",
                interned.names.len(),
                interned.bytes
            ));
        }
        let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
        interned.names.insert(leaked);
        interned.bytes += leaked.len();
        Ok(leaked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_interned_once() {
        let first = intern("contosoRegion").unwrap();
        let second = intern(&String::from("contosoRegion")).unwrap();
        assert!(std::ptr::eq(first, second));
        assert_eq!(first, "contosoRegion");
    }

    #[test]
    fn the_caps_are_an_error_not_growth() {
        let by_count = Interner::new(3, 1000);
        for name in ["a", "b", "c", "a", "b"] {
            by_count.intern(name).unwrap();
        }
        let message = by_count.intern("d").unwrap_err();
        assert!(message.contains("`d`") && message.contains("3 distinct names"), "{message}");
        assert_eq!(by_count.interned.read().unwrap().names.len(), 3);

        let by_size = Interner::new(100, 10);
        by_size.intern("12345").unwrap();
        let long = "x".repeat(60);
        let message = by_size.intern(&long).unwrap_err();
        assert!(message.contains(&format!("`{}…`", "x".repeat(40))), "{message}");
        assert_eq!(by_size.interned.read().unwrap().bytes, 5);
        assert!(by_size.intern("12345").is_ok(), "names kept are still found");
    }
}
