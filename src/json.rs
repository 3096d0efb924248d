//! JSON as browsers and .NET write it. serde_json refuses a string that escapes a lone
//! UTF-16 surrogate (`"\ud800"`), which JavaScript's `JSON.stringify` and Json.NET both
//! write for strings holding one, and a sender can put one in an attachment name. Such
//! escapes are read as U+FFFD; everything else is read as it is.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// `serde_json::from_slice`, and once more with lone surrogate escapes replaced. The text
/// is read into a `Value` by one reader and the type is taken from that: serde_json's
/// text reader inlined for every type was the largest part of the wasm's JSON code.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    serde_json::from_value(parse(bytes)?)
}

fn parse(bytes: &[u8]) -> serde_json::Result<Value> {
    serde_json::from_slice(bytes).or_else(|e| match repair_surrogates(bytes) {
        Some(fixed) => serde_json::from_slice(&fixed),
        None => Err(e),
    })
}

pub fn from_str<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    from_slice(text.as_bytes())
}

fn hex4(bytes: &[u8], at: usize) -> Option<u16> {
    let digits = bytes.get(at..at + 4)?;
    u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// The JSON with every `\uXXXX` escape of an unpaired surrogate inside a string made
/// `\ufffd`; `None` when there is none to repair.
pub fn repair_surrogates(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let (mut i, mut in_string, mut repaired) = (0, false, false);
    while i < bytes.len() {
        let b = bytes[i];
        if !in_string {
            in_string = b == b'"';
            out.push(b);
            i += 1;
            continue;
        }
        match b {
            b'"' => {
                in_string = false;
                out.push(b);
                i += 1;
            }
            b'\\' if bytes.get(i + 1) == Some(&b'u') => {
                let unit = hex4(bytes, i + 2);
                let next = (bytes.get(i + 6) == Some(&b'\\') && bytes.get(i + 7) == Some(&b'u'))
                    .then(|| hex4(bytes, i + 8))
                    .flatten();
                match unit {
                    Some(0xD800..=0xDBFF) if matches!(next, Some(0xDC00..=0xDFFF)) => {
                        out.extend_from_slice(&bytes[i..i + 12]);
                        i += 12;
                    }
                    Some(0xD800..=0xDFFF) => {
                        out.extend_from_slice(b"\\ufffd");
                        repaired = true;
                        i += 6;
                    }
                    _ => {
                        out.extend_from_slice(&bytes[i..(i + 6).min(bytes.len())]);
                        i += 6;
                    }
                }
            }
            b'\\' => {
                out.extend_from_slice(&bytes[i..(i + 2).min(bytes.len())]);
                i += 2;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    repaired.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let v: Value =
            from_str(r#"{"name": "\ud800.pdf", "b": "a\udfffb", "ok": "\ud83d\ude00"}"#).unwrap();
        assert_eq!(v["name"], "\u{fffd}.pdf");
        assert_eq!(v["b"], "a\u{fffd}b");
        assert_eq!(v["ok"], "😀", "a real pair is kept");
        let escaped: Value = from_str(r#"{"k": "\\ud800 is text", "x": "\ud800"}"#).unwrap();
        assert_eq!(
            escaped["k"], "\\ud800 is text",
            "an escaped backslash is not an escape"
        );
        assert_eq!(repair_surrogates(br#"{"a": "\u0041"}"#), None);
        assert!(from_str::<Value>("{").is_err());
        // Outside strings nothing changes.
        assert_eq!(from_str::<Value>(r#"[1, "\ud800"]"#).unwrap()[0], 1);
    }
}
