//! Semantic diff of flowgate assets. Two sets of asset documents (a working tree, a
//! snapshot, an environment) are compared asset by asset; inside an asset, steps and flow
//! elements are matched by identity, so that what a reviewer reads is "step added", "trigger
//! changed", "subject: [-Hello-]{+Welcome+}" rather than a text diff. Every change carries its
//! semver impact ([`Bump`]); the largest is the bump a release needs. Renamed assets are
//! detected, and so are replacements (references moved from a removed asset to a new one),
//! for migration notes and changelogs.
#![forbid(unsafe_code)]

mod assets;
mod changelog;
mod classify;
mod documents;
mod markdown;
mod render;
pub mod semver;
mod status;
pub mod tree;
mod words;

pub use assets::{apply_diff, diff_documents, AssetDiff, Diff, Migration, Status};
pub use changelog::{changelog, Release};
pub use classify::Detail;
pub use documents::Documents;
pub use render::{migration_lines, render_human, render_markdown};
pub use semver::Bump;
pub use words::{word_diff, WordRun};
