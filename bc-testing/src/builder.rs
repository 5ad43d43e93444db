//! Building a [`FakeBusinessCentral`]: which routes it serves (the SDK's own,
//! or any `$metadata` of a custom API), its page size, dialect and base URL.

use std::sync::Arc;

use business_central_sdk::limits;

use crate::dialect::Dialect;
use crate::error::FakeError;
use crate::exchange::Shared;
use crate::fake::{FAKE_BASE_URL, FakeBusinessCentral};
use crate::model::{self, ServiceModel};
use crate::service::{Route, State};

/// Configures a [`FakeBusinessCentral`]; start with [`FakeBusinessCentral::builder`].
#[derive(Debug)]
pub struct FakeBuilder {
    routes: Vec<Result<Arc<ServiceModel>, String>>,
    dialect: Dialect,
    page_size: usize,
    base_url: String,
}

impl FakeBuilder {
    /// Serves `api/v2.0`, from the schema the generated API was made from
    /// (`business_central_sdk::schemas::API_V2_0`).
    pub fn api_v2_0(mut self) -> FakeBuilder {
        self.routes.push(model::builtin::api_v2_0());
        self
    }

    /// Serves `api/microsoft/reportsFinance/beta`.
    pub fn reports_finance_beta(mut self) -> FakeBuilder {
        self.routes.push(model::builtin::reports_finance_beta());
        self
    }

    /// Serves `route` (such as `api/contoso/shipping/v1.0`) as its
    /// `$metadata` describes it: for crates generated from custom API pages.
    pub fn route(mut self, route: &str, metadata: &str) -> FakeBuilder {
        self.routes.push(ServiceModel::from_csdl(route, metadata).map(Arc::new));
        self
    }

    /// The most entities per page (default: Business Central's 20,000).
    /// Smaller pages make listings follow `@odata.nextLink`.
    pub fn page_size(mut self, size: usize) -> FakeBuilder {
        self.page_size = size.max(1);
        self
    }

    /// The wire dialect (default [`Dialect::BusinessCentral`]).
    pub fn dialect(mut self, dialect: Dialect) -> FakeBuilder {
        self.dialect = dialect;
        self
    }

    /// The base URL [`FakeBusinessCentral::client`] uses (default [`FAKE_BASE_URL`]).
    pub fn base_url(mut self, url: impl Into<String>) -> FakeBuilder {
        let mut url = url.into();
        if !url.ends_with('/') {
            url.push('/');
        }
        self.base_url = url;
        self
    }

    /// Builds the fake, with no companies yet.
    pub fn build(self) -> Result<FakeBusinessCentral, FakeError> {
        let mut routes = Vec::new();
        for model in self.routes {
            routes.push(Route { model: model.map_err(FakeError::Setup)?, store: Default::default() });
        }
        if routes.is_empty() {
            return Err(FakeError::Setup("the fake serves no route: add one with api_v2_0() or route()".to_owned()));
        }
        let state = State::new(routes, self.dialect, self.page_size);
        Ok(FakeBusinessCentral::from_parts(Shared::new(state), self.base_url))
    }
}

impl FakeBusinessCentral {
    /// A fake serving `api/v2.0` and `api/microsoft/reportsFinance/beta` in
    /// Business Central's dialect, with no companies yet.
    ///
    /// # Panics
    ///
    /// If the SDK's schemas do not read (a test makes sure they do).
    pub fn new() -> FakeBusinessCentral {
        match FakeBusinessCentral::builder().api_v2_0().reports_finance_beta().build() {
            Ok(fake) => fake,
            Err(error) => panic!("the built-in schemas must read: {error}"),
        }
    }

    /// Configures a fake.
    pub fn builder() -> FakeBuilder {
        FakeBuilder {
            routes: Vec::new(),
            dialect: Dialect::default(),
            page_size: limits::MAX_PAGE_SIZE as usize,
            base_url: FAKE_BASE_URL.to_owned(),
        }
    }
}

impl Default for FakeBusinessCentral {
    fn default() -> Self {
        FakeBusinessCentral::new()
    }
}
