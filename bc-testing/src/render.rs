//! Reading: `$filter`, `$orderby`, `$skip`, `$top`, server-driven paging
//! with a continuation token, and entities written as JSON with `$select`,
//! `$expand` (nested options included) and `@odata.etag`.

use std::cmp::Ordering;

use base64::Engine as _;

use crate::evaluate::{Evaluation, Scope};
use crate::filter::{Expr, FilterError};
use crate::json::{JsonObject, JsonValue};
use crate::model::{Edm, Kind, ServiceModel, TypeModel};
use crate::query::{ExpandItem, QueryOptions};
use crate::reply::Failure;
use crate::resolve::{self, Collection, EntityAt, Navigated};
use crate::store::{Row, Store};
use crate::values::{self, Value};

/// What reading needs: the model, the data and the absolute service root.
#[derive(Clone, Copy)]
pub(crate) struct View<'a> {
    pub model: &'a ServiceModel,
    pub store: &'a Store,
    /// The service root URL, ending in `/`.
    pub root: &'a str,
}

/// One entity's properties, as `$filter` sees them.
struct RowScope<'a> {
    view: View<'a>,
    ty: &'a TypeModel,
    at: EntityAt,
}

impl Scope for RowScope<'_> {
    fn property(&self, name: &str) -> Result<Value, FilterError> {
        let property = self.ty.property(name).ok_or_else(|| unknown_property(self.ty, name))?;
        let row = self.view.store.row(&self.ty.name, self.at.seq);
        Ok(Value::from_json(row.and_then(|r| r.values.get(name)), &property.kind))
    }

    fn related(&self, navigation: &str) -> Result<Vec<Box<dyn Scope + '_>>, FilterError> {
        let view = self.view;
        match resolve::navigate(view.model, view.store, &self.at, navigation) {
            Ok(Navigated::Many(collection)) => {
                let Some(ty) = view.model.entity_type(&collection.type_name) else { return Ok(Vec::new()) };
                Ok(resolve::members(view.model, view.store, &collection)
                    .into_iter()
                    .map(|row| Box::new(RowScope { view, ty, at: resolve::entity_at(ty, row, &collection) }) as _)
                    .collect())
            }
            _ => Err(FilterError(format!("'{navigation}' is not a collection navigation of {}", self.ty.name))),
        }
    }
}

fn unknown_property(ty: &TypeModel, name: &str) -> FilterError {
    FilterError(format!("Could not find a property named '{name}' on type '{}'.", ty.name))
}

/// Checks every name the options use against the entity type, so that a
/// mistake is refused even when no row would reach it.
pub(crate) fn validate(model: &ServiceModel, ty: &TypeModel, options: &QueryOptions) -> Result<(), Failure> {
    let refuse = |e: FilterError| Failure::bad_request(e.0);
    if let Some(filter) = &options.filter {
        validate_filter(model, filter, ty, &[]).map_err(refuse)?;
    }
    for name in options.select.iter().flatten() {
        if name != "*" && ty.property(name).is_none() && ty.navigation(name).is_none() {
            return Err(refuse(unknown_property(ty, name)));
        }
    }
    for item in &options.order_by {
        if ty.property(&item.property).is_none() {
            return Err(refuse(unknown_property(ty, &item.property)));
        }
    }
    for item in &options.expand {
        let nav = ty.navigation(&item.navigation).ok_or_else(|| {
            Failure::bad_request(format!(
                "Could not find a navigation property named '{}' on type '{}'.",
                item.navigation, ty.name
            ))
        })?;
        let target = model.entity_type(&nav.target).ok_or_else(|| Failure::bad_request("unknown target type"))?;
        validate(model, target, &item.options)?;
    }
    Ok(())
}

