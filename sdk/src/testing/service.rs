//! One request in, one response out: routing to the API route, the
//! operation for each method and target, Business Central's answers to
//! what it refuses (405 on read-only sets, `If-Match` required, a stale
//! ETag answered 409 `Request_EntityChanged`, errors with a correlation
//! id), server-driven paging, bound actions and JSON `$batch`.

use std::collections::BTreeMap;
use std::sync::Arc;

use odata_v4_runtime::uuid::Uuid;
use odata_v4_runtime::{Headers, Method};

use super::Dialect;
use super::actions::{ActionCall, Actions};
use super::json::{JsonObject, JsonValue};
use super::model::{Edm, Kind, ServiceModel};
use super::query::{QueryOptions, RequestUrl, Segment};
use super::render::{self, View};
use super::resolve::{self, Collection, EntityAt, Target};
use super::store::{Ids, Store};
use super::writes::{Created, Writer};

/// A refusal, sent as `{"error":{"code","message"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl Failure {
    pub(crate) fn new(status: u16, code: &str, message: impl Into<String>) -> Failure {
        Failure { status, code: code.to_owned(), message: message.into() }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Failure {
        Failure::new(400, "BadRequest", message)
    }

    pub(crate) fn bad_request_code(code: &str, message: impl Into<String>) -> Failure {
        Failure::new(400, code, message)
    }

    /// Business Central's answer to a write on a set that does not allow it.
    pub(crate) fn method_not_allowed(method: &str, set: &str) -> Failure {
        Failure::new(
            405,
            "BadRequest_MethodNotAllowed",
            format!(
                "'{method}' requests for '{set}' of EdmType 'Entity' are not allowed within Dynamics 365 Business Central OData web services."
            ),
        )
    }
}

/// One API route: its model and its data.
pub(crate) struct Route {
    pub model: Arc<ServiceModel>,
    pub store: Store,
}

/// A response before it becomes an `HttpResponse`.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Headers,
    pub body: Vec<u8>,
}

/// A request inside a `$batch`, for the request log.
#[derive(Debug, Clone)]
pub(crate) struct SubRequest {
    pub method: Method,
    pub url: String,
    pub headers: Headers,
    pub body: Option<String>,
    pub status: u16,
}

/// Side records of handling one request.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    pub batch: Vec<SubRequest>,
    pub actions: Vec<ActionCall>,
}

/// Everything the fake holds.
pub(crate) struct State {
    pub routes: Vec<Route>,
    pub ids: Ids,
    pub dialect: Dialect,
    pub page_size: usize,
    pub actions: Actions,
    correlation: u64,
}

/// Where a URL falls: which route, its absolute root, the segments after it.
pub(crate) struct Located {
    pub route: usize,
    pub root: String,
    pub url: RequestUrl,
    pub rest: Vec<Segment>,
}

impl State {
    pub(crate) fn new(routes: Vec<Route>, dialect: Dialect, page_size: usize) -> State {
        State { routes, ids: Ids::default(), dialect, page_size, actions: Actions::default(), correlation: 0 }
    }

    /// Finds the route a URL addresses.
    pub(crate) fn locate(&self, url: &str) -> Result<Located, Failure> {
        let parsed = RequestUrl::parse(url).map_err(|e| Failure::bad_request(e.0))?;
        let names: Vec<&str> = parsed.segments.iter().map(|s| s.name.as_str()).collect();
        for (index, route) in self.routes.iter().enumerate() {
            let wanted: Vec<&str> = route.model.route.split('/').collect();
            let Some(at) = names.windows(wanted.len()).position(|w| w == wanted.as_slice()) else { continue };
            if parsed.segments[at..at + wanted.len()].iter().any(|s| s.key.is_some()) {
                continue;
            }
            let end = at + wanted.len();
            let root = root_url(url, end);
            let rest = parsed.segments[end..].to_vec();
            return Ok(Located { route: index, root, url: parsed, rest });
        }
        Err(Failure::new(404, "BadRequest_NotFound", format!("No API route of the fake serves {url}.")))
    }

    fn correlation_id(&mut self) -> Uuid {
        self.correlation += 1;
        Uuid::from_u128(0xc0e1_0000_0000_4000_8000_0000_0000_0000 | u128::from(self.correlation))
    }

