//! The in-memory Business Central (`business-central-testing`)
//! and the local OData peer, side by side: both are loaded from the same
//! seed (`peer/seed/v2.0.json`), both are spoken to in strict OData (the
//! peer's dialect: qualified enum literals, native `in`, 412 on a stale
//! ETag; the fake runs in `Dialect::StrictOData`), and every scenario runs
//! against both and compares what comes back.
//!
//! Known differences are asserted as such (so that one appearing or going
//! away is noticed); they are listed in the crate docs of
//! `business-central-testing` (`bc-testing/src/lib.rs`).

mod differences;
mod entities;
mod filters;
mod scenarios;

use std::sync::OnceLock;

use business_central_sdk::api::v2_0;
use business_central_sdk::runtime::ServiceProfile;
use business_central_testing::{Dialect, FakeBusinessCentral};
use sdk_tests::peer::{SERVER_PAGE_SIZE, repository_path};
use sdk_tests::{SharedPeer, shared};

/// The fake of this test binary, seeded once like the shared peer.
fn fake() -> &'static FakeBusinessCentral {
    static FAKE: OnceLock<FakeBusinessCentral> = OnceLock::new();
    FAKE.get_or_init(|| {
        let fake = FakeBusinessCentral::builder()
            .api_v2_0()
            .dialect(Dialect::StrictOData)
            .page_size(SERVER_PAGE_SIZE as usize)
            .build()
            .expect("the fake builds");
        let seed = std::fs::read_to_string(repository_path("tests/peer/seed/v2.0.json")).expect("the seed file");
        fake.load_seed("api/v2.0", seed.as_str()).expect("the peer's seed loads into the fake");
        fake
    })
}

/// The same API on both servers: `[peer, fake]`.
pub fn both() -> [(&'static str, v2_0::Api); 2] {
    let peer = shared(SharedPeer::ApiV2).client();
    let fake = fake().client_builder().profile(ServiceProfile::strict_odata()).build().expect("client");
    [("peer", v2_0::Api::new(&peer)), ("fake", v2_0::Api::new(&fake))]
}

pub fn fake_handle() -> &'static FakeBusinessCentral {
    fake()
}
