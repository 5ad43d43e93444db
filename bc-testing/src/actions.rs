//! Bound actions (`POST …/salesInvoices(…)/Microsoft.NAV.post`): every call
//! is recorded, and what a call does can be replaced per entity type and
//! action.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use odata_v4_runtime::uuid::Uuid;

use crate::documents;
use crate::json::{JsonObject, JsonValue};
use crate::model::{ServiceModel, TypeModel};
use crate::reply::{Failure, Reply, no_content};
use crate::resolve::EntityAt;
use crate::store::Store;
use crate::values::Value;

/// One call of a bound action, as the fake received it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ActionCall {
    /// The qualified action name, such as `Microsoft.NAV.post`.
    pub action: String,
    /// The entity set of the bound entity, such as `salesInvoices`.
    pub entity_set: String,
    /// The bound entity's path below the API route, with canonical keys:
    /// `companies(…)/salesInvoices(…)`.
    pub path: String,
    /// The bound entity's `id`, when it has one.
    pub id: Option<Uuid>,
    /// The company the entity belongs to.
    pub company: Option<Uuid>,
    /// The request body, when one was sent (Business Central's actions take none).
    pub body: Option<String>,
}

impl ActionCall {
    /// The unqualified action name (`post`).
    pub fn name(&self) -> &str {
        self.action.rsplit('.').next().unwrap_or(&self.action)
    }
}

/// The entity an action is bound to, as a handler sees and changes it.
/// Changes are saved (with a new ETag) when the handler returns `Ok`.
pub struct BoundEntity<'a> {
    entity_set: &'a str,
    values: &'a mut JsonObject,
}

impl<'a> BoundEntity<'a> {
    pub(crate) fn new(entity_set: &'a str, values: &'a mut JsonObject) -> BoundEntity<'a> {
        BoundEntity { entity_set, values }
    }

    /// The entity set the entity belongs to (`salesInvoices`).
    pub fn entity_set(&self) -> &str {
        self.entity_set
    }

    /// A text (or enum) property, such as `status`.
    pub fn text(&self, property: &str) -> Option<&str> {
        self.values.get(property).and_then(JsonValue::as_str)
    }

    /// Any property as JSON text (`2400.50`, `"Open"`, `true`).
    pub fn json(&self, property: &str) -> Option<String> {
        self.values.get(property).map(JsonValue::to_text)
    }

    /// Sets a text (or enum) property.
    pub fn set_text(&mut self, property: &str, value: impl Into<String>) {
        self.values.insert(property, JsonValue::string(value.into()));
    }

    /// Sets any property from JSON text; numbers keep their exact digits.
    pub fn set_json(&mut self, property: &str, json: &str) -> Result<(), String> {
        let value = JsonValue::parse(json)?;
        self.values.insert(property, value);
        Ok(())
    }
}

impl fmt::Debug for BoundEntity<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundEntity")
            .field("entity_set", &self.entity_set)
            .field("values", &self.values.to_text())
            .finish()
    }
}

/// An action handler's refusal, sent as Business Central's error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRefusal {
    status: u16,
    code: String,
    message: String,
}

impl ActionRefusal {
    /// A refusal with this HTTP status, Business Central error code and message.
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> ActionRefusal {
        ActionRefusal { status, code: code.into(), message: message.into() }
    }

    /// The 400 `Application_DialogException` Business Central answers when
    /// a document cannot be processed as it stands.
    pub fn dialog(message: impl Into<String>) -> ActionRefusal {
        ActionRefusal::new(400, "Application_DialogException", message)
    }

    pub(crate) fn into_failure(self) -> Failure {
        Failure { status: self.status, code: self.code, message: self.message }
    }
}

/// What a registered action does to its entity.
pub(crate) type ActionHandler = Arc<dyn Fn(&mut BoundEntity<'_>) -> Result<(), ActionRefusal> + Send + Sync>;

/// Registered action behaviour, by entity type and unqualified action name.
#[derive(Default)]
pub(crate) struct Actions {
    handlers: BTreeMap<(String, String), ActionHandler>,
}

impl Actions {
    pub(crate) fn register(&mut self, type_name: &str, action: &str, handler: ActionHandler) {
        self.handlers.insert((type_name.to_owned(), action.to_owned()), handler);
    }

    pub(crate) fn handler(&self, type_name: &str, action: &str) -> Option<ActionHandler> {
        self.handlers.get(&(type_name.to_owned(), action.to_owned())).cloned()
    }
}

/// The entity type of `entity`, if `action` is bound to it; Business
/// Central answers 404 otherwise.
pub(crate) fn bound_type<'m>(
    model: &'m ServiceModel,
    entity: &EntityAt,
    action: &str,
) -> Result<&'m TypeModel, Failure> {
    let ty = model.entity_type(&entity.type_name).ok_or_else(|| Failure::bad_request("type"))?;
    if !ty.actions.contains(action) {
        return Err(Failure::new(
            404,
            "BadRequest_NotFound",
            format!("The action '{action}' is not bound to '{}'.", ty.name),
        ));
    }
    Ok(ty)
}

/// `POST …/entity/Microsoft.NAV.<action>` (its `If-Match` already
/// checked): recorded in `calls`, then the registered behaviour or
/// Business Central's default runs; a change gives the entity a new ETag.
pub(crate) fn invoke(
    model: &ServiceModel,
    store: &mut Store,
    handlers: &Actions,
    entity: &EntityAt,
    action: &str,
    body: Option<&[u8]>,
    calls: &mut Vec<ActionCall>,
) -> Result<Reply, Failure> {
    let ty = bound_type(model, entity, action)?;
    let short = action.rsplit('.').next().unwrap_or(action);
    let set = model.set_of_type(&ty.name).map_or_else(|| ty.short_name().to_owned(), |s| s.name.clone());
    let mut values = store.row(&entity.type_name, entity.seq).map(|r| r.values.clone()).unwrap_or_default();
    calls.push(ActionCall {
        action: action.to_owned(),
        entity_set: set.clone(),
        path: entity.path.clone(),
        id: values.get("id").and_then(JsonValue::as_str).and_then(|s| Uuid::parse_str(s).ok()),
        company: entity.company,
        body: body.map(|b| String::from_utf8_lossy(b).into_owned()).filter(|b| !b.is_empty()),
    });
    match handlers.handler(&ty.name, short) {
        Some(handler) => {
            let mut bound = BoundEntity::new(&set, &mut values);
            handler(&mut bound).map_err(ActionRefusal::into_failure)?;
        }
        None => documents::default_action(ty, short, &mut values)?,
    }
    let now = store.write_time();
    if let Some(row) = store.row_mut(&entity.type_name, entity.seq)
        && row.values != values
    {
        row.values = values;
        if ty.property("lastModifiedDateTime").is_some() {
            row.values.insert("lastModifiedDateTime", Value::DateTimeOffset(now).to_json());
        }
        store.touch(&entity.type_name, entity.seq);
    }
    Ok(no_content())
}
