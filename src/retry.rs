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
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub base_ms: u64,
    pub cap_ms: u64,
    /// Retry 404 too: a draft saved moments ago is not in Graph until it syncs.
    pub retry_not_found: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_attempts: 5,
            base_ms: 500,
            cap_ms: 30_000,
            retry_not_found: false,
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
}

impl Policy {
    /// For a compose-mode item: about half a minute of retries while it syncs.
    pub fn for_draft() -> Self {
        Policy {
            max_attempts: 8,
            base_ms: 1_000,
            cap_ms: 8_000,
            retry_not_found: true,
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
        if attempt.number >= self.max_attempts {
            return Decision::GiveUp;
        }
        let reason = match status {
            Some(429) => "Graph is throttling (429)".to_string(),
            Some(503) => "Graph is busy (503)".to_string(),
            Some(404) => "the draft is not on the server yet".to_string(),
            Some(code) => format!("Graph answered {code}"),
            None => "the connection failed".to_string(),
        };
        // Retry-After is a floor: never retry sooner than the server asked.
        if let Some(seconds) = attempt.retry_after.and_then(parse_retry_after) {
            return Decision::Wait {
                ms: seconds * 1000,
                reason,
            };
        }
        let exp = self
            .base_ms
            .saturating_mul(1u64 << (attempt.number - 1).min(20));
        let capped = exp.min(self.cap_ms);
        // "Equal jitter": half fixed, half random, so the wait never collapses to zero.
        let ms = capped / 2 + ((capped / 2) as f64 * jitter.clamp(0.0, 1.0)) as u64;
        Decision::Wait { ms, reason }
    }
}

/// `Retry-After` in delta-seconds (what Graph sends). An HTTP date is not used by Graph
/// and falls back to backoff.
pub fn parse_retry_after(value: &str) -> Option<u64> {
    value.trim().parse::<u64>().ok().map(|s| s.min(600))
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
            retry_not_found: false,
        };
        let wait = |n, j| match p.decide(attempt(Some(503), None, n), j) {
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
        assert_eq!(
            p.decide(attempt(Some(429), Some("1"), 5), 0.5),
            Decision::GiveUp
        );
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
                    assert!(reason.contains("not on the server yet"));
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
    fn retry_after_parsing() {
        assert_eq!(parse_retry_after(" 7 "), Some(7));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("99999"), Some(600));
    }
}
