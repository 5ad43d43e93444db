//! When and how long to wait before trying a failed request again.
//!
//! Services throttle clients that send too much (429) and shed load when
//! their queues are full (503). Both answers mean "come back later",
//! usually with `Retry-After`, and are given before the request is
//! processed. Gateways add 502/504, which say nothing
//! about whether the service applied the request. Everything else is final.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use super::http::Headers;
use super::operation::OperationKind;
use super::transport::{TransportError, TransportErrorKind};

/// The longest `Retry-After` taken at its word. A longer (or absurd) value
/// is read as this much: no policy waits that long anyway, and the cap
/// keeps `Instant::now() + retry_after` from overflowing in callers' code.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// How the client retries transient failures.
///
/// What is retried depends on what the request does ([`OperationKind`]):
///
/// | answer or failure                           | reads | updates, deletes | creates, actions |
/// |---------------------------------------------|-------|------------------|------------------|
/// | 429                                         | yes   | yes              | yes              |
/// | 503                                         | yes   | yes              | no               |
/// | 502, 504                                    | yes   | no               | no               |
/// | connection could not be established         | yes   | yes              | yes              |
/// | any other transport failure, client timeout | yes   | no               | no               |
///
/// 429 and 503 are a service's "not now" answers, given before it
/// processes the request. A 502/504 from a gateway, a connection lost
/// mid-exchange or a timeout leave open whether a write was applied:
/// repeating it would then fail with a stale ETag (409/412) or 404 and
/// report the caller's own successful write as a failure, so only reads
/// are repeated. Creates and actions, which a repeat would run twice, are
/// retried after 429 alone: should a 503 come from something in front of
/// the service, an update repeated by mistake fails visibly, a create
/// would silently duplicate. A connection that could not be established
/// never carried the request, so every kind is retried then.
///
/// The wait is the largest of three: the computed backoff, which grows
/// exponentially from `base_delay` up to `max_delay` and is scaled by a
/// random factor in [0.5, 1); the service's `Retry-After` (seconds or HTTP
/// date), stretched by a random 0–20 % so that requests throttled together
/// do not come back together; and the floor `min_delay`, so that
/// `Retry-After: 0` does not turn into a burst. When the wait would end
/// beyond `max_elapsed`, the failure is returned at once, carrying the
/// service's `Retry-After`.
///
/// Retries also draw on a [`RetryBudget`] shared by every request of the
/// client: when many requests fail at once, only a few are retried, since
/// the service is struggling and more attempts would only add to its load
/// (and spend the caller's request quota).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    max_elapsed: Duration,
    base_delay: Duration,
    max_delay: Duration,
    min_delay: Duration,
    budget: RetryBudget,
}

impl Default for RetryPolicy {
    /// Up to 5 attempts within 2 minutes, waiting about 1 s, 2 s, 4 s, ...
    /// (at most 30 s, at least 100 ms) between them, from a budget of 20
    /// retries refilled by a tenth of a retry per success. That rides out a
    /// short throttling burst without hiding a client that keeps exceeding
    /// the service's quota.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            max_elapsed: Duration::from_secs(120),
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            min_delay: Duration::from_millis(100),
            budget: RetryBudget::default(),
        }
    }
}

/// How many retries the requests of one client may make together: a token
/// bucket holding `capacity` retries, each retry taking one, each
/// successful request putting back `refill_percent` hundredths of one.
/// Failures past an empty budget are returned without retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryBudget {
    capacity: u32,
    refill_percent: u32,
}

impl Default for RetryBudget {
    /// 20 retries, refilled by 10 % of a retry per success: in the long
    /// run at most one retry per ten successful requests, after a burst
    /// allowance of 20.
    fn default() -> Self {
        RetryBudget { capacity: 20, refill_percent: 10 }
    }
}

impl RetryBudget {
    /// A budget of `capacity` retries, refilled by 10 % of a retry per
    /// successful request.
    pub fn new(capacity: u32) -> RetryBudget {
        RetryBudget { capacity, ..RetryBudget::default() }
    }

    /// No shared limit: every request retries as its policy allows.
    pub fn unlimited() -> RetryBudget {
        RetryBudget { capacity: u32::MAX, refill_percent: 100 }
    }

