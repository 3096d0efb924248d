//! `text::lowercase` / `uppercase` give what Rust's own `str::to_lowercase` /
//! `to_uppercase` give: in headless Chromium (wasm-bindgen-test), where they are
//! JavaScript's `toLowerCase` / `toUpperCase`, for every code point; natively trivially.
//! Needs no stand-in.

use save_to_imis::text::{lowercase, uppercase};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::*;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

/// Code points in chunks (Σ apart: its lowercase depends on the letters around it).
fn chunks() -> Vec<String> {
    let all: Vec<char> = (0..=0x10ffff_u32)
        .filter_map(char::from_u32)
        .filter(|&c| c != 'Σ')
        .collect();
    all.chunks(512).map(|c| c.iter().collect()).collect()
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn case_mapping_is_rusts_for_every_code_point() {
    for chunk in chunks() {
        if lowercase(&chunk) != chunk.to_lowercase() || uppercase(&chunk) != chunk.to_uppercase() {
            let differ: Vec<String> = chunk
                .chars()
                .map(String::from)
                .filter(|c| lowercase(c) != c.to_lowercase() || uppercase(c) != c.to_uppercase())
                .map(|c| format!("{:?}: {:?}/{:?}", c, lowercase(&c), uppercase(&c)))
                .collect();
            panic!("differ: {differ:?}");
        }
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn case_mapping_in_context() {
    for s in [
        "ΟΔΟΣ",
        "ΟΔΟΣ ΟΔΟΣ.",
        "Σ",
        "AΣ",
        "ΣA",
        "A.Σ",
        "İstanbul",
        "ǅ",
        "ß",
        "ﬁ",
        "Alex@Example.COM",
        "Dana.Staff@EXAMPLE.org",
        "Ä.PDF",
        "Émile",
        "",
    ] {
        assert_eq!(lowercase(s), s.to_lowercase(), "{s}");
        assert_eq!(uppercase(s), s.to_uppercase(), "{s}");
    }
}
