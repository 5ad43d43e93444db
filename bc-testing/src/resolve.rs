//! From URL segments to what they address: an entity set, a contained
//! collection (`companies(…)/customers`, `salesInvoices(…)/salesInvoiceLines`),
//! one entity by key or alternate key, `$count`, a bound action or a
//! property.
//!
//! Containment follows the model: a navigation from the company scopes rows
//! to that company; a navigation with referential constraints selects rows
//! by value (`salesInvoiceLine.documentId = salesInvoice.id`); one without
//! remembers the row it was created under.

use odata_v4_runtime::uuid::Uuid;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::filter;
use crate::json::JsonValue;
use crate::model::{Edm, Kind, ServiceModel, TypeModel};
use crate::query::Segment;
use crate::reply::Failure;
use crate::store::{Row, Seq, Store};
use crate::values::{self, Value};

/// How the rows of a collection relate to the entity it was reached from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Link {
    None,
    /// Rows whose properties hold these values.
    Equals(Vec<(String, JsonValue)>),
    /// Rows created under this row.
    Parent(String, Seq),
}

/// A collection of entities of one type.
#[derive(Debug, Clone)]
pub(crate) struct Collection {
    pub type_name: String,
    pub company: Option<Uuid>,
    pub link: Link,
    /// Relative to the service root, with canonical keys: `companies(…)/customers`.
    pub path: String,
}

/// One entity.
#[derive(Debug, Clone)]
pub(crate) struct EntityAt {
    pub type_name: String,
    pub seq: Seq,
    pub company: Option<Uuid>,
    /// Relative to the service root, with canonical keys.
    pub path: String,
    /// The collection it was found in (to create siblings, for the context URL).
    pub collection: Collection,
}

/// What a URL addresses.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    ServiceDocument,
    Metadata,
    Batch,
    Collection(Collection),
    Entity(EntityAt),
    Count(Collection),
    Action(EntityAt, String),
    /// A property of an entity; `true` for its raw `$value`.
    Property(EntityAt, String, bool),
}

/// What a navigation from one entity leads to.
pub(crate) enum Navigated {
    Many(Collection),
    One(Option<EntityAt>),
}

/// Left as they are inside a key predicate, as the runtime writes keys.
const KEY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'\'');

fn not_found(segment: &str) -> Failure {
    Failure::new(404, "BadRequest_NotFound", format!("Resource not found for the segment '{segment}'."))
}

/// Resolves the segments after the service root. `company` is the
/// `?company=` parameter, for company-scoped sets addressed at the root.
pub(crate) fn resolve(
    model: &ServiceModel,
    store: &Store,
    segments: &[Segment],
    company: Option<&str>,
) -> Result<Target, Failure> {
    let Some((first, rest)) = segments.split_first() else {
        return Ok(Target::ServiceDocument);
    };
    match first.name.as_str() {
        "$metadata" if rest.is_empty() => return Ok(Target::Metadata),
        "$batch" if rest.is_empty() => return Ok(Target::Batch),
        _ => {}
    }
    let set = model.set(&first.name).ok_or_else(|| not_found(&first.name))?;
    let ty = model.entity_type(&set.type_name).ok_or_else(|| not_found(&first.name))?;
    let company = if ty.company_scoped { Some(company_from_parameter(model, store, company)?) } else { None };
    let collection = Collection { type_name: ty.name.clone(), company, link: Link::None, path: set.name.clone() };
    let mut current = match &first.key {
        Some(key) => Target::Entity(find_by_key(model, store, &collection, key)?),
        None => Target::Collection(collection),
    };
    for segment in rest {
        current = step(model, store, current, segment)?;
    }
    Ok(current)
}

fn step(model: &ServiceModel, store: &Store, current: Target, segment: &Segment) -> Result<Target, Failure> {
    let name = segment.name.as_str();
    match current {
        Target::Collection(collection) if name == "$count" && segment.key.is_none() => Ok(Target::Count(collection)),
        Target::Entity(entity) => {
            let ty = model.entity_type(&entity.type_name).ok_or_else(|| not_found(name))?;
            if name.contains('.') && segment.key.is_none() {
                return Ok(Target::Action(entity, name.to_owned()));
            }
            if ty.property(name).is_some() && segment.key.is_none() {
                return Ok(Target::Property(entity, name.to_owned(), false));
            }
            match navigate(model, store, &entity, name)? {
                Navigated::Many(collection) => match &segment.key {
                    Some(key) => Ok(Target::Entity(find_by_key(model, store, &collection, key)?)),
                    None => Ok(Target::Collection(collection)),
                },
                Navigated::One(Some(related)) if segment.key.is_none() => Ok(Target::Entity(related)),
                Navigated::One(_) => Err(not_found(name)),
            }
        }
        Target::Property(entity, property, false) if name == "$value" => Ok(Target::Property(entity, property, true)),
        _ => Err(not_found(name)),
    }
}

