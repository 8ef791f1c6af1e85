//! What steps do and what starts workflows: the vocabulary shared by the analysis and the
//! rules that report on it. Assets are named by their position in the model and values by
//! their interned id (see [`super::Reentry::asset_id`] and [`super::Reentry::value`]).

/// The kinds of event workflows are triggered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    /// `tag_added`.
    TagAdded,
    /// `tag_removed`.
    TagRemoved,
    /// `list_joined`.
    ListJoined,
    /// `list_left`.
    ListLeft,
    /// `field_changed`.
    FieldChanged,
}

impl Kind {
    /// The trigger type as written in a workflow (`tag_added`, …).
    pub(crate) fn trigger_name(self) -> &'static str {
        match self {
            Kind::TagAdded => "tag_added",
            Kind::TagRemoved => "tag_removed",
            Kind::ListJoined => "list_joined",
            Kind::ListLeft => "list_left",
            Kind::FieldChanged => "field_changed",
        }
    }
}

/// A workflow (by position) waiting for an event, with its trigger's `to:` value.
pub(super) type Subscription = (usize, Option<u32>);

/// What workflows subscribe to: an event kind on an asset, and for a field change the value
/// set when known (`to:` triggers only match that value).
pub(super) type Channel = (Kind, u32, Option<u32>);

/// Something a step makes happen to a contact.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    /// An event of `kind` on the asset at `asset`, with the value set for a field change.
    /// `via`: the field whose change moves the contact into or out of a dynamic list.
    Channel {
        /// What happens.
        kind: Kind,
        /// The tag, list or field it happens to.
        asset: u32,
        /// The value a field is set to, when known.
        value: Option<u32>,
        /// The field whose change causes a dynamic list's join or leave.
        via: Option<u32>,
    },
    /// Enrolls in the workflow at this position.
    Enroll(usize),
}

/// How a workflow is entered.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Entry {
    /// By an `enroll` step.
    Enrolled,
    /// By a trigger on an asset, with the trigger's `to:` value.
    Trigger(Kind, u32, Option<u32>),
}

/// What a step does to the facts, compiled once.
#[derive(Debug, Clone, Copy)]
pub(super) enum Effect {
    /// Nothing the analysis follows.
    Nothing,
    /// Adds (`true`) or removes a tag.
    Tag(u32, bool),
    /// Adds the contact to (`true`) or removes it from a list.
    List(u32, bool),
    /// Sets a field to a value.
    Set(u32, u32),
    /// Adjusts a score field by a non-zero amount.
    Adjust(u32),
    /// Enrolls in the workflow at this position.
    Enroll(usize),
}
