//! One request in, one response out: finding the API route, applying the
//! dialect's query rules, and the operation for each method and target,
//! with Business Central's answers to what it refuses (405 on read-only
//! sets, `If-Match` required, a stale ETag, errors with a correlation id),
//! bound actions and JSON `$batch`.

use std::collections::BTreeMap;
use std::sync::Arc;

use odata_v4_runtime::uuid::Uuid;
use odata_v4_runtime::{Headers, Method};

use crate::actions::{self, ActionCall, Actions};
use crate::batch;
use crate::dialect::{Dialect, Ignored};
use crate::documents::Writer;
use crate::json::{JsonObject, JsonValue};
use crate::model::{Edm, Kind, ServiceModel};
use crate::query::{QueryOptions, RequestUrl, Segment};
use crate::reads;
use crate::render::{self, View};
use crate::reply::{Failure, Reply, no_content, parse_body};
use crate::resolve::{self, Collection, EntityAt, Target};
use crate::store::{Ids, Store};
use crate::writes::Created;

/// One API route: its model and its data.
pub(crate) struct Route {
    pub model: Arc<ServiceModel>,
    pub store: Store,
}

/// A request inside a `$batch`, for the request log.
#[derive(Debug, Clone)]
pub(crate) struct SubRequest {
    pub method: Method,
    pub url: String,
    pub headers: Headers,
    pub body: Option<String>,
    pub status: u16,
    pub ignored: Vec<Ignored>,
}

/// Side records of handling one request.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    pub batch: Vec<SubRequest>,
    pub actions: Vec<ActionCall>,
    /// What the dialect ignored in the request (not in its `$batch` parts).
    pub ignored: Vec<Ignored>,
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

