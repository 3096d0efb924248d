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

/// `format!("{:.1}", x)` for a finite `x` from 0 to 2^60, without the float formatter
/// (its exact-mode tables were kilobytes of the wasm): the exact binary value rounded to
/// one decimal, ties to even, as the formatter rounds.
pub fn one_decimal(x: f64) -> String {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1 << 52) - 1);
    // x = m * 2^e exactly. All in u64: wider integers bring their own code.
    let (m, e) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | 1 << 52, exp - 1075)
    };
    let tenths = if e >= 0 {
        (m << e.min(7)) * 10
    } else if e <= -60 {
        // Below 2^-7: 0.0.
        0
    } else {
        let s = -e as u32;
        let t = m * 10;
        let (q, r, half) = (t >> s, t & ((1 << s) - 1), 1u64 << (s - 1));
        q + u64::from(r > half || (r == half && q % 2 == 1))
    };
    format!("{}.{}", tenths / 10, tenths % 10)
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

    #[test]
    fn one_decimal_is_the_formatters_rounding() {
        let check = |x: f64| assert_eq!(one_decimal(x), format!("{x:.1}"), "{x:e}");
        for b in 0..3_000_000u64 {
            check(b as f64 / 1024.0);
            check(b as f64 / (1024.0 * 1024.0));
            check(b as f64 / 1000.0);
        }
        let mut r = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..1_000_000 {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            check(r as f64 / 1000.0);
            check((r >> (r % 64)) as f64 / 1024.0);
            check(f64::from_bits(r >> 2) % 1.0e6);
        }
        for x in [
            0.0,
            0.05,
            0.15,
            0.25,
            0.35,
            1.45,
            2.5e-320,
            1.0e17,
            1.1e18,
            f64::MIN_POSITIVE,
        ] {
            check(x);
        }
    }
}
