//! `weburl` on both of its parsers against one table: natively (`cargo test`) the `url`
//! crate, in headless Chromium (wasm-bindgen-test) the browser's `URL`. The inputs are the
//! kinds Setup gets: https only, hosts, ports, trailing slashes, credentials, `?` and `#`.
//! Needs no stand-in.

use save_to_imis::settings::https_url;
use save_to_imis::weburl::{form_body, form_encode, WebUrl};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::*;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

/// Input, then href, host with port, credentials, query, fragment, non-empty segments.
type Case = (
    &'static str,
    &'static str,
    &'static str,
    bool,
    Option<&'static str>,
    Option<&'static str>,
    &'static [&'static str],
);

#[rustfmt::skip]
const CASES: &[Case] = &[
    ("https://imis.example.org", "https://imis.example.org/", "imis.example.org", false, None, None, &[]),
    ("https://imis.example.org/", "https://imis.example.org/", "imis.example.org", false, None, None, &[]),
    ("HTTPS://IMIS.Example.ORG:443/a/b/", "https://imis.example.org/a/b/", "imis.example.org", false, None, None, &["a", "b"]),
    ("https://imis.example.org:8443/Asi.Scheduler_IMIS", "https://imis.example.org:8443/Asi.Scheduler_IMIS", "imis.example.org:8443", false, None, None, &["Asi.Scheduler_IMIS"]),
    ("https://imis.example.org:0443//x//", "https://imis.example.org//x//", "imis.example.org", false, None, None, &["x"]),
    ("https://127.0.0.1:3400", "https://127.0.0.1:3400/", "127.0.0.1:3400", false, None, None, &[]),
    ("https://127.1:3400", "https://127.0.0.1:3400/", "127.0.0.1:3400", false, None, None, &[]),
    ("https://[::1]:9400/x", "https://[::1]:9400/x", "[::1]:9400", false, None, None, &["x"]),
    ("https://[0:0::1]/x", "https://[::1]/x", "[::1]", false, None, None, &["x"]),
    ("https://login.microsoftonline.com/contoso.onmicrosoft.com/", "https://login.microsoftonline.com/contoso.onmicrosoft.com/", "login.microsoftonline.com", false, None, None, &["contoso.onmicrosoft.com"]),
    ("https://login.microsoftonline.com:8443/common", "https://login.microsoftonline.com:8443/common", "login.microsoftonline.com:8443", false, None, None, &["common"]),
    ("https://u:p@imis.example.org", "https://u:p@imis.example.org/", "imis.example.org", true, None, None, &[]),
    ("https://u@x/{partyId}", "https://u@x/%7BpartyId%7D", "x", true, None, None, &["%7BpartyId%7D"]),
    ("https://:p@x.org/", "https://:p@x.org/", "x.org", true, None, None, &[]),
    ("https://@x.org/", "https://x.org/", "x.org", false, None, None, &[]),
    ("https://x/?a#b", "https://x/?a#b", "x", false, Some("a"), Some("b"), &[]),
    ("https://x/?", "https://x/?", "x", false, Some(""), None, &[]),
    ("https://x/#", "https://x/#", "x", false, None, Some(""), &[]),
    ("https://x/a%3Fb/c", "https://x/a%3Fb/c", "x", false, None, None, &["a%3Fb", "c"]),
    ("https://imis.example.org/Party.aspx?ID=0", "https://imis.example.org/Party.aspx?ID=0", "imis.example.org", false, Some("ID=0"), None, &["Party.aspx"]),
    ("https://B\u{fc}cher.example/", "https://xn--bcher-kva.example/", "xn--bcher-kva.example", false, None, None, &[]),
    ("https://a*b:8443/", "https://a*b:8443/", "a*b:8443", false, None, None, &[]),
    ("https://0", "https://0.0.0.0/", "0.0.0.0", false, None, None, &[]),
    ("https:\\\\x\\a", "https://x/a", "x", false, None, None, &["a"]),
    ("http://imis.example.org", "http://imis.example.org/", "imis.example.org", false, None, None, &[]),
    ("ftp://x.org:21/a", "ftp://x.org/a", "x.org", false, None, None, &["a"]),
];

const NOT_URLS: &[&str] = &[
    "",
    "imis.example.org",
    "https://",
    "https://a b/",
    "https://x:99999/",
    "/x",
];

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn urls_read_the_same_on_both_parsers() {
    for &(text, href, host, credentials, query, fragment, segments) in CASES {
        let url = WebUrl::parse(text).unwrap_or_else(|| panic!("{text} is a URL"));
        assert_eq!(url.as_str(), href, "{text}");
        assert_eq!(url.host_with_port(), host, "{text}");
        assert_eq!(url.has_credentials(), credentials, "{text}");
        assert_eq!(url.query(), query, "{text}");
        assert_eq!(url.fragment(), fragment, "{text}");
        assert_eq!(url.segments().collect::<Vec<_>>(), segments, "{text}");
    }
    for text in NOT_URLS {
        assert_eq!(WebUrl::parse(text), None, "{text}");
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn setup_checks_give_the_same_answers_on_both_parsers() {
    let ok = |t: &str| https_url(t).map(|u| u.as_str().to_string());
    assert_eq!(
        ok("https://imis.example.org:443/"),
        Ok("https://imis.example.org/".into())
    );
    assert_eq!(
        ok("http://imis.example.org"),
        Err("must start with https:// (got http://).".into())
    );
    assert_eq!(
        ok("https://u:p@imis.example.org"),
        Err("must not contain a user name or password.".into())
    );
    assert_eq!(ok("https://x/?"), Err("must not contain ? or #.".into()));
    assert_eq!(ok("https://x/#b"), Err("must not contain ? or #.".into()));
    assert_eq!(ok("imis"), Err("\"imis\" is not a URL.".into()));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn form_encoding_is_the_urlsearchparams_one() {
    assert_eq!(
        form_encode("a b+c&d=e@f.org<>~*-._/"),
        "a+b%2Bc%26d%3De%40f.org%3C%3E%7E*-._%2F"
    );
    assert_eq!(form_encode("\u{e9}\u{1f600}"), "%C3%A9%F0%9F%98%80");
    assert_eq!(
        form_body(&[
            ("grant_type", "password"),
            ("username", "dana staff"),
            ("password", "p&=?")
        ]),
        "grant_type=password&username=dana+staff&password=p%26%3D%3F"
    );
}

/// The browser's own `URLSearchParams` writes the same bytes.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test]
fn form_encoding_matches_the_browsers_urlsearchparams() {
    let all: String = (0..=0x7f_u8)
        .map(char::from)
        .chain("\u{e9}\u{1f600}".chars())
        .collect();
    let theirs = js_sys::Function::new_with_args(
        "s",
        "return new URLSearchParams([['k', s]]).toString().slice(2)",
    )
    .call1(&wasm_bindgen::JsValue::NULL, &all.as_str().into())
    .unwrap()
    .as_string()
    .unwrap();
    assert_eq!(form_encode(&all), theirs);
}
