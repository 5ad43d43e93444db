//! The fake's data: one table per entity type, rows in insertion order,
//! each with the company it belongs to, the row it was created under (for
//! containment that no property expresses) and its version.

use std::collections::BTreeMap;

use base64::Engine as _;
use odata_v4_runtime::chrono::{DateTime, Duration, FixedOffset, Utc};
use odata_v4_runtime::uuid::Uuid;

use crate::json::JsonObject;

/// A row's position in its table; never reused.
pub(crate) type Seq = u64;

#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub seq: Seq,
    pub company: Option<Uuid>,
    /// The row this one was created under, when no property links them.
    pub parent: Option<(String, Seq)>,
    pub values: JsonObject,
    /// Bumped on every write; the ETag is derived from it.
    pub version: u64,
}

impl Row {
    /// The ETag Business Central would send: `W/"<base64>"`, opaque and
    /// different after every write.
    pub(crate) fn etag(&self) -> String {
        let inner = format!("'20;{:020};00;'", self.version);
        format!("W/\"{}\"", base64::engine::general_purpose::STANDARD.encode(inner))
    }
}

/// Every table of one route, plus the counters that make ids, versions
/// and timestamps unique.
#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    tables: BTreeMap<String, BTreeMap<Seq, Row>>,
    next_seq: Seq,
    next_version: u64,
    last_write: Option<DateTime<FixedOffset>>,
}

impl Store {
    pub(crate) fn rows(&self, type_name: &str) -> impl Iterator<Item = &Row> {
        self.tables.get(type_name).into_iter().flat_map(|t| t.values())
    }

    pub(crate) fn row(&self, type_name: &str, seq: Seq) -> Option<&Row> {
        self.tables.get(type_name)?.get(&seq)
    }

    pub(crate) fn row_mut(&mut self, type_name: &str, seq: Seq) -> Option<&mut Row> {
        self.tables.get_mut(type_name)?.get_mut(&seq)
    }

    /// Adds a row and returns its position.
    pub(crate) fn insert(
        &mut self,
        type_name: &str,
        company: Option<Uuid>,
        parent: Option<(String, Seq)>,
        values: JsonObject,
    ) -> Seq {
        self.next_seq += 1;
        let seq = self.next_seq;
        let version = self.new_version();
        let row = Row { seq, company, parent, values, version };
        self.tables.entry(type_name.to_owned()).or_default().insert(seq, row);
        seq
    }

    pub(crate) fn remove(&mut self, type_name: &str, seq: Seq) -> Option<Row> {
        self.tables.get_mut(type_name)?.remove(&seq)
    }

    /// Gives a row a new version (and so a new ETag).
    pub(crate) fn touch(&mut self, type_name: &str, seq: Seq) {
        let version = self.new_version();
        if let Some(row) = self.row_mut(type_name, seq) {
            row.version = version;
        }
    }

    fn new_version(&mut self) -> u64 {
        self.next_version += 1;
        // Large and irregular, like SQL row versions.
        self.next_version * 7919 + 1_000_000
    }

    /// A timestamp for a write: now, and always later than the last one,
    /// so that `lastModifiedDateTime gt <watermark>` sees every change.
    pub(crate) fn write_time(&mut self) -> DateTime<FixedOffset> {
        let now = Utc::now().fixed_offset();
        let at = match self.last_write {
            Some(last) if now <= last => last + Duration::milliseconds(1),
            _ => now,
        };
        self.last_write = Some(at);
        at
    }

    /// Every row of every table (for counting and inspection).
    pub(crate) fn tables(&self) -> impl Iterator<Item = (&str, usize)> {
        self.tables.iter().map(|(name, rows)| (name.as_str(), rows.len()))
    }
}

/// Deterministic GUIDs: the same test gets the same ids on every run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ids {
    counter: u64,
}

impl Ids {
    /// A version-4-shaped GUID from a counter mixed with splitmix64.
    pub(crate) fn next(&mut self) -> Uuid {
        self.counter += 1;
        let high = mix(self.counter);
        let low = mix(self.counter ^ 0x5851_f42d_4c95_7f2d);
        let bits = (u128::from(high) << 64 | u128::from(low)) & !(0xf000u128 << 64) & !(0xc000u128 << 48);
        Uuid::from_u128(bits | (0x4000u128 << 64) | (0x8000u128 << 48))
    }
}

fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_write_gives_a_new_etag_and_a_later_time() {
        let mut store = Store::default();
        let seq = store.insert("T", None, None, JsonObject::new());
        let first = store.row("T", seq).unwrap().etag();
        store.touch("T", seq);
        assert_ne!(store.row("T", seq).unwrap().etag(), first);
        assert!(first.starts_with("W/\"") && first.ends_with('"'));
        let (a, b) = (store.write_time(), store.write_time());
        assert!(b > a);
    }

    #[test]
    fn ids_are_deterministic_version_4_guids() {
        let (mut a, mut b) = (Ids::default(), Ids::default());
        let first = a.next();
        assert_eq!(first, b.next());
        assert_ne!(first, a.next());
        assert_eq!(first.get_version_num(), 4);
    }
}
