//! [`Subscriptions`]: subscribe, list, renew and delete webhook
//! subscriptions, and renew those about to expire.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use odata_v4_runtime::uuid::Uuid;
use odata_v4_runtime::{
    Api, CollectionHandle, CollectionPath, EntityPath, Error, ItemStream, Method, OperationKind, Page, Request, Target,
    decode,
};
use serde::Deserialize;

use super::client_state::{ClientState, SubscriptionId};
use super::notification::{ResourcePath, route_of};
use super::subscription::{Subscription, SubscriptionBody, SubscriptionSet};
use crate::limits::MAX_WEBHOOK_SUBSCRIPTIONS;

/// Where Business Central lists, per company, the resources that support
/// webhooks.
const RUNTIME_ROUTE: &str = "api/microsoft/runtime/beta";

/// Why a subscription could not be made, renewed or removed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum WebhookError {
    /// Refused before anything was sent (a client state over 2,048
    /// characters, a resource on another API route than the
    /// subscriptions).
    Invalid(String),
    /// The environment already holds the most subscriptions it may (200):
    /// delete unused ones first.
    SubscriptionLimit {
        /// How many subscriptions the environment lists.
        existing: usize,
        /// Business Central's refusal.
        error: Error,
    },
    /// The resource does not support webhooks (temporary tables, composite
    /// keys, system tables and API queries do not): poll it with the
    /// incremental sync instead.
    UnsupportedResource {
        /// The resource, as it was to be subscribed.
        resource: String,
        /// Business Central's refusal.
        error: Error,
    },
    /// The subscription does not exist any more: it expired, or Business
    /// Central deleted it after a notification was answered with a status
    /// other than 408, 429 or 5xx.
    Gone {
        /// The subscription.
        id: SubscriptionId,
        /// Business Central's answer.
        error: Error,
    },
    /// Any other failure. When subscribing or renewing, a refusal that is
    /// none of the above is most often the handshake: Business Central
    /// could not reach the notification URL, it did not answer within 5
    /// seconds, or it did not echo the `validationToken`.
    Request(Error),
}

impl WebhookError {
    /// The underlying request error, when there was a request.
    pub fn error(&self) -> Option<&Error> {
        match self {
            WebhookError::Invalid(_) => None,
            WebhookError::SubscriptionLimit { error, .. }
            | WebhookError::UnsupportedResource { error, .. }
            | WebhookError::Gone { error, .. }
            | WebhookError::Request(error) => Some(error),
        }
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::Invalid(reason) => write!(f, "webhook subscription refused before sending: {reason}"),
            WebhookError::SubscriptionLimit { existing, error } => write!(
                f,
                "the environment already has {existing} webhook subscriptions (at most {MAX_WEBHOOK_SUBSCRIPTIONS}); \
                 delete unused ones: {error}"
            ),
            WebhookError::UnsupportedResource { resource, error } => {
                write!(f, "{resource} does not support webhooks; poll it with the incremental sync instead: {error}")
            }
            WebhookError::Gone { id, error } => {
                write!(f, "webhook subscription {id} no longer exists (expired or deleted): {error}")
            }
            WebhookError::Request(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for WebhookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error().map(|error| error as &(dyn std::error::Error + 'static))
    }
}

impl From<Error> for WebhookError {
    fn from(error: Error) -> WebhookError {
        WebhookError::Request(error)
    }
}

/// What [`Subscriptions::renew_expiring`] did.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RenewalReport {
    /// Renewed, with their new expiry.
    pub renewed: Vec<Subscription>,
    /// Valid beyond the margin, left alone.
    pub not_due: Vec<Subscription>,
    /// Due, but the renewal failed; each is still valid until it expires,
    /// so trying again later may save it.
    pub failed: Vec<RenewalFailure>,
    /// Gone: changes made since they stopped were not notified. Subscribe
    /// again and run the incremental sync to catch up.
    pub lost: Vec<LostSubscription>,
}

impl RenewalReport {
    /// Whether every subscription is (still) in place.
    pub fn all_in_place(&self) -> bool {
        self.failed.is_empty() && self.lost.is_empty()
    }
}

/// A subscription whose renewal failed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RenewalFailure {
    /// The subscription as listed before the attempt.
    pub subscription: Subscription,
    /// Why the renewal failed.
    pub error: WebhookError,
}

/// A subscription that is gone.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LostSubscription {
    /// Its id.
    pub id: SubscriptionId,
    /// The resource it was for, when still known.
    pub resource: Option<String>,
    /// How it was lost.
    pub reason: LossReason,
}

