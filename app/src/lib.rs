//! The Opsroom console: domain rules, use cases, server functions and the Leptos pages.

pub mod api;
mod app;
pub mod components;
pub mod domain;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;

pub use app::{App, shell};
