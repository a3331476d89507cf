//! End-to-end tests: the real app on a random port, a fresh PostgreSQL database per test, and fake
//! Yahoo/Stooq servers on 127.0.0.1 serving the real formats.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

mod api;
mod browser;
mod cli;
mod digest;
mod docs;
mod events;
mod faults;
mod helpers;
mod jevons;
mod jobs;
mod models;
mod news;
mod ops;
mod pages;
mod shocks;
mod view_cache;
