//! Mutations of JSON answers: values and keys replaced by odd ones, pieces
//! duplicated, spliced in from other seeds, nested deeply, cut, and
//! byte-level damage.

use super::seeds::{KEYS, ODD_VALUES};
use crate::fuzz::Rng;

/// Applies one randomly chosen mutation.
pub(super) fn mutate(rng: &mut Rng, input: &mut Vec<u8>, donors: &[String]) {
    if input.is_empty() {
        input.extend_from_slice(rng.pick(ODD_VALUES).as_bytes());
        return;
    }
    match rng.below(100) {
        0..30 => replace_value(rng, input),
        30..42 => replace_key(rng, input),
        42..52 => duplicate_member(rng, input),
        52..60 => splice(rng, input, donors),
        60..64 => nest(rng, input),
        64..70 => input.truncate(rng.below(input.len())),
        70..78 => {
            let at = rng.below(input.len());
            input[at] = *rng.pick(b"{}[],:\"\\0123456789-.eE \x00\xff\xc3");
        }
        78..84 => {
            let (start, len) = range(rng, input.len());
            input.drain(start..start + len);
        }
        84..90 => {
            let (start, len) = range(rng, input.len());
            let copy = input[start..start + len].to_vec();
            let at = rng.below(input.len() + 1);
            input.splice(at..at, copy);
        }
        90..95 => {
            let at = rng.below(input.len() + 1);
            let huge = "9".repeat(rng.length(4096));
            input.splice(at..at, huge.into_bytes());
        }
        _ => {
            let at = rng.below(input.len() + 1);
            input.splice(at..at, rng.pick(&["\\u", "\"", "\\", "\u{feff}", "\u{2028}", "\r\n"]).bytes());
        }
    }
}

fn range(rng: &mut Rng, len: usize) -> (usize, usize) {
    let start = rng.below(len);
    (start, rng.length(len - start).min(len - start))
}

/// Byte offsets just after `:` (where a value starts) or `[`/`,` inside arrays.
fn value_starts(input: &[u8]) -> Vec<usize> {
    let mut in_string = false;
    let mut escaped = false;
    let mut starts = Vec::new();
    for (at, &byte) in input.iter().enumerate() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b':' | b'[' | b',' => starts.push(at + 1),
            _ => {}
        }
    }
    starts
}

/// The end of the JSON value starting at `start` (a scalar or a string;
/// containers are matched by depth).
fn value_end(input: &[u8], start: usize) -> usize {
    let mut at = start;
    while at < input.len() && input[at].is_ascii_whitespace() {
        at += 1;
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    while at < input.len() {
        let byte = input[at];
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => {
                    in_string = false;
                    if depth == 0 {
                        return at + 1;
                    }
                }
                _ => {}
            }
        } else {
            match byte {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth == 0 => return at,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return at + 1;
                    }
                }
                b',' if depth == 0 => return at,
                _ => {}
            }
        }
        at += 1;
    }
    at
}

fn replace_value(rng: &mut Rng, input: &mut Vec<u8>) {
    let starts = value_starts(input);
    if starts.is_empty() {
        return;
    }
    let start = *rng.pick(&starts);
    let end = value_end(input, start);
    input.splice(start..end, rng.pick(ODD_VALUES).bytes());
}

fn replace_key(rng: &mut Rng, input: &mut Vec<u8>) {
    let starts: Vec<usize> = value_starts(input).into_iter().filter(|&at| input[at - 1] == b':').collect();
    if starts.is_empty() {
        return;
    }
    let colon = *rng.pick(&starts) - 1;
    // The key is the string just before the colon.
    let Some(close) = input[..colon].iter().rposition(|&b| b == b'"') else { return };
    let Some(open) = input[..close].iter().rposition(|&b| b == b'"') else { return };
    input.splice(open + 1..close, rng.pick(KEYS).bytes());
}

fn duplicate_member(rng: &mut Rng, input: &mut Vec<u8>) {
    let starts: Vec<usize> = value_starts(input).into_iter().filter(|&at| input[at - 1] == b':').collect();
    if starts.is_empty() {
        return;
    }
    let value_start = *rng.pick(&starts);
    let end = value_end(input, value_start);
    let Some(key_open) = input[..value_start - 1].iter().rposition(|&b| b == b',' || b == b'{') else { return };
    let member = input[key_open + 1..end].to_vec();
    let mut copy = member;
    copy.push(b',');
    input.splice(key_open + 1..key_open + 1, copy);
}

fn splice(rng: &mut Rng, input: &mut Vec<u8>, donors: &[String]) {
    let donor = rng.pick(donors).as_bytes();
    let donor_starts = value_starts(donor);
    let starts = value_starts(input);
    if donor_starts.is_empty() || starts.is_empty() {
        return;
    }
    let from = *rng.pick(&donor_starts);
    let piece = donor[from..value_end(donor, from)].to_vec();
    let start = *rng.pick(&starts);
    let end = value_end(input, start);
    input.splice(start..end, piece);
}

/// Wraps a value in many arrays or objects (parsers must refuse, not overflow).
fn nest(rng: &mut Rng, input: &mut Vec<u8>) {
    let starts = value_starts(input);
    if starts.is_empty() {
        return;
    }
    let start = *rng.pick(&starts);
    let end = value_end(input, start);
    let depth = rng.length(4000);
    let (open, close): (&[u8], &[u8]) = if rng.below(2) == 0 { (b"[", b"]") } else { (b"{\"value\":", b"}") };
    let mut wrapped = open.repeat(depth);
    wrapped.extend_from_slice(&input[start..end]);
    wrapped.extend_from_slice(&close.repeat(depth));
    input.splice(start..end, wrapped);
}
