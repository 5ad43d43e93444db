//! Tokens from `azure_identity` credentials (feature `azure_identity`):
//! a real `AzureCliCredential` whose `az` is a stand-in that prints what
//! the Azure CLI prints, so the whole path (the credential's command, its
//! parsing, the runtime's adapter, the `Authorization` header) runs
//! without a signed-in CLI.
//!
//! `cargo test -p odata-v4-runtime --features azure_identity --test azure_identity`

mod support;

use std::ffi::OsStr;
use std::process::{ExitStatus, Output};
use std::sync::{Arc, Mutex};

use azure_identity::{AzureCliCredential, AzureCliCredentialOptions, Executor};
use odata_v4_runtime::{AzureIdentity, Error};
use serde_json::json;
use support::{api, builder, get};
use wiremock::matchers::{header, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SCOPE: &str = "https://api.businesscentral.dynamics.com/.default";

/// Answers like `az account get-access-token -o json`, or fails like a CLI
/// nobody signed in to; remembers the commands it was given.
#[derive(Debug)]
struct FakeAzureCli {
    signed_in: bool,
    commands: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl Executor for FakeAzureCli {
    async fn run(&self, _program: &OsStr, args: &[&OsStr]) -> std::io::Result<Output> {
        self.commands.lock().unwrap().push(args.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" "));
        let expires_on = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600;
        let (code, stdout, stderr) = if self.signed_in {
            let answer = json!({"accessToken": "cli-token", "expires_on": expires_on, "tokenType": "Bearer"});
            (0, answer.to_string(), String::new())
        } else {
            (1, String::new(), "ERROR: Please run 'az login' to setup account.".to_owned())
        };
        Ok(Output { status: exit_status(code), stdout: stdout.into_bytes(), stderr: stderr.into_bytes() })
    }
}

/// The status of a process that exited with `code`, as Unix encodes it.
#[cfg(unix)]
fn exit_status(code: u8) -> ExitStatus {
    std::os::unix::process::ExitStatusExt::from_raw(i32::from(code) << 8)
}

/// The status of a process that exited with `code`, as Windows encodes it.
#[cfg(windows)]
fn exit_status(code: u8) -> ExitStatus {
    std::os::windows::process::ExitStatusExt::from_raw(u32::from(code))
}

fn cli(signed_in: bool) -> (Arc<AzureCliCredential>, Arc<FakeAzureCli>) {
    let fake = Arc::new(FakeAzureCli { signed_in, commands: Mutex::new(Vec::new()) });
    let options = AzureCliCredentialOptions { executor: Some(fake.clone()), ..Default::default() };
    (AzureCliCredential::new(Some(options)).unwrap(), fake)
}

#[tokio::test]
async fn a_developer_cli_sign_in_is_a_token_source() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v2.0/companies"))
        .and(header("Authorization", "Bearer cli-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": []})))
        .expect(2)
        .mount(&server)
        .await;
    let (credential, fake) = cli(true);
    let identity = AzureIdentity::new(credential, SCOPE);
    assert!(!format!("{identity:?}").contains("cli-token"));
    let client = builder(&server).credentials(identity).build().unwrap();

    for _ in 0..2 {
        get::<serde_json::Value>(&api(&client), "companies").await.unwrap();
    }

    let commands = fake.commands.lock().unwrap().clone();
    assert_eq!(commands.len(), 1, "the token is cached, not fetched for every request: {commands:?}");
    assert!(commands[0].contains(&format!("--scope {SCOPE}")), "{commands:?}");
}

#[tokio::test]
async fn a_cli_nobody_signed_in_to_is_an_authentication_error() {
    let server = MockServer::start().await;
    let (credential, _) = cli(false);
    let client = builder(&server).credentials(AzureIdentity::new(credential, SCOPE)).build().unwrap();

    let error = get::<serde_json::Value>(&api(&client), "companies").await.unwrap_err();

    assert!(matches!(error, Error::Authentication(_)), "{error:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// Finding 9a of issue 21: most `azure_identity` credentials cache tokens
/// themselves and hand back the rejected one after a 401; it was sent
/// again. The credential is asked once more, its answer is not re-sent,
/// and later 401s do not ask it again within the minute.
#[tokio::test]
async fn a_token_the_credential_keeps_returning_is_not_sent_again_after_a_401() {
    #[derive(Debug, Default)]
    struct CachingCredential {
        asked: Mutex<usize>,
    }
    #[async_trait::async_trait]
    impl azure_core::credentials::TokenCredential for CachingCredential {
        async fn get_token(
            &self,
            _scopes: &[&str],
            _options: Option<azure_core::credentials::TokenRequestOptions<'_>>,
        ) -> azure_core::Result<azure_core::credentials::AccessToken> {
            *self.asked.lock().unwrap() += 1;
            let expires_on = azure_core::time::OffsetDateTime::now_utc() + azure_core::time::Duration::hours(1);
            Ok(azure_core::credentials::AccessToken::new("cached-token", expires_on))
        }
    }
    let server = MockServer::start().await;
    Mock::given(path("/api/v2.0/companies"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"error": {"code": "Unauthorized", "message": "no"}})),
        )
        .mount(&server)
        .await;
    let credential = Arc::new(CachingCredential::default());
    let client = builder(&server).credentials(AzureIdentity::new(credential.clone(), SCOPE)).build().unwrap();

    for _ in 0..3 {
        let error = get::<serde_json::Value>(&api(&client), "companies").await.unwrap_err();
        assert!(matches!(error, Error::Unauthorized(_)), "{error:?}");
    }

    assert_eq!(server.received_requests().await.unwrap().len(), 3, "one request each: the token is not re-sent");
    assert_eq!(*credential.asked.lock().unwrap(), 2, "asked again after the first 401 only");
}
