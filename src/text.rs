//! Cutting text to a length without splitting a character.

/// At most `max` UTF-16 code units, never splitting a character: iMIS is .NET, whose
/// strings and SQL Server's nvarchar columns count UTF-16 code units, so an emoji takes
/// two of a column's 100.
pub fn bounded(text: &str, max: usize) -> String {
    let mut used = 0;
    text.chars()
        .take_while(|c| {
            used += c.len_utf16();
            used <= max
        })
        .collect()
}

/// Length as iMIS counts it: UTF-16 code units.
pub fn units(text: &str) -> usize {
    text.encode_utf16().count()
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
        assert_eq!(bounded("🙂🙂🙂", 5), "🙂🙂", "an emoji is two units");
        assert_eq!(units("a🙂"), 3);
        assert_eq!(ellipsis("héllo", 2), "hé…");
        assert_eq!(ellipsis("hé", 2), "hé");
        assert_eq!(ellipsis("", 0), "");
    }
}
