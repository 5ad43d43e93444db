//! Setting up and inspecting the fake's data, past faults and the request
//! log: companies, entities created as the client would create them or
//! from JSON and typed values (read-only sets included), seed files in the
//! local test peer's format, and edits made by "another user".

use odata_v4_runtime::uuid::Uuid;
use odata_v4_runtime::{CollectionHandle, Edm, EntityHandle, EntitySet, Insertable, Method, Payload};

use crate::error::FakeError;
use crate::fake::FakeBusinessCentral;
use crate::json::{JsonInput, JsonObject, JsonValue};

impl FakeBusinessCentral {
    /// Adds a company to every route and returns its id.
    ///
    /// # Panics
    ///
    /// If Business Central would refuse the name (longer than 30
    /// characters); [`add_company_with_id`](Self::add_company_with_id)
    /// returns the refusal instead.
    pub fn add_company(&self, name: &str) -> Uuid {
        let id = self.shared().state.ids.next();
        match self.add_company_with_id(id, name) {
            Ok(id) => id,
            Err(error) => panic!("adding company {name:?} failed: {error}"),
        }
    }

    /// Adds a company with the given id to every route that has companies.
    pub fn add_company_with_id(&self, id: Uuid, name: &str) -> Result<Uuid, FakeError> {
        let routes: Vec<String> = {
            let shared = self.shared();
            shared
                .state
                .routes
                .iter()
                .filter(|r| r.model.company_set.is_some())
                .map(|r| r.model.route.clone())
                .collect()
        };
        let mut company = JsonObject::new();
        company.insert("id", JsonValue::string(id.to_string()));
        company.insert("name", JsonValue::string(name));
        company.insert("displayName", JsonValue::string(name));
        company.insert("systemVersion", JsonValue::string("26.0.0.0"));
        for route in routes {
            self.direct(Method::Post, &self.url_for(&format!("{route}/companies")), Some(company.to_text()), true)?;
        }
        Ok(id)
    }

    /// Creates an entity as the client's `create` would (number series,
    /// lookups and computed fields included, read-only fields refused), and
    /// returns it. Not recorded in the request log; no fault applies.
    pub fn insert<S>(
        &self,
        collection: &impl CollectionHandle<Set = S>,
        payload: S::Create,
    ) -> Result<S::Entity, FakeError>
    where
        S: Insertable,
    {
        let text = self.direct(Method::Post, &collection.collection_path().url(), Some(payload.to_json()), false)?;
        decode(&text)
    }

    /// Creates an entity from JSON, in any set, read-only ones included
    /// (general ledger entries, say), keeping every value given: `id`,
    /// computed amounts, `lastModifiedDateTime`. What is left out is filled
    /// in as Business Central would.
    pub fn insert_json<S: EntitySet>(
        &self,
        collection: &impl CollectionHandle<Set = S>,
        json: impl JsonInput,
    ) -> Result<S::Entity, FakeError> {
        let text = self.direct(Method::Post, &collection.collection_path().url(), Some(json.json_text()), true)?;
        decode(&text)
    }

    /// Creates an entity from a typed value (one read earlier, or decoded
    /// from a fixture), like [`insert_json`](Self::insert_json). Its ETag is
    /// not kept: the fake gives the new entity its own.
    pub fn insert_entity<S>(
        &self,
        collection: &impl CollectionHandle<Set = S>,
        entity: &S::Entity,
    ) -> Result<S::Entity, FakeError>
    where
        S: EntitySet,
        S::Entity: Edm,
    {
        // The OData JSON the service would send (serde's data model writes
        // decimals as strings).
        let text = entity.to_json();
        let mut value = JsonValue::parse(&text).map_err(FakeError::Setup)?;
        if let JsonValue::Object(object) = &mut value {
            object.remove("@odata.etag");
        }
        self.insert_json(collection, value.to_text())
    }

    /// Creates an entity from JSON at a path below the base URL
    /// (`api/v2.0/companies(…)/customers`) and returns its JSON.
    pub fn insert_json_at(&self, path: &str, json: impl JsonInput) -> Result<String, FakeError> {
        self.direct(Method::Post, &self.url_for(path), Some(json.json_text()), true)
    }

