//! Incremental sync against the peer, which stamps `lastModifiedDateTime`
//! on every write as Business Central does: first and later passes, equal
//! timestamps, a row changed during the read, a pass resumed from a saved
//! state, one state per company, a state ahead of the clock, blank
//! timestamps (a collection of nothing else is read in full once), the
//! overlap window (an endless one too), and a server clock behind or ahead
//! of the client's.
//!
//! Each test starts a peer of its own: they count rows and move the
//! peer's clock.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use business_central_sdk::api::v2_0::{self, customer};
use business_central_sdk::runtime::chrono::{SecondsFormat, TimeDelta, Utc};
use business_central_sdk::runtime::uuid::Uuid;
use business_central_sdk::sync::{IncrementalSync, StateError, SyncState};
use sdk_tests::fixtures::{CRONUS_ID, MULLER_ID, cronus_customers, muller_customers};
use sdk_tests::{PeerConfig, PeerServer, peer_control};

type Customers = customer::CustomersPath;

fn peer(name: &'static str) -> PeerServer {
    PeerServer::start(PeerConfig { name, ..PeerConfig::api_v2() }).expect("a peer of the test's own")
}

fn customers_of(server: &PeerServer, company: Uuid) -> Customers {
    v2_0::Api::new(&server.client()).company(company).customers()
}

/// What one pass handed out.
#[derive(Debug, Default)]
struct Pass {
    changes: Vec<customer::Customer>,
    full_read: bool,
    duplicates: usize,
    blank: usize,
}

impl Pass {
    fn ids(&self) -> BTreeSet<Uuid> {
        self.changes.iter().map(|c| c.id).collect()
    }
}

async fn run_pass(sync: &IncrementalSync<customer::Customers>, state: SyncState) -> (Pass, SyncState) {
    let mut run = sync.start(state).expect("the state belongs to this collection");
    let mut pass = Pass::default();
    while let Some(batch) = run.next_batch().await.expect("a page") {
        pass.full_read |= batch.full_read;
        pass.duplicates += batch.duplicates_skipped;
        pass.blank += batch.blank_timestamps;
        pass.changes.extend(batch.changes);
    }
    assert!(!run.state().is_mid_pass(), "a finished pass leaves nothing in progress");
    (pass, run.into_state())
}

async fn create(customers: &Customers, name: &str) -> customer::Customer {
    customers.create(customer::CustomerCreate::new(name)).await.expect("create a customer")
}

async fn rename(customers: &Customers, current: &customer::Customer, name: &str) -> customer::Customer {
    let changes = customer::CustomerUpdate::new().display_name(name);
    customers.key(current.id).update(current, changes).await.expect("update a customer")
}

#[tokio::test]
async fn the_first_pass_reads_everything_and_later_ones_only_what_changed() {
    let server = peer("sync-first");
    let customers = customers_of(&server, CRONUS_ID);
    let sync = IncrementalSync::new(&customers);

    let (first, state) = run_pass(&sync, SyncState::new()).await;
    let seeded: BTreeSet<Uuid> = cronus_customers::ALL.iter().map(|c| c.0).collect();
    assert!(first.full_read);
    assert_eq!(first.ids(), seeded);
    assert!(state.watermark().is_some());
    assert_eq!(state.collection(), Some(customers.raw().path()));

    let (quiet, state) = run_pass(&sync, state).await;
    assert!(quiet.changes.is_empty() && !quiet.full_read, "nothing changed: {:?}", quiet.ids());

    let alpine = customers.key(cronus_customers::ALPINE.0).get().await.expect("read Alpine");
    let renamed = rename(&customers, &alpine, "Alpine Ski House (renamed)").await;
    let mut made = BTreeSet::from([renamed.id]);
    for n in 0..3 {
        made.insert(create(&customers, &format!("New customer {n}")).await.id);
    }
    let (changed, _) = run_pass(&sync, state).await;
    assert_eq!(changed.ids(), made);
    let alpine_now = changed.changes.iter().find(|c| c.id == renamed.id).expect("Alpine");
    assert_eq!(alpine_now.display_name, "Alpine Ski House (renamed)");
    assert!(alpine_now.last_modified_date_time > alpine.last_modified_date_time, "the peer stamps writes");
}

