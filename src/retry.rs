//! Retry decisions from status codes and headers (reference: graph-and-office.md,
//! limits and throttling). Pure: the caller supplies the attempt count and the random
//! jitter, and does the waiting.

/// What to do after one attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Use the answer as it is (success, or a failure retrying cannot fix).
    Done,
    /// Get a fresh token, then try again at once.
    RefreshToken,
    /// Wait this long, then try again.
    Wait { ms: u64, reason: String },
    /// Stop: the answer keeps failing.
    GiveUp,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// Attempts in all, the first included (throttling has its own budget).
    pub max_attempts: u32,
    pub base_ms: u64,
    pub cap_ms: u64,
    /// Retry 404 too: a draft saved moments ago is not in Graph until it syncs.
    pub retry_not_found: bool,
    /// Throttled (429, 503): waits start here and double up to the cap, and the
    /// request is given up only when this much waiting would not be enough. A browser
    /// cannot read Graph's Retry-After (not in Access-Control-Expose-Headers), so the
    /// waits must outlast a throttle of a minute or more by themselves.
    pub throttle_base_ms: u64,
    pub throttle_cap_ms: u64,
    pub throttle_budget_ms: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_attempts: 5,
            base_ms: 500,
            cap_ms: 30_000,
            retry_not_found: false,
            throttle_base_ms: 2_000,
            throttle_cap_ms: 32_000,
            throttle_budget_ms: 180_000,
        }
    }
}

/// What one attempt gave: an HTTP status, or no answer at all (`None`: the network
/// failed or the connection was cut mid-body).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Attempt<'a> {
    pub status: Option<u16>,
    pub retry_after: Option<&'a str>,
    /// 1 for the first attempt.
    pub number: u32,
    /// Whether a fresh token was already fetched for this request.
    pub token_refreshed: bool,
    /// Milliseconds this request has waited between its attempts so far.
    pub waited_ms: u64,
}

impl Policy {
    /// For a compose-mode item: about half a minute of retries while it syncs.
    pub fn for_draft() -> Self {
        Policy {
            max_attempts: 8,
            base_ms: 1_000,
            cap_ms: 8_000,
            retry_not_found: true,
            ..Policy::default()
        }
    }

    /// `jitter` in [0, 1): spreads retries of parallel downloads apart.
    pub fn decide(&self, attempt: Attempt, jitter: f64) -> Decision {
        let status = attempt.status;
        let retryable = matches!(status, None | Some(429 | 500 | 502 | 503 | 504))
            || (self.retry_not_found && status == Some(404));
        match status {
            Some(401) if !attempt.token_refreshed => return Decision::RefreshToken,
            Some(_) if !retryable => return Decision::Done,
            _ => {}
        }
        let throttled = matches!(status, Some(429 | 503));
        if !throttled && attempt.number >= self.max_attempts {
            return Decision::GiveUp;
        }
        let equal_jitter = |base: u64, cap: u64| {
            let exp = base.saturating_mul(1u64 << attempt.number.saturating_sub(1).min(20));
            let capped = exp.min(cap);
            // "Equal jitter": half fixed, half random, so the wait never collapses to zero
            // and parallel downloads spread apart.
            capped / 2 + ((capped / 2) as f64 * jitter.clamp(0.0, 1.0)) as u64
        };
        if throttled {
            // Retry-After is a floor when it can be read: never retry sooner.
            let ms = attempt
                .retry_after
                .and_then(parse_retry_after)
                // "Retry-After: 0" asks for no wait at all: back off instead, or a
                // throttle that keeps answering 0 would be retried for ever.
                .filter(|s| *s > 0)
                .map(|s| s * 1000)
                .unwrap_or_else(|| equal_jitter(self.throttle_base_ms, self.throttle_cap_ms));
            if attempt.waited_ms.saturating_add(ms) > self.throttle_budget_ms {
                return Decision::GiveUp;
            }
            let code = status.unwrap_or_default();
            return Decision::Wait {
                ms,
                reason: format!(
                    "Waiting for Microsoft Graph, which is busy ({code}); trying again in {} s",
                    ms.div_ceil(1000)
                ),
            };
        }
        let reason = match status {
            Some(404) => "The draft is not on the server yet".to_string(),
            Some(code) => format!("Microsoft Graph answered {code}"),
            None => "The connection failed".to_string(),
        };
        let ms = equal_jitter(self.base_ms, self.cap_ms);
        Decision::Wait {
            ms,
            reason: format!(
                "{reason}; trying again in {} s",
                crate::text::one_decimal(ms as f64 / 1000.0)
            ),
        }
    }
}

/// `Retry-After` in delta-seconds (what Graph sends). An HTTP date is not used by Graph
/// and falls back to backoff.
pub fn parse_retry_after(value: &str) -> Option<u64> {
    value.trim().parse::<u64>().ok().map(|s| s.min(600))
}

