//! What a webhook endpoint spends in the SDK's receiver: answering the
//! `validationToken` handshake (Business Central waits about 5 s for it),
//! checking and parsing the largest regular notification call (1,000
//! notifications; more changes become one `collection` notification), and
//! the memory that bodies not from Business Central make it allocate at
//! its peak (beyond the body itself, which the HTTP server holds).
//! Run with `cargo bench -p business-central-sdk --bench webhooks`.

mod support;

use std::time::Instant;

use business_central_sdk::webhooks::{ClientState, IncomingRequest, MAX_NOTIFICATION_BODY, Receiver};
use support::peak_heap::{Counting, peak_while};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn notifications(count: usize) -> String {
    let items: Vec<String> = (0..count)
        .map(|i| {
            format!(
                r#"{{"subscriptionId":"c670ea73cacb459bb51dc1740da2f1db","clientState":"a long random client state, 0123456789abcdef",
                "expirationDateTime":"2025-10-29T07:52:31Z","resource":"api/v2.0/companies(b18aed47-c385-49d2-b954-dbdf8ad71780)/customers(26814998-936a-401c-81c1-{i:012})",
                "changeType":"updated","lastModifiedDateTime":"2025-10-26T12:54:20.467Z"}}"#
            )
        })
        .collect();
    format!(r#"{{"value":[{}]}}"#, items.join(","))
}

fn main() {
    let receiver = Receiver::new(ClientState::new("a long random client state, 0123456789abcdef"));

    let handshakes = 200_000u32;
    let query = "validationToken=G79eRfzvZJuTscN9IDnETeT66BWRzptj%2B%2F%3D";
    let started = Instant::now();
    for _ in 0..handshakes {
        std::hint::black_box(receiver.receive(IncomingRequest::new(Some(std::hint::black_box(query)), b"")));
    }
    let elapsed = started.elapsed();
    println!("handshake: {:.2} µs per call ({handshakes} calls)", elapsed.as_secs_f64() * 1e6 / f64::from(handshakes));

    let body = notifications(1000);
    let calls = 200u32;
    let started = Instant::now();
    let mut parsed = 0;
    for _ in 0..calls {
        parsed +=
            receiver.receive(IncomingRequest::new(None, std::hint::black_box(body.as_bytes()))).notifications.len();
    }
    let elapsed = started.elapsed();
    println!(
        "1,000 notifications ({} kB): {:.2} ms per call, client state checked for each ({parsed} notifications parsed)",
        body.len() / 1024,
        elapsed.as_secs_f64() * 1e3 / f64::from(calls)
    );

    println!("peak heap while receiving a body not from Business Central (client state never matches):");
    for size in [4 * 1024 * 1024, MAX_NOTIFICATION_BODY] {
        for (name, body) in support::hostile_notification_bodies(size) {
            let started = Instant::now();
            let (status, peak) =
                peak_while(|| receiver.receive(IncomingRequest::new(None, std::hint::black_box(&body))).reply.status());
            println!(
                "  {:>5.1} MiB body, {name:<42} {:>10.1} KiB peak, {:>6.1} ms, answered {status}",
                body.len() as f64 / (1024.0 * 1024.0),
                peak as f64 / 1024.0,
                started.elapsed().as_secs_f64() * 1e3
            );
        }
    }
}
