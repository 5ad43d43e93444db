//! Shared by the webhook benchmark and the receiver's memory test.

// One counting allocator for the workspace's memory benchmarks and tests.
#[path = "../../../runtime/tests/support/counting_heap.rs"]
pub mod peak_heap;

/// Bodies of at most `size` bytes that Business Central never sends, none
/// of them carrying an accepted client state, each aimed at a way a JSON
/// parser can be made to allocate in proportion to its input.
pub fn hostile_notification_bodies(size: usize) -> Vec<(&'static str, Vec<u8>)> {
    let repeated = |head: &str, unit: &str, separator: &str, tail: &str| {
        let room = size.saturating_sub(head.len() + tail.len());
        let count = room / (unit.len() + separator.len()).max(1);
        let mut body = String::with_capacity(size);
        body.push_str(head);
        body.push_str(&vec![unit; count].join(separator));
        body.push_str(tail);
        body.into_bytes()
    };
    let guessed = r#"{"subscriptionId":"x","clientState":"guess","resource":"api/v2.0/companies(1)/customers(2)","changeType":"updated"}"#;
    let longest_guess = format!(r#"{{"clientState":"{}"}}"#, "A".repeat(6 * 2048));
    let depth = size.saturating_sub(32) / 2;
    vec![
        ("empty notifications {}", repeated(r#"{"value":["#, "{}", ",", "]}")),
        ("notifications with a guessed client state", repeated(r#"{"value":["#, guessed, ",", "]}")),
        ("guessed client states of the longest length", repeated(r#"{"value":["#, &longest_guess, ",", "]}")),
        (
            "one escaped string value",
            repeated(r#"{"value":[{"clientState":"guess","resource":""#, r"\u0041", "", r#""}]}"#),
        ),
        ("one long client state", repeated(r#"{"value":[{"clientState":""#, "A", "", r#""}]}"#)),
        ("one long escaped key", repeated(r#"{"value":[],""#, r"\u0041", "", r#"":1}"#)),
        ("deep nesting", format!(r#"{{"value":[],"x":{}{}}}"#, "[".repeat(depth), "]".repeat(depth)).into_bytes()),
    ]
}
