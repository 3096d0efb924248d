//! iMIS: sign-in, contacts, the activity and the documents; the organisation's
//! settings document.

pub mod client;
pub mod model;
pub mod org_settings;
pub mod site;
pub mod upload;

pub use client::ImisClient;