    /// How much of a retry each successful request puts back, in percent
    /// (100: one retry per success).
    pub fn refill_percent(mut self, percent: u32) -> RetryBudget {
        self.refill_percent = percent;
        self
    }

    /// The most retries the budget holds.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }
}

/// The state of a client's [`RetryBudget`], in hundredths of a retry.
#[derive(Debug)]
pub(crate) struct RetryTokens {
    hundredths: AtomicU64,
    capacity: u64,
    refill: u64,
}

impl RetryTokens {
    pub(crate) fn new(budget: RetryBudget) -> RetryTokens {
        let capacity = u64::from(budget.capacity) * 100;
        RetryTokens { hundredths: AtomicU64::new(capacity), capacity, refill: u64::from(budget.refill_percent) }
    }

    /// Takes one retry from the budget, if one is left.
    pub(crate) fn try_spend(&self) -> bool {
        self.hundredths.fetch_update(Ordering::AcqRel, Ordering::Acquire, |tokens| tokens.checked_sub(100)).is_ok()
    }

    /// Puts back the refill of one successful request.
    pub(crate) fn refund(&self) {
        let _ = self.hundredths.fetch_update(Ordering::AcqRel, Ordering::Acquire, |tokens| {
            (tokens < self.capacity).then(|| (tokens + self.refill).min(self.capacity))
        });
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> RetryPolicy {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }

    /// Total attempts, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> RetryPolicy {
        self.max_attempts = attempts.max(1);
        self
    }

    /// No retry starts once this much time has passed since the first
    /// attempt, nor when its wait would end beyond it.
    pub fn max_elapsed(mut self, limit: Duration) -> RetryPolicy {
        self.max_elapsed = limit;
        self
    }

    /// The wait before the first retry, doubled for each later one.
    pub fn base_delay(mut self, delay: Duration) -> RetryPolicy {
        self.base_delay = delay;
        self
    }

    /// The longest computed wait (a service's `Retry-After` may exceed it).
    pub fn max_delay(mut self, delay: Duration) -> RetryPolicy {
        self.max_delay = delay;
        self
    }

    /// The shortest wait, whatever the service's `Retry-After` says.
    pub fn min_delay(mut self, delay: Duration) -> RetryPolicy {
        self.min_delay = delay;
        self
    }

    /// The retry budget shared by all requests of a client built with this
    /// policy (see [`RetryBudget`]).
    pub fn budget(mut self, budget: RetryBudget) -> RetryPolicy {
        self.budget = budget;
        self
    }

    /// The configured budget.
    pub fn retry_budget(&self) -> RetryBudget {
        self.budget
    }

    /// The configured number of attempts.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// How long to wait before retrying after `attempt` (1-based) ended
    /// with `status`, or `None` if the request must not be retried.
    pub(crate) fn delay_after_status(
        &self,
        status: u16,
        headers: &Headers,
        kind: OperationKind,
        attempt: u32,
        started: Instant,
    ) -> Option<Duration> {
        let retryable = match status {
            429 => true,
            503 => !kind.may_duplicate(),
            502 | 504 => kind == OperationKind::Read,
            _ => false,
        };
        if !retryable {
            return None;
        }
        let wait = self.wait(attempt, parse_retry_after(headers));
        self.within_limits(attempt, started, wait)
    }

    /// How long to wait before retrying after `attempt` failed below HTTP,
    /// or `None`. A connection that was never established is retried for
    /// every kind: the request did not leave. Any other failure (lost
    /// connection, timeout, garbled answer) is retried for reads only,
    /// since a write may have been applied before the failure.
    pub(crate) fn delay_after_transport_error(
        &self,
        error: &TransportError,
        kind: OperationKind,
        attempt: u32,
        started: Instant,
    ) -> Option<Duration> {
        let retryable = match error.kind() {
            TransportErrorKind::Connect => true,
            _ => kind == OperationKind::Read,
        };
        if !retryable {
            return None;
        }
        self.within_limits(attempt, started, self.wait(attempt, None))
    }

    /// The largest of the floor, the backoff and the service's hint
    /// stretched by up to a fifth.
    fn wait(&self, attempt: u32, hint: Option<Duration>) -> Duration {
        let hinted = hint.map_or(Duration::ZERO, |hint| {
            let stretched = hint.as_secs_f64() * (1.0 + fastrand::f64() / 5.0);
            Duration::try_from_secs_f64(stretched).unwrap_or(hint)
        });
        self.backoff(attempt).max(hinted).max(self.min_delay)
    }