    /// The error body Business Central sends, with a correlation id.
    pub(crate) fn failure_reply(&mut self, failure: &Failure) -> Reply {
        let mut error = JsonObject::new();
        error.insert("code", JsonValue::string(failure.code.clone()));
        let message = format!("{}  CorrelationId:  {}.", failure.message, self.correlation_id());
        error.insert("message", JsonValue::string(message));
        let mut body = JsonObject::new();
        body.insert("error", JsonValue::Object(error));
        json_reply(failure.status, &body)
    }

    /// Handles one request; `seeding` lifts the restrictions test setup
    /// must be free of (read-only sets and properties, `If-Match`).
    pub(crate) fn handle(
        &mut self,
        method: Method,
        url: &str,
        headers: &Headers,
        body: Option<&[u8]>,
        seeding: bool,
        journal: &mut Journal,
    ) -> Reply {
        match self.dispatch(method, url, headers, body, seeding, journal) {
            Ok(reply) => reply,
            Err(failure) => self.failure_reply(&failure),
        }
    }

    fn dispatch(
        &mut self,
        method: Method,
        url: &str,
        headers: &Headers,
        body: Option<&[u8]>,
        seeding: bool,
        journal: &mut Journal,
    ) -> Result<Reply, Failure> {
        let located = self.locate(url)?;
        let options = QueryOptions::from_url(&located.url).map_err(|e| Failure::bad_request(e.0))?;
        let model = self.routes[located.route].model.clone();
        let target = {
            let store = &self.routes[located.route].store;
            resolve::resolve(&model, store, &located.rest, options.company.as_deref())?
        };
        let root = located.root.as_str();
        match (method, target) {
            (Method::Get, Target::ServiceDocument) => Ok(service_document(&model, root)),
            (Method::Get, Target::Metadata) => Ok(Reply {
                status: 200,
                headers: content_type("application/xml"),
                body: model.metadata.as_bytes().to_vec(),
            }),
            (Method::Post, Target::Batch) => self.batch(located.route, root, headers, body, journal),
            (Method::Get, Target::Collection(collection)) => {
                self.list(located.route, &model, root, url, &collection, &options, headers)
            }
            (Method::Get, Target::Count(collection)) => {
                let view = self.view(located.route, &model, root, &options);
                let ty = model.entity_type(&collection.type_name).ok_or_else(|| Failure::bad_request("type"))?;
                render::validate(&model, ty, &options)?;
                self.check_filter_rules(&options)?;
                let count = render::matching_rows(view, &collection, &options)?.len();
                Ok(Reply { status: 200, headers: content_type("text/plain"), body: count.to_string().into_bytes() })
            }
            (Method::Get, Target::Entity(entity)) => {
                let ty = model.entity_type(&entity.type_name).ok_or_else(|| Failure::bad_request("type"))?;
                render::validate(&model, ty, &options)?;
                self.entity_reply(located.route, &model, root, &entity, &options, 200)
            }
            (Method::Get, Target::Property(entity, property, raw)) => {
                self.property(located.route, &model, root, &entity, &property, raw)
            }
            (Method::Post, Target::Collection(collection)) => {
                self.create(located.route, &model, root, &collection, headers, body, seeding)
            }
            (Method::Patch, Target::Entity(entity)) => {
                self.update(located.route, &model, root, &entity, headers, body, seeding)
            }
            (Method::Delete, Target::Entity(entity)) => {
                if let Some(set) = model.set_of_type(&entity.type_name)
                    && !set.deletable
                {
                    return Err(Failure::method_not_allowed("DELETE", &set.name));
                }
                self.check_if_match(located.route, &entity, headers, seeding, true)?;
                let route = &mut self.routes[located.route];
                let mut writer = Writer { model: &model, store: &mut route.store, ids: &mut self.ids, seeding };
                writer.delete(&entity)?;
                Ok(no_content())
            }
            (Method::Post, Target::Action(entity, action)) => {
                self.action(located.route, &model, &entity, &action, headers, body, journal)
            }
            (Method::Patch | Method::Put, Target::Property(entity, property, _)) => {
                let ty = model.entity_type(&entity.type_name).ok_or_else(|| Failure::bad_request("type"))?;
                let is_stream = ty.property(&property).is_some_and(|p| p.kind == Kind::Primitive(Edm::Stream));
                if is_stream {
                    return Err(Failure::new(
                        501,
                        "BadRequest_MethodNotImplemented",
                        "The fake Business Central does not store stream content.",
                    ));
                }
                Err(Failure::method_not_allowed(method.as_str(), &property))
            }
            (method, Target::Collection(collection) | Target::Count(collection)) => {
                Err(Failure::method_not_allowed(method.as_str(), &set_label(&model, &collection)))
            }
            (method, Target::Entity(entity) | Target::Action(entity, _)) => {
                Err(Failure::method_not_allowed(method.as_str(), &set_label(&model, &entity.collection)))
            }
            (method, _) => Err(Failure::method_not_allowed(method.as_str(), "this resource")),
        }
    }

