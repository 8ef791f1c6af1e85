//! Analyses of the model that rules share, and that a simulator can reuse: they compute
//! facts about workflows (what a step does to a contact, which workflows it starts) and
//! leave wording and reporting to the rules.

pub(crate) mod reentry;
