//! The mutations: structure-aware (elements, attributes, values) and byte-level.

use super::Seed;
use super::values::*;

/// xorshift64*: tiny, fast and reproducible; quality is ample for choosing mutations.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        // splitmix64 spreads small seeds over the whole state; zero is not a valid state.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A length that is usually small and sometimes large.
    pub(crate) fn length(&mut self, max: usize) -> usize {
        let limit = match self.below(4) {
            0 => 4,
            1 => 32,
            2 => 512,
            _ => max,
        };
        1 + self.below(limit.min(max).max(1))
    }
}

/// Applies one randomly chosen mutation.
pub(super) fn mutate(rng: &mut Rng, input: &mut Vec<u8>, corpus: &[Seed]) {
    if input.is_empty() {
        input.extend_from_slice(rng.pick(SNIPPETS).as_bytes());
        return;
    }
    let len = input.len();
    // Weights: byte-level damage mostly ends in the XML layer, so it gets a
    // fifth of the draws; structural and attribute changes get the rest.
    let choice = match rng.below(100) {
        n @ 0..20 => n % 6,       // 0..=5: byte level
        n @ 20..45 => 6 + n % 4,  // 6..=9: whole elements
        n @ 45..75 => 10 + n % 5, // 10..=14: attributes
        75..85 => 15,             // snippets
        85..88 => 17,             // entity references
        88..92 => 18,             // deep nesting
        92..95 => 19,             // unbalanced tags
        95..98 => 20,             // huge numbers
        _ => 21,                  // names pointing elsewhere
    };
    match choice {
        // Byte level.
        0 => input.truncate(rng.below(len)),
        1 => {
            let start = rng.below(len);
            let end = (start + rng.length(len)).min(len);
            input.drain(start..end);
        }
        2 => {
            let start = rng.below(len);
            let end = (start + rng.length(len)).min(len);
            let copy = input[start..end].to_vec();
            let at = rng.below(len + 1);
            input.splice(at..at, copy);
        }
        3 => {
            let a = rng.below(len);
            let b = rng.below(len);
            let n = rng.length(len).min(len - a.max(b));
            let (first, second) = (a.min(b), a.max(b));
            if first + n <= second {
                let (left, right) = input.split_at_mut(second);
                left[first..first + n].swap_with_slice(&mut right[..n]);
            }
        }
        4 => {
            let at = rng.below(len);
            input[at] = *rng.pick(b"<>/\"'&;=\0\xFF\x80 \n_.()x");
        }
        5 => {
            let bytes = INVALID_UTF8[rng.below(INVALID_UTF8.len())];
            insert(input, rng.below(len + 1), bytes);
        }
        // Whole elements.
        6 => {
            if let Some((start, end)) = element_from(input, rng.below(len)) {
                input.drain(start..end);
            }
        }
        7 => {
            // Duplicate an element in place: duplicate names of every kind.
            if let Some((start, end)) = element_from(input, rng.below(len)) {
                let copy = input[start..end].to_vec();
                insert(input, end, &copy);
            }
        }
        8 => {
            let a = element_from(input, rng.below(len));
            let b = element_from(input, rng.below(len));
            if let (Some(a), Some(b)) = (a, b) {
                let (first, second) = if a.0 <= b.0 { (a, b) } else { (b, a) };
                if first.1 <= second.0 {
                    let mut swapped = input[..first.0].to_vec();
                    swapped.extend_from_slice(&input[second.0..second.1]);
                    swapped.extend_from_slice(&input[first.1..second.0]);
                    swapped.extend_from_slice(&input[first.0..first.1]);
                    swapped.extend_from_slice(&input[second.1..]);
                    *input = swapped;
                }
            }
        }
        9 => {
            // Move an element from another document (or this one) to an element boundary.
            let donor = &rng.pick(corpus).bytes;
            if let Some((start, end)) = element_from(donor, rng.below(donor.len().max(1))) {
                let piece = donor[start..end].to_vec();
                let at = boundary_from(input, rng.below(len));
                insert(input, at, &piece);
            }
        }
        // Attributes.
        10 | 11 => {
            if let Some((_, value_start, value_end)) = attribute_from(input, rng.below(len)) {
                let value = odd_value(rng, input);
                input.splice(value_start..value_end, value);
            }
        }
        12 => {
            if let Some((name_start, value_start, _)) = attribute_from(input, rng.below(len)) {
                let name = rng.pick(ATTRIBUTE_NAMES).as_bytes().to_vec();
                input.splice(name_start..value_start - 2, name);
            }
        }
        13 => {
            // Remove an attribute, usually a required one.
            if let Some((name_start, _, value_end)) = attribute_from(input, rng.below(len)) {
                input.drain(name_start.saturating_sub(1)..(value_end + 1).min(input.len()));
            }
        }
        14 => {
            if let Some((name_start, value_start, value_end)) = attribute_from(input, rng.below(len))
                && input[name_start..value_start].starts_with(b"Name")
            {
                input.drain(value_start..value_end);
            }
        }
        // Insertions.
        15 => {
            let at = boundary_from(input, rng.below(len));
            insert(input, at, rng.pick(SNIPPETS).as_bytes());
        }
        17 => insert(input, rng.below(len + 1), rng.pick(ENTITY_REFERENCES).as_bytes()),
        18 => {
            // Nest deeply: around the reader's limit, or far beyond it.
            let depth = match rng.below(4) {
                0 => 90 + rng.below(20),
                1 => 1 + rng.below(50),
                2 => 1000,
                _ => 20_000,
            };
            let (open, close) = *rng.pick(WRAPPERS);
            let (start, end) = element_from(input, rng.below(len)).unwrap_or((len, len));
            let mut wrapped = input[..start].to_vec();
            for _ in 0..depth {
                wrapped.extend_from_slice(open.as_bytes());
            }
            wrapped.extend_from_slice(&input[start..end]);
            for _ in 0..depth {
                wrapped.extend_from_slice(close.as_bytes());
            }
            wrapped.extend_from_slice(&input[end..]);
            *input = wrapped;
        }
        19 => {
            // Unbalanced tags: drop or rename a closing tag, or add a stray one.
            let from = rng.below(len);
            match find(input, b"</", from) {
                Some(at) if rng.below(2) == 0 => {
                    let end = find(input, b">", at).map_or(input.len(), |e| e + 1);
                    input.drain(at..end);
                }
                Some(at) => insert(input, at + 2, b"x"),
                None => input.extend_from_slice(b"</Schema>"),
            }
        }
        20 => {
            // Huge numbers where there are digits.
            let from = rng.below(len);
            if let Some(start) = input[from..].iter().position(u8::is_ascii_digit).map(|p| p + from) {
                let end = input[start..].iter().position(|b| !b.is_ascii_digit()).map_or(input.len(), |p| p + start);
                input.splice(start..end, rng.pick(HUGE_NUMBERS).bytes());
            }
        }
        _ => {
            // Point one name at another: take an attribute value from elsewhere.
            let from = attribute_from(input, rng.below(len)).map(|(_, s, e)| input[s..e].to_vec());
            if let (Some(value), Some((_, start, end))) = (from, attribute_from(input, rng.below(len))) {
                input.splice(start..end, value);
            }
        }
    }
}

