//! Seed answers, shaped like Business Central's, and the odd values and
//! keys the mutations put into them.

/// The client's origin: every URL the fuzzer's transport is asked for must
/// be on it.
pub(super) const ORIGIN: &str = "https://bc.example";

/// What a seed is the answer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    /// A page of entries (`{"value": […], "@odata.nextLink": …}`).
    Page,
    /// One entry.
    Entity,
    /// An error answer (4xx, 5xx).
    ErrorBody,
    /// A JSON `$batch` answer.
    Batch,
    /// A webhook notification call, fed to the SDK's receiver.
    Notifications,
}

pub(super) const TARGETS: [Target; 5] =
    [Target::Page, Target::Entity, Target::ErrorBody, Target::Batch, Target::Notifications];

/// The client state the fuzzed webhook receiver accepts.
pub(super) const CLIENT_STATE: &str = "fuzz-secret";

const ENTRY: &str = r##"{"@odata.etag":"W/\"JzE5OzEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI7MDA7Jw==\"","id":"2b7e1516-28ae-d2a6-abf7-158809cf4f3c","number":1234,"count":7,"amount":12345678901234.56789,"postingDate":"2025-02-17","modified":"2024-05-08T15:37:35.593Z","startsAt":"09:45:00.1234567","leadTime":"P1DT2H30M15.5S","blocked":false,"kind":"Credit_x0020_Memo","name":"Café \"Zürich\" \u00e9 \ud83d\ude00","data":"iVBORw0KGgo","picture@odata.mediaReadLink":"https://bc.example/api/v2.0/entries(2b7e1516-28ae-d2a6-abf7-158809cf4f3c)/picture/pictureContent","picture@odata.mediaEditLink":"entries(1)/picture","picture@odata.mediaEtag":"W/\"1\"","lines":[{"quantity":3,"description":"Bicycle"},{"quantity":-0.5,"description":null,"lineExtra":{"a":[1,2.5e3]}}],"parent":{"id":"00000000-0000-0000-0000-000000000001","amount":"1000.00","kind":"Invoice"},"extensionField":1000.000,"@odata.type":"#Fuzz.entry"}"##;

const ENTRY_MINIMAL: &str = r#"{"id":"00000000-0000-0000-0000-000000000000","amount":0,"postingDate":"0001-01-01","modified":"0001-01-01T00:00:00Z","kind":"_x0020_","lines":null}"#;

