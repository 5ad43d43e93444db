//! A sync job killed and resumed while 10,000 changes are made: nothing is
//! lost and nothing is applied twice.
//!
//! The job (`tests/bin/sync_job.rs`) copies the customers of two companies,
//! saving its copy and its sync states after every page in one atomic
//! write. While writers create 4,000 customers and update 6,000 times
//! through `$batch`, the test kills the job with SIGKILL at random moments
//! and starts it again from its file. At the end the copy must equal the
//! server, row for row and ETag for ETag, and no version of a row may have
//! been applied twice.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use business_central_sdk::api::v2_0::{self, customer};
use business_central_sdk::runtime::uuid::Uuid;
use sdk_tests::fixtures::{CRONUS_ID, MULLER_ID};
use sdk_tests::{PeerConfig, PeerServer};

const CREATES_PER_COMPANY: usize = 2_000;
const UPDATES_PER_COMPANY: usize = 3_000;
const CREATES_PER_BATCH: usize = 40;
const UPDATES_PER_BATCH: usize = 60;
const JOB_PAGE_SIZE: u32 = 250;

/// A small deterministic generator, so that a failure can be replayed.
struct Random(u64);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Creates and updates customers of one company in batches of 100 and
/// returns how many changes it made.
async fn write(api: v2_0::Api, company_id: Uuid, seed: u64) -> usize {
    let company = api.company(company_id);
    let mut random = Random(seed);
    let mut mine: Vec<customer::Customer> = Vec::new();
    let (mut created, mut updated) = (0, 0);
    let mut round = 0;
    while created < CREATES_PER_COMPANY || updated < UPDATES_PER_COMPANY {
        round += 1;
        let mut batch = api.batch();
        let creates: Vec<_> = (0..CREATES_PER_BATCH.min(CREATES_PER_COMPANY - created))
            .map(|i| {
                let name = format!("Sync {company_id} {round}-{i}");
                batch.add(company.customers().create(customer::CustomerCreate::new(name)))
            })
            .collect();
        let mut chosen: Vec<usize> = Vec::new();
        let wanted = UPDATES_PER_BATCH.min(UPDATES_PER_COMPANY - updated).min(mine.len());
        while chosen.len() < wanted {
            let index = random.below(mine.len());
            if !chosen.contains(&index) {
                chosen.push(index);
            }
        }
        let updates: Vec<_> = chosen
            .iter()
            .map(|&index| {
                let current = &mine[index];
                let changes = customer::CustomerUpdate::new().display_name(format!("{} *", current.display_name));
                (index, batch.add(company.customer(current.id).update(current, changes)))
            })
            .collect();
        let mut response = batch.await.expect("the batch is answered");
        for handle in creates {
            mine.push(response.take(handle).expect("a create succeeds"));
            created += 1;
        }
        for (index, handle) in updates {
            mine[index] = response.take(handle).expect("an update succeeds");
            updated += 1;
        }
    }
    created + updated
}

struct Job {
    binary: &'static str,
    environment: Vec<(&'static str, String)>,
    log: PathBuf,
}

impl Job {
    fn start(&self) -> Child {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).expect("job log");
        Command::new(self.binary)
            .envs(self.environment.iter().map(|(name, value)| (*name, value.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start the sync job")
    }
}

/// The copy the job saved.
fn saved_copy(file: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(file).expect("the job's file")).expect("the job's file is JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_sync_job_resumes_without_losing_or_repeating_anything() {
    let server = PeerServer::start(PeerConfig { name: "sync-resume", page_size: Some(1000), ..PeerConfig::api_v2() })
        .expect("peer");
    let work = std::env::temp_dir().join(format!("sdk-sync-resume-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("work directory");
    let (file, stop_file) = (work.join("copy.json"), work.join("stop"));
    let job = Job {
        binary: env!("CARGO_BIN_EXE_sync_job"),
        environment: vec![
            ("SYNC_BASE_URL", server.base_url()),
            ("SYNC_COMPANIES", format!("{CRONUS_ID},{MULLER_ID}")),
            ("SYNC_FILE", file.display().to_string()),
            ("SYNC_STOP_FILE", stop_file.display().to_string()),
            ("SYNC_PAGE_SIZE", JOB_PAGE_SIZE.to_string()),
            ("SYNC_OVERLAP_MS", "2000".to_owned()),
        ],
        log: work.join("job.log"),
    };

    let started = Instant::now();
    let api = v2_0::Api::new(&server.client());
    let writers = [
        tokio::spawn(write(api.clone(), CRONUS_ID, 0x9e37_79b9_7f4a_7c15)),
        tokio::spawn(write(api.clone(), MULLER_ID, 0x2545_f491_4f6c_dd1d)),
    ];
    let mut random = Random(0x1234_5678_9abc_def1);
    let mut child = job.start();
    let mut kills = 0;
    while writers.iter().any(|writer| !writer.is_finished()) {
        tokio::time::sleep(Duration::from_millis(300 + random.below(900) as u64)).await;
        child.kill().expect("kill the job (SIGKILL, TerminateProcess on Windows)");
        child.wait().expect("reap the job");
        kills += 1;
        child = job.start();
    }
    let mut changes = 0;
    for writer in writers {
        changes += writer.await.expect("writer");
    }
    let written = started.elapsed();
    std::fs::write(&stop_file, b"").expect("stop file");
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(status) = child.try_wait().expect("job status") {
            break status;
        }
        assert!(Instant::now() < deadline, "the job did not catch up within 3 minutes");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let log = std::fs::read_to_string(&job.log).unwrap_or_default();
    assert!(status.success(), "the job failed ({status}):\n{log}");

    let copy = saved_copy(&file);
    let mut rows_checked = 0;
    for company_id in [CRONUS_ID, MULLER_ID] {
        let server_rows: BTreeMap<String, String> = api
            .company(company_id)
            .customers()
            .list()
            .collect()
            .await
            .expect("the server's customers")
            .into_iter()
            .map(|c| (c.id.to_string(), c.etag.map(|e| e.as_str().to_owned()).unwrap_or_default()))
            .collect();
        let copied: BTreeMap<String, String> = copy["companies"][company_id.to_string()]["rows"]
            .as_object()
            .expect("the company's rows")
            .iter()
            .map(|(id, row)| (id.clone(), row["etag"].as_str().unwrap_or_default().to_owned()))
            .collect();
        let missing: Vec<_> = server_rows.iter().filter(|(id, etag)| copied.get(*id) != Some(etag)).take(5).collect();
        assert!(missing.is_empty(), "{company_id}: rows missing or stale in the copy, e.g. {missing:?}");
        assert_eq!(copied.len(), server_rows.len(), "{company_id}: the copy has rows the server does not");
        rows_checked += server_rows.len();
    }
    let applied = copy["applied"].as_object().expect("applied versions");
    let repeated: Vec<_> = applied.iter().filter(|(_, count)| count.as_u64() != Some(1)).take(5).collect();
    assert!(repeated.is_empty(), "versions applied more than once, e.g. {repeated:?}");
    let versions = applied.len();
    assert!(changes >= 10_000, "only {changes} changes were made");
    assert!(kills >= 3, "the job was killed only {kills} times");
    eprintln!(
        "sync_resume: {changes} changes in {written:.1?} ({} per company: {CREATES_PER_COMPANY} creates, \
         {UPDATES_PER_COMPANY} updates); job killed {kills} times; {} passes; {rows_checked} rows equal to the \
         server; {versions} row versions applied, none twice; total {:.1?}",
        changes / 2,
        copy["passes"],
        started.elapsed()
    );
    let _ = std::fs::remove_dir_all(&work);
}
