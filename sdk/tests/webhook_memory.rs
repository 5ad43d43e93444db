//! What a body that does not come from Business Central can make the
//! webhook receiver allocate, beyond the body itself: whatever its size
//! (up to the body limit) and shape, a few kilobytes. A test binary of its
//! own, because it counts every allocation of the process.

#[path = "../benches/support/mod.rs"]
mod support;

use business_central_sdk::webhooks::{ClientState, IncomingRequest, MAX_NOTIFICATION_BODY, Receiver};
use support::peak_heap::{Counting, peak_while};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The longest client state Business Central accepts, decoded once per
/// guessed notification and freed, plus room for the parser's own state.
const MOST_A_HOSTILE_BODY_MAY_COST: usize = 64 * 1024;

#[test]
fn a_body_without_an_accepted_client_state_costs_a_few_kilobytes_whatever_its_size() {
    let receiver = Receiver::new(ClientState::new("the receiver's secret, 0123456789abcdef"));
    for size in [4 * 1024 * 1024, MAX_NOTIFICATION_BODY] {
        for (name, body) in support::hostile_notification_bodies(size) {
            assert!(body.len() <= size && body.len() > size - 64 * 1024, "{name}");
            let (received, peak) = peak_while(|| receiver.receive(IncomingRequest::new(None, &body)));
            assert!(received.notifications.is_empty(), "{name}");
            assert!([400, 401, 413].contains(&received.reply.status()), "{name}: {:?}", received.kind);
            assert!(peak <= MOST_A_HOSTILE_BODY_MAY_COST, "{name}: {peak} bytes at the peak for {} bytes", body.len());
        }
    }
}
