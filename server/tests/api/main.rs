//! The server over real HTTP against real PostgreSQL: one test binary, one fresh database per
//! test (`#[sqlx::test]`).

mod alarms;
mod alertmanager;
mod applications;
mod audit;
mod auth;
mod change_reviews;
mod changes;
mod common;
mod constraints;
mod crash;
mod deliveries;
mod escalation;
mod http;
mod imports;
mod incidents;
mod live;
mod memory;
mod pages;
mod resources;
mod roles;
mod schedules;
mod security;
mod tickets;
mod users;
mod war_rooms;
mod workflow;
