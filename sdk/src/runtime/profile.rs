//! The wire dialect of a service. Business Central and strict OData v4
//! servers disagree on a few details; the SDK follows the profile instead of
//! special-casing servers.

/// How enum values are written inside `$filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumLiteralStyle {
    /// `documentType eq 'Credit_x0020_Memo'` (Business Central).
    PlainString,
    /// `documentType eq Microsoft.NAV.genJournalDocumentType'Credit_x0020_Memo'` (OData ABNF).
    Qualified,
}

/// How `in (...)` filters are made effective.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InOperatorSupport {
    /// The service understands `in` natively.
    Native,
    /// The service ignores `in` unless `$schemaversion=2.1` is sent (Business Central).
    RequiresSchemaVersion21,
}

/// Per-service wire behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceProfile {
    pub enum_literals: EnumLiteralStyle,
    pub in_operator: InOperatorSupport,
    /// How stream content is replaced: BC takes `PATCH`, OData servers `PUT`.
    pub media_upload_method: super::http::Method,
}

impl ServiceProfile {
    /// Microsoft Dynamics 365 Business Central (online and on-premises).
    pub fn business_central() -> Self {
        ServiceProfile {
            enum_literals: EnumLiteralStyle::PlainString,
            in_operator: InOperatorSupport::RequiresSchemaVersion21,
            media_upload_method: super::http::Method::Patch,
        }
    }

    /// A server that follows the OData v4 ABNF strictly.
    pub fn strict_odata() -> Self {
        ServiceProfile {
            enum_literals: EnumLiteralStyle::Qualified,
            in_operator: InOperatorSupport::Native,
            media_upload_method: super::http::Method::Put,
        }
    }
}

impl Default for ServiceProfile {
    fn default() -> Self {
        ServiceProfile::business_central()
    }
}
