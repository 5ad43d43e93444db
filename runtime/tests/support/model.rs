//! A hand-declared entity set with the shapes the generator emits, for the
//! tests of the typed layer: a `currencies` set of `Shop.currency`
//! entities that can be read, filtered, ordered and updated.

use odata_v4_runtime::uuid::Uuid;
use odata_v4_runtime::{
    CollectionPath, ETag, Entity, EntitySet, Filterable, PayloadFields, Service, ServiceProfile, Sortable, Updatable,
};
use serde::{Deserialize, Deserializer};

/// The service marker.
pub enum Shop {}

impl Service for Shop {
    const ROUTE: &'static str = "api/v2.0";
    const PROFILE: ServiceProfile = super::DIALECT;
}

/// `Shop.currency`.
#[derive(Debug, Deserialize)]
pub struct Currency {
    pub id: Uuid,
    pub code: String,
    #[serde(rename = "@odata.etag", default, deserialize_with = "etag")]
    pub etag: Option<ETag>,
}

fn etag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<ETag>, D::Error> {
    Option::<String>::deserialize(deserializer).map(|text| text.map(ETag::new))
}

impl Entity for Currency {
    type Service = Shop;
    const TYPE_NAME: &'static str = "Shop.currency";
    const ALWAYS_SELECTED: &'static [&'static str] = &["id", "code"];
    fn etag(&self) -> Option<&ETag> {
        self.etag.as_ref()
    }
}

/// The entity set `currencies`.
pub enum Currencies {}

impl EntitySet for Currencies {
    type Entity = Currency;
    type Key = Uuid;
    const NAME: &'static str = "currencies";
}

impl Updatable for Currencies {
    type Update = CurrencyUpdate;
}
impl Filterable for Currencies {}
impl Sortable for Currencies {}

/// The changes of an update.
#[derive(Debug, Default)]
pub struct CurrencyUpdate(PayloadFields);

impl CurrencyUpdate {
    /// Sets `code`.
    pub fn code(mut self, code: &str) -> Self {
        self.0.set("code", &code.to_owned());
        self
    }
}

impl odata_v4_runtime::Payload for CurrencyUpdate {
    type Entity = Currency;
    fn to_json(&self) -> String {
        self.0.to_json()
    }
}

/// `{root}companies({company})/currencies`.
pub fn currencies(api: &odata_v4_runtime::Api, company: Uuid) -> CollectionPath<Currencies> {
    CollectionPath::new(api.clone(), format!("companies({company})/currencies"))
}