    /// Business Central's rule that `or` may only join conditions on one field.
    fn check_filter_rules(&self, options: &QueryOptions) -> Result<(), Failure> {
        if self.dialect == Dialect::BusinessCentral
            && let Some((a, b)) = options.filter.as_ref().and_then(|f| f.or_across_fields())
        {
            return Err(Failure::bad_request(format!(
                "The 'or' operator joins conditions on different fields ('{a}' and '{b}'); Business Central filters \
                 accept 'or' only between conditions on the same field."
            )));
        }
        Ok(())
    }

    fn view<'a>(&'a self, route: usize, model: &'a ServiceModel, root: &'a str, options: &QueryOptions) -> View<'a> {
        let ignore_in = self.dialect == Dialect::BusinessCentral && options.schema_version.as_deref() != Some("2.1");
        View { model, store: &self.routes[route].store, root, ignore_in }
    }

    #[allow(clippy::too_many_arguments)]
    fn list(
        &self,
        route: usize,
        model: &ServiceModel,
        root: &str,
        url: &str,
        collection: &Collection,
        options: &QueryOptions,
        headers: &Headers,
    ) -> Result<Reply, Failure> {
        let ty = model.entity_type(&collection.type_name).ok_or_else(|| Failure::bad_request("type"))?;
        render::validate(model, ty, options)?;
        if let Some(set) = model.set_of_type(&ty.name) {
            if !set.sortable && !options.order_by.is_empty() {
                return Err(Failure::bad_request(format!("'{}' cannot be sorted with $orderby.", set.name)));
            }
            if !set.filterable && options.filter.is_some() {
                return Err(Failure::bad_request(format!("'{}' cannot be filtered with $filter.", set.name)));
            }
        }
        self.check_filter_rules(options)?;
        let preferred = max_page_size(headers);
        let page_size = preferred.map_or(self.page_size, |p| p.min(self.page_size)).max(1);
        let view = self.view(route, model, root, options);
        let window = render::window(view, collection, options, page_size)?;
        let mut body = JsonObject::new();
        body.insert("@odata.context", JsonValue::string(format!("{root}$metadata#{}", collection.path)));
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
        if let Some(size) = preferred {
            reply.headers.set("Preference-Applied", format!("odata.maxpagesize={}", size.min(self.page_size)));
        }
        Ok(reply)
    }

    fn entity_reply(
        &self,
        route: usize,
        model: &ServiceModel,
        root: &str,
        entity: &EntityAt,
        options: &QueryOptions,
        status: u16,
    ) -> Result<Reply, Failure> {
        let view = self.view(route, model, root, options);
        let mut body = JsonObject::new();
        body.insert("@odata.context", JsonValue::string(format!("{root}$metadata#{}/$entity", entity.collection.path)));
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

    fn property(
        &self,
        route: usize,
        model: &ServiceModel,
        root: &str,
        entity: &EntityAt,
        property: &str,
        raw: bool,
    ) -> Result<Reply, Failure> {
        let row =
            self.routes[route].store.row(&entity.type_name, entity.seq).ok_or_else(|| Failure::bad_request("gone"))?;
        let ty = model.entity_type(&entity.type_name).ok_or_else(|| Failure::bad_request("type"))?;
        if ty.property(property).is_some_and(|p| p.kind == Kind::Primitive(Edm::Stream)) {
            return Err(Failure::new(
                501,
                "BadRequest_MethodNotImplemented",
                "The fake Business Central does not store stream content.",
            ));
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
        body.insert("@odata.context", JsonValue::string(format!("{root}$metadata#{}/{property}", entity.path)));
        body.insert("value", value);
        Ok(json_reply(200, &body))
    }

    #[allow(clippy::too_many_arguments)]
    fn create(
        &mut self,
        route: usize,
        model: &ServiceModel,
        root: &str,
        collection: &Collection,
        headers: &Headers,
        body: Option<&[u8]>,
        seeding: bool,
    ) -> Result<Reply, Failure> {
        let json = parse_body(body)?;
        let deep = json.as_object().is_some_and(|o| o.iter().any(|(_, v)| matches!(v, JsonValue::Array(_))));
        let snapshot = deep.then(|| self.routes[route].store.clone());
        let created = {
            let store = &mut self.routes[route].store;
            let mut writer = Writer { model, store, ids: &mut self.ids, seeding };
            writer.create(collection, &json)
        };
        let created = match created {
            Ok(created) => created,
            Err(failure) => {
                if let Some(snapshot) = snapshot {
                    self.routes[route].store = snapshot;
                }
                return Err(failure);
            }
        };
        let location = format!("{root}{}", created.entity.path);
        if prefers_minimal(headers) {
            let mut reply = no_content();
            reply.headers.set("Location", location.clone());
            reply.headers.set("OData-EntityId", location);
            return Ok(reply);
        }
        let options = QueryOptions::default();
        let mut reply = self.entity_reply(route, model, root, &created.entity, &options, 201)?;
        if !created.nested.is_empty() {
            let view = self.view(route, model, root, &options);
            let mut body = JsonValue::parse(&String::from_utf8_lossy(&reply.body)).map_err(Failure::bad_request)?;
            if let JsonValue::Object(object) = &mut body {
                add_nested(view, object, &created)?;
            }
            reply.body = body.to_text().into_bytes();
        }
        reply.headers.set("Location", location);
        Ok(reply)
    }

    #[allow(clippy::too_many_arguments)]
    fn update(
        &mut self,
        route: usize,
        model: &ServiceModel,
        root: &str,
        entity: &EntityAt,
        headers: &Headers,
        body: Option<&[u8]>,
        seeding: bool,
    ) -> Result<Reply, Failure> {
        if let Some(set) = model.set_of_type(&entity.type_name)
            && !set.updatable
            && !seeding
        {
            return Err(Failure::method_not_allowed("PATCH", &set.name));
        }
        self.check_if_match(route, entity, headers, seeding, true)?;
        let json = parse_body(body)?;
        {
            let store = &mut self.routes[route].store;
            let mut writer = Writer { model, store, ids: &mut self.ids, seeding };
            writer.update(entity, &json)?;
        }
        if prefers_minimal(headers) {
            return Ok(no_content());
        }
        self.entity_reply(route, model, root, entity, &QueryOptions::default(), 200)
    }

    /// `If-Match` on a write: required on PATCH and DELETE (`*` matches
    /// anything), checked on actions when sent.
    pub(crate) fn check_if_match(
        &mut self,
        route: usize,
        entity: &EntityAt,
        headers: &Headers,
        seeding: bool,
        required: bool,
    ) -> Result<(), Failure> {
        if seeding {
            return Ok(());
        }
        let Some(sent) = headers.get("If-Match") else {
            if !required {
                return Ok(());
            }
            return Err(match self.dialect {
                Dialect::BusinessCentral => Failure::bad_request_code(
                    "BadRequest_InvalidToken",
                    "Could not validate the client concurrency token required by the service. Please provide a valid token in the client request.",
                ),
                Dialect::StrictOData => {
                    Failure::new(428, "PreconditionRequired", "The request needs an If-Match header.")
                }
            });
        };
        let row =
            self.routes[route].store.row(&entity.type_name, entity.seq).ok_or_else(|| Failure::bad_request("gone"))?;
        if sent.trim() == "*" || sent.split(',').any(|tag| tag.trim() == row.etag()) {
            return Ok(());
        }
        Err(self.dialect.stale_etag())
    }
}

/// Adds the deep-inserted entities to a create's answer, as expanded collections.
fn add_nested(view: View<'_>, object: &mut JsonObject, created: &Created) -> Result<(), Failure> {
    for (navigation, children) in &created.nested {
        let mut items = Vec::new();
        for child in children {
            let mut json = render::entity_json(view, &child.entity, &QueryOptions::default())?;
            add_nested(view, &mut json, child)?;
            items.push(JsonValue::Object(json));
        }
        object.insert(navigation.clone(), JsonValue::Array(items));
    }
    Ok(())
}

pub(crate) fn set_label(model: &ServiceModel, collection: &Collection) -> String {
    model.set_of_type(&collection.type_name).map_or_else(|| collection.path.clone(), |s| s.name.clone())
}

fn service_document(model: &ServiceModel, root: &str) -> Reply {
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

pub(crate) fn parse_body(body: Option<&[u8]>) -> Result<JsonValue, Failure> {
    let text = body.map(String::from_utf8_lossy).unwrap_or_default();
    if text.trim().is_empty() {
        return Err(Failure::bad_request("The request needs a JSON body."));
    }
    JsonValue::parse(&text).map_err(|e| Failure::bad_request(format!("The request body is not valid JSON: {e}")))
}

/// `Prefer: odata.maxpagesize=N`.
fn max_page_size(headers: &Headers) -> Option<usize> {
    let prefer = headers.get("Prefer")?;
    prefer.split(',').find_map(|p| p.trim().strip_prefix("odata.maxpagesize=")?.trim().parse().ok())
}

fn prefers_minimal(headers: &Headers) -> bool {
    headers
        .get("Prefer")
        .is_some_and(|p| p.split(',').any(|p| matches!(p.trim(), "return=minimal" | "return-no-content")))
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

/// The URL up to and including the first `segments` path segments, with `/`.
fn root_url(url: &str, segments: usize) -> String {
    let without_query = url.split(['?', '#']).next().unwrap_or(url);
    let (origin, path) = match without_query.split_once("://") {
        Some((scheme, rest)) => {
            let at = rest.find('/').unwrap_or(rest.len());
            (format!("{scheme}://{}", &rest[..at]), &rest[at..])
        }
        None => (String::new(), without_query),
    };
    let kept: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).take(segments).collect();
    format!("{origin}/{}/", kept.join("/"))
}

pub(crate) fn content_type(value: &str) -> Headers {
    let mut headers = Headers::new();
    headers.set("Content-Type", value);
    headers.set("OData-Version", "4.0");
    headers
}

pub(crate) fn json_reply(status: u16, body: &JsonObject) -> Reply {
    Reply {
        status,
        headers: content_type("application/json; odata.metadata=minimal; odata.streaming=true"),
        body: body.to_text().into_bytes(),
    }
}

pub(crate) fn no_content() -> Reply {
    let mut headers = Headers::new();
    headers.set("OData-Version", "4.0");
    Reply { status: 204, headers, body: Vec::new() }
}

impl Dialect {
    /// How a stale `If-Match` is answered.
    pub(crate) fn stale_etag(self) -> Failure {
        match self {
            Dialect::BusinessCentral => {
                Failure::new(409, "Request_EntityChanged", "Another user has already changed the record.")
            }
            Dialect::StrictOData => {
                Failure::new(412, "PreconditionFailed", "The If-Match ETag does not match the entity.")
            }
        }
    }
}

/// The companies of a route, by id and name (for the façade).
pub(crate) fn companies(route: &Route) -> BTreeMap<Uuid, String> {
    let Some(company_type) = route.model.company_type() else { return BTreeMap::new() };
    route
        .store
        .rows(company_type)
        .filter_map(|row| {
            let id = resolve::row_id(row)?;
            let name = row.values.get("name").and_then(JsonValue::as_str).unwrap_or_default().to_owned();
            Some((id, name))
        })
        .collect()
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

    #[test]
    fn roots_keep_what_precedes_the_route() {
        assert_eq!(root_url("https://h:1/v2.0/t/e/api/v2.0/companies?$top=1", 5), "https://h:1/v2.0/t/e/api/v2.0/");
    }
}
