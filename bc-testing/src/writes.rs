//! Writing: creates (with deep insert of contained collections), updates
//! and deletes, each payload checked ([`payload`](crate::payload)), keys
//! kept unique (the OData key and the table's own,
//! [`table_keys`](crate::table_keys)), documents completed and their
//! totals kept ([`documents`](crate::documents)).

use odata_v4_runtime::uuid::Uuid;

use crate::documents::{self, Writer};
use crate::json::{JsonObject, JsonValue};
use crate::model::{Edm, Kind, ServiceModel, TypeModel};
use crate::payload::{check_value, declared, read_only};
use crate::reply::Failure;
use crate::resolve::{self, Collection, EntityAt, Link, Navigated};
use crate::store::Seq;
use crate::table_keys;
use crate::values::{self, Value};

/// An entity created by [`create`], with the entities deep-inserted with it.
pub(crate) struct Created {
    pub entity: EntityAt,
    pub nested: Vec<(String, Vec<Created>)>,
}

fn type_of<'m>(model: &'m ServiceModel, name: &str) -> Result<&'m TypeModel, Failure> {
    model.entity_type(name).ok_or_else(|| Failure::bad_request(format!("unknown entity type {name}")))
}

impl Writer<'_> {
    /// Creates an entity in `collection` from a JSON object.
    pub(crate) fn create(&mut self, collection: &Collection, body: &JsonValue) -> Result<Created, Failure> {
        let model = self.model;
        let ty = model
            .entity_type(&collection.type_name)
            .ok_or_else(|| Failure::bad_request(format!("unknown entity type {}", collection.type_name)))?;
        let Some(body) = body.as_object() else {
            return Err(Failure::bad_request("The request body must be a JSON object."));
        };
        if !self.seeding
            && let Some(set) = model.set_of_type(&ty.name)
            && !set.insertable
        {
            return Err(Failure::method_not_allowed("POST", &set.name));
        }
        let mut values = JsonObject::new();
        let mut nested: Vec<(String, &Vec<JsonValue>)> = Vec::new();
        for (name, value) in body.iter() {
            if name.starts_with('@') || name.contains("@odata.") {
                continue;
            }
            if let Some(nav) = ty.navigation(name) {
                match value {
                    JsonValue::Array(items) if nav.collection && nav.contains_target => {
                        nested.push((name.to_owned(), items));
                    }
                    _ => {
                        return Err(Failure::bad_request(format!(
                            "Deep insert of '{name}' is not supported: only contained collections can be created with their parent."
                        )));
                    }
                }
                continue;
            }
            let property = declared(ty, name)?;
            let is_supplied_id = ty.key.len() == 1 && ty.key[0] == name && name == "id";
            if property.read_only_on_create && !self.seeding && !is_supplied_id {
                return Err(read_only(name));
            }
            values.insert(name, check_value(model, property, value)?);
        }
        if let Link::Equals(pairs) = &collection.link {
            for (property, value) in pairs {
                values.insert(property.clone(), value.clone());
            }
        }
        let parent = match &collection.link {
            Link::Parent(type_name, seq) => Some((type_name.clone(), *seq)),
            _ => None,
        };
        documents::complete_new(self, ty, &mut values, collection.company)?;
        self.check_unique_key(ty, &values, collection.company)?;
        self.check_table_key(ty, &values, collection.company, None)?;
        let seq = self.store.insert(&ty.name, collection.company, parent, values);
        let row = self.store.row(&ty.name, seq).ok_or_else(|| Failure::bad_request("the new row is gone"))?;
        let entity = resolve::entity_at(ty, row, collection);
        let mut created = Created { entity, nested: Vec::new() };
        for (navigation, items) in nested {
            let Navigated::Many(children) = resolve::navigate(model, self.store, &created.entity, &navigation)? else {
                continue;
            };
            let mut made = Vec::new();
            for item in items {
                made.push(self.create(&children, item)?);
            }
            created.nested.push((navigation, made));
        }
        if !self.seeding {
            documents::after_change(self, &ty.name, seq)?;
        }
        Ok(created)
    }

    fn check_unique_key(&self, ty: &TypeModel, values: &JsonObject, company: Option<Uuid>) -> Result<(), Failure> {
        let model = self.model;
        let same = |row_values: &JsonObject| {
            ty.key.iter().all(|k| {
                let kind = ty.property(k).map_or(Kind::Primitive(Edm::Other), |p| p.kind.clone());
                let (a, b) = (Value::from_json(row_values.get(k), &kind), Value::from_json(values.get(k), &kind));
                !a.is_null() && values::equal(&a, &b, model).unwrap_or(false)
            })
        };
        let scoped = |row_company: Option<Uuid>| !ty.company_scoped || row_company == company;
        if self.store.rows(&ty.name).any(|row| scoped(row.company) && same(&row.values)) {
            return Err(Failure::new(
                409,
                "Internal_EntityWithSameKeyExists",
                format!("The record in table {} already exists.", ty.short_name()),
            ));
        }
        Ok(())
    }

    /// The table's own primary key ([`table_keys`]): no other row of the
    /// table in the company may hold the same one. `except` is the row an
    /// update changes.
    fn check_table_key(
        &self,
        ty: &TypeModel,
        values: &JsonObject,
        company: Option<Uuid>,
        except: Option<Seq>,
    ) -> Result<(), Failure> {
        let Some(key) = table_keys::table_key(ty.short_name()) else { return Ok(()) };
        let mut parts = Vec::with_capacity(key.fields.len());
        for (property, _) in key.fields {
            let Some(declared) = ty.property(property) else { return Ok(()) };
            let value = values.get(property);
            if documents::is_blank(value) {
                return Ok(());
            }
            parts.push((*property, &declared.kind, key_part(Value::from_json(value, &declared.kind))));
        }
        let model = self.model;
        let same = |row_values: &JsonObject| {
            parts.iter().all(|(property, kind, wanted)| {
                let stored = key_part(Value::from_json(row_values.get(property), kind));
                values::equal(&stored, wanted, model).unwrap_or(false)
            })
        };
        let scoped = |row_company: Option<Uuid>| !ty.company_scoped || row_company == company;
        if !self.store.rows(&ty.name).any(|row| Some(row.seq) != except && scoped(row.company) && same(&row.values)) {
            return Ok(());
        }
        let identification: Vec<String> = key
            .fields
            .iter()
            .map(|(property, field)| {
                let text = match values.get(property) {
                    Some(JsonValue::String(text)) => text.clone(),
                    other => other.map(JsonValue::to_text).unwrap_or_default(),
                };
                format!("{field}='{text}'")
            })
            .collect();
        Err(Failure::new(
            409,
            "Internal_EntityWithSameKeyExists",
            format!("The {} already exists. Identification fields and values: {}", key.table, identification.join(",")),
        ))
    }

    /// Applies a PATCH body to an entity.
    pub(crate) fn update(&mut self, at: &EntityAt, body: &JsonValue) -> Result<(), Failure> {
        let model = self.model;
        let ty = type_of(model, &at.type_name)?;
        if let Some(set) = model.set_of_type(&ty.name)
            && !set.updatable
            && !self.seeding
        {
            return Err(Failure::method_not_allowed("PATCH", &set.name));
        }
        let Some(body) = body.as_object() else {
            return Err(Failure::bad_request("The request body must be a JSON object."));
        };
        let mut changes = Vec::new();
        for (name, value) in body.iter() {
            if name.starts_with('@') || name.contains("@odata.") {
                continue;
            }
            if ty.navigation(name).is_some() {
                return Err(Failure::bad_request(format!(
                    "'{name}' cannot be changed with its parent: Business Central has no deep update."
                )));
            }
            let property = declared(ty, name)?;
            if property.read_only_on_update && !self.seeding {
                return Err(read_only(name));
            }
            changes.push((name.to_owned(), check_value(model, property, value)?));
        }
        let changes_key = table_keys::table_key(ty.short_name())
            .is_some_and(|key| key.fields.iter().any(|(field, _)| changes.iter().any(|(name, _)| name == field)));
        if changes_key && let Some(row) = self.store.row(&ty.name, at.seq) {
            let mut after = row.values.clone();
            for (name, value) in &changes {
                after.insert(name.clone(), value.clone());
            }
            self.check_table_key(ty, &after, at.company, Some(at.seq))?;
        }
        let type_name = ty.name.clone();
        let now = self.store.write_time();
        let has_timestamp = ty.property("lastModifiedDateTime").is_some();
        let row = self.store.row_mut(&type_name, at.seq).ok_or_else(|| Failure::bad_request("the entity is gone"))?;
        let stamped = self.seeding && changes.iter().any(|(name, _)| name == "lastModifiedDateTime");
        for (name, value) in changes {
            row.values.insert(name, value);
        }
        if has_timestamp && !stamped {
            row.values.insert("lastModifiedDateTime", Value::DateTimeOffset(now).to_json());
        }
        self.store.touch(&type_name, at.seq);
        documents::after_change(self, &type_name, at.seq)
    }

    /// Deletes an entity and everything contained in it.
    pub(crate) fn delete(&mut self, at: &EntityAt) -> Result<(), Failure> {
        let model = self.model;
        let ty = type_of(model, &at.type_name)?;
        if let Some(set) = model.set_of_type(&ty.name)
            && !set.deletable
        {
            return Err(Failure::method_not_allowed("DELETE", &set.name));
        }
        let owner = documents::owning_document(self, &ty.name, at.seq);
        self.delete_tree(at)?;
        if let Some((type_name, seq)) = owner {
            documents::recompute_totals(self, &type_name, seq)?;
        }
        Ok(())
    }

    fn delete_tree(&mut self, at: &EntityAt) -> Result<(), Failure> {
        let model = self.model;
        let ty = type_of(model, &at.type_name)?;
        let is_company = model.company_type() == Some(ty.name.as_str());
        let contained: Vec<String> = ty
            .navigations
            .iter()
            .filter(|n| n.contains_target && n.collection && !is_company)
            .map(|n| n.name.clone())
            .collect();
        for navigation in contained {
            if let Ok(Navigated::Many(children)) = resolve::navigate(model, self.store, at, &navigation) {
                // Only children that belong to this entity alone: lines of a
                // document, payments of a journal.
                if !matches!(children.link, Link::Parent(..)) && !belongs_to(ty, &navigation) {
                    continue;
                }
                let Some(child_type) = model.entity_type(&children.type_name) else { continue };
                let rows: Vec<EntityAt> = resolve::members(model, self.store, &children)
                    .into_iter()
                    .map(|row| resolve::entity_at(child_type, row, &children))
                    .collect();
                for child in rows {
                    self.delete_tree(&child)?;
                }
            }
        }
        self.store.remove(&at.type_name, at.seq);
        Ok(())
    }
}

/// Contained collections whose constraint points back at this entity's
/// key (`salesInvoiceLines` by `documentId`), as opposed to related
/// lookups that merely share a value.
fn belongs_to(ty: &TypeModel, navigation: &str) -> bool {
    ty.navigation(navigation)
        .is_some_and(|n| n.constraints.iter().all(|(source, _)| ty.key.iter().any(|k| k == source)))
}

/// A key part as Business Central compares it: its `Code` fields hold
/// text in upper case.
fn key_part(value: Value) -> Value {
    match value {
        Value::String(text) => Value::String(text.to_uppercase()),
        other => other,
    }
}
