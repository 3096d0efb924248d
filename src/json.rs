//! JSON as browsers and .NET write it. serde_json refuses a string that escapes a lone
//! UTF-16 surrogate (`"\ud800"`), which JavaScript's `JSON.stringify` and Json.NET both
//! write for strings holding one, and a sender can put one in an attachment name. Such
//! escapes are read as U+FFFD; everything else is read as it is.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

/// `serde_json::from_slice`, and once more with lone surrogate escapes replaced. The text
/// is read into a `Value` by one reader and the type is taken from that: serde_json's
/// text reader inlined for every type was the largest part of the wasm's JSON code.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    serde_json::from_value(parse(bytes)?)
}

/// A type read by hand from a `Value` (`read`), for `Deserialize` impls: the derive's
/// reader was instantiated once per type and was the wasm's largest JSON code. Field
/// values go through `field`, so their errors read as the derive's.
pub fn via_value<'de, D, T>(d: D, read: fn(Value) -> serde_json::Result<T>) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::de::Error;
    read(Value::deserialize(d)?).map_err(D::Error::custom)
}

/// The object's members, or the derive's error for a value that is none.
pub fn object(v: Value, expected: &'static str) -> serde_json::Result<Map<String, Value>> {
    use serde::de::{Error, Unexpected};
    let v = match v {
        Value::Object(map) => return Ok(map),
        other => other,
    };
    let unexpected = match &v {
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            _ => Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Null | Value::Object(_) => Unexpected::Unit,
    };
    Err(serde_json::Error::invalid_type(unexpected, &expected))
}

/// A JSON object's members taken by name, as serde's derive reads a struct.
pub struct Fields(Map<String, Value>);

impl Fields {
    pub fn of(v: Value, expected: &'static str) -> serde_json::Result<Fields> {
        object(v, expected).map(Fields)
    }

    /// A field without `#[serde(default)]`: missing is an error.
    pub fn req<T: DeserializeOwned>(&mut self, name: &'static str) -> serde_json::Result<T> {
        match self.0.remove(name) {
            Some(v) => field(v),
            None => Err(serde::de::Error::missing_field(name)),
        }
    }

    /// A `#[serde(default)]` or `Option` field: missing is the default (`None`).
    pub fn opt<T: DeserializeOwned + Default>(
        &mut self,
        name: &'static str,
    ) -> serde_json::Result<T> {
        self.0.remove(name).map_or_else(|| Ok(T::default()), field)
    }

    /// Into `slot` when present, for a container-level `#[serde(default)]`.
    pub fn over<T: DeserializeOwned>(
        &mut self,
        name: &'static str,
        slot: &mut T,
    ) -> serde_json::Result<()> {
        if let Some(v) = self.0.remove(name) {
            *slot = field(v)?;
        }
        Ok(())
    }

    /// `deny_unknown_fields`: the derive's error for the first member not in `known`.
    pub fn deny_unknown(&self, known: &'static [&'static str]) -> serde_json::Result<()> {
        match self.0.keys().find(|k| !known.contains(&k.as_str())) {
            Some(k) => Err(serde::de::Error::unknown_field(k, known)),
            None => Ok(()),
        }
    }
}

/// A unit-variant enum from its name (`names[i]` is `values[i]`), or the derive's error.
pub fn variant<T: Copy>(
    v: Value,
    names: &'static [&'static str],
    values: &[T],
) -> serde_json::Result<T> {
    let name: String = field(v)?;
    match names.iter().position(|n| *n == name) {
        Some(i) => Ok(values[i]),
        None => Err(serde::de::Error::unknown_variant(&name, names)),
    }
}

/// One field's value, read as the derive reads it.
pub fn field<T: DeserializeOwned>(v: Value) -> serde_json::Result<T> {
    serde_json::from_value(v)
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
