//! URLs as browsers read them (WHATWG), behind one small API with two parsers: in the
//! browser the platform's own `URL`, natively (`cargo test`) the `url` crate. The `url`
//! crate carries IDNA and Unicode tables that were a fifth of the wasm, and the browser
//! has the same rules built in. Both only turn text into its serialisation (`href`);
//! the parts are read from that serialisation by the same code on both targets.
//!
//! Chromium's `URL` and the `url` crate agree on https URLs but for three kinds of input
//! (tests/browser_url.rs checks both on one table): a host with a space or `*` (evened
//! out below), a path with a raw `|` or `^` (Chromium writes `%7C`, `%5E`: the same
//! request) and an `xn--` label that is not valid Punycode (Chromium accepts it; the
//! name then does not resolve).

/// A parsed absolute URL, kept as its serialisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebUrl {
    href: String,
    /// Where the scheme's `:` is.
    scheme_end: usize,
    /// The authority (`user:pass@host:port`) after `//`, when the URL has one.
    authority: Option<(usize, usize)>,
    /// Where the path ends: at `?`, `#` or the end.
    path_end: usize,
    /// Where `#` is, when there is a fragment.
    fragment_start: Option<usize>,
}

impl WebUrl {
    /// Parses absolute URL text as a browser does; `None` when it is not a URL.
    pub fn parse(text: &str) -> Option<WebUrl> {
        Self::from_href(platform::href(text)?)
    }

    fn from_href(href: String) -> Option<WebUrl> {
        let scheme_end = href.find(':')?;
        let fragment_start = href.find('#');
        let before_fragment = fragment_start.unwrap_or(href.len());
        // A `?` before the fragment starts the query: paths and user names carry it
        // percent-encoded.
        let path_end = href[..before_fragment].find('?').unwrap_or(before_fragment);
        let authority = href[scheme_end + 1..path_end].starts_with("//").then(|| {
            let start = scheme_end + 3;
            let end = href[start..path_end]
                .find('/')
                .map_or(path_end, |i| start + i);
            (start, end)
        });
        let url = WebUrl {
            href,
            scheme_end,
            authority,
            path_end,
            fragment_start,
        };
        if !url.host().contains('%') || !SPECIAL.contains(&url.scheme()) {
            return Some(url);
        }
        // Chromium keeps some characters of a host percent-encoded (`a b` as `a%20b`,
        // `a*b` as `a%2Ab`) where the standard decodes them, then fails on a forbidden
        // one: a standard serialisation has no `%` in a domain.
        let host = percent_decode(url.host())?.to_ascii_lowercase();
        if !host
            .bytes()
            .all(|b| b.is_ascii_graphic() && !FORBIDDEN.contains(&b))
        {
            return None;
        }
        let start = url.host_start();
        let end = start + url.host().len();
        Self::from_href(format!("{}{host}{}", &url.href[..start], &url.href[end..]))
    }

    /// Where the host starts in the serialisation, after `//` and any credentials.
    fn host_start(&self) -> usize {
        let (start, _) = self.authority.unwrap_or_default();
        start + self.authority().rfind('@').map_or(0, |i| i + 1)
    }

    /// The serialisation, e.g. `https://imis.example.org/`.
    pub fn as_str(&self) -> &str {
        &self.href
    }

    /// The scheme in lowercase, without `:`.
    pub fn scheme(&self) -> &str {
        &self.href[..self.scheme_end]
    }

    fn authority(&self) -> &str {
        self.authority.map_or("", |(s, e)| &self.href[s..e])
    }

    /// `user:password@` before the host (a user name or a password, even empty ones
    /// that the serialisation keeps).
    pub fn has_credentials(&self) -> bool {
        self.authority().contains('@')
    }

    /// `host:port` without the credentials; the port only when it is not the scheme's
    /// default (the serialisation drops that one).
    fn host_and_port(&self) -> &str {
        let a = self.authority();
        a.rfind('@').map_or(a, |i| &a[i + 1..])
    }

