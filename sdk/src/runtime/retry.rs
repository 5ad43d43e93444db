//! When and how long to wait before trying a failed request again.
//!
//! Business Central throttles each user at 6,000 requests per 5-minute
//! window (429) and queues at most ~95 waiting requests (503 beyond). Both
//! answers mean "come back later", usually with `Retry-After`. Gateways add
//! 502/504 for transient trouble. Everything else is final.

use std::time::{Duration, Instant, SystemTime};

use super::http::Headers;
use super::request::OperationKind;
use super::transport::TransportError;

/// How the client retries transient failures.
///
/// Retried: 429, 502, 503 and 504 answers, and connection failures of
/// reads. Requests that could be duplicated by a second attempt
/// ([`OperationKind::may_duplicate`]: creates and actions) are retried only
/// on 429, the one status that proves the service did not process them.
///
/// The wait grows exponentially from `base_delay` up to `max_delay`, with
/// jitter so that many clients do not retry in lockstep. A `Retry-After`
/// from the service takes precedence (seconds or HTTP date), as long as the
/// total time stays within `max_elapsed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    max_elapsed: Duration,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Up to 5 attempts within 2 minutes, waiting 1 s, 2 s, 4 s, ... (at most
    /// 30 s) between them. That rides out a short throttling burst without
    /// hiding a client that keeps exceeding the 5-minute budget.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            max_elapsed: Duration::from_secs(120),
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
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
            502..=504 => !kind.may_duplicate(),
            _ => false,
        };
        if !retryable {
            return None;
        }
        let wait = parse_retry_after(headers).unwrap_or_else(|| self.backoff(attempt));
        self.within_budget(attempt, started, wait)
    }

    /// How long to wait before retrying after `attempt` failed below HTTP,
    /// or `None`. Only connection failures of reads qualify: the request
    /// never left, and reading again has no side effect.
    pub(crate) fn delay_after_transport_error(
        &self,
        error: &TransportError,
        kind: OperationKind,
        attempt: u32,
        started: Instant,
    ) -> Option<Duration> {
        if !error.is_connect() || kind != OperationKind::Read {
            return None;
        }
        self.within_budget(attempt, started, self.backoff(attempt))
    }

    fn within_budget(&self, attempt: u32, started: Instant, wait: Duration) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        (started.elapsed() + wait <= self.max_elapsed).then_some(wait)
    }

    /// `base * 2^(attempt-1)`, capped, then scaled by a random factor in
    /// [0.5, 1.0) so that concurrent clients spread out.
    fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(31);
        let uncapped = self.base_delay.saturating_mul(1u32 << exponent);
        let capped = uncapped.min(self.max_delay);
        capped.mul_f64(0.5 + fastrand::f64() / 2.0)
    }
}

/// Reads `Retry-After` as delay-seconds or as an HTTP date (a date in the
/// past means "now").
pub(crate) fn parse_retry_after(headers: &Headers) -> Option<Duration> {
    let value = headers.get("Retry-After")?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
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
        assert_eq!(
            parse_retry_after(&headers("7")),
            Some(Duration::from_secs(7))
        );
        let later = SystemTime::now() + Duration::from_secs(30);
        let parsed = parse_retry_after(&headers(&httpdate::fmt_http_date(later))).unwrap();
        assert!(parsed > Duration::from_secs(25) && parsed <= Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&headers("Wed, 21 Oct 2015 07:28:00 GMT")),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after(&headers("soon")), None);
    }

    #[test]
    fn writes_that_may_duplicate_retry_only_on_429() {
        let policy = RetryPolicy::default();
        let none = Headers::new();
        let now = Instant::now();
        assert!(
            policy
                .delay_after_status(503, &none, OperationKind::Create, 1, now)
                .is_none()
        );
        assert!(
            policy
                .delay_after_status(429, &none, OperationKind::Action, 1, now)
                .is_some()
        );
        assert!(
            policy
                .delay_after_status(503, &none, OperationKind::Update, 1, now)
                .is_some()
        );
        assert!(
            policy
                .delay_after_status(500, &none, OperationKind::Read, 1, now)
                .is_none()
        );
        assert!(
            policy
                .delay_after_status(429, &none, OperationKind::Read, 5, now)
                .is_none()
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(300));
        assert!(
            policy.backoff(1) >= Duration::from_millis(50)
                && policy.backoff(1) < Duration::from_millis(100)
        );
        assert!(
            policy.backoff(2) >= Duration::from_millis(100)
                && policy.backoff(2) < Duration::from_millis(200)
        );
        assert!(policy.backoff(10) < Duration::from_millis(300));
    }
}