/// Seed answers for `target`.
pub(super) fn seeds(target: Target) -> Vec<String> {
    match target {
        Target::Page => vec![
            format!(
                r#"{{"@odata.context":"{ORIGIN}/api/v2.0/$metadata#entries","value":[{ENTRY},{ENTRY_MINIMAL}],"@odata.nextLink":"{ORIGIN}/api/v2.0/entries?$skiptoken=2","@odata.count":4}}"#
            ),
            format!(r#"{{"@odata.context":"{ORIGIN}/api/v2.0/$metadata#entries","value":[{ENTRY_MINIMAL}],"@odata.nextLink":"entries?$skiptoken='O''Brien'"}}"#),
            format!(r#"{{"@count":1,"value":[{ENTRY}],"@nextLink":"?$skiptoken=9"}}"#),
            r#"{"value":[]}"#.to_owned(),
        ],
        Target::Entity => vec![ENTRY.to_owned(), ENTRY_MINIMAL.to_owned()],
        Target::ErrorBody => vec![
            r#"{"error":{"code":"Request_EntityChanged","message":"Another user has already changed the record.  CorrelationId:  1e1f27a7-d4cb-4b5e-93a8-1f1b0cbd29e2."}}"#.to_owned(),
            r#"{"error":{"code":"Application_DialogException","message":"The field Name of table Customer contains a value (ABC) that cannot be found in the related table. CorrelationId: 1E1F27A7D4CB4B5E93A81F1B0CBD29E2"}}"#.to_owned(),
            r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","correlation_id":"1e1f27a7-d4cb-4b5e-93a8-1f1b0cbd29e2"}"#.to_owned(),
            "<html>\n<head><title>502 Bad Gateway</title></head>\n<body><h1>502 Bad Gateway</h1></body></html>".to_owned(),
            r#"{"error":{"code":"Internal_ServerError","message":"#.to_owned(),
            String::new(),
        ],
        Target::Notifications => notification_seeds(),
        Target::Batch => vec![format!(
            r#"{{"responses":[{{"id":"1","status":200,"headers":{{"content-type":"application/json; odata.metadata=minimal"}},"body":{ENTRY}}},{{"id":"2","status":409,"headers":{{"content-type":"application/json"}},"body":{{"error":{{"code":"Request_EntityChanged","message":"Changed. CorrelationId: 1e1f27a7-d4cb-4b5e-93a8-1f1b0cbd29e2."}}}}}},{{"id":"3","status":200,"headers":{{"content-type":"image/png"}},"body":"iVBORw0KGgoAAAANSUhEUg=="}},{{"id":"4","status":204,"headers":{{"etag":"W/\"2\""}}}}]}}"#
        )],
    }
}

/// Notification calls as Business Central makes them (its documentation's
/// example, with one foreign client state), the largest one (1,000
/// notifications) and one past it, with a byte order mark, and empty.
fn notification_seeds() -> Vec<String> {
    let documented = format!(
        r#"{{"value":[{{"subscriptionId":"webhookItemsId","clientState":"{CLIENT_STATE}","expirationDateTime":"2018-10-29T07:52:31Z","resource":"api/v2.0/companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/items(26814998-936a-401c-81c1-0e848a64971d)","changeType":"updated","lastModifiedDateTime":"2018-10-26T12:54:20.467Z"}},{{"subscriptionId":"other","clientState":"someClientState","resource":"api/v2.0/companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/customers(4b4f31f0-dc1c-4033-b2aa-ab03ca1d6ebc)","changeType":"deleted"}},{{"subscriptionId":"salesInvoice","clientState":"{CLIENT_STATE}","expirationDateTime":"2018-10-20T10:55:01Z","resource":"/api/v2.0/companies(7dbba574-5f69-4167-a43e-fb975045de15)/salesInvoices?$filter=lastDateTimeModified%20gt%202018-10-15T11:00:00Z","changeType":"collection","lastModifiedDateTime":"2018-10-26T12:54:30.503Z"}}]}}"#
    );
    let calls = |count: usize| {
        let item = format!(r#"{{"subscriptionId":"s","clientState":"{CLIENT_STATE}","changeType":"created"}}"#);
        format!(r#"{{"value":[{}]}}"#, vec![item; count].join(","))
    };
    vec![documented.clone(), format!("\u{feff}{documented}"), calls(1000), calls(1001), r#"{"value":[]}"#.to_owned()]
}

/// Values put in place of a JSON value.
pub(super) const ODD_VALUES: &[&str] = &[
    "null",
    "true",
    "0",
    "-0",
    "1e400",
    "-1e-400",
    "1.5E+3",
    "123456789012345678901234567890123",
    "79228162514264337593543950335",
    "0.0000000000000000000000000001",
    "1e28",
    "18446744073709551616",
    "-9223372036854775809",
    "2147483648",
    "[]",
    "{}",
    "[null]",
    r#"[{"quantity":"x"}]"#,
    r#""""#,
    r#"" ""#,
    r#""1000.00""#,
    r#""1,5""#,
    r#""NaN""#,
    r#""2024-02-30""#,
    r#""-0001-01-01""#,
    r#""10000-01-01T00:00:00Z""#,
    r#""2024-05-08T09:58Z""#,
    r#""2024-05-08T23:59:60Z""#,
    r#""2024-05-08T09:58:45.1234567890123+14:00""#,
    r#""2024-05-08 09:58:45Z""#,
    r#""24:00:00""#,
    r#""P1D1D1D""#,
    r#""PT""#,
    r#""-P106751991167300DT""#,
    r#""P9223372036854775807D""#,
    r#""PT0.0000000001S""#,
    r#""00000000-0000-0000-0000-00000000000G""#,
    r#""{2b7e1516-28ae-d2a6-abf7-158809cf4f3c}""#,
    r#""\ud800""#,
    r#""\u0000""#,
    r#""_-8=""#,
    r#""/+8""#,
    r#""W/\"1\"""#,
    r#""http://evil.example/api/v2.0/entries?$skiptoken=1""#,
    r#""//evil.example/x""#,
    r#""https://bc.example:8443/x""#,
    r#""https://user:pass@bc.example/x""#,
    r#""javascript:alert(1)""#,
    r#""../../../../etc/passwd""#,
    r#""?$skiptoken=%zz""#,
    r#""https://bc.example/api/v2.0/entries?$skiptoken=2""#,
    r#""entries""#,
    r#""fuzz-secret""#,
    r#""fuzz-secre\u0074""#,
];

/// Keys put in place of an object key.
pub(super) const KEYS: &[&str] = &[
    "id",
    "number",
    "count",
    "amount",
    "postingDate",
    "modified",
    "startsAt",
    "leadTime",
    "blocked",
    "kind",
    "name",
    "data",
    "picture@odata.mediaReadLink",
    "picture@mediaEtag",
    "lines",
    "parent",
    "@odata.etag",
    "@etag",
    "@odata.context",
    "@odata.nextLink",
    "@nextLink",
    "@odata.count",
    "value",
    "error",
    "code",
    "message",
    "error_description",
    "correlation_id",
    "responses",
    "status",
    "headers",
    "body",
    "content-type",
    "subscriptionId",
    "clientState",
    "changeType",
    "resource",
    "expirationDateTime",
    "lastModifiedDateTime",
    "",
];
