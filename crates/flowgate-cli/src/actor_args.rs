//! `--as PERSON`, shared by every command that acts as someone.

use clap::Args;

/// Who is acting, for commands that need a person.
#[derive(Debug, Args)]
pub struct ActorArgs {
    /// The person acting, as listed under [people] in flowgate.toml.
    #[arg(long = "as", env = "FLOWGATE_USER", value_name = "PERSON")]
    pub person: Option<String>,
}