#[tokio::test]
async fn rows_with_equal_timestamps_are_read_again_and_recognised() {
    let server = peer("sync-equal-timestamps");
    let customers = customers_of(&server, CRONUS_ID);
    // No overlap at all: equal timestamps must be handled by reading the
    // watermark itself again (`ge`), not by the overlap window.
    let sync = IncrementalSync::new(&customers).overlap(Duration::ZERO);
    let (_, state) = run_pass(&sync, SyncState::new()).await;

    peer_control::freeze_clock(&server, true).await.expect("freeze the clock");
    let a = create(&customers, "Equal A").await;
    let b = create(&customers, "Equal B").await;
    let (pass, state) = run_pass(&sync, state).await;
    assert_eq!(pass.ids(), BTreeSet::from([a.id, b.id]));

    // Same millisecond as A and B: `gt watermark` would never see it.
    let c = create(&customers, "Equal C").await;
    assert_eq!(c.last_modified_date_time, a.last_modified_date_time);
    assert_eq!(b.last_modified_date_time, a.last_modified_date_time);
    let (pass, state) = run_pass(&sync, state).await;
    assert_eq!(pass.ids(), BTreeSet::from([c.id]));
    assert_eq!(pass.duplicates, 2, "A and B were read again and recognised");

    // A change within the same millisecond has a new ETag: handed out again.
    let a2 = rename(&customers, &a, "Equal A, renamed").await;
    assert_eq!(a2.last_modified_date_time, a.last_modified_date_time);
    let (pass, _) = run_pass(&sync, state).await;
    assert_eq!(pass.ids(), BTreeSet::from([a.id]));
    assert_eq!(pass.changes[0].display_name, "Equal A, renamed");
    peer_control::freeze_clock(&server, false).await.expect("unfreeze the clock");
}

#[tokio::test]
async fn a_row_changed_during_the_read_is_read_again_and_nothing_twice() {
    let server = peer("sync-changed-during-read");
    let customers = customers_of(&server, CRONUS_ID);
    let sync = IncrementalSync::new(&customers).page_size(2);
    let (_, state) = run_pass(&sync, SyncState::new()).await;
    let mut made = Vec::new();
    for n in 0..6 {
        made.push(create(&customers, &format!("During {n}")).await);
    }

    let mut delivered: Vec<(Uuid, String)> = Vec::new();
    let record = |delivered: &mut Vec<(Uuid, String)>, rows: &[customer::Customer]| {
        delivered
            .extend(rows.iter().map(|c| (c.id, c.etag.as_ref().map(|e| e.as_str().to_owned()).unwrap_or_default())));
    };
    let mut run = sync.start(state).expect("run");
    // The first pages re-read the seeded rows of the overlap window (and
    // skip them); read until the first page that hands out a new row.
    let first = loop {
        let batch = run.next_batch().await.expect("a page").expect("more pages");
        record(&mut delivered, &batch.changes);
        if !batch.changes.is_empty() {
            break batch;
        }
    };
    assert!(first.changes.len() <= 2 && !first.pass_complete);
    // One row already handed out and one not read yet change meanwhile.
    let already_read = first.changes[0].clone();
    rename(&customers, &already_read, "Changed after it was read").await;
    let not_yet_read = made.last().expect("rows").clone();
    assert!(first.changes.iter().all(|c| c.id != not_yet_read.id));
    rename(&customers, &not_yet_read, "Changed before it was read").await;
    while let Some(batch) = run.next_batch().await.expect("page") {
        record(&mut delivered, &batch.changes);
    }
    let (next, _) = run_pass(&sync, run.into_state()).await;
    record(&mut delivered, &next.changes);

    let versions: BTreeSet<&(Uuid, String)> = delivered.iter().collect();
    assert_eq!(versions.len(), delivered.len(), "a version was handed out twice: {delivered:?}");
    let latest: BTreeMap<Uuid, String> = delivered.iter().cloned().collect();
    for row in customers.list().collect().await.expect("the server's rows") {
        if made.iter().any(|m| m.id == row.id) {
            let etag = row.etag.as_ref().map(|e| e.as_str().to_owned()).unwrap_or_default();
            assert_eq!(latest.get(&row.id), Some(&etag), "the latest version of {} was handed out", row.display_name);
        }
    }
    assert!(next.ids().contains(&already_read.id), "the row changed behind the read comes in the next pass");
}

