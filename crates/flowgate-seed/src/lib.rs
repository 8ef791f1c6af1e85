//! Seed data for rehearsals: synthetic contacts, companies, orders and carts whose columns
//! are the workspace's Field assets, with realistic formats per locale (emails on reserved
//! domains, phone numbers in ranges reserved for fiction, IANA time zones, consent with time
//! and source) and edge cases planted on purpose and counted. The same seed gives the same
//! data. Written as CSV, JSON Lines or database tables ([`output`]).

mod consent;
pub mod edge;
mod generate;
pub mod locale;
pub mod output;
mod person;
mod rng;
pub mod schema;
pub mod table;
mod value;
mod zones;

pub use generate::{generate, Dataset, Options, Summary};
pub use person::RESERVED_DOMAINS;
