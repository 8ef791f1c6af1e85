//! What is known about a contact at a point of a workflow: the lattice of the data-flow
//! analysis, with its meet.

/// What a fact is about: the kind of thing (a tag, a list or a field) packed with the
/// asset's position in the model.
pub(crate) type Key = u64;
/// Facts about having a tag.
pub(super) const TAG: u64 = 0;
/// Facts about being in a list.
pub(super) const LIST: u64 = 1;
/// Facts about a field's value.
pub(super) const FIELD: u64 = 2;

/// The key of a fact of `kind` ([`TAG`], [`LIST`], [`FIELD`]) about the asset at `asset`.
pub(super) fn key(kind: u64, asset: u32) -> Key {
    (kind << 32) | u64::from(asset)
}

/// What is known about a contact: has a tag / is in a list, or a field's value (an interned
/// value id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fact {
    /// Has the tag, or is in the list.
    Member(bool),
    /// The field holds this value.
    Value(u32),
}

/// Facts at a point of a workflow, sorted by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct State(Vec<(Key, Fact)>);

impl State {
    /// The fact known about `key`, if any.
    pub(crate) fn get(&self, key: Key) -> Option<Fact> {
        let at = self.0.binary_search_by_key(&key, |(k, _)| *k).ok()?;
        self.0.get(at).map(|(_, fact)| *fact)
    }

    /// Know `fact` about `key`, replacing what was known.
    pub(crate) fn set(&mut self, key: Key, fact: Fact) {
        match self.0.binary_search_by_key(&key, |(k, _)| *k) {
            Ok(at) => self.0[at].1 = fact,
            Err(at) => self.0.insert(at, (key, fact)),
        }
    }

    /// Forget what is known about `key`.
    pub(crate) fn remove(&mut self, key: Key) {
        if let Ok(at) = self.0.binary_search_by_key(&key, |(k, _)| *k) {
            self.0.remove(at);
        }
    }

    /// What both states know alike.
    pub(crate) fn meet(&self, other: &State) -> State {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while let (Some(a), Some(b)) = (self.0.get(i), other.0.get(j)) {
            match a.0.cmp(&b.0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    if a.1 == b.1 {
                        out.push(*a);
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        State(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meet_keeps_only_the_facts_both_states_share() {
        let mut a = State::default();
        a.set(key(TAG, 1), Fact::Member(true));
        a.set(key(FIELD, 2), Fact::Value(7));
        a.set(key(LIST, 3), Fact::Member(false));
        let mut b = State::default();
        b.set(key(TAG, 1), Fact::Member(true));
        b.set(key(FIELD, 2), Fact::Value(8));
        let met = a.meet(&b);
        assert_eq!(met.get(key(TAG, 1)), Some(Fact::Member(true)));
        assert_eq!(met.get(key(FIELD, 2)), None);
        assert_eq!(met.get(key(LIST, 3)), None);
        a.remove(key(TAG, 1));
        assert_eq!(a.get(key(TAG, 1)), None);
    }
}
