//! Webhooks: Business Central calls a URL of yours when rows of a
//! collection you subscribed to are created, changed or deleted.
//!
//! Three parts:
//!
//! - **Subscriptions** ([`Subscriptions`]): subscribe a typed collection
//!   path (such as one company's customers) with your notification URL and
//!   a [`ClientState`] secret; list, renew, delete. Business Central names
//!   companies by id in notifications: resolve a company addressed by name
//!   once with [`with_company_id`] and use the result throughout. A subscription expires
//!   three days after it was created or last renewed
//!   ([`limits::WEBHOOK_SUBSCRIPTION_LIFETIME`](crate::limits::WEBHOOK_SUBSCRIPTION_LIFETIME));
//!   [`Subscriptions::renew_expiring`] renews those about to expire and
//!   reports those that are gone. An environment holds at most 200
//!   ([`limits::MAX_WEBHOOK_SUBSCRIPTIONS`](crate::limits::MAX_WEBHOOK_SUBSCRIPTIONS)).
//! - **Receiving** ([`Receiver`]): a plain function from the incoming
//!   request (its query string and body) to the reply to send and the
//!   notifications it carried, usable with any HTTP server. It answers the
//!   `validationToken` handshake Business Central makes when a subscription
//!   is created or renewed, checks the client state in constant time and
//!   parses the notifications ([`Notification`]).
//! - **Acting on notifications**: `created` and `updated` name one row
//!   ([`ResourcePath::entity_in`] gives its typed path), `deleted` names a
//!   row that is gone, and `collection` says that more than 1,000 rows
//!   changed at once: read them with the incremental sync
//!   ([`crate::sync`]), which is also what catches up after a gap.
//!
//! # What Business Central guarantees, and what it does not
//!
//! - Notifications are hints, sent about 30 seconds after a change, several
//!   changes of one row folded into one; they carry no data. Read the rows.
//! - Delivery is retried for 36 hours when your endpoint answers 408, 429 or
//!   5xx (or cannot be reached). **Any other status deletes the
//!   subscription**, without notice: answer a failure you expect to pass
//!   (database down, queue full) with [`Reply::retry_later`], never 4xx.
//! - A subscription that is neither renewed nor deleted expires silently.
//!   Changes made while no subscription was active are never notified: run
//!   the incremental sync after re-subscribing.
//! - Deletions are reported only by notifications; the incremental sync
//!   cannot see them.
//! - Not every resource supports webhooks (temporary tables, composite
//!   keys, system tables and API queries do not); subscribing to one fails
//!   with [`WebhookError::UnsupportedResource`].

mod client_state;
mod company;
mod manage;
mod notification;
mod receiver;
mod subscription;
mod wire;

pub use client_state::{ClientState, SubscriptionId};
pub use company::with_company_id;
pub use manage::{LossReason, LostSubscription, RenewalFailure, RenewalReport, Subscriptions, WebhookError};
pub use notification::{ChangeType, Notification, ResourcePath};
pub use receiver::{IncomingRequest, MAX_NOTIFICATION_BODY, Received, ReceivedKind, Receiver, Rejection, Reply};
pub use subscription::Subscription;
