//! Request URLs as the fake reads them: the resource path split into
//! segments with their key predicates, and the system query options
//! (`$filter`, `$select`, `$expand` with nested options, `$orderby`,
//! `$top`, `$skip`, `$count`, `$skiptoken`, `$schemaversion`, `company`).

use percent_encoding::percent_decode_str;

use crate::filter::{self, Expr};

/// One path segment: `customers`, `companies(…)`, `Microsoft.NAV.post`, `$count`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment {
    pub name: String,
    /// The decoded text between the parentheses, if any.
    pub key: Option<String>,
}

/// A request URL split into its parts.
#[derive(Debug, Clone)]
pub(crate) struct RequestUrl {
    /// Every decoded path segment.
    pub segments: Vec<Segment>,
    /// Decoded query parameters, in order.
    pub query: Vec<(String, String)>,
}

/// Why a URL or an option was refused; becomes a 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UrlError(pub String);

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// Query values follow form decoding (`+` is a space), as ASP.NET does.
fn decode_query(text: &str) -> String {
    decode(&text.replace('+', " "))
}

impl RequestUrl {
    /// Splits an absolute or root-relative URL.
    pub(crate) fn parse(url: &str) -> Result<RequestUrl, UrlError> {
        let without_fragment = url.split('#').next().unwrap_or(url);
        let (path, query) = without_fragment.split_once('?').unwrap_or((without_fragment, ""));
        let path = match path.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("", |at| &rest[at..]),
            None => path,
        };
        let mut segments = Vec::new();
        for raw in path.split('/').filter(|s| !s.is_empty()) {
            segments.push(parse_segment(&decode(raw))?);
        }
        let query = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode_query(name), decode_query(value))
            })
            .collect();
        Ok(RequestUrl { segments, query })
    }

    /// The value of a query parameter (the first, if repeated).
    pub(crate) fn parameter(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// `name` or `name(predicate)`; the predicate may itself hold parentheses
/// inside string literals.
fn parse_segment(text: &str) -> Result<Segment, UrlError> {
    let Some(open) = text.find('(') else {
        return Ok(Segment { name: text.to_owned(), key: None });
    };
    if !text.ends_with(')') {
        return Err(UrlError(format!("The segment '{text}' is not valid: it must end with ')'.")));
    }
    Ok(Segment { name: text[..open].to_owned(), key: Some(text[open + 1..text.len() - 1].to_owned()) })
}

/// Splits `text` at `separator` where it is not inside parentheses or quotes.
pub(crate) fn split_top_level(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    for (i, c) in text.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            _ if c == separator && !quoted && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// One `$orderby` item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrderItem {
    pub property: String,
    pub descending: bool,
}

/// One `$expand` item with its nested options.
#[derive(Debug, Clone)]
pub(crate) struct ExpandItem {
    pub navigation: String,
    pub options: QueryOptions,
}

/// The system query options of a request (or of one `$expand` item).
#[derive(Debug, Clone, Default)]
pub(crate) struct QueryOptions {
    pub filter: Option<Expr>,
    pub select: Option<Vec<String>>,
    pub expand: Vec<ExpandItem>,
    pub order_by: Vec<OrderItem>,
    pub top: Option<u64>,
    pub skip: Option<u64>,
    pub count: bool,
    pub skip_token: Option<String>,
    pub schema_version: Option<String>,
    /// `?company=` on a set at the service root: a company id or name.
    pub company: Option<String>,
}

impl QueryOptions {
    /// The options of a request URL. Unknown `$` options are refused, as
    /// OData servers do; other parameters (`tenant`, …) are ignored.
    pub(crate) fn from_url(url: &RequestUrl) -> Result<QueryOptions, UrlError> {
        let mut options = QueryOptions::default();
        for (name, value) in &url.query {
            match name.as_str() {
                "company" => options.company = Some(value.clone()),
                "$skiptoken" => options.skip_token = Some(value.clone()),
                "$schemaversion" => options.schema_version = Some(value.clone()),
                "$format" => {}
                other if other.starts_with('$') => options.apply(other, value)?,
                _ => {}
            }
        }
        Ok(options)
    }

    /// Sets one option from its text.
    fn apply(&mut self, name: &str, value: &str) -> Result<(), UrlError> {
        let number = |value: &str| {
            value.trim().parse::<u64>().map_err(|_| UrlError(format!("Invalid value '{value}' for {name}.")))
        };
        match name {
            "$filter" => {
                self.filter = Some(filter::parse(value).map_err(|e| UrlError(e.0))?);
            }
            "$select" => {
                let names = value.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
                self.select = Some(names);
            }
            "$expand" => {
                for item in split_top_level(value, ',') {
                    self.expand.push(parse_expand_item(item.trim())?);
                }
            }
            "$orderby" => {
                for item in value.split(',') {
                    let mut words = item.split_whitespace();
                    let Some(property) = words.next() else { continue };
                    let descending = match words.next() {
                        None | Some("asc") => false,
                        Some("desc") => true,
                        Some(other) => return Err(UrlError(format!("Invalid $orderby direction '{other}'."))),
                    };
                    self.order_by.push(OrderItem { property: property.to_owned(), descending });
                }
            }
            "$top" => self.top = Some(number(value)?),
            "$skip" => self.skip = Some(number(value)?),
            "$count" => {
                self.count = match value {
                    "true" => true,
                    "false" => false,
                    _ => return Err(UrlError(format!("Invalid value '{value}' for $count."))),
                }
            }
            "$search" => return Err(UrlError("$search is not supported by Business Central.".to_owned())),
            other => return Err(UrlError(format!("The query option '{other}' is not supported."))),
        }
        Ok(())
    }
}

/// `navigation` or `navigation(option=value;…)`.
fn parse_expand_item(text: &str) -> Result<ExpandItem, UrlError> {
    let segment = parse_segment(text)?;
    let mut options = QueryOptions::default();
    if let Some(inner) = &segment.key {
        for option in split_top_level(inner, ';').into_iter().filter(|o| !o.trim().is_empty()) {
            let (name, value) = option
                .split_once('=')
                .ok_or_else(|| UrlError(format!("Invalid nested option '{option}' in $expand.")))?;
            options.apply(name.trim(), value)?;
        }
    }
    Ok(ExpandItem { navigation: segment.name, options })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_keys_and_query_are_decoded_once() {
        let url = RequestUrl::parse(
            "https://h/v2.0/t/e/api/v2.0/companies(name='M%C3%BCller%20%26%20O%27%27Neil%20%232%2B')/customers?$filter=displayName%20eq%20%27a%2Bb%27&$top=5",
        )
        .expect("parses");
        let names: Vec<&str> = url.segments.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["v2.0", "t", "e", "api", "v2.0", "companies", "customers"]);
        assert_eq!(url.segments[5].key.as_deref(), Some("name='Müller & O''Neil #2+'"));
        assert_eq!(url.parameter("$filter"), Some("displayName eq 'a+b'"));
        let options = QueryOptions::from_url(&url).expect("options");
        assert_eq!(options.top, Some(5));
    }

    #[test]
    fn nested_expand_options() {
        let url = RequestUrl::parse(
            "/api/v2.0/x?$expand=salesInvoiceLines($filter=lineType%20eq%20'Item';$select=id,quantity;$orderby=sequence%20desc;$top=2),customer",
        )
        .expect("parses");
        let options = QueryOptions::from_url(&url).expect("options");
        assert_eq!(options.expand.len(), 2);
        let lines = &options.expand[0].options;
        assert!(lines.filter.is_some());
        assert_eq!(lines.select.as_deref(), Some(&["id".to_owned(), "quantity".to_owned()][..]));
        assert_eq!(lines.order_by, [OrderItem { property: "sequence".into(), descending: true }]);
        assert_eq!(lines.top, Some(2));
        assert_eq!(options.expand[1].navigation, "customer");
    }

    #[test]
    fn bad_options_are_refused() {
        for query in ["$top=x", "$count=yes", "$orderby=a%20up", "$search=x", "$apply=x", "$filter=a%20eq"] {
            let url = RequestUrl::parse(&format!("/api/v2.0/x?{query}")).expect("parses");
            assert!(QueryOptions::from_url(&url).is_err(), "{query}");
        }
    }
}
