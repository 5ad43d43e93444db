//! Answers to reads: a page of a collection with its next link, `$count`,
//! one entity, one property, the service document and `$metadata`.

use odata_v4_runtime::Headers;

use crate::json::{JsonObject, JsonValue};
use crate::model::{Edm, Kind, ServiceModel};
use crate::query::QueryOptions;
use crate::render::{self, View};
use crate::reply::{Failure, Reply, content_type, json_reply};
use crate::resolve::{self, Collection, EntityAt};

/// Whether a set's capabilities allow the options (`$orderby` on an
/// unsortable set, `$filter` on an unfilterable one).
fn check_capabilities(model: &ServiceModel, collection: &Collection, options: &QueryOptions) -> Result<(), Failure> {
    if let Some(set) = model.set_of_type(&collection.type_name) {
        if !set.sortable && !options.order_by.is_empty() {
            return Err(Failure::bad_request(format!("'{}' cannot be sorted with $orderby.", set.name)));
        }
        if !set.filterable && options.filter.is_some() {
            return Err(Failure::bad_request(format!("'{}' cannot be filtered with $filter.", set.name)));
        }
    }
    Ok(())
}

/// One page of a collection: at most `page_size` entities (less when the
/// client prefers `odata.maxpagesize`), with `@odata.nextLink` when more
/// follow.
pub(crate) fn list(
    view: View<'_>,
    url: &str,
    collection: &Collection,
    options: &QueryOptions,
    headers: &Headers,
    page_size: usize,
) -> Result<Reply, Failure> {
    let model = view.model;
    let ty = model.entity_type(&collection.type_name).ok_or_else(|| Failure::bad_request("type"))?;
    render::validate(model, ty, options)?;
    check_capabilities(model, collection, options)?;
    let preferred = max_page_size(headers);
    let size = preferred.map_or(page_size, |p| p.min(page_size)).max(1);
    let window = render::window(view, collection, options, size)?;
    let mut body = JsonObject::new();
    body.insert("@odata.context", JsonValue::string(format!("{}$metadata#{}", view.root, collection.path)));
    if let Some(count) = window.count {
        body.insert("@odata.count", JsonValue::number(count));
    }
    let mut items = Vec::with_capacity(window.rows.len());
    for row in &window.rows {
        let at = resolve::entity_at(ty, row, collection);
        items.push(JsonValue::Object(render::entity_json(view, &at, options)?));
    }
    body.insert("value", JsonValue::Array(items));
    if let Some(token) = window.next_token {
        body.insert("@odata.nextLink", JsonValue::string(with_skip_token(url, &token)));
    }
    let mut reply = json_reply(200, &body);
    if let Some(preferred) = preferred {
        reply.headers.set("Preference-Applied", format!("odata.maxpagesize={}", preferred.min(page_size)));
    }
    Ok(reply)
}

/// `…/$count`: how many entities pass the filter, as plain text.
pub(crate) fn count(view: View<'_>, collection: &Collection, options: &QueryOptions) -> Result<Reply, Failure> {
    let ty = view.model.entity_type(&collection.type_name).ok_or_else(|| Failure::bad_request("type"))?;
    render::validate(view.model, ty, options)?;
    let count = render::matching_rows(view, collection, options)?.len();
    Ok(Reply { status: 200, headers: content_type("text/plain"), body: count.to_string().into_bytes() })
}

/// One entity, with its `ETag` header.
pub(crate) fn entity(view: View<'_>, entity: &EntityAt, options: &QueryOptions, status: u16) -> Result<Reply, Failure> {
    let ty = view.model.entity_type(&entity.type_name).ok_or_else(|| Failure::bad_request("type"))?;
    render::validate(view.model, ty, options)?;
    let mut body = JsonObject::new();
    let context = format!("{}$metadata#{}/$entity", view.root, entity.collection.path);
    body.insert("@odata.context", JsonValue::string(context));
    let json = render::entity_json(view, entity, options)?;
    let etag = json.get("@odata.etag").and_then(JsonValue::as_str).map(str::to_owned);
    for (name, value) in json.iter() {
        body.insert(name, value.clone());
    }
    let mut reply = json_reply(status, &body);
    if let Some(etag) = etag {
        reply.headers.set("ETag", etag);
    }
    Ok(reply)
}

/// One property of an entity; its raw `$value` when `raw`. Stream
/// content is not stored: its URLs answer 501.
pub(crate) fn property(view: View<'_>, entity: &EntityAt, property: &str, raw: bool) -> Result<Reply, Failure> {
    let row = view.store.row(&entity.type_name, entity.seq).ok_or_else(|| Failure::bad_request("gone"))?;
    let ty = view.model.entity_type(&entity.type_name).ok_or_else(|| Failure::bad_request("type"))?;
    if ty.property(property).is_some_and(|p| p.kind == Kind::Primitive(Edm::Stream)) {
        return Err(stream_not_stored());
    }
    let value = row.values.get(property).cloned().unwrap_or(JsonValue::Null);
    if raw {
        let text = match &value {
            JsonValue::String(text) => text.clone(),
            other => other.to_text(),
        };
        return Ok(Reply { status: 200, headers: content_type("text/plain"), body: text.into_bytes() });
    }
    let mut body = JsonObject::new();
    body.insert("@odata.context", JsonValue::string(format!("{}$metadata#{}/{property}", view.root, entity.path)));
    body.insert("value", value);
    Ok(json_reply(200, &body))
}

/// The answer to any request for stream content.
pub(crate) fn stream_not_stored() -> Failure {
    Failure::new(501, "BadRequest_MethodNotImplemented", "The fake Business Central does not store stream content.")
}

/// The service document: every entity set of the route.
pub(crate) fn service_document(model: &ServiceModel, root: &str) -> Reply {
    let mut body = JsonObject::new();
    body.insert("@odata.context", JsonValue::string(format!("{root}$metadata")));
    let sets = model
        .sets
        .values()
        .map(|set| {
            let mut item = JsonObject::new();
            item.insert("name", JsonValue::string(set.name.clone()));
            item.insert("kind", JsonValue::string("EntitySet"));
            item.insert("url", JsonValue::string(set.name.clone()));
            JsonValue::Object(item)
        })
        .collect();
    body.insert("value", JsonValue::Array(sets));
    json_reply(200, &body)
}

/// `$metadata`, as the route was given it.
pub(crate) fn metadata(model: &ServiceModel) -> Reply {
    Reply { status: 200, headers: content_type("application/xml"), body: model.metadata.as_bytes().to_vec() }
}

/// `Prefer: odata.maxpagesize=N`.
fn max_page_size(headers: &Headers) -> Option<usize> {
    let prefer = headers.get("Prefer")?;
    prefer.split(',').find_map(|p| p.trim().strip_prefix("odata.maxpagesize=")?.trim().parse().ok())
}

/// The request URL with its `$skiptoken` replaced: the next page's link.
fn with_skip_token(url: &str, token: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            name != "$skiptoken" && name != "%24skiptoken"
        })
        .collect();
    let token_pair = format!("$skiptoken={token}");
    pairs.push(&token_pair);
    format!("{base}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_replace_the_skip_token() {
        assert_eq!(with_skip_token("https://h/api/v2.0/x?$top=5", "abc"), "https://h/api/v2.0/x?$top=5&$skiptoken=abc");
        assert_eq!(
            with_skip_token("https://h/api/v2.0/x?$skiptoken=old&$top=5", "new"),
            "https://h/api/v2.0/x?$top=5&$skiptoken=new"
        );
        assert_eq!(with_skip_token("https://h/x", "t"), "https://h/x?$skiptoken=t");
    }
}