fn validate_filter(
    model: &ServiceModel,
    expr: &Expr,
    ty: &TypeModel,
    variables: &[(&str, &TypeModel)],
) -> Result<(), FilterError> {
    let check = |e: &Expr| validate_filter(model, e, ty, variables);
    match expr {
        Expr::Literal(_) => Ok(()),
        Expr::Member(path) => match path.as_slice() {
            [name] if ty.property(name).is_some() => Ok(()),
            [variable, name] => match variables.iter().rev().find(|(v, _)| v == variable) {
                Some((_, target)) if target.property(name).is_some() => Ok(()),
                Some((_, target)) => Err(unknown_property(target, name)),
                None => Err(FilterError(format!("'{variable}/{name}': navigation paths are not supported"))),
            },
            [name] => Err(unknown_property(ty, name)),
            _ => Err(FilterError(format!("'{}': navigation paths are not supported", path.join("/")))),
        },
        Expr::Call(_, arguments) => arguments.iter().try_for_each(check),
        Expr::In(left, items) => {
            check(left)?;
            items.iter().try_for_each(check)
        }
        Expr::Compare(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) => {
            check(a)?;
            check(b)
        }
        Expr::Not(a) => check(a),
        Expr::Lambda { path, variable, body, .. } => {
            let (owner, navigation) = match path.as_slice() {
                [navigation] => (ty, navigation),
                [outer, navigation] => match variables.iter().rev().find(|(v, _)| v == outer) {
                    Some((_, owner)) => (*owner, navigation),
                    None => return Err(FilterError(format!("unknown lambda variable '{outer}'"))),
                },
                _ => return Err(FilterError("navigation paths are not supported".to_owned())),
            };
            let nav = owner.navigation(navigation).filter(|n| n.collection).ok_or_else(|| {
                FilterError(format!("'{navigation}' is not a collection navigation of {}", owner.name))
            })?;
            let target = model.entity_type(&nav.target).ok_or_else(|| FilterError("unknown target".to_owned()))?;
            let mut inner = variables.to_vec();
            inner.push((variable.as_str(), target));
            validate_filter(model, body, ty, &inner)
        }
    }
}

/// The rows of `collection` that pass the filter, in `$orderby` order
/// (insertion order breaks ties and orders unsorted lists).
pub(crate) fn matching_rows<'a>(
    view: View<'a>,
    collection: &Collection,
    options: &QueryOptions,
) -> Result<Vec<&'a Row>, Failure> {
    let ty = view.model.entity_type(&collection.type_name).ok_or_else(|| Failure::bad_request("unknown type"))?;
    let mut rows = resolve::members(view.model, view.store, collection);
    if let Some(filter) = &options.filter {
        let evaluation = Evaluation { model: view.model };
        let mut kept = Vec::with_capacity(rows.len());
        for row in rows {
            let scope = RowScope { view, ty, at: resolve::entity_at(ty, row, collection) };
            if evaluation.matches(filter, &scope).map_err(|e| Failure::bad_request(e.0))? {
                kept.push(row);
            }
        }
        rows = kept;
    }
    if !options.order_by.is_empty() {
        let keys: Vec<(Vec<Value>, &Row)> = rows.into_iter().map(|row| (sort_key(ty, options, row), row)).collect();
        let mut keyed = keys;
        keyed.sort_by(|(a, ra), (b, rb)| compare_keys(view.model, options, a, b).then(ra.seq.cmp(&rb.seq)));
        rows = keyed.into_iter().map(|(_, row)| row).collect();
    }
    Ok(rows)
}

fn sort_key(ty: &TypeModel, options: &QueryOptions, row: &Row) -> Vec<Value> {
    options
        .order_by
        .iter()
        .map(|item| {
            let kind = ty.property(&item.property).map_or(Kind::Primitive(Edm::Other), |p| p.kind.clone());
            Value::from_json(row.values.get(&item.property), &kind)
        })
        .collect()
}

fn compare_keys(model: &ServiceModel, options: &QueryOptions, a: &[Value], b: &[Value]) -> Ordering {
    for ((x, y), item) in a.iter().zip(b).zip(&options.order_by) {
        let order = values::sort_order(x, y, model);
        let order = if item.descending { order.reverse() } else { order };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

/// One page of a listing.
pub(crate) struct Window<'a> {
    pub rows: Vec<&'a Row>,
    /// `$count=true`: every matching row, before `$skip`/`$top`.
    pub count: Option<usize>,
    /// The `$skiptoken` of the next page, if there is one.
    pub next_token: Option<String>,
}

/// Applies `$skip`, `$top`, the continuation token and the page size.
pub(crate) fn window<'a>(
    view: View<'a>,
    collection: &Collection,
    options: &QueryOptions,
    page_size: usize,
) -> Result<Window<'a>, Failure> {
    let ty = view.model.entity_type(&collection.type_name).ok_or_else(|| Failure::bad_request("unknown type"))?;
    let rows = matching_rows(view, collection, options)?;
    let count = options.count.then_some(rows.len());
    let skip = usize::try_from(options.skip.unwrap_or(0)).unwrap_or(usize::MAX);
    let top = options.top.map_or(usize::MAX, |t| usize::try_from(t).unwrap_or(usize::MAX));
    let mut rows: Vec<&Row> = rows.into_iter().skip(skip).take(top).collect();
    if let Some(token) = &options.skip_token {
        let (after_key, after_seq) = read_token(ty, options, token)?;
        rows.retain(|row| {
            let key = sort_key(ty, options, row);
            compare_keys(view.model, options, &key, &after_key).then(row.seq.cmp(&after_seq)) == Ordering::Greater
        });
    }
    let mut next_token = None;
    if rows.len() > page_size {
        rows.truncate(page_size);
        if let Some(last) = rows.last() {
            next_token = Some(write_token(options, last));
        }
    }
    Ok(Window { rows, count, next_token })
}

