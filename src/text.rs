//! Cutting text to a length without splitting a character.

/// At most `max` characters.
pub fn bounded(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// At most `max` characters, and `…` when something was cut: for echoing untrusted or
/// long text in messages.
pub fn ellipsis(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_on_characters() {
        assert_eq!(bounded("héllo", 2), "hé");
        assert_eq!(ellipsis("héllo", 2), "hé…");
        assert_eq!(ellipsis("hé", 2), "hé");
        assert_eq!(ellipsis("", 0), "");
    }
}
