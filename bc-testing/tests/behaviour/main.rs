//! The in-memory Business Central (`business_central_testing`),
//! driven through the generated API exactly as user code drives it.

mod business_central_rules;
mod faults;
mod reads;
mod requests;
mod writes;

use business_central_sdk::api::v2_0::{self, customer, item};
use business_central_sdk::runtime::uuid::Uuid;
use business_central_sdk::runtime::{Headers, HttpRequest, HttpResponse, Method, OperationKind};
use business_central_testing::FakeBusinessCentral;

/// A fake with two companies, CRONUS holding five customers and three items.
pub struct World {
    pub bc: FakeBusinessCentral,
    pub api: v2_0::Api,
    pub cronus: Uuid,
    pub muller: Uuid,
}

impl Default for World {
    fn default() -> World {
        World::new()
    }
}

impl World {
    /// The fake with Business Central's defaults, seeded.
    pub fn new() -> World {
        World::with(FakeBusinessCentral::default())
    }

    pub fn with(bc: FakeBusinessCentral) -> World {
        let cronus = bc.add_company("CRONUS USA, Inc.");
        let muller = bc.add_company("Müller & O'Neil #2+");
        let api = v2_0::Api::new(&bc.client());
        let world = World { bc, api, cronus, muller };
        let customers = world.company().customers();
        for (number, name, city, blocked) in [
            ("10000", "Alpine Ski House", "Denver", None),
            ("20000", "O'Brien & Sons", "Dublin", Some(v2_0::enums::CustomerBlocked::Ship)),
            ("30000", "Zoë's Café #7 + Co", "Lyon", None),
            ("40000", "Fabrikam 100% Naturals", "Denver", Some(v2_0::enums::CustomerBlocked::All)),
            ("50000", "Northwind Traders", "Seattle", None),
        ] {
            let mut new = customer::CustomerCreate::new(name).number(number).city(city);
            if let Some(blocked) = blocked {
                new = new.blocked(blocked);
            }
            world.bc.insert(&customers, new).expect("customer seeded");
        }
        let items = world.company().items();
        for (number, name, price) in
            [("ITM-100", "Oak desk", 620), ("ITM-200", "Ergonomic chair", 310), ("ITM-300", "Assembly", 45)]
        {
            world
                .bc
                .insert(&items, item::ItemCreate::new().number(number).display_name(name).unit_price(price))
                .expect("item");
        }
        world
    }

    pub fn company(&self) -> v2_0::company::CompanyPath {
        self.api.company(self.cronus)
    }

    pub fn customer_by_number(&self, number: &str) -> customer::Customer {
        let all = self.bc.list(&self.company().customers()).expect("customers");
        all.into_iter().find(|c| c.number.as_deref() == Some(number)).expect("a seeded customer")
    }

    /// Sends a hand-written request through the client, as code outside
    /// the typed API would (the typed API cannot send these mistakes).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Result<HttpResponse, business_central_sdk::Error> {
        let mut all = Headers::new();
        all.set("Content-Type", "application/json");
        for (name, value) in headers {
            all.set(*name, *value);
        }
        let request = HttpRequest {
            method,
            url: format!("{}{path}", self.api.raw().root()),
            headers: all,
            body: body.map(|b| b.to_owned().into_bytes().into()),
        };
        let kind = if method == Method::Get { OperationKind::Read } else { OperationKind::Update };
        self.api.raw().execute(request, kind).await
    }
}