fn odd_value(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    match rng.below(8) {
        0 => "x".repeat(rng.length(20_000)).into_bytes(),
        1 => {
            let from = attribute_from(input, rng.below(input.len().max(1))).map(|(_, s, e)| input[s..e].to_vec());
            from.unwrap_or_default()
        }
        _ => rng.pick(ODD_VALUES).as_bytes().to_vec(),
    }
}

fn insert(input: &mut Vec<u8>, at: usize, bytes: &[u8]) {
    let at = at.min(input.len());
    input.splice(at..at, bytes.iter().copied());
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let from = from.min(haystack.len());
    haystack[from..].windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// The position after the next `>` at or after `from` (the end when there is none).
fn boundary_from(input: &[u8], from: usize) -> usize {
    find(input, b">", from).map_or(input.len(), |p| p + 1)
}

/// The next attribute at or after `from`: (name start, value start, value end),
/// for `name="value"`; the value excludes the quotes.
fn attribute_from(input: &[u8], from: usize) -> Option<(usize, usize, usize)> {
    let eq = find(input, b"=\"", from)?;
    let value_start = eq + 2;
    let value_end = find(input, b"\"", value_start)?;
    let name_start = input[..eq].iter().rposition(|b| b.is_ascii_whitespace() || *b == b'<').map_or(0, |p| p + 1);
    (name_start < eq).then_some((name_start, value_start, value_end))
}

/// The byte span of the next element that starts at or after `from`, found by
/// a light tag scanner: quotes inside tags are honoured, comments, processing
/// instructions and CDATA are skipped. On broken input it may return nonsense
/// spans, which is fine for a mutator as long as they are in bounds.
fn element_from(input: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut at = from.min(input.len());
    let start = loop {
        let open = at + input.get(at..)?.iter().position(|&b| b == b'<')?;
        let next = input.get(open + 1).copied().unwrap_or(b' ');
        if next.is_ascii_alphabetic() || next == b'_' {
            break open;
        }
        at = open + 1;
    };
    let mut depth = 0usize;
    let mut at = start;
    while at < input.len() {
        let Some(offset) = input[at..].iter().position(|&b| b == b'<') else { break };
        let open = at + offset;
        let rest = &input[open..];
        if rest.starts_with(b"<!--") {
            at = find(input, b"-->", open).map_or(input.len(), |p| p + 3);
            continue;
        }
        if rest.starts_with(b"<![CDATA[") {
            at = find(input, b"]]>", open).map_or(input.len(), |p| p + 3);
            continue;
        }
        if rest.starts_with(b"<?") || rest.starts_with(b"<!") {
            at = boundary_from(input, open);
            continue;
        }
        let end = tag_end(input, open)?;
        if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return Some((start, end));
            }
        } else if input[end - 2] != b'/' {
            depth += 1;
        } else if depth == 0 {
            return Some((start, end));
        }
        at = end;
    }
    None
}