    /// Loads seed data for `route`: a JSON array of `{"set": name,
    /// "entity": {…}}`, where an entity may hold `"@contained": {navigation:
    /// [entities]}` created below it (the format of the local test peer's
    /// seeds). Returns how many entities were created.
    pub fn load_seed(&self, route: &str, seed: impl JsonInput) -> Result<usize, FakeError> {
        let rows = JsonValue::parse(&seed.json_text()).map_err(FakeError::Setup)?;
        let JsonValue::Array(rows) = rows else {
            return Err(FakeError::Setup("a seed is a JSON array of {\"set\", \"entity\"} objects".to_owned()));
        };
        let mut created = 0;
        for row in &rows {
            let object = row.as_object().ok_or_else(|| FakeError::Setup("a seed row must be an object".to_owned()))?;
            let set = object
                .get("set")
                .and_then(JsonValue::as_str)
                .ok_or_else(|| FakeError::Setup("a seed row needs a `set`".to_owned()))?;
            let entity =
                object.get("entity").ok_or_else(|| FakeError::Setup("a seed row needs an `entity`".to_owned()))?;
            created += self.seed_tree(&format!("{}/{set}", route.trim_matches('/')), entity)?;
        }
        Ok(created)
    }

    fn seed_tree(&self, path: &str, entity: &JsonValue) -> Result<usize, FakeError> {
        let mut entity = entity
            .as_object()
            .cloned()
            .ok_or_else(|| FakeError::Setup(format!("{path}: an entity must be an object")))?;
        let contained = entity.remove("@contained");
        let created = self.insert_json_at(path, entity.to_text())?;
        let created = JsonValue::parse(&created).map_err(FakeError::Setup)?;
        let id =
            created.as_object().and_then(|o| o.get("id")).and_then(JsonValue::as_str).unwrap_or_default().to_owned();
        let mut count = 1;
        if let Some(JsonValue::Object(contained)) = contained {
            for (navigation, children) in contained.iter() {
                let JsonValue::Array(children) = children else { continue };
                for child in children {
                    count += self.seed_tree(&format!("{path}({id})/{navigation}"), child)?;
                }
            }
        }
        Ok(count)
    }

    /// The entity as stored now (no request is logged).
    pub fn get<S: EntitySet>(&self, entity: &impl EntityHandle<Set = S>) -> Result<S::Entity, FakeError> {
        let text = self.direct(Method::Get, &entity.entity_path().url(), None, true)?;
        decode(&text)
    }

    /// Every entity of a collection as stored now, in one list (no paging,
    /// no request logged).
    pub fn list<S: EntitySet>(&self, collection: &impl CollectionHandle<Set = S>) -> Result<Vec<S::Entity>, FakeError> {
        let mut items = Vec::new();
        let mut url = collection.collection_path().url();
        loop {
            let text = self.direct(Method::Get, &url, None, true)?;
            let page: odata_v4_runtime::Page<S::Entity> = decode(&text)?;
            items.extend(page.items);
            match page.next_link {
                Some(next) => url = next.as_str().to_owned(),
                None => return Ok(items),
            }
        }
    }

    /// Changes an entity as another user would, behind the client's back:
    /// its ETag changes, so the client's next write with the old one is
    /// refused. `json` holds the changed properties.
    pub fn edit_as_another_user<S: EntitySet>(
        &self,
        entity: &impl EntityHandle<Set = S>,
        json: impl JsonInput,
    ) -> Result<S::Entity, FakeError> {
        self.direct(Method::Patch, &entity.entity_path().url(), Some(json.json_text()), true)?;
        self.get(entity)
    }

    /// Deletes an entity as another user would.
    pub fn delete_as_another_user<S: EntitySet>(&self, entity: &impl EntityHandle<Set = S>) -> Result<(), FakeError> {
        self.direct(Method::Delete, &entity.entity_path().url(), None, true).map(drop)
    }
}

fn decode<T: odata_v4_runtime::serde::de::DeserializeOwned>(text: &str) -> Result<T, FakeError> {
    serde_json::from_str(text).map_err(|e| FakeError::Setup(format!("the fake's answer does not decode: {e}")))
}