/// One request as the service sees it.
struct Request<'a> {
    method: Method,
    url: &'a str,
    headers: &'a Headers,
    body: Option<&'a [u8]>,
    /// Test setup: read-only sets and properties and `If-Match` are not enforced.
    seeding: bool,
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

    /// The error body Business Central sends, with a new correlation id.
    pub(crate) fn failure_reply(&mut self, failure: &Failure) -> Reply {
        self.correlation += 1;
        failure.reply(Uuid::from_u128(0xc0e1_0000_0000_4000_8000_0000_0000_0000 | u128::from(self.correlation)))
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
        let request = Request { method, url, headers, body, seeding };
        match self.dispatch(&request, journal) {
            Ok(reply) => reply,
            Err(failure) => self.failure_reply(&failure),
        }
    }

    fn dispatch(&mut self, request: &Request<'_>, journal: &mut Journal) -> Result<Reply, Failure> {
        let located = self.locate(request.url)?;
        let mut options = QueryOptions::from_url(&located.url).map_err(|e| Failure::bad_request(e.0))?;
        if !request.seeding {
            self.dialect.apply(&mut options, &mut journal.ignored)?;
        }
        let route = located.route;
        let model = self.routes[route].model.clone();
        let target = resolve::resolve(&model, &self.routes[route].store, &located.rest, options.company.as_deref())?;
        let root = located.root.as_str();
        let view = View { model: &model, store: &self.routes[route].store, root };
        match (request.method, target) {
            (Method::Get, Target::ServiceDocument) => Ok(reads::service_document(&model, root)),
            (Method::Get, Target::Metadata) => Ok(reads::metadata(&model)),
            (Method::Get, Target::Collection(collection)) => {
                reads::list(view, request.url, &collection, &options, request.headers, self.page_size)
            }
            (Method::Get, Target::Count(collection)) => reads::count(view, &collection, &options),
            (Method::Get, Target::Entity(entity)) => reads::entity(view, &entity, &options, 200),
            (Method::Get, Target::Property(entity, property, raw)) => reads::property(view, &entity, &property, raw),
            (Method::Post, Target::Batch) => self.batch(route, root, request, journal),
            (Method::Post, Target::Collection(collection)) => self.create(route, root, &collection, request),
            (Method::Patch, Target::Entity(entity)) => self.update(route, root, &entity, request),
            (Method::Delete, Target::Entity(entity)) => self.delete(route, &entity, request),
            (Method::Post, Target::Action(entity, action)) => {
                actions::bound_type(&model, &entity, &action)?;
                self.check_if_match(route, &entity, request, false)?;
                let store = &mut self.routes[route].store;
                actions::invoke(&model, store, &self.actions, &entity, &action, request.body, &mut journal.actions)
            }
            (method @ (Method::Patch | Method::Put), Target::Property(entity, property, _)) => {
                let ty = model.entity_type(&entity.type_name).ok_or_else(|| Failure::bad_request("type"))?;
                if ty.property(&property).is_some_and(|p| p.kind == Kind::Primitive(Edm::Stream)) {
                    return Err(reads::stream_not_stored());
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

    /// Runs `work` with a writer on a route's data.
    fn write<T>(
        &mut self,
        route: usize,
        seeding: bool,
        work: impl FnOnce(&mut Writer<'_>) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let model = self.routes[route].model.clone();
        let mut writer = Writer { model: &model, store: &mut self.routes[route].store, ids: &mut self.ids, seeding };
        work(&mut writer)
    }

    fn create(
        &mut self,
        route: usize,
        root: &str,
        collection: &Collection,
        request: &Request<'_>,
    ) -> Result<Reply, Failure> {
        let json = parse_body(request.body)?;
        let deep = json.as_object().is_some_and(|o| o.iter().any(|(_, v)| matches!(v, JsonValue::Array(_))));
        let snapshot = deep.then(|| self.routes[route].store.clone());
        let created = match self.write(route, request.seeding, |w| w.create(collection, &json)) {
            Ok(created) => created,
            Err(failure) => {
                if let Some(snapshot) = snapshot {
                    self.routes[route].store = snapshot;
                }
                return Err(failure);
            }
        };
        let location = format!("{root}{}", created.entity.path);
        if prefers_minimal(request.headers) {
            let mut reply = no_content();
            reply.headers.set("Location", location.clone());
            reply.headers.set("OData-EntityId", location);
            return Ok(reply);
        }
        let model = self.routes[route].model.clone();
        let view = View { model: &model, store: &self.routes[route].store, root };
        let mut reply = reads::entity(view, &created.entity, &QueryOptions::default(), 201)?;
        if !created.nested.is_empty() {
            let mut body = JsonValue::parse(&String::from_utf8_lossy(&reply.body)).map_err(Failure::bad_request)?;
            if let JsonValue::Object(object) = &mut body {
                add_nested(view, object, &created)?;
            }
            reply.body = body.to_text().into_bytes();
        }
        reply.headers.set("Location", location);
        Ok(reply)
    }

    fn update(&mut self, route: usize, root: &str, entity: &EntityAt, request: &Request<'_>) -> Result<Reply, Failure> {
        let model = self.routes[route].model.clone();
        if let Some(set) = model.set_of_type(&entity.type_name)
            && !set.updatable
            && !request.seeding
        {
            return Err(Failure::method_not_allowed("PATCH", &set.name));
        }
        self.check_if_match(route, entity, request, true)?;
        let json = parse_body(request.body)?;
        self.write(route, request.seeding, |w| w.update(entity, &json))?;
        if prefers_minimal(request.headers) {
            return Ok(no_content());
        }
        let view = View { model: &model, store: &self.routes[route].store, root };
        reads::entity(view, entity, &QueryOptions::default(), 200)
    }

    fn delete(&mut self, route: usize, entity: &EntityAt, request: &Request<'_>) -> Result<Reply, Failure> {
        let model = self.routes[route].model.clone();
        if let Some(set) = model.set_of_type(&entity.type_name)
            && !set.deletable
        {
            return Err(Failure::method_not_allowed("DELETE", &set.name));
        }
        self.check_if_match(route, entity, request, true)?;
        self.write(route, request.seeding, |w| w.delete(entity))?;
        Ok(no_content())
    }

    /// `If-Match` on a write: required on PATCH and DELETE (`*` matches
    /// anything), checked on actions when sent.
    fn check_if_match(
        &mut self,
        route: usize,
        entity: &EntityAt,
        request: &Request<'_>,
        required: bool,
    ) -> Result<(), Failure> {
        if request.seeding {
            return Ok(());
        }
        let Some(sent) = request.headers.get("If-Match") else {
            return if required { Err(self.dialect.missing_if_match()) } else { Ok(()) };
        };
        let row =
            self.routes[route].store.row(&entity.type_name, entity.seq).ok_or_else(|| Failure::bad_request("gone"))?;
        if sent.trim() == "*" || sent.split(',').any(|tag| tag.trim() == row.etag()) {
            return Ok(());
        }
        Err(self.dialect.stale_etag())
    }

    /// A JSON `$batch`: each operation handled as if sent alone; with
    /// `Isolation: snapshot`, all of them undone when one fails.
    fn batch(
        &mut self,
        route: usize,
        root: &str,
        request: &Request<'_>,
        journal: &mut Journal,
    ) -> Result<Reply, Failure> {
        let operations = batch::operations(root, request.body)?;
        let snapshot = batch::is_atomic(request.headers).then(|| self.routes[route].store.clone());
        let mut responses = Vec::with_capacity(operations.len());
        let mut failed = false;
        for operation in operations {
            let mut inner = Journal::default();
            let body = operation.body.as_deref().map(str::as_bytes);
            let reply = if operation.url.contains("$batch") {
                self.failure_reply(&batch::nested_batch())
            } else {
                self.handle(operation.method, &operation.url, &operation.headers, body, false, &mut inner)
            };
            failed |= reply.status >= 400;
            journal.actions.extend(inner.actions);
            journal.batch.push(SubRequest {
                method: operation.method,
                url: operation.url,
                headers: operation.headers,
                body: operation.body,
                status: reply.status,
                ignored: inner.ignored,
            });
            responses.push((operation.id, reply));
        }
        if failed && let Some(snapshot) = snapshot {
            self.routes[route].store = snapshot;
            for (_, reply) in responses.iter_mut().filter(|(_, r)| r.status < 400) {
                *reply = self.failure_reply(&batch::rolled_back());
            }
        }
        Ok(batch::envelope(responses))
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

fn set_label(model: &ServiceModel, collection: &Collection) -> String {
    model.set_of_type(&collection.type_name).map_or_else(|| collection.path.clone(), |s| s.name.clone())
}

fn prefers_minimal(headers: &Headers) -> bool {
    headers
        .get("Prefer")
        .is_some_and(|p| p.split(',').any(|p| matches!(p.trim(), "return=minimal" | "return-no-content")))
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
    fn roots_keep_what_precedes_the_route() {
        assert_eq!(root_url("https://h:1/v2.0/t/e/api/v2.0/companies?$top=1", 5), "https://h:1/v2.0/t/e/api/v2.0/");
    }
}
