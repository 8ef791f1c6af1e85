//! The rules, one module per category and one file per rule.

pub mod compliance;
pub mod data_model;
pub mod flows;
pub mod hygiene;
pub mod integrations;
pub mod logic;
pub mod messaging;
pub mod salesforce;
