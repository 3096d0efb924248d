//! JSON out, written by hand: the `Serialize` derives and serde_json's serializer were
//! instantiated once per type and were a large part of the wasm. The text is what
//! serde_json wrote for the same data: the same escapes, integers as digits, fields in
//! declaration order, `json::Value` objects in their map's (sorted) order.

use crate::json::{Map, Number, Value};
use std::fmt::Write as _;

/// A value that writes itself as JSON text.
pub trait ToJson {
    fn write_json(&self, out: &mut String);
}

/// The JSON text of `value`.
pub fn to_string<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    value.write_json(&mut out);
    out
}

/// `s` as a JSON string, escaped as serde_json escapes it.
pub fn string(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if short.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        } else {
            out.push_str(short);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// A JSON object being written: `field` per member, then `end`.
pub struct Obj<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Obj<'a> {
    pub fn new(out: &'a mut String) -> Obj<'a> {
        out.push('{');
        Obj { out, first: true }
    }

    /// One member. `&dyn`: one copy of this code for every field type.
    pub fn field(&mut self, name: &str, value: &dyn ToJson) -> &mut Self {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        string(self.out, name);
        self.out.push(':');
        value.write_json(self.out);
        self
    }

    /// A member left out when `None` (`skip_serializing_if = "Option::is_none"`).
    pub fn some<T: ToJson>(&mut self, name: &str, value: &Option<T>) -> &mut Self {
        match value {
            Some(v) => self.field(name, v),
            None => self,
        }
    }

    pub fn end(&mut self) {
        self.out.push('}');
    }
}

/// Writes a struct's members into an object that is already open, for `flatten`.
pub trait Fields {
    fn fields(&self, o: &mut Obj);
}

/// The object of `fields`: a struct's `ToJson`.
pub fn object(out: &mut String, fields: &dyn Fields) {
    let mut o = Obj::new(out);
    fields.fields(&mut o);
    o.end();
}

fn seq(out: &mut String, items: &mut dyn Iterator<Item = &dyn ToJson>) {
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        item.write_json(out);
    }
    out.push(']');
}

impl ToJson for str {
    fn write_json(&self, out: &mut String) {
        string(out, self);
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        string(out, self);
    }
}

impl ToJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn write_json(&self, out: &mut String) {
                let _ = write!(out, "{self}");
            }
        }
    )*};
}
integers!(u64, usize, i64, u32);

/// As serde_json writes floats (its shortest digits, `1.0` for whole ones; non-finite
/// ones `null`), through `json::Number`: the float formatter of `core` is kilobytes more.
impl ToJson for f64 {
    fn write_json(&self, out: &mut String) {
        match Number::from_f64(*self) {
            Some(n) => {
                let _ = write!(out, "{n}");
            }
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(v) => v.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, out: &mut String) {
        seq(out, &mut self.iter().map(|v| v as &dyn ToJson));
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

/// A pair as serde writes a tuple: an array of two.
impl<A: ToJson, B: ToJson> ToJson for (A, B) {
    fn write_json(&self, out: &mut String) {
        seq(out, &mut [&self.0 as &dyn ToJson, &self.1].into_iter());
    }
}

impl<K: AsRef<str>, V: ToJson> ToJson for Map<K, V> {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        for (k, v) in self {
            o.field(k.as_ref(), v);
        }
        o.end();
    }
}

impl ToJson for Value {
    fn write_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => b.write_json(out),
            Value::Number(n) => {
                let _ = write!(out, "{n}");
            }
            Value::String(s) => string(out, s),
            Value::Array(items) => items.write_json(out),
            Value::Object(map) => {
                let mut o = Obj::new(out);
                for (k, v) in map {
                    o.field(k, v);
                }
                o.end();
            }
        }
    }
}

/// A unit enum written as its name (what the derive writes for it).
#[macro_export]
macro_rules! json_names {
    ($t:ty { $($v:ident => $name:literal),* $(,)? }) => {
        impl $crate::jsonw::ToJson for $t {
            fn write_json(&self, out: &mut String) {
                $crate::jsonw::string(out, match self { $(<$t>::$v => $name),* });
            }
        }
    };
}

/// A struct written as an object of its fields (what the derive writes).
#[macro_export]
macro_rules! json_struct {
    ($t:ty { $($field:ident => $name:literal),* $(,)? }) => {
        impl $crate::jsonw::Fields for $t {
            fn fields(&self, o: &mut $crate::jsonw::Obj) {
                $(o.field($name, &self.$field);)*
            }
        }
        impl $crate::jsonw::ToJson for $t {
            fn write_json(&self, out: &mut String) {
                $crate::jsonw::object(out, self);
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let all: String = (0u8..0x80)
            .map(char::from)
            .chain("é😀\u{2028}".chars())
            .collect();
        assert_eq!(to_string(&all), serde_json::to_string(&all).unwrap());
        assert_eq!(to_string("a\"b\\c"), r#""a\"b\\c""#);
    }

    #[test]
    fn numbers_and_containers() {
        assert_eq!(to_string(&u64::MAX), u64::MAX.to_string());
        assert_eq!(to_string(&-5i64), "-5");
        assert_eq!(to_string(&1.7e12f64), "1700000000000.0");
        assert_eq!(to_string(&1.5f64), "1.5");
        assert_eq!(to_string(&f64::NAN), "null");
        assert_eq!(to_string(&vec![Some(1u64), None]), "[1,null]");
        assert_eq!(to_string(&("a", true)), r#"["a",true]"#);
        let v: Value = serde_json::from_str(r#"{"b":[1,-2,3.5,null],"a":{"x":"\n"}}"#).unwrap();
        assert_eq!(to_string(&v), serde_json::to_string(&v).unwrap());
    }
}
