//! serde_json's values as the crate's own `json::Value` and back, for tests that build
//! their inputs with `serde_json::json!` or compare with serde_json (the shipped crate
//! has no serde).
#![allow(dead_code, unused_macros, unused_imports)]

use save_to_imis::json::{Map, Number, Value};

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

/// serde_json's `json!`, as the crate's `Value`.
macro_rules! json {
    ($($t:tt)+) => {
        $crate::serde_ref::ours(serde_json::json!($($t)+))
    };
}
pub(crate) use json;

/// serde_json's reading of `text`, as the crate's `Value`.
pub fn from_str(text: &str) -> serde_json::Result<Value> {
    serde_json::from_str::<serde_json::Value>(text).map(ours)
}

/// serde_json's reading of `bytes`, as the crate's `Value`.
pub fn from_slice(bytes: &[u8]) -> serde_json::Result<Value> {
    serde_json::from_slice::<serde_json::Value>(bytes).map(ours)
}

/// `.theirs()`: the crate's values as serde_json's, for `json!`'s interpolations.
pub trait Theirs {
    fn theirs(&self) -> serde_json::Value;
}

impl Theirs for Value {
    fn theirs(&self) -> serde_json::Value {
        theirs(self)
    }
}

impl Theirs for [Value] {
    fn theirs(&self) -> serde_json::Value {
        self.iter().map(theirs).collect()
    }
}

impl Theirs for Vec<Value> {
    fn theirs(&self) -> serde_json::Value {
        self.as_slice().theirs()
    }
}

impl Theirs for Map<String, Value> {
    fn theirs(&self) -> serde_json::Value {
        theirs(&Value::Object(self.clone()))
    }
}