/// The position after the `>` that ends the tag opened at `open`, skipping quoted values.
fn tag_end(input: &[u8], open: usize) -> Option<usize> {
    let mut quote = None;
    for (i, &b) in input.iter().enumerate().skip(open + 1) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rng_is_reproducible() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let first: Vec<u64> = (0..5).map(|_| a.next()).collect();
        assert_eq!(first, (0..5).map(|_| b.next()).collect::<Vec<_>>());
        assert_ne!(Rng::new(8).next(), first[0]);
    }

    #[test]
    fn element_spans_follow_nesting_and_quotes() {
        let doc = b"<a x='>'><b/><c>t<!-- <d> --></c></a>";
        assert_eq!(element_from(doc, 0), Some((0, doc.len())));
        assert_eq!(element_from(doc, 1), Some((9, 13)));
        assert_eq!(element_from(doc, 10), Some((13, 33)));
        assert_eq!(element_from(b"<a><b>", 0), None);
    }

    #[test]
    fn attributes_are_found_with_their_names() {
        let doc = b"<Property Name=\"id\" Type=\"Edm.Int32\"/>";
        assert_eq!(attribute_from(doc, 0), Some((10, 16, 18)));
        assert_eq!(attribute_from(doc, 19), Some((20, 26, 35)));
    }

    #[test]
    fn mutations_stay_in_bounds() {
        let corpus = vec![Seed { name: "s".into(), bytes: b"<a Name=\"1\"><b/>x</a>".to_vec() }];
        let mut rng = Rng::new(1);
        for _ in 0..5_000 {
            let mut input = corpus[0].bytes.clone();
            for _ in 0..3 {
                mutate(&mut rng, &mut input, &corpus);
            }
        }
    }
}
