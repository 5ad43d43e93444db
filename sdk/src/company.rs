//! The company a client works in when a call does not name one.

use odata_v4_runtime::uuid::Uuid;
use odata_v4_runtime::{Client, ClientBuilder};

/// A company to address when the caller does not name one explicitly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompanyRef {
    /// The company's `id` (stable across renames).
    Id(Uuid),
    /// The company's `name` (readable, but changes if the company is renamed).
    Name(String),
}

/// Kept on the client as a type of its own, so that nothing else stored
/// there can be taken for it.
struct DefaultCompany(CompanyRef);

/// The company the client was configured with, if any (generated APIs
/// read it in `Api::default_company`).
pub fn default_company(client: &Client) -> Option<&CompanyRef> {
    client.extension::<DefaultCompany>().map(|default| &default.0)
}

/// Business Central settings of a [`ClientBuilder`].
pub trait ClientBuilderExt: Sized {
    /// The company used when a call does not name one, by id.
    fn default_company_id(self, id: Uuid) -> Self;

    /// The company used when a call does not name one, by name.
    fn default_company_name(self, name: impl Into<String>) -> Self;

    /// Sends `Data-Access-Intent: ReadOnly` on reads, letting the service
    /// answer from a read replica. Replicas may lag behind: leave this off
    /// (the default) when reading right after writing. Writes never carry
    /// it, and a write that is read back asks for the primary database.
    fn read_only_intent(self, enabled: bool) -> Self;
}

impl ClientBuilderExt for ClientBuilder {
    fn default_company_id(self, id: Uuid) -> Self {
        self.extension(DefaultCompany(CompanyRef::Id(id)))
    }

    fn default_company_name(self, name: impl Into<String>) -> Self {
        self.extension(DefaultCompany(CompanyRef::Name(name.into())))
    }

    fn read_only_intent(self, enabled: bool) -> Self {
        if enabled {
            self.read_header("Data-Access-Intent", "ReadOnly")
        } else {
            self.remove_read_header("Data-Access-Intent")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_company_travels_with_the_client() {
        let none = Client::builder("http://127.0.0.1:9").build().unwrap();
        assert_eq!(default_company(&none), None);
        let named = Client::builder("http://127.0.0.1:9")
            .default_company_id(Uuid::nil())
            .default_company_name("CRONUS")
            .build()
            .unwrap();
        assert_eq!(default_company(&named), Some(&CompanyRef::Name("CRONUS".to_owned())));
    }
}