/// How a subscription was lost.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LossReason {
    /// Business Central no longer lists it: it expired and was removed, or
    /// it was deleted after a notification was answered with a status other
    /// than 408, 429 or 5xx (or by someone else).
    Missing,
    /// Listed, but its expiry has passed.
    Expired {
        /// When it expired.
        at: DateTime<FixedOffset>,
    },
}

/// The webhook subscriptions of one API route (`api/v2.0/subscriptions`,
/// or `api/{publisher}/{group}/{version}/subscriptions` for a custom API,
/// whose resources can only be subscribed there).
///
/// ```no_run
/// use business_central_sdk::api::v2_0;
/// use business_central_sdk::webhooks::{ClientState, Subscriptions};
///
/// # async fn example(api: v2_0::Api) -> Result<(), Box<dyn std::error::Error>> {
/// let secret = ClientState::new("a long random secret");
/// let subscriptions = Subscriptions::new(api.raw());
/// let company = api.default_company()?;
/// let subscription =
///     subscriptions.subscribe(&company.customers(), "https://hooks.example.com/bc", &secret).await?;
/// println!("{} expires at {:?}", subscription.id, subscription.expires_at);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Subscriptions {
    api: Api,
}

/// One row of `webhookSupportedResources`.
#[derive(Deserialize)]
struct SupportedResource {
    resource: String,
}

impl Subscriptions {
    /// The subscriptions of the route `api` serves.
    pub fn new(api: &Api) -> Subscriptions {
        Subscriptions { api: api.clone() }
    }

    fn set(&self) -> CollectionPath<SubscriptionSet> {
        CollectionPath::new(self.api.clone(), "subscriptions")
    }

    fn one(&self, id: &SubscriptionId) -> EntityPath<SubscriptionSet> {
        self.set().key_path(&id.as_str().to_owned())
    }

    /// The `resource` value that subscribes `collection`:
    /// `/api/v2.0/companies(…)/customers`.
    pub fn resource_of(collection: &impl CollectionHandle) -> String {
        let collection = collection.collection_path();
        format!("/{}/{}", route_of(collection.api()), collection.path())
    }

    /// Subscribes `notification_url` to the changes of `collection` (for
    /// example `company.customers()`). Business Central first validates the
    /// URL with a handshake (answer it with a [`Receiver`](super::Receiver))
    /// and creates the subscription only if that succeeds; it expires three
    /// days later unless renewed. A company addressed by name is resolved
    /// to its id first ([`with_company_id`](super::with_company_id)), the
    /// form of the subscription's resource and of its notifications.
    pub async fn subscribe<C: CollectionHandle>(
        &self,
        collection: &C,
        notification_url: &str,
        client_state: &ClientState,
    ) -> Result<Subscription, WebhookError> {
        if let Some(problem) = client_state.problem() {
            return Err(WebhookError::Invalid(problem));
        }
        let (own, theirs) = (route_of(&self.api), route_of(collection.collection_path().api()));
        if own != theirs {
            return Err(WebhookError::Invalid(format!(
                "a resource of `{theirs}` is subscribed at `{theirs}/subscriptions`, not at `{own}/subscriptions`"
            )));
        }
        let collection = super::with_company_id(collection).await?;
        let resource = Subscriptions::resource_of(&collection);
        let body = SubscriptionBody::new(notification_url, &resource, Some(client_state));
        match self.set().create(body).await {
            Ok(subscription) => Ok(subscription),
            Err(error) => Err(self.explain_refusal(&resource, error).await),
        }
    }

    /// Says why a subscription was refused when Business Central's answer
    /// does not: the limit, or a resource without webhook support. Both
    /// checks are requests of their own, made only after a refusal.
    async fn explain_refusal(&self, resource: &str, error: Error) -> WebhookError {
        let refused =
            error.status().is_some_and(|status| (400..500).contains(&status) && ![401, 408, 429].contains(&status));
        if !refused {
            return WebhookError::Request(error);
        }
        if let Ok(existing) = self.list().await
            && existing.len() >= MAX_WEBHOOK_SUBSCRIPTIONS
        {
            return WebhookError::SubscriptionLimit { existing: existing.len(), error };
        }
        let path = ResourcePath::parse(resource);
        if let Some(company) = path.company_id()
            && let Ok(supported) = self.supported_resources(company).await
        {
            let name = format!("{}/{}", path.route().trim_start_matches("api/"), path.entity_set());
            if !supported.contains(&name) {
                return WebhookError::UnsupportedResource { resource: resource.to_owned(), error };
            }
        }
        WebhookError::Request(error)
    }