/// `?company=<id or name>`, required for company-scoped sets at the root.
fn company_from_parameter(model: &ServiceModel, store: &Store, company: Option<&str>) -> Result<Uuid, Failure> {
    let missing = || {
        Failure::new(
            400,
            "Internal_CompanyNotFound",
            "Cannot process the request because the default company cannot be found. Address the set through \
             companies(<id>)/… or add company=<name or id> to the query.",
        )
    };
    let wanted = company.ok_or_else(missing)?;
    let company_type = model.company_type().ok_or_else(missing)?;
    let by_id = Uuid::parse_str(wanted).ok();
    store
        .rows(company_type)
        .find(|row| {
            let id = row.values.get("id").and_then(JsonValue::as_str).and_then(|s| Uuid::parse_str(s).ok());
            (by_id.is_some() && id == by_id) || row.values.get("name").and_then(JsonValue::as_str) == Some(wanted)
        })
        .and_then(row_id)
        .ok_or_else(missing)
}

pub(crate) fn row_id(row: &Row) -> Option<Uuid> {
    row.values.get("id").and_then(JsonValue::as_str).and_then(|s| Uuid::parse_str(s).ok())
}

/// Whether a row belongs to a collection.
pub(crate) fn is_member(model: &ServiceModel, collection: &Collection, row: &Row) -> bool {
    if collection.company.is_some() && row.company != collection.company {
        return false;
    }
    match &collection.link {
        Link::None => true,
        Link::Parent(type_name, seq) => row.parent.as_ref() == Some(&(type_name.clone(), *seq)),
        Link::Equals(pairs) => {
            let Some(ty) = model.entity_type(&collection.type_name) else { return false };
            pairs.iter().all(|(property, wanted)| same_value(model, ty, property, row.values.get(property), wanted))
        }
    }
}

fn same_value(
    model: &ServiceModel,
    ty: &TypeModel,
    property: &str,
    stored: Option<&JsonValue>,
    wanted: &JsonValue,
) -> bool {
    let Some(kind) = ty.property(property).map(|p| &p.kind) else { return false };
    let (a, b) = (Value::from_json(stored, kind), Value::from_json(Some(wanted), kind));
    !a.is_null() && !b.is_null() && values::equal(&a, &b, model).unwrap_or(false)
}

/// The rows of a collection, in insertion order.
pub(crate) fn members<'s>(model: &ServiceModel, store: &'s Store, collection: &Collection) -> Vec<&'s Row> {
    store.rows(&collection.type_name).filter(|row| is_member(model, collection, row)).collect()
}

/// The entity of `collection` whose key (or alternate key) is `predicate`.
pub(crate) fn find_by_key(
    model: &ServiceModel,
    store: &Store,
    collection: &Collection,
    predicate: &str,
) -> Result<EntityAt, Failure> {
    let ty = model.entity_type(&collection.type_name).ok_or_else(|| not_found(&collection.path))?;
    let parts = filter::parse_key(predicate).map_err(|e| Failure::bad_request(e.0))?;
    let properties = key_properties(ty, &parts).ok_or_else(|| {
        Failure::bad_request(format!(
            "The key predicate ({predicate}) does not match the key or an alternate key of {}.",
            ty.name
        ))
    })?;
    let mut found = None;
    for row in store.rows(&ty.name).filter(|row| is_member(model, collection, row)) {
        let mut all = true;
        for (property, (_, literal)) in properties.iter().zip(&parts) {
            let kind = &ty.property(property).map(|p| p.kind.clone()).unwrap_or(Kind::Primitive(Edm::Other));
            let stored = Value::from_json(row.values.get(property), kind);
            if stored.is_null() || !values::equal(&stored, literal, model).map_err(|e| Failure::bad_request(e.0))? {
                all = false;
                break;
            }
        }
        if all {
            found = Some(row);
            break;
        }
    }
    let row = found.ok_or_else(|| {
        Failure::new(
            404,
            "Internal_RecordNotFound",
            format!("The {} does not exist. Identification fields and values: {predicate}", ty.short_name()),
        )
    })?;
    Ok(entity_at(ty, row, collection))
}

