//! JSON in: the crate's own `Value` (`value`), read from text as serde_json read it
//! (`parse`), and the readers of the crate's types from a `Value` (`FromJson`), with
//! serde's words in their errors. JavaScript's `JSON.stringify` and Json.NET write a
//! string holding a lone UTF-16 surrogate as its escape (`"\ud800"`), which serde_json
//! refused; a sender can put one in an attachment name. Such escapes are read as U+FFFD;
//! everything else is read as it is.

mod parse;
mod value;

pub use parse::{parse, Error};
pub use value::{Index, Map, Number, Value};

pub type Result<T> = std::result::Result<T, Error>;

/// A type read from a `Value` by hand. Replaces `Deserialize`: serde's readers were
/// instantiated once per type and field type and were the wasm's largest JSON code; the
/// errors are serde's own, with serde's words.
pub trait FromJson: Sized {
    fn from_json(v: Value) -> Result<Self>;
}

/// The text's value as `T`.
pub fn from_slice<T: FromJson>(bytes: &[u8]) -> Result<T> {
    T::from_json(parse(bytes)?)
}

pub fn from_str<T: FromJson>(text: &str) -> Result<T> {
    from_slice(text.as_bytes())
}

/// What serde_json calls the value in "invalid type" errors (serde's `Unexpected` as
/// serde_json words it). Written here: serde's own words for it format floats with the
/// float formatter, kilobytes of the wasm; serde_json's (the same digits) do not.
fn unexpected(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => format!("floating point `{n}`"),
        Value::Number(n) => format!("integer `{n}`"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "sequence".into(),
        Value::Object(_) => "map".into(),
    }
}

/// serde's message, without a position as serde_json's `de::Error::custom` builds it.
fn custom(message: String) -> Error {
    Error::custom(message)
}

/// serde's "invalid type: ..., expected ..." for `v`.
pub fn invalid_type(v: &Value, expected: &'static str) -> Error {
    custom(format!(
        "invalid type: {}, expected {expected}",
        unexpected(v)
    ))
}

/// serde's `OneOf`: "`a`", "`a` or `b`", "one of `a`, `b`, `c`".
fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.len() {
        2 => quoted.join(" or "),
        n if n > 2 => format!("one of {}", quoted.join(", ")),
        _ => quoted.concat(),
    }
}

fn missing_field(name: &str) -> Error {
    custom(format!("missing field `{name}`"))
}

fn unknown(what: &str, name: &str, known: &[&str]) -> Error {
    custom(if known.is_empty() {
        format!("unknown {what} `{name}`, there are no {what}s")
    } else {
        format!("unknown {what} `{name}`, expected {}", one_of(known))
    })
}

/// The object's members, or the derive's error for a value that is none.
pub fn object(v: Value, expected: &'static str) -> Result<Map<String, Value>> {
    match v {
        Value::Object(map) => Ok(map),
        other => Err(invalid_type(&other, expected)),
    }
}

/// A JSON object's members taken by name, as serde's derive reads a struct.
pub struct Fields(Map<String, Value>);

impl Fields {
    pub fn of(v: Value, expected: &'static str) -> Result<Fields> {
        object(v, expected).map(Fields)
    }

    /// A field without `#[serde(default)]`: missing is an error.
    pub fn req<T: FromJson>(&mut self, name: &'static str) -> Result<T> {
        match self.0.remove(name) {
            Some(v) => T::from_json(v),
            None => Err(missing_field(name)),
        }
    }

    /// A `#[serde(default)]` or `Option` field: missing is the default (`None`).
    pub fn opt<T: FromJson + Default>(&mut self, name: &'static str) -> Result<T> {
        self.0
            .remove(name)
            .map_or_else(|| Ok(T::default()), T::from_json)
    }

    /// Into `slot` when present, for a container-level `#[serde(default)]`.
    pub fn over<T: FromJson>(&mut self, name: &'static str, slot: &mut T) -> Result<()> {
        if let Some(v) = self.0.remove(name) {
            *slot = T::from_json(v)?;
        }
        Ok(())
    }

    /// `deny_unknown_fields`: the derive's error for the first member not in `known`.
    pub fn deny_unknown(&self, known: &'static [&'static str]) -> Result<()> {
        match self.0.keys().find(|k| !known.contains(&k.as_str())) {
            Some(k) => Err(unknown("field", k, known)),
            None => Ok(()),
        }
    }
}