    fn within_limits(&self, attempt: u32, started: Instant, wait: Duration) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        // Checked: `wait` comes from the service and `max_elapsed` from the
        // caller; neither bounds the sum.
        let ends_after = started.elapsed().checked_add(wait)?;
        (ends_after <= self.max_elapsed).then_some(wait)
    }

    /// `base * 2^(attempt-1)`, capped, then scaled by a random factor in
    /// [0.5, 1.0) so that concurrent clients spread out.
    fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(31);
        let uncapped = self.base_delay.saturating_mul(1u32 << exponent);
        let capped = uncapped.min(self.max_delay);
        let factor = 0.5 + fastrand::f64() / 2.0;
        // `mul_f64` panics when the product does not fit, which float
        // rounding allows for a `max_delay` near `Duration::MAX`.
        Duration::try_from_secs_f64(capped.as_secs_f64() * factor).unwrap_or(capped)
    }
}

/// Reads `Retry-After` as delay-seconds or as an HTTP date (a date in the
/// past means "now"), at most [`MAX_RETRY_AFTER`].
pub(crate) fn parse_retry_after(headers: &Headers) -> Option<Duration> {
    let value = headers.get("Retry-After")?.trim();
    let wait = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for a u64 is still a (very long) number of
        // seconds, not a missing header.
        Duration::from_secs(value.parse::<u64>().unwrap_or(u64::MAX))
    } else {
        let at = httpdate::parse_http_date(value).ok()?;
        at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(retry_after: &str) -> Headers {
        let mut headers = Headers::new();
        headers.set("Retry-After", retry_after);
        headers
    }

    #[test]
    fn retry_after_accepts_seconds_and_dates() {
        assert_eq!(parse_retry_after(&headers("7")), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(30);
        let parsed = parse_retry_after(&headers(&httpdate::fmt_http_date(later))).unwrap();
        assert!(parsed > Duration::from_secs(25) && parsed <= Duration::from_secs(30));
        assert_eq!(parse_retry_after(&headers("Wed, 21 Oct 2015 07:28:00 GMT")), Some(Duration::ZERO));
        assert_eq!(parse_retry_after(&headers("soon")), None);
    }

    #[test]
    fn writes_that_may_duplicate_retry_only_on_429() {
        let policy = RetryPolicy::default();
        let none = Headers::new();
        let now = Instant::now();
        assert!(policy.delay_after_status(503, &none, OperationKind::Create, 1, now).is_none());
        assert!(policy.delay_after_status(429, &none, OperationKind::Action, 1, now).is_some());
        assert!(policy.delay_after_status(503, &none, OperationKind::Update, 1, now).is_some());
        assert!(policy.delay_after_status(500, &none, OperationKind::Read, 1, now).is_none());
        assert!(policy.delay_after_status(429, &none, OperationKind::Read, 5, now).is_none());
    }

    #[test]
    fn huge_retry_after_values_neither_panic_nor_wait() {
        let policy = RetryPolicy::default();
        let now = Instant::now();
        for value in ["18446744073709551615", "99999999999999999999999999", "Fri, 31 Dec 9999 23:59:59 GMT"] {
            let huge = headers(value);
            assert_eq!(parse_retry_after(&huge), Some(MAX_RETRY_AFTER), "{value}");
            assert_eq!(
                policy.delay_after_status(429, &huge, OperationKind::Read, 1, now),
                None,
                "{value}: a wait beyond max_elapsed is not retried"
            );
        }
        let unbounded = RetryPolicy::default().max_elapsed(Duration::MAX);
        let wait = unbounded.delay_after_status(429, &headers("86400"), OperationKind::Read, 1, now).unwrap();
        assert!(wait >= MAX_RETRY_AFTER && wait <= MAX_RETRY_AFTER.mul_f64(1.2), "{wait:?}");
        let extreme = RetryPolicy::default().base_delay(Duration::MAX).max_delay(Duration::MAX);
        assert!(extreme.backoff(3) > Duration::ZERO);
    }

    #[test]
    fn gateway_errors_are_retried_for_reads_only() {
        let policy = RetryPolicy::default();
        let none = Headers::new();
        let now = Instant::now();
        for status in [502, 504] {
            assert!(policy.delay_after_status(status, &none, OperationKind::Read, 1, now).is_some());
            for kind in [OperationKind::Update, OperationKind::Delete, OperationKind::Create, OperationKind::Action] {
                assert!(policy.delay_after_status(status, &none, kind, 1, now).is_none(), "{status} {kind:?}");
            }
        }
        assert!(policy.delay_after_status(503, &none, OperationKind::Delete, 1, now).is_some());
    }

    #[test]
    fn transport_failures_are_retried_by_kind() {
        let policy = RetryPolicy::default();
        let now = Instant::now();
        let connect = TransportError::new(TransportErrorKind::Connect, "refused");
        let timeout = TransportError::new(TransportErrorKind::Timeout, "timed out");
        let reset = TransportError::new(TransportErrorKind::Other, "reset");
        for kind in [
            OperationKind::Read,
            OperationKind::Update,
            OperationKind::Delete,
            OperationKind::Create,
            OperationKind::Action,
        ] {
            assert!(
                policy.delay_after_transport_error(&connect, kind, 1, now).is_some(),
                "{kind:?}: a request that never left is retried"
            );
            let read = kind == OperationKind::Read;
            for error in [&timeout, &reset] {
                assert_eq!(
                    policy.delay_after_transport_error(error, kind, 1, now).is_some(),
                    read,
                    "{kind:?} after {error:?}"
                );
            }
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy =
            RetryPolicy::default().base_delay(Duration::from_millis(100)).max_delay(Duration::from_millis(300));
        assert!(policy.backoff(1) >= Duration::from_millis(50) && policy.backoff(1) < Duration::from_millis(100));
        assert!(policy.backoff(2) >= Duration::from_millis(100) && policy.backoff(2) < Duration::from_millis(200));
        assert!(policy.backoff(10) < Duration::from_millis(300));
    }

    #[test]
    fn the_wait_is_the_larger_of_hint_backoff_and_floor() {
        let policy = RetryPolicy::default()
            .base_delay(Duration::from_millis(200))
            .max_delay(Duration::from_secs(1))
            .min_delay(Duration::from_millis(150));
        let now = Instant::now();
        for _ in 0..50 {
            // `Retry-After: 0` waits the backoff (at least half the base delay).
            let zero = policy.delay_after_status(429, &headers("0"), OperationKind::Read, 1, now).unwrap();
            assert!(zero >= Duration::from_millis(150) && zero < Duration::from_millis(200), "{zero:?}");
            // A hint longer than the backoff wins, stretched by up to a fifth.
            let hinted = policy.delay_after_status(429, &headers("2"), OperationKind::Read, 1, now).unwrap();
            assert!(hinted >= Duration::from_secs(2) && hinted <= Duration::from_millis(2400), "{hinted:?}");
        }
        let floor_only = RetryPolicy::default().base_delay(Duration::ZERO).min_delay(Duration::from_millis(30));
        assert_eq!(floor_only.wait(1, Some(Duration::ZERO)), Duration::from_millis(30));
    }

    #[test]
    fn requests_throttled_together_do_not_retry_together() {
        let policy = RetryPolicy::default();
        let now = Instant::now();
        let waits: std::collections::BTreeSet<Duration> = (0..20)
            .map(|_| policy.delay_after_status(429, &headers("10"), OperationKind::Read, 1, now).unwrap())
            .collect();
        assert!(waits.len() > 15, "{waits:?}");
    }

    #[test]
    fn the_budget_is_spent_by_retries_and_refilled_by_successes() {
        let tokens = RetryTokens::new(RetryBudget::new(2).refill_percent(50));
        assert!(tokens.try_spend() && tokens.try_spend());
        assert!(!tokens.try_spend(), "empty after two retries");
        tokens.refund();
        assert!(!tokens.try_spend(), "half a retry is not a retry");
        tokens.refund();
        assert!(tokens.try_spend());
        for _ in 0..10 {
            tokens.refund();
        }
        assert!(tokens.try_spend() && tokens.try_spend() && !tokens.try_spend(), "never above the capacity");
        let unlimited = RetryTokens::new(RetryBudget::unlimited());
        assert!((0..10_000).all(|_| unlimited.try_spend()));
    }
}
