//! iMIS: sign-in, contacts, the activity and the documents.

pub mod client;
pub mod model;
pub mod site;
pub mod upload;

pub use client::ImisClient;
