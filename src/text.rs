//! Cutting text to a length without splitting a character; Unicode case mapping.

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

/// Unicode lowercase (full mapping, final sigma included), as `str::to_lowercase`.
/// In the browser JavaScript's `toLowerCase` does it: the same mapping, without the
/// wasm carrying Rust's case tables (24 KB); tests/browser_text.rs compares the two.
pub fn lowercase(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    return js_sys::JsString::from(text).to_lower_case().into();
    #[cfg(not(target_arch = "wasm32"))]
    return text.to_lowercase();
}

/// Unicode uppercase (full mapping: `ß` becomes `SS`), as `str::to_uppercase`; in the
/// browser JavaScript's `toUpperCase`, as `lowercase`.
pub fn uppercase(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    return js_sys::JsString::from(text).to_upper_case().into();
    #[cfg(not(target_arch = "wasm32"))]
    return text.to_uppercase();
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