#[tokio::test]
async fn a_saved_state_resumes_in_the_middle_of_a_paged_read() {
    let server = peer("sync-resume-mid-page");
    let customers = customers_of(&server, CRONUS_ID);
    let sync = IncrementalSync::new(&customers).page_size(2);
    let (_, state) = run_pass(&sync, SyncState::new()).await;
    let mut made = BTreeSet::new();
    for n in 0..7 {
        made.insert(create(&customers, &format!("Resume {n}")).await.id);
    }

    let mut run = sync.start(state).expect("run");
    let mut before = Vec::new();
    for _ in 0..2 {
        before.extend(run.next_batch().await.expect("page").expect("a page").changes);
    }
    let saved = serde_json::to_string(run.state()).expect("the state serialises");
    drop(run);

    // A new process: a new client, the state read back from storage.
    let restored: SyncState = serde_json::from_str(&saved).expect("the state deserialises");
    assert!(restored.is_mid_pass());
    let customers = customers_of(&server, CRONUS_ID);
    let (after, _) = run_pass(&IncrementalSync::new(&customers).page_size(2), restored).await;
    let mut all: Vec<Uuid> = before.iter().map(|c| c.id).collect();
    all.extend(after.changes.iter().map(|c| c.id));
    assert_eq!(all.len(), made.len(), "every row once: {all:?}");
    assert_eq!(all.into_iter().collect::<BTreeSet<_>>(), made);
}

#[tokio::test]
async fn each_company_has_its_own_state() {
    let server = peer("sync-companies");
    let (cronus, muller) = (customers_of(&server, CRONUS_ID), customers_of(&server, MULLER_ID));
    let (cronus_sync, muller_sync) = (IncrementalSync::new(&cronus), IncrementalSync::new(&muller));
    let (_, cronus_state) = run_pass(&cronus_sync, SyncState::new()).await;
    let (first, muller_state) = run_pass(&muller_sync, SyncState::new()).await;
    assert_eq!(first.changes.len(), 2, "the second company's customers only");

    match muller_sync.start(cronus_state.clone()) {
        Err(StateError::OtherCollection { belongs_to, used_with }) => {
            assert_eq!((belongs_to.as_str(), used_with.as_str()), (cronus.raw().path(), muller.raw().path()));
        }
        other => panic!("a state of another company was accepted: {other:?}"),
    }
    // A state that claims to have read up to tomorrow would skip every
    // change until then: refused, before anything is read.
    let tomorrow = Utc::now() + TimeDelta::days(1);
    match muller_sync.start(SyncState::starting_at(tomorrow)) {
        Err(error @ StateError::AheadOfTheClock { .. }) => assert!(error.to_string().contains("clock"), "{error}"),
        other => panic!("a state ahead of the clock was accepted: {other:?}"),
    }
    let made = create(&muller, "Only in the second company").await;
    let (cronus_pass, _) = run_pass(&cronus_sync, cronus_state).await;
    let (muller_pass, _) = run_pass(&muller_sync, muller_state).await;
    assert!(cronus_pass.changes.is_empty());
    assert_eq!(muller_pass.ids(), BTreeSet::from([made.id]));
}

