//! No value can escape its literal: thousands of adversarial strings (quotes,
//! `&`, `%`, `#`, `+`, `=`, `;`, brackets, control characters, unicode) are
//! put through the typed builders — as `$filter` literals, inside
//! `contains(…)`, and as string key predicates in the path — and the wire URL
//! is parsed back by odatapy's URI parser (the code its server runs, which
//! nobody on this project wrote). Every value must come back unchanged.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use business_central_sdk::Environment;
use business_central_sdk::api::v2_0::{self, customer};
use business_central_sdk::runtime::uuid::Uuid;
use business_central_sdk::runtime::{Client, ServiceProfile};
use sdk_tests::peer::repository_path;
use sdk_tests::python_env;

const CASES: usize = 2000;
const ROOT: &str = "http://127.0.0.1:9/api/v2.0/";

/// Characters that break naive literal handling, weighted towards trouble.
const NASTY: &[&str] = &[
    "'", "''", "'''", "\"", "&", "&amp;", "%", "%27", "%25", "%2B", "#", "+", "=", "?", "/", "\\", "(", ")", ",", ";",
    "$", "@", ":", "*", "!", "~", "[", "]", "{", "}", "|", "^", "`", "<", ">", " ", "  ", "\t", "\n", "\r", "\u{1}",
    "\u{1f}", "\u{7f}", "é", "ü", "ß", "Ø", "日本", "😀", "\u{301}", "\u{200b}", "\u{202e}", "eq", " and ", " or ",
    "null", "true",
];

/// A small deterministic generator (xorshift), so a failing case can be replayed.
struct Cases(u64);

impl Cases {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn string(&mut self) -> String {
        let pieces = self.next() % 12;
        let mut text = String::new();
        for _ in 0..pieces {
            match self.next() % 4 {
                0 => text.push_str(NASTY[(self.next() % NASTY.len() as u64) as usize]),
                1 => text.push(char::from_u32((self.next() % 0x2ff) as u32).filter(|c| *c != '\0').unwrap_or('x')),
                2 => text.push_str(&format!("word{}", self.next() % 100)),
                _ => text.push(char::from(b'a' + (self.next() % 26) as u8)),
            }
        }
        text
    }
}

/// The path and raw query of a request URL under the API root.
fn split(url: &str) -> (String, String) {
    let rest = url.strip_prefix(ROOT).expect("a URL under the API root");
    match rest.split_once('?') {
        Some((path, query)) => (path.to_owned(), query.to_owned()),
        None => (rest.to_owned(), String::new()),
    }
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialize")
}

#[test]
fn rendered_literals_parse_back_to_the_same_value() {
    let python = python_env::ensure_environment().expect("the peer's Python environment");
    let client = Client::builder(Environment::custom("http://127.0.0.1:9/"))
        .profile(ServiceProfile::strict_odata())
        .build()
        .expect("client");
    let api = v2_0::Api::new(&client);
    let company = api.company(Uuid::from_u128(1));

    let mut generator = Cases(0x5eed_1234_abcd_0001);
    let mut values: Vec<String> = (0..CASES).map(|_| generator.string()).collect();
    values.extend(NASTY.iter().map(|s| (*s).to_owned()));
    values.push(String::new());

    // Each value three ways: eq in $filter, contains(...) in $filter, and a string key in the path.
    let mut requests = Vec::with_capacity(values.len() * 3);
    for value in &values {
        requests.push(split(&company.customers().list().filter(customer::display_name().eq(value.as_str())).url()));
        requests
            .push(split(&company.customers().list().filter(customer::display_name().contains(value.as_str())).url()));
        requests.push(split(&api.subscription(value.as_str()).url()));
    }

    let mut parser = Command::new(python)
        .arg(repository_path("tests/peer/parse_literals.py"))
        .arg(repository_path("sdk/schemas/api/v2.0/metadata.xml"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the parser starts");
    let mut input = parser.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        for (path, query) in requests {
            writeln!(input, "{{\"path\":{},\"query\":{}}}", json_string(&path), json_string(&query))
                .expect("parser input");
        }
    });
    let answers: Vec<serde_json::Value> = BufReader::new(parser.stdout.take().expect("stdout"))
        .lines()
        .map(|line| serde_json::from_str(&line.expect("a line")).expect("JSON from the parser"))
        .collect();
    writer.join().expect("input written");
    assert!(parser.wait().expect("the parser exits").success());
    assert_eq!(answers.len(), values.len() * 3, "one answer per request");

    let mut mismatches = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let expected = serde_json::Value::String(value.clone());
        let [eq, contains, key] = [&answers[3 * i], &answers[3 * i + 1], &answers[3 * i + 2]];
        if eq.get("filter") != Some(&expected) {
            mismatches.push(format!("eq {value:?}: {eq}"));
        }
        if contains.get("filter") != Some(&expected) {
            mismatches.push(format!("contains {value:?}: {contains}"));
        }
        if key.pointer("/key/subscriptionId") != Some(&expected) {
            mismatches.push(format!("key {value:?}: {key}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} values did not survive:\n{}",
        mismatches.len(),
        values.len(),
        mismatches.join("\n")
    );
    assert!(values.len() >= 1000);
}
