//! Graph tokens come from the JS shell (`www/js/auth.js`: MSAL). The crate asks for the
//! scopes it needs and keeps the token in memory for one save, never anywhere else.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::error::GraphError;
use crate::http::js_message;

/// A JS function `(scopes: string[], forceRefresh: boolean) => Promise<string>`.
#[derive(Clone)]
pub struct TokenSource(Function);

impl TokenSource {
    pub fn new(get_token: Function) -> Self {
        TokenSource(get_token)
    }

    pub async fn token(
        &self,
        scopes: &[String],
        force_refresh: bool,
    ) -> Result<String, GraphError> {
        let list: Array = scopes.iter().map(|s| JsValue::from_str(s)).collect();
        let returned = self
            .0
            .call2(&JsValue::NULL, &list, &JsValue::from_bool(force_refresh))
            .map_err(|e| GraphError::Token(js_message(&e)))?;
        let promise = returned.dyn_into::<Promise>().map_err(|_| {
            GraphError::Token("the sign-in function did not return a Promise".into())
        })?;
        let value = JsFuture::from(promise)
            .await
            .map_err(|e| GraphError::Token(js_message(&e)))?;
        value
            .as_string()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| GraphError::Token("sign-in gave no access token".into()))
    }
}
