//! The iMIS session kept for the Outlook session: in the session storage of the pane's
//! origin, the way MSAL keeps its own tokens, so a pane reopened in the same Outlook
//! window needs no password. Never `localStorage` or roaming settings: those outlive the
//! session and roaming settings travel to Microsoft's servers.

const KEY: &str = "saveToImis.imisSession";

/// What is kept: enough to use the token, and the user name to say who is signed in.
/// Read by hand (below) as the derive would.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub site: String,
    pub token: String,
    pub expires_at_ms: f64,
    pub user: String,
}

/// The kept session for `site`, if it is still valid at `now_ms` (pure: the caller reads
/// storage).
pub fn usable(raw: Option<&str>, site: &str, now_ms: f64) -> Option<Stored> {
    let stored: Stored = crate::json::from_str(raw?).ok()?;
    (stored.site == site && stored.expires_at_ms > now_ms && !stored.token.is_empty())
        .then_some(stored)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// Reads the kept session for `site`; an unusable one is removed.
pub fn load(site: &str) -> Option<Stored> {
    let storage = storage()?;
    let raw = storage.get_item(KEY).ok()?;
    let found = usable(raw.as_deref(), site, js_sys::Date::now());
    if found.is_none() && raw.is_some() {
        let _ = storage.remove_item(KEY);
    }
    found
}

/// Keeps the session; a pane without session storage (private modes) just asks again.
pub fn store(session: &Stored) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(KEY, &crate::jsonw::to_string(session));
    }
}

pub fn clear() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(KEY);
    }
}

impl crate::json::FromJson for Stored {
    fn from_json(v: crate::json::Value) -> crate::json::Result<Self> {
        let mut f = crate::json::Fields::of(v, "struct Stored")?;
        Ok(Stored {
            site: f.req("site")?,
            token: f.req("token")?,
            expires_at_ms: f.req("expiresAtMs")?,
            user: f.req("user")?,
        })
    }
}

crate::json_struct!(Stored {
    site => "site",
    token => "token",
    expires_at_ms => "expiresAtMs",
    user => "user",
});

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(site: &str, expires_at_ms: f64) -> String {
        crate::jsonw::to_string(&Stored {
            site: site.into(),
            token: "t".into(),
            expires_at_ms,
            user: "staff".into(),
        })
    }

    #[test]
    fn a_kept_session_is_used_only_for_its_site_and_before_it_expires() {
        let raw = kept("https://imis.example.org", 2_000.0);
        assert_eq!(
            usable(Some(&raw), "https://imis.example.org", 1_000.0).map(|s| s.user),
            Some("staff".into())
        );
        assert!(usable(Some(&raw), "https://other.example.org", 1_000.0).is_none());
        assert!(usable(Some(&raw), "https://imis.example.org", 2_000.0).is_none());
    }

    #[test]
    fn nothing_or_garbage_kept_means_no_session() {
        assert!(usable(None, "https://imis.example.org", 0.0).is_none());
        assert!(usable(Some("{not json"), "https://imis.example.org", 0.0).is_none());
        assert!(usable(Some("{}"), "https://imis.example.org", 0.0).is_none());
    }
}