    /// The host as written in the serialisation (`[::1]` for IPv6); empty for none.
    pub fn host(&self) -> &str {
        let hp = self.host_and_port();
        match hp.rfind(':') {
            Some(i) if !hp[i..].contains(']') => &hp[..i],
            _ => hp,
        }
    }

    /// The port, when it is not the scheme's default.
    pub fn port(&self) -> Option<u16> {
        let hp = self.host_and_port();
        let host = self.host().len();
        hp.get(host + 1..).and_then(|p| p.parse().ok())
    }

    /// `host` or `host:port`.
    pub fn host_with_port(&self) -> String {
        self.host_and_port().to_string()
    }

    /// The path, percent-encoded as serialised (`/` at least for https).
    pub fn path(&self) -> &str {
        let start = self.authority.map_or(self.scheme_end + 1, |(_, e)| e);
        &self.href[start..self.path_end]
    }

    /// The path's non-empty segments.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.path().split('/').filter(|s| !s.is_empty())
    }

    /// The query after `?`, when there is a `?` (even with nothing after it).
    pub fn query(&self) -> Option<&str> {
        let end = self.fragment_start.unwrap_or(self.href.len());
        (self.path_end < end).then(|| &self.href[self.path_end + 1..end])
    }

    /// The fragment after `#`, when there is a `#`.
    pub fn fragment(&self) -> Option<&str> {
        self.fragment_start.map(|i| &self.href[i + 1..])
    }
}

/// Schemes whose URLs have a domain (or IP address) for a host.
const SPECIAL: &[&str] = &["https", "http", "wss", "ws", "ftp"];

/// The standard's forbidden domain code points that are printable ASCII (the others are
/// controls, space and DEL).
const FORBIDDEN: &[u8] = b"#%/:<>?@[\\]^|";

/// `%XX` decoded; `None` for a `%` without two hex digits or for bytes that are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let high = char::from(bytes.next()?).to_digit(16)?;
            let low = char::from(bytes.next()?).to_digit(16)?;
            out.push((high * 16 + low) as u8);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

/// `application/x-www-form-urlencoded` for one name or value, as browsers'
/// `URLSearchParams` and the `url` crate's `byte_serialize` write it: letters, digits and
/// `*-._` as they are, space as `+`, every other byte as `%XX`.
pub fn form_encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
    out
}

/// A form body: `name=value` pairs joined by `&`, each side form-encoded.
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
        .collect();
    encoded.join("&")
}

