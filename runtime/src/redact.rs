//! What of a URL may appear in errors, spans and `Debug` output.
//!
//! Query values can be personal data (`$filter=email eq 'jane@…'`) and user
//! info can be a password, so by default only the parts that say where a
//! request went are shown: scheme, host, port and path, plus the names of
//! the query options.

use std::borrow::Cow;

/// The path of a URL, without scheme, host, user info or query: what is
/// safe and useful to put in a span.
pub(crate) fn url_path(url: &str) -> &str {
    let after_scheme = url.split_once("://").map(|(_, rest)| rest).unwrap_or(url);
    let path_and_query = after_scheme.find('/').map(|at| &after_scheme[at..]).unwrap_or("/");
    let end = path_and_query.find(['?', '#']).unwrap_or(path_and_query.len());
    &path_and_query[..end]
}

/// The query of a URL (without `?` and fragment), if it has one.
pub(crate) fn url_query(url: &str) -> Option<&str> {
    let before_fragment = url.split('#').next().unwrap_or(url);
    before_fragment.split_once('?').map(|(_, query)| query).filter(|query| !query.is_empty())
}

/// The host (and port, when explicit) of an absolute URL, without user info.
pub(crate) fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host = authority.rsplit_once('@').map(|(_, host)| host).unwrap_or(authority);
    (!host.is_empty()).then_some(host)
}

/// `url` without its user info (`https://user:password@host/` → `https://host/`).
pub(crate) fn without_userinfo(url: &str) -> Cow<'_, str> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Cow::Borrowed(url);
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => Cow::Owned(format!("{scheme}://{}", &rest[at + 1..])),
        None => Cow::Borrowed(url),
    }
}

/// `url` as the runtime shows URLs in errors, spans and `Debug` output by
/// default: without user info (`https://user:password@host/` → `https://host/`),
/// and with every query value replaced by `…` (`$filter=…&$top=…`), so that
/// neither a password nor personal data reaches a log. For service crates
/// whose own types print URLs.
pub fn url_for_logs(url: &str) -> String {
    redacted_url(url, false)
}

/// `url` for an error message or a log line: without user info, and with
/// every query value replaced by `…` unless `keep_query_values` (the
/// caller's opt-in). `$filter=name eq 'Jane'&$top=5` becomes
/// `$filter=…&$top=…`: the options used stay visible, the data does not.
pub(crate) fn redacted_url(url: &str, keep_query_values: bool) -> String {
    let url = without_userinfo(url);
    if keep_query_values {
        return url.into_owned();
    }
    let (before_fragment, _fragment) = url.split_once('#').unwrap_or((&url, ""));
    let Some((base, query)) = before_fragment.split_once('?') else {
        return before_fragment.to_owned();
    };
    let mut out = String::with_capacity(base.len() + query.len().min(64) + 1);
    out.push_str(base);
    out.push('?');
    for (index, pair) in query.split('&').enumerate() {
        if index > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((name, _)) => {
                out.push_str(name);
                out.push_str("=…");
            }
            None => out.push_str(pair),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_path_drops_host_and_query() {
        assert_eq!(
            url_path("https://user:pw@h:1/v2.0/t/e/api/v2.0/companies?$filter=x"),
            "/v2.0/t/e/api/v2.0/companies"
        );
        assert_eq!(url_path("http://127.0.0.1:80"), "/");
        assert_eq!(url_host("https://user:pw@h:1/v2.0?x=1"), Some("h:1"));
        assert_eq!(url_query("https://h/p?$top=1#f"), Some("$top=1"));
        assert_eq!(url_query("https://h/p?"), None);
    }

    #[test]
    fn query_values_and_passwords_are_hidden() {
        let url = "https://jane:pw@h/api/v2.0/customers?$filter=email%20eq%20'jane@x'&$top=5&flag#frag";
        assert_eq!(redacted_url(url, false), "https://h/api/v2.0/customers?$filter=…&$top=…&flag");
        assert_eq!(
            redacted_url(url, true),
            "https://h/api/v2.0/customers?$filter=email%20eq%20'jane@x'&$top=5&flag#frag"
        );
        assert_eq!(redacted_url("https://h/p", false), "https://h/p");
        assert_eq!(without_userinfo("https://h/p?mail=a@b"), "https://h/p?mail=a@b");
    }
}