    /// Every subscription of the route (of every application, not only
    /// this one's).
    pub async fn list(&self) -> Result<Vec<Subscription>, Error> {
        self.set().list().collect().await
    }

    /// One subscription.
    pub async fn get(&self, id: &SubscriptionId) -> Result<Subscription, WebhookError> {
        self.one(id).get().await.map_err(|error| gone_or(id, error))
    }

    /// Renews a subscription for another three days: `PATCH` with
    /// `If-Match` and, as Business Central requires, a body with the
    /// notification URL, the resource and the client state. Business
    /// Central repeats the handshake first.
    pub async fn renew(
        &self,
        subscription: &Subscription,
        client_state: &ClientState,
    ) -> Result<Subscription, WebhookError> {
        if let Some(problem) = client_state.problem() {
            return Err(WebhookError::Invalid(problem));
        }
        let body = SubscriptionBody::new(&subscription.notification_url, &subscription.resource, Some(client_state));
        let id = &subscription.id;
        self.one(id).update(subscription, body).await.map_err(|error| gone_or(id, error))
    }

    /// Deletes a subscription (`DELETE` with `If-Match`).
    pub async fn delete(&self, subscription: &Subscription) -> Result<(), WebhookError> {
        let id = &subscription.id;
        self.one(id).delete(subscription).await.map_err(|error| gone_or(id, error))
    }

    /// Renews, among `ours` (the ids of the subscriptions this application
    /// made), every one that expires within `margin`, and reports what it
    /// renewed, what was not due, what failed and what is gone. Run it
    /// regularly, with a margin well above the interval between runs (for
    /// example every hour with a margin of a day). A margin longer than
    /// timestamps reach (`Duration::MAX`) makes every subscription due.
    pub async fn renew_expiring(
        &self,
        ours: &[SubscriptionId],
        margin: Duration,
        client_state: &ClientState,
    ) -> Result<RenewalReport, Error> {
        let listed = self.list().await?;
        let now = Utc::now().fixed_offset();
        // A margin reaching beyond the last representable moment makes
        // every subscription due.
        let due = TimeDelta::from_std(margin).ok().and_then(|margin| now.checked_add_signed(margin));
        let mut report = RenewalReport::default();
        let mut handled: Vec<&SubscriptionId> = Vec::new();
        for id in ours {
            if handled.contains(&id) {
                continue;
            }
            handled.push(id);
            let Some(subscription) = listed.iter().find(|s| s.id == *id) else {
                report.lost.push(LostSubscription { id: id.clone(), resource: None, reason: LossReason::Missing });
                continue;
            };
            match subscription.expires_at {
                Some(at) if at <= now => {
                    let resource = Some(subscription.resource.clone());
                    report.lost.push(LostSubscription { id: id.clone(), resource, reason: LossReason::Expired { at } });
                }
                _ if due.is_some_and(|due| !subscription.expires_before(due)) => {
                    report.not_due.push(subscription.clone());
                }
                _ => match self.renew(subscription, client_state).await {
                    Ok(renewed) => report.renewed.push(renewed),
                    Err(WebhookError::Gone { .. }) => report.lost.push(LostSubscription {
                        id: id.clone(),
                        resource: Some(subscription.resource.clone()),
                        reason: LossReason::Missing,
                    }),
                    Err(error) => report.failed.push(RenewalFailure { subscription: subscription.clone(), error }),
                },
            }
        }
        Ok(report)
    }

    /// The resources of a company that support webhooks, as Business
    /// Central lists them (`v2.0/customers`, `{publisher}/{group}/{version}/{set}`).
    pub async fn supported_resources(&self, company_id: Uuid) -> Result<Vec<String>, Error> {
        let runtime = Api::new(self.api.client(), RUNTIME_ROUTE, *self.api.profile());
        let target = Target::Relative {
            path: format!("companies({company_id})/webhookSupportedResources"),
            query: String::new(),
        };
        let first: Request<Page<SupportedResource>> =
            Request::new(runtime, Method::Get, target, OperationKind::Read, decode::json::<Page<SupportedResource>>);
        let rows = ItemStream::new(first, None).collect_all().await?;
        Ok(rows.into_iter().map(|row| row.resource).collect())
    }
}

fn gone_or(id: &SubscriptionId, error: Error) -> WebhookError {
    match error {
        Error::NotFound(_) => WebhookError::Gone { id: id.clone(), error },
        other => WebhookError::Request(other),
    }
}