#[cfg(target_arch = "wasm32")]
mod platform {
    /// The browser's `new URL(text).href`; `None` when it throws.
    pub fn href(text: &str) -> Option<String> {
        web_sys::Url::new(text).ok().map(|u| u.href())
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod platform {
    /// The `url` crate's serialisation, the WHATWG one browsers give.
    pub fn href(text: &str) -> Option<String> {
        url::Url::parse(text).ok().map(String::from)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    /// Every part read from the serialisation matches the `url` crate's own accessors.
    #[test]
    fn parts_match_the_url_crate() {
        let inputs = [
            "https://imis.example.org",
            "https://imis.example.org/",
            "HTTPS://IMIS.Example.org:443/a/b/",
            "https://imis.example.org:8443/Asi.Scheduler_IMIS//x/",
            "https://127.1:3400",
            "https://[::1]:9400/x",
            "https://[::1]/x",
            "https://u:p@x.org/",
            "https://u@x.org/",
            "https://:p@x.org/",
            "https://:@x.org/",
            "https://@x.org/",
            "https://x/?a#b",
            "https://x/?",
            "https://x/#",
            "https://x/a?b?c#d?e#f",
            "https://x/a%3Fb/%23c",
            "https://x/a b/\u{e9}?q=\u{e9} 1",
            "https://B\u{fc}cher.example/",
            "https://xn--bcher-kva.example/",
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/",
            "https://imis.example.org/Party.aspx?ID=0",
            "https://0",
            "https:\\\\x\\a\\b",
            "https:x.org/a",
            "https:/x.org/a",
            "http://x.org:80/",
            "ftp://x.org:21/a",
            "mailto:a@b",
            "file:///etc/passwd",
            "data:text/plain,hi",
            "urn:x:y",
            "foo://h:1/p?q#f",
            "foo:/p",
            "  https://x.org/\t\n ",
        ];
        for text in inputs {
            let theirs = url::Url::parse(text).unwrap();
            let ours = WebUrl::parse(text).unwrap();
            assert_eq!(ours.as_str(), theirs.as_str(), "{text}");
            assert_eq!(ours.scheme(), theirs.scheme(), "{text}");
            assert_eq!(ours.host(), theirs.host_str().unwrap_or(""), "{text}");
            assert_eq!(ours.port(), theirs.port(), "{text}");
            let host = theirs.host_str().unwrap_or("");
            let with_port = match theirs.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_string(),
            };
            assert_eq!(ours.host_with_port(), with_port, "{text}");
            assert_eq!(
                ours.has_credentials(),
                !theirs.username().is_empty() || theirs.password().is_some(),
                "{text}"
            );
            assert_eq!(ours.path(), theirs.path(), "{text}");
            assert_eq!(ours.query(), theirs.query(), "{text}");
            assert_eq!(ours.fragment(), theirs.fragment(), "{text}");
            if let Some(segments) = theirs.path_segments() {
                let theirs: Vec<&str> = segments.filter(|s| !s.is_empty()).collect();
                assert_eq!(ours.segments().collect::<Vec<_>>(), theirs, "{text}");
            }
        }
        for text in [
            "",
            "x",
            "https://",
            "https://a b/",
            "https://x:99999/",
            "//x/",
        ] {
            assert!(url::Url::parse(text).is_err(), "{text}");
            assert_eq!(WebUrl::parse(text), None, "{text}");
        }
    }

    /// What Chromium gives for hosts the standard decodes (`*`) or refuses (a space).
    #[test]
    fn percent_encoded_hosts_read_as_the_standard_says() {
        let href = |h: &str| WebUrl::from_href(h.to_string()).map(|u| u.href);
        assert_eq!(href("https://a%2Ab/x"), Some("https://a*b/x".into()));
        assert_eq!(
            href("https://u:p@a%2ab:8443/"),
            Some("https://u:p@a*b:8443/".into())
        );
        assert_eq!(href("https://a%41b/"), Some("https://aab/".into()));
        for refused in [
            "https://a%20b/",
            "https://%20x/",
            "https://a%7Cb/",
            "https://a%zzb/",
            "https://a%C3%A9/",
        ] {
            assert_eq!(href(refused), None, "{refused}");
        }
        // Only hosts that are domains: an opaque host keeps its `%`.
        assert_eq!(href("foo://a%20b/"), Some("foo://a%20b/".into()));
        assert_eq!(
            url::Url::parse("foo://a%20b/").unwrap().as_str(),
            "foo://a%20b/"
        );
        assert_eq!(
            url::Url::parse("https://a*b/x").unwrap().as_str(),
            "https://a*b/x"
        );
    }

    #[test]
    fn form_encoding_matches_the_url_crate_for_every_byte() {
        let all: String = (0..=0x7f_u8).map(char::from).collect();
        for s in [
            all.as_str(),
            "dana@example.org",
            "<a+b&c=d>",
            "\u{e9}\u{1f600} \u{0}",
        ] {
            let theirs: String = url::form_urlencoded::byte_serialize(s.as_bytes()).collect();
            assert_eq!(form_encode(s), theirs);
        }
        let theirs = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "password")
            .append_pair("user name", "a&b=c")
            .append_pair("", "")
            .finish();
        assert_eq!(
            form_body(&[("grant_type", "password"), ("user name", "a&b=c"), ("", "")]),
            theirs
        );
    }
}