/// The property names a key predicate names, in its order: the key for
/// `(value)` or `(k1=…,k2=…)`, or an alternate key by its aliases.
fn key_properties(ty: &TypeModel, parts: &[(Option<String>, Value)]) -> Option<Vec<String>> {
    if let [(None, _)] = parts {
        return (ty.key.len() == 1).then(|| ty.key.clone());
    }
    let names: Vec<&str> = parts.iter().map(|(name, _)| name.as_deref()).collect::<Option<_>>()?;
    let same_set = |candidate: &[&str]| candidate.len() == names.len() && names.iter().all(|n| candidate.contains(n));
    let primary: Vec<&str> = ty.key.iter().map(String::as_str).collect();
    if same_set(&primary) {
        return Some(names.iter().map(|n| (*n).to_owned()).collect());
    }
    ty.alternate_keys.iter().find_map(|key| {
        let aliases: Vec<&str> = key.iter().map(|(alias, _)| alias.as_str()).collect();
        same_set(&aliases).then(|| {
            names
                .iter()
                .map(|n| key.iter().find(|(alias, _)| alias == n).map(|(_, p)| p.clone()).unwrap_or_default())
                .collect()
        })
    })
}

/// An entity reached through `collection`.
pub(crate) fn entity_at(ty: &TypeModel, row: &Row, collection: &Collection) -> EntityAt {
    EntityAt {
        type_name: ty.name.clone(),
        seq: row.seq,
        company: row.company,
        path: format!("{}({})", collection.path, key_text(ty, row)),
        collection: collection.clone(),
    }
}

/// The canonical key predicate of a row, URL-encoded: a GUID bare, a
/// string quoted, several as `name=value`.
pub(crate) fn key_text(ty: &TypeModel, row: &Row) -> String {
    let literal = |property: &str| {
        let value = row.values.get(property).cloned().unwrap_or(JsonValue::Null);
        let kind = ty.property(property).map(|p| &p.kind);
        match (value, kind) {
            (JsonValue::String(text), Some(Kind::Primitive(Edm::String)) | Some(Kind::Enum(_))) => {
                let quoted = format!("'{}'", text.replace('\'', "''"));
                utf8_percent_encode(&quoted, KEY_VALUE).to_string()
            }
            (JsonValue::String(text), _) => text,
            (other, _) => other.to_text(),
        }
    };
    match ty.key.as_slice() {
        [single] => literal(single),
        many => many.iter().map(|k| format!("{k}={}", literal(k))).collect::<Vec<_>>().join(","),
    }
}

/// Follows a navigation property from an entity.
pub(crate) fn navigate(model: &ServiceModel, store: &Store, from: &EntityAt, name: &str) -> Result<Navigated, Failure> {
    let ty = model.entity_type(&from.type_name).ok_or_else(|| not_found(name))?;
    let nav = ty.navigation(name).ok_or_else(|| not_found(name))?;
    let row = store.row(&from.type_name, from.seq).ok_or_else(|| not_found(name))?;
    let target = model.entity_type(&nav.target).ok_or_else(|| not_found(name))?;
    let is_company = model.company_type() == Some(ty.name.as_str());
    let company = if is_company { row_id(row) } else { from.company };
    let company = if target.company_scoped { company } else { None };
    let link = if is_company {
        Link::None
    } else if nav.constraints.is_empty() {
        Link::Parent(ty.name.clone(), row.seq)
    } else {
        let pairs = nav
            .constraints
            .iter()
            .map(|(source, target)| (target.clone(), row.values.get(source).cloned().unwrap_or(JsonValue::Null)))
            .collect();
        Link::Equals(pairs)
    };
    let collection =
        Collection { type_name: target.name.clone(), company, link, path: format!("{}/{name}", from.path) };
    if nav.collection {
        return Ok(Navigated::Many(collection));
    }
    let related = store.rows(&target.name).find(|row| is_member(model, &collection, row));
    // A single-valued navigation is addressed without a key.
    let one = related.map(|row| EntityAt {
        type_name: target.name.clone(),
        seq: row.seq,
        company: row.company,
        path: collection.path.clone(),
        collection: collection.clone(),
    });
    Ok(Navigated::One(one))
}
