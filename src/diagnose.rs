//! What an administrator should do about a failed check: sign-in errors from Microsoft
//! Entra (AADSTS codes) and Office (13xxx), and how iMIS answered. Pure: the checks
//! themselves run in `lib.rs` through the adapters.

/// One check of Setup's *Test configuration*.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub passed: bool,
    /// What happened, in a sentence.
    pub detail: String,
    /// What to do, when it failed.
    pub advice: Option<String>,
}

impl Check {
    pub fn passed(name: &'static str, detail: impl Into<String>) -> Self {
        Check {
            name,
            passed: true,
            detail: detail.into(),
            advice: None,
        }
    }

    pub fn failed(
        name: &'static str,
        detail: impl Into<String>,
        advice: impl Into<String>,
    ) -> Self {
        Check {
            name,
            passed: false,
            detail: detail.into(),
            advice: Some(advice.into()),
        }
    }
}

/// The first `AADSTS<digits>` in a sign-in error's text.
pub fn aadsts_code(message: &str) -> Option<u32> {
    let at = message.find("AADSTS")?;
    let digits: String = message[at + 6..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// An Office error code (13000 to 13013) in a sign-in error's text.
fn office_code(message: &str) -> Option<u32> {
    message
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse::<u32>().ok())
        .find(|n| (13000..=13013).contains(n))
}

/// What to do about a sign-in error, from its code; `None` for an unknown one.
pub fn sign_in_advice(message: &str) -> Option<String> {
    if let Some(code) = aadsts_code(message) {
        let advice = match code {
            65001 => "Consent is missing: in Microsoft Entra, open the app's API permissions and click \
                      \"Grant admin consent\" (or let each user consent when asked).",
            700016 => "The Application (client) ID is not known in this tenant: check the ID in Setup \
                       against the app's Overview page, and that the Authority URL names the tenant the \
                       app is registered in.",
            50011 => "The redirect URI is not registered: in the app's Authentication page, add a \
                      Single-page application platform with this add-in's redirect URIs \
                      (https://<add-in host>/auth-redirect.html, https://<add-in host>/auth-dialog.html \
                      and brk-multihub://<add-in host>).",
            90002 => "The tenant in the Authority URL does not exist: use \
                      https://login.microsoftonline.com/<your tenant id or domain>/ or leave it empty \
                      for /common/.",
            50020 => "The account belongs to another tenant: sign in with an account of the tenant the \
                      app is registered in, or register the app as multi-tenant.",
            50173 | 70008 | 700082 => "The sign-in has expired: sign out from the Menu and sign in again.",
            50076 | 50079 => "Multi-factor authentication is required: sign in again and complete it.",
            53003 => "A Conditional Access policy blocked the sign-in: ask your administrator.",
            _ => return Some(format!("Microsoft Entra error AADSTS{code}: look it up at https://login.microsoftonline.com/error?code={code}.")),
        };
        return Some(advice.to_string());
    }
    let advice = match office_code(message)? {
        13000 => "This Outlook does not support single sign-on for add-ins; the add-in signs in with a popup instead.",
        13001 => "Nobody is signed in to Outlook: sign in to Outlook, then try again.",
        13002 => "The sign-in was cancelled: try again and complete it.",
        13003 => "This kind of account (for example a personal Microsoft account) cannot be used: sign in with a work account.",
        13004 => "The add-in's manifest names an invalid resource for single sign-on: check WebApplicationInfo.",
        13005 | 13007 | 13008 | 13010 | 13012 | 13013 => {
            "Outlook could not get a token for the add-in: reload the add-in and try again."
        }
        13006 => "Outlook's sign-in has expired: sign out of Outlook and back in.",
        _ => "Outlook refused the sign-in request: reload the add-in and try again.",
    };
    Some(advice.to_string())
}

/// The parts of an MSAL error that are not Microsoft's correlation noise.
pub fn short_message(message: &str) -> String {
    crate::text::ellipsis(message.lines().next().unwrap_or(message).trim(), 240)
}

crate::json_struct!(Check {
    name => "name",
    passed => "passed",
    detail => "detail",
    advice => "advice",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aadsts_codes_are_found_in_msal_messages() {
        let m = "invalid_grant: AADSTS65001: The user or administrator has not consented to use the application. Trace ID: x";
        assert_eq!(aadsts_code(m), Some(65001));
        assert!(sign_in_advice(m).unwrap().contains("Grant admin consent"));
        assert_eq!(aadsts_code("no code here"), None);
    }

    #[test]
    fn each_documented_code_has_its_own_advice() {
        for (code, words) in [
            ("AADSTS700016", "not known in this tenant"),
            ("AADSTS50011", "redirect URI is not registered"),
            ("AADSTS90002", "tenant in the Authority URL does not exist"),
            ("AADSTS50020", "another tenant"),
            ("AADSTS12345", "login.microsoftonline.com/error?code=12345"),
        ] {
            let advice = sign_in_advice(&format!("x: {code}: y")).unwrap();
            assert!(advice.contains(words), "{code}: {advice}");
        }
    }

    #[test]
    fn office_codes_are_explained() {
        assert!(sign_in_advice("Error 13001: not signed in")
            .unwrap()
            .contains("sign in to Outlook"));
        assert!(sign_in_advice("code 13003")
            .unwrap()
            .contains("work account"));
        assert_eq!(sign_in_advice("HTTP 500"), None);
        assert_eq!(sign_in_advice("user 130001"), None);
    }

    #[test]
    fn messages_are_cut_to_their_first_line() {
        assert_eq!(
            short_message("a: b\nTrace ID: 1\nCorrelation ID: 2"),
            "a: b"
        );
        assert_eq!(short_message(&"x".repeat(300)).chars().count(), 241);
    }
}
