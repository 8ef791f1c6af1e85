//! "Did you mean" suggestions for misspelt names, with one threshold for every layer, so the
//! same typo gets the same suggestion whichever part of flowgate reports it.
//!
//! A candidate is close to a name when their optimal string alignment distance (edits,
//! adjacent transpositions included, ignoring case) is at most [`MAX_EDITS`] and changes
//! fewer than half of the candidate's characters: `contcat` → `contact`, `tempalte` →
//! `template`, but `x` suggests nothing for `id`.

/// Most edits (insertions, deletions, substitutions, adjacent transpositions) a typo has.
pub const MAX_EDITS: usize = 2;

/// Names longer than this get no suggestion: typos of known names are shorter, and the
/// distance costs the product of the two lengths.
const MAX_NAME: usize = 64;

/// The candidate closest to `name`, if it is close enough to be a likely typo; ties go to
/// the earlier candidate.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let name = Lowered::new(name)?;
    candidates
        .into_iter()
        .filter_map(|c| name.distance_to(c).map(|d| (d, c)))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Every candidate close enough to `name` to be what was meant, closest first; ties keep the
/// candidates' order.
pub fn close_matches<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let Some(name) = Lowered::new(name) else {
        return Vec::new();
    };
    let mut close: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|c| name.distance_to(c).map(|d| (d, c)))
        .collect();
    close.sort_by_key(|&(d, _)| d);
    close.into_iter().map(|(_, c)| c).collect()
}

/// The distance [`did_you_mean`] measures: edits, adjacent transpositions included, ignoring
/// case (optimal string alignment).
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(&a.to_lowercase(), &b.to_lowercase())
}

/// A name in lower case, with its length in characters.
struct Lowered {
    text: String,
    chars: usize,
}

impl Lowered {
    fn new(name: &str) -> Option<Self> {
        let chars = name.chars().count();
        (chars <= MAX_NAME).then(|| Self {
            text: name.to_lowercase(),
            chars,
        })
    }

    /// The distance to `candidate`, when it is close enough.
    fn distance_to(&self, candidate: &str) -> Option<usize> {
        let chars = candidate.chars().count();
        if chars.abs_diff(self.chars) > MAX_EDITS {
            return None;
        }
        let d = strsim::osa_distance(&self.text, &candidate.to_lowercase());
        (d <= MAX_EDITS && d * 2 < chars).then_some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OBJECTS: &[&str] = &["contact", "company", "deal", "order", "cart", "event"];

    fn objects() -> impl Iterator<Item = &'static str> {
        OBJECTS.iter().copied()
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(did_you_mean("contcat", objects()), Some("contact"));
        assert_eq!(did_you_mean("Contact", objects()), Some("contact"));
        assert_eq!(did_you_mean("deals", objects()), Some("deal"));
        assert_eq!(did_you_mean("ordr", objects()), Some("order"));
        assert_eq!(did_you_mean("lifecycle", objects()), None);
        assert_eq!(did_you_mean("x", objects()), None);
        assert_eq!(did_you_mean("", objects()), None);
        assert_eq!(
            did_you_mean("tempalte", ["id", "template"]),
            Some("template")
        );
        assert_eq!(did_you_mean("zzz", ["id", "template"]), None);
        assert_eq!(
            did_you_mean("Workfow", ["Tag", "Workflow"]),
            Some("Workflow")
        );
    }

    #[test]
    fn ties_go_to_the_earlier_candidate() {
        assert_eq!(did_you_mean("cat", ["cap", "car"]), Some("cap"));
        assert_eq!(did_you_mean("cat", ["car", "cap"]), Some("car"));
    }

    #[test]
    fn transpositions_are_one_edit() {
        assert_eq!(edit_distance("htps", "https"), 1);
        assert_eq!(edit_distance("Tempalte", "template"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn long_names_get_no_suggestion() {
        let long = "a".repeat(MAX_NAME + 1);
        assert_eq!(did_you_mean(&long, [long.as_str()]), None);
    }

    #[test]
    fn close_matches_are_closest_first() {
        assert_eq!(
            close_matches("cart", ["card", "cart", "carts", "deal"]),
            ["cart", "card", "carts"]
        );
        assert!(close_matches("lifecycle", objects()).is_empty());
    }
}