/// A unit-variant enum from its name (`names[i]` is `values[i]`), or the derive's error.
pub fn variant<T: Copy>(v: Value, names: &'static [&'static str], values: &[T]) -> Result<T> {
    let name = String::from_json(v)?;
    match names.iter().position(|n| *n == name) {
        Some(i) => Ok(values[i]),
        None => Err(unknown("variant", &name, names)),
    }
}

impl FromJson for Value {
    fn from_json(v: Value) -> Result<Self> {
        Ok(v)
    }
}

impl FromJson for String {
    fn from_json(v: Value) -> Result<Self> {
        match v {
            Value::String(s) => Ok(s),
            other => Err(invalid_type(&other, "a string")),
        }
    }
}

impl FromJson for bool {
    fn from_json(v: Value) -> Result<Self> {
        match v {
            Value::Bool(b) => Ok(b),
            other => Err(invalid_type(&other, "a boolean")),
        }
    }
}

/// An integer as serde's primitive visitors read one: a float is the wrong type, a whole
/// number out of range the wrong value; `expected` is the type's name.
fn integer<T: TryFrom<u64> + TryFrom<i64>>(v: &Value, expected: &'static str) -> Result<T> {
    let fits = match v {
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => T::try_from(u).ok(),
            (None, Some(i)) => T::try_from(i).ok(),
            _ => return Err(invalid_type(v, expected)),
        },
        other => return Err(invalid_type(other, expected)),
    };
    fits.ok_or_else(|| {
        custom(format!(
            "invalid value: {}, expected {expected}",
            unexpected(v)
        ))
    })
}

macro_rules! integers {
    ($($t:ident),*) => {$(
        impl FromJson for $t {
            fn from_json(v: Value) -> Result<Self> {
                integer(&v, stringify!($t))
            }
        }
    )*};
}
integers!(u64, u32, usize, i64);

