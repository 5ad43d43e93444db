//! A hand-declared entity set with the shapes the generator emits, for the
//! tests of the typed layer: a `currencies` set of `Shop.currency`
//! entities that can be read, filtered, ordered and updated.

use odata_v4_runtime::uuid::Uuid;
use odata_v4_runtime::{
    CollectionPath, ETag, Entity, EntitySet, Filterable, Insertable, PayloadFields, Service, ServiceProfile, Sortable,
    Updatable,
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
impl Insertable for Currencies {
    type Create = CurrencyCreate;
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

/// A new currency.
#[derive(Debug, Default)]
pub struct CurrencyCreate(PayloadFields);

impl CurrencyCreate {
    /// A currency with this code.
    pub fn new(code: &str) -> Self {
        let mut fields = PayloadFields::default();
        fields.set("code", &code.to_owned());
        CurrencyCreate(fields)
    }
}

impl odata_v4_runtime::Payload for CurrencyCreate {
    type Entity = Currency;
    fn to_json(&self) -> String {
        self.0.to_json()
    }
}

/// `{root}companies({company})/currencies`.
pub fn currencies(api: &odata_v4_runtime::Api, company: Uuid) -> CollectionPath<Currencies> {
    CollectionPath::new(api.clone(), format!("companies({company})/currencies"))
}

/// `Shop.entry`: a ledger entry, for the export tests and benchmark.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub id: Uuid,
    pub entry_number: Option<i64>,
    #[serde(default)]
    pub posting_date: Option<String>,
    #[serde(default)]
    pub document_number: Option<String>,
    #[serde(default)]
    pub account_number: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    // The export's mechanics are under test, not decimals (which the
    // generated types read exactly): f64 keeps this model dependency-free.
    #[serde(default)]
    pub debit_amount: Option<f64>,
    #[serde(default)]
    pub credit_amount: Option<f64>,
    #[serde(rename = "@odata.etag", default, deserialize_with = "etag")]
    pub etag: Option<ETag>,
}

impl Entity for Entry {
    type Service = Shop;
    const TYPE_NAME: &'static str = "Shop.entry";
    const ALWAYS_SELECTED: &'static [&'static str] = &["id"];
    fn etag(&self) -> Option<&ETag> {
        self.etag.as_ref()
    }
}

/// The entity set `generalLedgerEntries`: read-only, filterable, sortable.
pub enum Entries {}

impl EntitySet for Entries {
    type Entity = Entry;
    type Key = Uuid;
    const NAME: &'static str = "generalLedgerEntries";
}
impl Filterable for Entries {}
impl Sortable for Entries {}

/// The property `entryNumber` of `Shop.entry`.
#[derive(Debug, Clone, Copy)]
pub enum EntryNumber {}

impl odata_v4_runtime::Property for EntryNumber {
    type Entity = Entry;
    type Value = Option<i64>;
    type Inner = i64;
    const NAME: &'static str = "entryNumber";
}
impl odata_v4_runtime::PropertyOf<Entry> for EntryNumber {}

/// The handle of `entryNumber`.
pub fn entry_number() -> odata_v4_runtime::Prop<EntryNumber> {
    odata_v4_runtime::Prop::new()
}

/// `{root}companies(1)/generalLedgerEntries`.
pub fn entries(api: &odata_v4_runtime::Api) -> CollectionPath<Entries> {
    CollectionPath::new(api.clone(), "companies(1)/generalLedgerEntries")
}