/// The continuation token: the last row's `$orderby` values as stored, and
/// its position, so a page boundary survives rows added or removed in
/// between.
fn write_token(options: &QueryOptions, last: &Row) -> String {
    let mut items: Vec<JsonValue> = options
        .order_by
        .iter()
        .map(|item| last.values.get(&item.property).cloned().unwrap_or(JsonValue::Null))
        .collect();
    items.push(JsonValue::number(last.seq));
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(JsonValue::Array(items).to_text())
}

/// Reads a token back. Its values are read with the types of the
/// `$orderby` properties, as the rows they are compared with: text that
/// looks like a date or a GUID stays text.
fn read_token(ty: &TypeModel, options: &QueryOptions, token: &str) -> Result<(Vec<Value>, u64), Failure> {
    let invalid = || Failure::bad_request(format!("The skip token '{token}' is not valid."));
    let bytes =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.trim_matches('\'')).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let JsonValue::Array(mut items) = JsonValue::parse(&text).map_err(|_| invalid())? else { return Err(invalid()) };
    let Some(JsonValue::Number(seq)) = items.pop() else { return Err(invalid()) };
    let seq = seq.parse().map_err(|_| invalid())?;
    if items.len() != options.order_by.len() {
        return Err(invalid());
    }
    let key = items
        .iter()
        .zip(&options.order_by)
        .map(|(item, order)| {
            let kind = ty.property(&order.property).map_or(Kind::Primitive(Edm::Other), |p| p.kind.clone());
            Value::from_json(Some(item), &kind)
        })
        .collect();
    Ok((key, seq))
}

/// The JSON of one entity, with `$select` and `$expand` applied.
pub(crate) fn entity_json(view: View<'_>, at: &EntityAt, options: &QueryOptions) -> Result<JsonObject, Failure> {
    let model = view.model;
    let ty = model.entity_type(&at.type_name).ok_or_else(|| Failure::bad_request("unknown type"))?;
    let row = view.store.row(&at.type_name, at.seq).ok_or_else(|| Failure::bad_request("the entity is gone"))?;
    let mut out = JsonObject::new();
    // Business Central sends no ETag for companies.
    if model.company_type() != Some(ty.name.as_str()) {
        out.insert("@odata.etag", JsonValue::string(row.etag()));
    }
    let selected = |name: &str| options.select.as_ref().is_none_or(|s| s.iter().any(|n| n == name || n == "*"));
    for property in ty.properties.iter().filter(|p| selected(&p.name)) {
        if property.kind == Kind::Primitive(Edm::Stream) {
            let link = format!("{}{}/{}", view.root, at.path, property.name);
            out.insert(format!("{}@odata.mediaReadLink", property.name), JsonValue::string(link));
            continue;
        }
        out.insert(property.name.clone(), row.values.get(&property.name).cloned().unwrap_or(JsonValue::Null));
    }
    for item in &options.expand {
        let related = expanded(view, at, item, &mut out)?;
        out.insert(item.navigation.clone(), related);
    }
    Ok(out)
}

fn expanded(view: View<'_>, at: &EntityAt, item: &ExpandItem, out: &mut JsonObject) -> Result<JsonValue, Failure> {
    Ok(match resolve::navigate(view.model, view.store, at, &item.navigation)? {
        Navigated::Many(collection) => {
            let ty =
                view.model.entity_type(&collection.type_name).ok_or_else(|| Failure::bad_request("unknown type"))?;
            let options = &item.options;
            let rows = matching_rows(view, &collection, options)?;
            if options.count {
                out.insert(format!("{}@odata.count", item.navigation), JsonValue::number(rows.len()));
            }
            let skip = usize::try_from(options.skip.unwrap_or(0)).unwrap_or(usize::MAX);
            let top = options.top.map_or(usize::MAX, |t| usize::try_from(t).unwrap_or(usize::MAX));
            let mut items = Vec::new();
            for row in rows.into_iter().skip(skip).take(top) {
                let child = resolve::entity_at(ty, row, &collection);
                items.push(JsonValue::Object(entity_json(view, &child, options)?));
            }
            JsonValue::Array(items)
        }
        Navigated::One(Some(related)) => JsonValue::Object(entity_json(view, &related, &item.options)?),
        Navigated::One(None) => JsonValue::Null,
    })
}