impl FromJson for f64 {
    fn from_json(v: Value) -> Result<Self> {
        match &v {
            Value::Number(n) => n.as_f64().ok_or_else(|| invalid_type(&v, "f64")),
            other => Err(invalid_type(other, "f64")),
        }
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(v: Value) -> Result<Self> {
        match v {
            Value::Null => Ok(None),
            other => T::from_json(other).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: Value) -> Result<Self> {
        match v {
            Value::Array(items) => items.into_iter().map(T::from_json).collect(),
            other => Err(invalid_type(&other, "a sequence")),
        }
    }
}

impl<T: FromJson> FromJson for Map<String, T> {
    fn from_json(v: Value) -> Result<Self> {
        object(v, "a map")?
            .into_iter()
            .map(|(k, v)| Ok((k, T::from_json(v)?)))
            .collect()
    }
}

fn hex4(bytes: &[u8], at: usize) -> Option<u16> {
    let digits = bytes.get(at..at + 4)?;
    u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// The JSON with every `\uXXXX` escape of an unpaired surrogate inside a string made
/// `\ufffd`; `None` when there is none to repair. What `parse` reads such an escape as;
/// the tests give serde_json the repaired text as the reference.
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

/// A leaf of `value!`, taken by reference as `json!` takes it.
pub trait Leaf {
    fn leaf(&self) -> Value;
}

impl Leaf for str {
    fn leaf(&self) -> Value {
        Value::String(self.to_string())
    }
}

impl Leaf for String {
    fn leaf(&self) -> Value {
        Value::String(self.clone())
    }
}

impl Leaf for Value {
    fn leaf(&self) -> Value {
        self.clone()
    }
}

impl Leaf for Map<String, Value> {
    fn leaf(&self) -> Value {
        Value::Object(self.clone())
    }
}

impl Leaf for bool {
    fn leaf(&self) -> Value {
        Value::Bool(*self)
    }
}

impl<T: Leaf> Leaf for [T] {
    fn leaf(&self) -> Value {
        Value::Array(self.iter().map(Leaf::leaf).collect())
    }
}

impl<T: Leaf> Leaf for Vec<T> {
    fn leaf(&self) -> Value {
        self.as_slice().leaf()
    }
}

impl<T: Leaf> Leaf for Option<T> {
    fn leaf(&self) -> Value {
        self.as_ref().map_or(Value::Null, Leaf::leaf)
    }
}

impl<T: Leaf + ?Sized> Leaf for &T {
    fn leaf(&self) -> Value {
        (**self).leaf()
    }
}

macro_rules! number_leaves {
    ($($t:ty),*) => {$(
        impl Leaf for $t {
            fn leaf(&self) -> Value {
                Value::from(*self)
            }
        }
    )*};
}
number_leaves!(u64, i64, u32, i32, usize);

/// `serde_json::json!` for the shapes this crate sends (objects with literal keys,
/// arrays, leaves), with `Value::from` for the leaves: `json!` makes every leaf through
/// serde's serializer, code the wasm otherwise does not need.
#[macro_export]
macro_rules! value {
    ({ $($body:tt)* }) => {{
        #[allow(unused_mut)]
        let mut map = $crate::json::Map::new();
        $crate::value!(@object map $($body)*);
        $crate::json::Value::Object(map)
    }};
    ([ $($body:tt)* ]) => {
        $crate::json::Value::Array($crate::value!(@array [] $($body)*))
    };
    ($e:expr) => {
        $crate::json::Leaf::leaf(&$e)
    };
    (@object $m:ident) => {};
    (@object $m:ident $k:literal : { $($v:tt)* } $(, $($rest:tt)*)?) => {
        $m.insert($k.into(), $crate::value!({ $($v)* }));
        $crate::value!(@object $m $($($rest)*)?);
    };
    (@object $m:ident $k:literal : [ $($v:tt)* ] $(, $($rest:tt)*)?) => {
        $m.insert($k.into(), $crate::value!([ $($v)* ]));
        $crate::value!(@object $m $($($rest)*)?);
    };
    (@object $m:ident $k:literal : $v:expr $(, $($rest:tt)*)?) => {
        $m.insert($k.into(), $crate::value!($v));
        $crate::value!(@object $m $($($rest)*)?);
    };
    (@array [$($done:expr,)*]) => {
        vec![$($done,)*]
    };
    (@array [$($done:expr,)*] { $($v:tt)* } $(, $($rest:tt)*)?) => {
        $crate::value!(@array [$($done,)* $crate::value!({ $($v)* }),] $($($rest)*)?)
    };
    (@array [$($done:expr,)*] [ $($v:tt)* ] $(, $($rest:tt)*)?) => {
        $crate::value!(@array [$($done,)* $crate::value!([ $($v)* ]),] $($($rest)*)?)
    };
    (@array [$($done:expr,)*] $v:expr $(, $($rest:tt)*)?) => {
        $crate::value!(@array [$($done,)* $crate::value!($v),] $($($rest)*)?)
    };
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

    /// The messages built here are serde's, word for word (serde builds them with the
    /// float formatter, which the wasm no longer has).
    #[test]
    fn messages_are_serdes() {
        use serde::de::{Error as _, Unexpected};
        // serde_json's own `invalid_type` (it words Unit as null, floats by zmij).
        type Error = serde_json::Error;
        let theirs = |u: Unexpected, exp: &str| Error::invalid_type(u, &exp).to_string();
        let text = r#"[null, true, false, 0, 7, -7, 1.5, 100.0, 1e300, -0.0, 1e-7, 12345678.9,
            "a\"\u0001é", [], {}]"#;
        let Value::Array(items) = from_str::<Value>(text).unwrap() else {
            panic!()
        };
        for v in &items {
            let u = match v {
                Value::Null => Unexpected::Unit,
                Value::Bool(b) => Unexpected::Bool(*b),
                Value::Number(n) if n.is_f64() => Unexpected::Float(n.as_f64().unwrap()),
                Value::Number(n) if n.is_u64() => Unexpected::Unsigned(n.as_u64().unwrap()),
                Value::Number(n) => Unexpected::Signed(n.as_i64().unwrap()),
                Value::String(s) => Unexpected::Str(s),
                Value::Array(_) => Unexpected::Seq,
                Value::Object(_) => Unexpected::Map,
            };
            assert_eq!(
                invalid_type(v, "a string").to_string(),
                theirs(u, "a string")
            );
        }
        let names: &[&[&str]] = &[&[], &["a"], &["a", "b"], &["a", "b", "c"]];
        for known in names {
            let known: &'static [&'static str] = known;
            assert_eq!(
                unknown("field", "x", known).to_string(),
                Error::unknown_field("x", known).to_string()
            );
            assert_eq!(
                unknown("variant", "x", known).to_string(),
                Error::unknown_variant("x", known).to_string()
            );
        }
        assert_eq!(
            missing_field("f").to_string(),
            Error::missing_field("f").to_string()
        );
        let negative = from_str::<Value>("-3").unwrap();
        assert_eq!(
            u64::from_json(negative).unwrap_err().to_string(),
            Error::invalid_value(Unexpected::Signed(-3), &"u64").to_string()
        );
        let big = from_str::<Value>("18446744073709551615").unwrap();
        assert_eq!(
            i64::from_json(big).unwrap_err().to_string(),
            Error::invalid_value(Unexpected::Unsigned(u64::MAX), &"i64").to_string()
        );
        assert_eq!(
            u32::from_json(from_str("4294967296").unwrap())
                .unwrap_err()
                .to_string(),
            serde_json::from_str::<u32>("4294967296")
                .unwrap_err()
                .to_string()
                .replace(" at line 1 column 10", "")
        );
    }

    #[test]
    fn value_builds_what_json_built() {
        let (name, owned, n, neg, none) = ("a\"b", String::from("o"), 7u64, -3i64, None::<String>);
        let list = vec![
            crate::json::testing::json!(1),
            crate::json::testing::json!("x"),
        ];
        let map: Map<String, Value> = [("k".to_string(), Value::Bool(true))].into_iter().collect();
        assert_eq!(
            crate::value!({
                "$type": "T", "Name": name, "Owned": owned, "N": n, "Neg": neg, "None": none,
                "Some": Some("s"), "List": list, "Map": map, "Trim": owned.trim(), "B": false,
                "Nested": { "$values": [ { "$type": "S", "$value": name }, "lit", 2 ], "E": [] },
            }),
            crate::json::testing::json!({
                "$type": "T", "Name": name, "Owned": owned, "N": n, "Neg": neg, "None": none,
                "Some": Some("s"), "List": list, "Map": map, "Trim": owned.trim(), "B": false,
                "Nested": { "$values": [ { "$type": "S", "$value": name }, "lit", 2 ], "E": [] },
            })
        );
        assert_eq!(crate::value!(owned), crate::json::testing::json!(owned));
        assert_eq!(crate::value!({}), crate::json::testing::json!({}));
    }
}

/// For the tests: serde_json's values (its `json!`, its reader) as the crate's.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Map, Number, Value};