/// Whether a second save can store what this error kept out: not when the site's rules
/// refuse it (too large, not allowed, a bad request) or the content cannot be read at all;
/// yes for what passes (busy, unreachable, a session that ended, a server error).
pub fn saving_again_helps(error: &crate::error::Error) -> bool {
    use crate::error::{Error, GraphError, HostError, ImisError};
    match error {
        Error::Imis(ImisError::TooLarge { .. } | ImisError::NotAllowed(_)) => false,
        Error::Imis(ImisError::Http { status, .. }) => !matches!(status, 400 | 403 | 404 | 413),
        Error::Graph(GraphError::Http { status, .. }) => !matches!(status, 400 | 403 | 404),
        Error::Host(HostError::BadData { .. }) | Error::Settings(_) => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(status: Option<u16>, retry_after: Option<&str>, number: u32) -> Attempt<'_> {
        Attempt {
            status,
            retry_after,
            number,
            token_refreshed: false,
            waited_ms: 0,
        }
    }

    #[test]
    fn success_and_client_errors_are_final() {
        let p = Policy::default();
        for status in [200, 400, 403, 404, 405, 413] {
            assert_eq!(
                p.decide(attempt(Some(status), None, 1), 0.5),
                Decision::Done,
                "{status}"
            );
        }
    }

    #[test]
    fn unauthorized_refreshes_the_token_once() {
        let p = Policy::default();
        assert_eq!(
            p.decide(attempt(Some(401), None, 1), 0.0),
            Decision::RefreshToken
        );
        let again = Attempt {
            token_refreshed: true,
            ..attempt(Some(401), None, 2)
        };
        assert_eq!(p.decide(again, 0.0), Decision::Done);
    }

    #[test]
    fn retry_after_is_waited_exactly() {
        let p = Policy::default();
        for status in [429, 503] {
            match p.decide(attempt(Some(status), Some("2"), 1), 0.99) {
                Decision::Wait { ms, .. } => assert_eq!(ms, 2000),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn backoff_grows_with_jitter_and_a_cap() {
        let p = Policy {
            max_attempts: 30,
            base_ms: 500,
            cap_ms: 8_000,
            ..Policy::default()
        };
        let wait = |n, j| match p.decide(attempt(Some(502), None, n), j) {
            Decision::Wait { ms, .. } => ms,
            other => panic!("{other:?}"),
        };
        assert_eq!((wait(1, 0.0), wait(1, 1.0)), (250, 500));
        assert_eq!((wait(3, 0.0), wait(3, 1.0)), (1000, 2000));
        assert_eq!(wait(25, 1.0), 8000);
        assert!(wait(2, 0.3) > wait(2, 0.1));
    }

    #[test]
    fn cut_connections_retry_then_give_up() {
        let p = Policy::default();
        assert!(matches!(
            p.decide(attempt(None, None, 1), 0.5),
            Decision::Wait { .. }
        ));
        assert_eq!(p.decide(attempt(None, None, 5), 0.5), Decision::GiveUp);
    }

    #[test]
    fn throttling_without_a_readable_retry_after_outlasts_minutes() {
        let p = Policy::default();
        // The fastest run (jitter 0) still waits over a minute and a half before it gives
        // up; every wait is at least the base, so a storm is never hammered.
        for jitter in [0.0, 0.5, 1.0] {
            let (mut waited, mut number) = (0, 1);
            loop {
                let a = Attempt {
                    waited_ms: waited,
                    ..attempt(Some(429), None, number)
                };
                match p.decide(a, jitter) {
                    Decision::Wait { ms, reason } => {
                        assert!(ms >= 1_000, "{ms}");
                        assert!(
                            reason.starts_with("Waiting for Microsoft Graph"),
                            "{reason}"
                        );
                        waited += ms;
                        number += 1;
                    }
                    Decision::GiveUp => break,
                    other => panic!("{other:?}"),
                }
            }
            assert!((90_000..=180_000).contains(&waited), "{jitter}: {waited}");
            assert!(number <= 16, "{jitter}: {number} attempts");
        }
        let past = Attempt {
            waited_ms: 179_000,
            ..attempt(Some(503), Some("5"), 9)
        };
        assert_eq!(p.decide(past, 0.5), Decision::GiveUp);
    }

    #[test]
    fn drafts_wait_for_their_sync_within_a_bound() {
        let p = Policy::for_draft();
        assert_eq!(
            Policy::default().decide(attempt(Some(404), None, 1), 0.5),
            Decision::Done
        );
        let mut total = 0;
        for n in 1..p.max_attempts {
            match p.decide(attempt(Some(404), None, n), 1.0) {
                Decision::Wait { ms, reason } => {
                    total += ms;
                    assert!(reason.contains("not on the server yet"), "{reason}");
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            p.decide(attempt(Some(404), None, p.max_attempts), 1.0),
            Decision::GiveUp
        );
        assert!((20_000..=45_000).contains(&total), "{total}");
    }

    #[test]
    fn a_zero_retry_after_backs_off_and_odd_attempts_do_not_panic() {
        let p = Policy::default();
        match p.decide(attempt(Some(429), Some("0"), 1), 0.0) {
            Decision::Wait { ms, .. } => assert_eq!(ms, 1_000),
            other => panic!("{other:?}"),
        }
        let last = Attempt {
            waited_ms: u64::MAX,
            ..attempt(Some(503), None, 0)
        };
        assert_eq!(p.decide(last, 0.5), Decision::GiveUp);
    }

    #[test]
    fn retry_after_parsing() {
        assert_eq!(parse_retry_after(" 7 "), Some(7));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("99999"), Some(600));
    }

    #[test]
    fn saving_again_helps_only_where_the_cause_passes() {
        use crate::error::{Error, GraphError, ImisError};
        let too_large = Error::from(ImisError::TooLarge {
            name: "a".into(),
            request_bytes: 1,
        });
        assert!(!saving_again_helps(&too_large));
        assert!(!saving_again_helps(&Error::from(ImisError::NotAllowed(
            "add contacts".into()
        ))));
        let busy = Error::from(GraphError::Throttled {
            status: 429,
            attempts: 9,
        });
        assert!(saving_again_helps(&busy));
        let server = Error::from(ImisError::Http {
            what: "x".into(),
            status: 500,
            message: String::new(),
        });
        assert!(saving_again_helps(&server));
        let bad = Error::from(ImisError::Http {
            what: "x".into(),
            status: 400,
            message: String::new(),
        });
        assert!(!saving_again_helps(&bad));
    }
}