#[tokio::test]
async fn blank_timestamps_come_only_with_full_reads() {
    let server = peer("sync-blank-timestamps");
    let customers = customers_of(&server, CRONUS_ID);
    let sync = IncrementalSync::new(&customers);
    let alpine = cronus_customers::ALPINE.0;
    peer_control::stamp(&server, "customers", alpine, "0001-01-01T00:00:00Z").await.expect("blank timestamp");

    let (full, state) = run_pass(&sync, SyncState::new()).await;
    assert_eq!((full.changes.len(), full.blank), (5, 1), "handed out, and counted");
    let blank = full.changes.iter().find(|c| c.id == alpine).expect("Alpine");
    assert_eq!(blank.last_modified_date_time.map(|t| t.to_rfc3339()), Some("0001-01-01T00:00:00+00:00".to_owned()));
    assert!(state.watermark().expect("a watermark").timestamp() > 0, "the blank timestamp is no watermark");

    let (incremental, mut state) = run_pass(&sync, state).await;
    assert!(incremental.changes.is_empty(), "a blank timestamp matches no filter");
    state.request_full_read();
    let (again, _) = run_pass(&sync, state).await;
    assert!(again.full_read && again.ids().contains(&alpine));

    // A collection whose rows all have blank timestamps is read in full
    // once, then only what changes.
    let muller = customers_of(&server, MULLER_ID);
    for (id, _, _) in [muller_customers::KIRCHNER, muller_customers::CONTOSO] {
        peer_control::stamp(&server, "customers", id, "0001-01-01T00:00:00Z").await.expect("blank timestamp");
    }
    let muller_sync = IncrementalSync::new(&muller);
    let (full, state) = run_pass(&muller_sync, SyncState::new()).await;
    assert_eq!((full.changes.len(), full.blank, full.full_read), (2, 2, true));
    let (next, state) = run_pass(&muller_sync, state).await;
    assert!(next.changes.is_empty() && !next.full_read, "handed out again: {:?}", next.ids());
    let made = create(&muller, "Stamped on creation").await;
    let (changed, _) = run_pass(&muller_sync, state).await;
    assert_eq!(changed.ids(), BTreeSet::from([made.id]));
}

#[tokio::test]
async fn the_overlap_window_catches_late_commits() {
    let server = peer("sync-overlap");
    let customers = customers_of(&server, CRONUS_ID);
    let sync = IncrementalSync::new(&customers);
    let (_, state) = run_pass(&sync, SyncState::new()).await;
    create(&customers, "Sets a recent watermark").await;
    let (_, state) = run_pass(&sync, state).await;
    let watermark = state.watermark().expect("watermark");

    // A row whose transaction stamped it a minute before the watermark and
    // committed after the read (or written by a server whose clock is a
    // minute behind the one that wrote the watermark's row).
    let late = create(&customers, "Committed late").await;
    let stamped = (watermark - TimeDelta::seconds(60)).to_rfc3339_opts(SecondsFormat::Millis, true);
    peer_control::stamp(&server, "customers", late.id, &stamped).await.expect("backdate");
    let narrow = IncrementalSync::new(&customers).overlap(Duration::from_secs(30));
    let (missed, _) = run_pass(&narrow, state.clone()).await;
    assert!(!missed.ids().contains(&late.id), "a 30 s window cannot see a row stamped 60 s back");
    let (caught, _) = run_pass(&sync, state.clone()).await;
    assert_eq!(caught.ids(), BTreeSet::from([late.id]), "the default 5 min window does");

    // An overlap longer than timestamps reach reads every row with a
    // timestamp, every pass: nothing overflows.
    let endless = IncrementalSync::new(&customers).overlap(Duration::MAX);
    let (everything, state) = run_pass(&endless, state).await;
    assert!(everything.ids().contains(&late.id) && !everything.full_read);
    let (again, _) = run_pass(&endless, state).await;
    assert!(again.changes.is_empty(), "read again, and recognised: {:?}", again.ids());
}

#[tokio::test]
async fn a_server_clock_behind_or_ahead_of_the_clients_loses_nothing() {
    for (name, minutes) in [("sync-slow-clock", -10.0), ("sync-fast-clock", 10.0)] {
        let server = peer(name);
        peer_control::advance_clock(&server, minutes * 60.0).await.expect("skew the clock");
        let customers = customers_of(&server, CRONUS_ID);
        let sync = IncrementalSync::new(&customers);
        let (_, mut state) = run_pass(&sync, SyncState::new()).await;
        for n in 0..3 {
            let made = create(&customers, &format!("Skewed {minutes} min, {n}")).await;
            let skew = made.last_modified_date_time.expect("stamped").to_utc() - Utc::now();
            assert!((skew.num_minutes() - minutes as i64).abs() <= 1, "the server's clock is {skew} off");
            let (pass, next) = run_pass(&sync, state).await;
            assert_eq!(pass.ids(), BTreeSet::from([made.id]), "{name}: change {n}");
            state = next;
        }
    }
}
