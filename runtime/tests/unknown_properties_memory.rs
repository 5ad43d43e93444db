//! Unknown properties are kept so that they round-trip, but at a bounded
//! cost: the heap they hold once decoded is a small multiple of their size
//! on the wire (a page of them once took 26 times its size). Measured with
//! a counting allocator, so this file holds one test: another running at
//! the same time would count too.

use odata_v4_runtime::Page;

#[path = "support/unknown_rows.rs"]
mod unknown_rows;
use unknown_rows::{Kept, Skipped};

#[path = "support/counting_heap.rs"]
mod heap;

#[global_allocator]
static ALLOCATOR: heap::Counting = heap::Counting;

/// A page of `rows` rows, each with `members`; and the wire bytes of all
/// the members.
fn page(members: &str, rows: usize) -> (Vec<u8>, usize) {
    let mut out = String::from(r#"{"value":["#);
    for number in 0..rows {
        if number > 0 {
            out.push(',');
        }
        out.push_str(&format!(r#"{{"entryNumber":{number},{members}}}"#));
    }
    out.push_str("]}");
    (out.into_bytes(), rows * (members.len() + 1))
}

/// Bytes the decoded page holds.
fn held_after<T>(decode: impl FnOnce() -> T) -> (T, isize) {
    let before = heap::live();
    let value = decode();
    (value, heap::live() as isize - before as isize)
}

#[test]
fn unknown_properties_cost_a_small_multiple_of_their_wire_size() {
    // From the cheapest per byte (many members per row) to the dearest (one
    // short member per row, where the per-row buffer dominates).
    for (members, limit) in [
        (r#""contosoRegion":"EU""#, 4.0),
        (r#""contosoRegion":"EU","contosoPriority":3,"contosoApproved":true"#, 2.5),
        (
            concat!(
                r#""contosoRegion":"EU","contosoPriority":3,"contosoApproved":true,"#,
                r#""contosoCostCenter":"CC-1001","contosoProject":"PRJ-2025-017","contosoWeight":12.345,"#,
                r#""contosoReviewer":"j.doe","contosoBatch":771,"contosoFlags":[1,2,3],"#,
                r#""contosoAddress":{"street":"1 Main St","city":"Springfield","zip":"12345"}"#
            ),
            2.0,
        ),
    ] {
        let (body, wire) = page(members, 20_000);
        let (kept, kept_bytes) = held_after(|| serde_json::from_slice::<Page<Kept>>(&body).expect("page decodes"));
        let (skipped, skipped_bytes) =
            held_after(|| serde_json::from_slice::<Page<Skipped>>(&body).expect("page decodes"));
        assert_eq!((kept.items.len(), skipped.items.len()), (20_000, 20_000));
        let ratio = (kept_bytes - skipped_bytes) as f64 / wire as f64;
        assert!(ratio <= limit, "{members}: kept at {ratio:.1}× their wire size (at most {limit}×)");
        eprintln!("{:>3} byte(s) of unknown members per row: {ratio:.2}× their wire size", members.len());
    }
}
