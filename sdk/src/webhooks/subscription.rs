//! The `subscriptions` entity set, declared here (rather than taken from
//! the generated `api::v2_0`) so that it serves every route that has one,
//! custom API routes included, and keeps the client state out of `Debug`.

use chrono::{DateTime, FixedOffset};
use odata_v4_runtime::{
    Deletable, ETag, Entity, EntitySet, Insertable, Payload, PayloadFields, Service, ServiceProfile, Updatable,
};
use serde::{Deserialize, Deserializer};

use super::client_state::{ClientState, SubscriptionId};

/// A webhook subscription, as Business Central lists it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Subscription {
    /// The id Business Central assigned.
    pub id: SubscriptionId,
    /// Where notifications are sent.
    pub notification_url: String,
    /// The collection subscribed to, as given when subscribing
    /// (`/api/v2.0/companies(…)/customers`).
    pub resource: String,
    /// The secret notifications carry, when Business Central returns it.
    pub client_state: Option<ClientState>,
    /// When the subscription expires unless renewed.
    pub expires_at: Option<DateTime<FixedOffset>>,
    /// When the subscription was created or last renewed.
    pub last_modified: Option<DateTime<FixedOffset>>,
    /// The version to send in `If-Match` when renewing or deleting.
    pub etag: Option<ETag>,
}

impl Subscription {
    /// Whether it expires before `moment` (also when its expiry is unknown).
    pub fn expires_before(&self, moment: DateTime<FixedOffset>) -> bool {
        self.expires_at.is_none_or(|expiry| expiry <= moment)
    }
}

/// The fields as Business Central sends them. Timestamps are read as text
/// so that one odd value costs only that value, not the whole listing.
#[derive(Deserialize)]
struct WireSubscription {
    #[serde(rename = "subscriptionId")]
    id: String,
    #[serde(rename = "notificationUrl", default)]
    notification_url: Option<String>,
    #[serde(default)]
    resource: Option<String>,
    #[serde(rename = "clientState", default)]
    client_state: Option<String>,
    #[serde(rename = "expirationDateTime", default)]
    expires_at: Option<String>,
    #[serde(rename = "lastModifiedDateTime", default)]
    last_modified: Option<String>,
    #[serde(rename = "@odata.etag", alias = "@etag", default)]
    etag: Option<String>,
}

fn timestamp(text: Option<String>) -> Option<DateTime<FixedOffset>> {
    text.and_then(|text| DateTime::parse_from_rfc3339(&text).ok())
}

impl<'de> Deserialize<'de> for Subscription {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = WireSubscription::deserialize(deserializer)?;
        Ok(Subscription {
            id: SubscriptionId::new(wire.id),
            notification_url: wire.notification_url.unwrap_or_default(),
            resource: wire.resource.unwrap_or_default(),
            client_state: wire.client_state.filter(|state| !state.is_empty()).map(ClientState::new),
            expires_at: timestamp(wire.expires_at),
            last_modified: timestamp(wire.last_modified),
            etag: wire.etag.map(ETag::new),
        })
    }
}

/// The service the subscription entity belongs to, whatever the route (the
/// runtime only reads its wire profile). Public because [`Subscription`]
/// names it as an [`Entity`], but not reachable from outside the crate.
#[derive(Debug)]
pub enum WebhookService {}

impl Service for WebhookService {
    const ROUTE: &'static str = "api/v2.0";
    const PROFILE: ServiceProfile = crate::PROFILE;
}

impl Entity for Subscription {
    type Service = WebhookService;
    const TYPE_NAME: &'static str = "Microsoft.NAV.subscriptions";
    const ALWAYS_SELECTED: &'static [&'static str] = &["subscriptionId", "notificationUrl", "resource"];

    fn etag(&self) -> Option<&ETag> {
        self.etag.as_ref()
    }
}

/// The `subscriptions` entity set of an API route.
pub(crate) enum SubscriptionSet {}

impl EntitySet for SubscriptionSet {
    type Entity = Subscription;
    type Key = String;
    const NAME: &'static str = "subscriptions";
}

impl Insertable for SubscriptionSet {
    type Create = SubscriptionBody;
}

impl Updatable for SubscriptionSet {
    type Update = SubscriptionBody;
}

impl Deletable for SubscriptionSet {}

/// The body of a subscribe (`POST`) or a renewal (`PATCH`): Business
/// Central wants the notification URL and the resource in both, and the
/// client state whenever there is one.
pub(crate) struct SubscriptionBody {
    fields: PayloadFields,
}

impl SubscriptionBody {
    pub(crate) fn new(notification_url: &str, resource: &str, client_state: Option<&ClientState>) -> SubscriptionBody {
        let mut fields = PayloadFields::new();
        fields.set("notificationUrl", &notification_url.to_owned());
        fields.set("resource", &resource.to_owned());
        if let Some(state) = client_state {
            fields.set("clientState", &state.expose().to_owned());
        }
        SubscriptionBody { fields }
    }
}

impl Payload for SubscriptionBody {
    type Entity = Subscription;

    fn to_json(&self) -> String {
        self.fields.to_json()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_business_centrals_subscription_and_keeps_the_secret_out_of_debug() {
        let json = r#"{"@odata.etag":"W/\"JzQ0OzE7MDA7Jw==\"","subscriptionId":"c670ea73cacb459bb51dc1740da2f1db",
            "notificationUrl":"https://contoso.com/hook","resource":"/api/v2.0/companies(f64eba74-dacd-4854-a584-1834f68cfc3a)/customers",
            "userId":"00000000-0000-0000-0000-000000000001","lastModifiedDateTime":"2025-10-12T12:32:35Z",
            "clientState":"top secret","expirationDateTime":"2025-10-15T12:32:35.5Z","timestamp":12}"#;
        let subscription: Subscription = serde_json::from_str(json).unwrap();
        assert_eq!(subscription.id.as_str(), "c670ea73cacb459bb51dc1740da2f1db");
        assert_eq!(subscription.etag.as_ref().unwrap().as_str(), "W/\"JzQ0OzE7MDA7Jw==\"");
        assert!(subscription.client_state.as_ref().unwrap().matches("top secret"));
        assert!(!format!("{subscription:?}").contains("top secret"));
        let expiry = subscription.expires_at.unwrap();
        assert!(
            subscription.expires_before(expiry) && !subscription.expires_before(expiry - chrono::TimeDelta::seconds(1))
        );
        let odd: Subscription =
            serde_json::from_str(r#"{"subscriptionId":"x","expirationDateTime":"soon","clientState":""}"#).unwrap();
        assert_eq!((odd.expires_at, &odd.client_state), (None, &None));
        assert!(odd.expires_before(expiry), "an unknown expiry counts as expiring");
    }

    #[test]
    fn bodies_carry_what_business_central_requires() {
        let state = ClientState::new("s");
        let body = SubscriptionBody::new("https://h/hook", "/api/v2.0/companies(1)/customers", Some(&state));
        assert_eq!(
            body.to_json(),
            r#"{"notificationUrl":"https://h/hook","resource":"/api/v2.0/companies(1)/customers","clientState":"s"}"#
        );
    }
}