    pub fn ours(v: serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Number::from(u),
                (None, Some(i)) => Number::from(i),
                _ => Number::from_f64(n.as_f64().unwrap()).unwrap(),
            }),
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(items) => Value::Array(items.into_iter().map(ours).collect()),
            serde_json::Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k, ours(v)))
                    .collect::<Map<_, _>>(),
            ),
        }
    }

    /// The crate's value as serde_json's.
    pub fn theirs(v: &Value) -> serde_json::Value {
        match v {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => u.into(),
                (None, Some(i)) => i.into(),
                _ => n.as_f64().unwrap().into(),
            },
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(items) => items.iter().map(theirs).collect(),
            Value::Object(map) => {
                serde_json::Value::Object(map.iter().map(|(k, v)| (k.clone(), theirs(v))).collect())
            }
        }
    }

    // Serde for the tests' references (serde_json's `json!`, `from_str`, `to_string`
    // on the crate's values); the shipped crate has no serde.
    impl serde::Serialize for Value {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            theirs(self).serialize(s)
        }
    }

    impl<'de> serde::Deserialize<'de> for Value {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
            serde_json::Value::deserialize(d).map(ours)
        }
    }

    impl<K: serde::Serialize, V: serde::Serialize> serde::Serialize for Map<K, V> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_map(self.iter())
        }
    }

    /// serde_json's `json!`, as the crate's `Value`.
    macro_rules! json {
        ($($t:tt)+) => {
            $crate::json::testing::ours(serde_json::json!($($t)+))
        };
    }
    pub(crate) use json;
}
