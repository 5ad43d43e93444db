//! The entities incremental sync works on.

use odata_v4_runtime::chrono::{DateTime, FixedOffset};
use odata_v4_runtime::{Entity, Property, PropertyOf};

/// Entity types whose rows carry Business Central's `lastModifiedDateTime`,
/// so that their changes can be read incrementally.
///
/// The generator implements it for every Business Central entity type with
/// a `lastModifiedDateTime` of type `Edm.DateTimeOffset` and a single key
/// (58 of the 87 types of `api/v2.0`); an
/// [`IncrementalSync`](super::IncrementalSync) over any other type does not
/// compile:
///
/// ```compile_fail
/// use business_central_sdk::api::v2_0;
/// use business_central_sdk::sync::IncrementalSync;
///
/// # fn example(company: v2_0::company::CompanyPath) {
/// // Sales invoice lines have no `lastModifiedDateTime`.
/// let lines = IncrementalSync::new(&company.sales_invoice_lines());
/// # }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no `lastModifiedDateTime`: its changes cannot be read incrementally",
    note = "incremental sync filters on `lastModifiedDateTime`; read the whole set instead, or sync its parent documents"
)]
pub trait ChangeTracked: Entity {
    /// The `lastModifiedDateTime` property, which the sync filters on.
    type LastModified: Property<Entity = Self, Inner = DateTime<FixedOffset>> + PropertyOf<Self>;

    /// When the row was last changed, as the service reported it (`None`
    /// when the field was not sent or was `null`). Business Central's blank
    /// timestamp `0001-01-01T00:00:00Z` is returned as it is; the sync
    /// treats it as "unknown".
    fn last_modified(&self) -> Option<DateTime<FixedOffset>>;

    /// The row's key as written between the parentheses of its URL
    /// (`34f0…e7` for a GUID, `'A''B'` for a string): what the sync
    /// recognises a row by.
    fn key_text(&self) -> String;
}
