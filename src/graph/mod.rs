//! Microsoft Graph: the attachment list and each attachment's bytes.

pub mod client;
pub mod model;
pub mod tokens;

pub use client::GraphClient;
pub use tokens::TokenSource;
