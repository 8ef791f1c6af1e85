//! Word-level diff of texts (subjects, bodies, descriptions).

use serde::Serialize;

/// A run of words, kept, removed or inserted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", content = "text", rename_all = "snake_case")]
pub enum WordRun {
    /// In both texts.
    Same(String),
    /// Only in the old text.
    Removed(String),
    /// Only in the new text.
    Inserted(String),
}

/// The word runs that turn `old` into `new`; adjacent runs of one kind are merged.
pub fn word_diff(old: &str, new: &str) -> Vec<WordRun> {
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_unicode_words(old, new);
    let mut runs: Vec<WordRun> = Vec::new();
    for change in diff.iter_all_changes() {
        let text = change.value();
        let run = match change.tag() {
            similar::ChangeTag::Equal => WordRun::Same(text.to_owned()),
            similar::ChangeTag::Delete => WordRun::Removed(text.to_owned()),
            similar::ChangeTag::Insert => WordRun::Inserted(text.to_owned()),
        };
        match (runs.last_mut(), run) {
            (Some(WordRun::Same(a)), WordRun::Same(b))
            | (Some(WordRun::Removed(a)), WordRun::Removed(b))
            | (Some(WordRun::Inserted(a)), WordRun::Inserted(b)) => a.push_str(&b),
            (_, run) => runs.push(run),
        }
    }
    runs
}

/// An unchanged run of a word diff, cut to `context` characters on the side(s) facing a
/// change: run `i` of the runs `0..=last`.
pub(crate) fn elide(text: &str, i: usize, last: usize, context: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 2 * context {
        return text.to_owned();
    }
    let head: String = chars[..context].iter().collect();
    let tail: String = chars[chars.len() - context..].iter().collect();
    match i {
        0 => format!("…{tail}"),
        _ if i == last => format!("{head}…"),
        _ => format!("{head}…{tail}"),
    }
}

/// Characters of unchanged text kept on each side of a change.
pub(crate) const CONTEXT: usize = 30;

/// `old` → `new` as one line with `[-removed-]{+inserted+}` marks; unchanged stretches
/// longer than [`CONTEXT`] characters are shortened to their ends.
pub fn render_inline(runs: &[WordRun], removed: (&str, &str), inserted: (&str, &str)) -> String {
    let mut out = String::new();
    let last = runs.len().saturating_sub(1);
    for (i, run) in runs.iter().enumerate() {
        match run {
            WordRun::Same(text) => out.push_str(&elide(text, i, last, CONTEXT)),
            WordRun::Removed(text) => {
                out.push_str(removed.0);
                out.push_str(text);
                out.push_str(removed.1);
            }
            WordRun::Inserted(text) => {
                out.push_str(inserted.0);
                out.push_str(text);
                out.push_str(inserted.1);
            }
        }
    }
    out.replace('\n', "⏎")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_words_are_marked() {
        let runs = word_diff("Welcome aboard, friend", "Welcome to Acme, friend");
        let line = render_inline(&runs, ("[-", "-]"), ("{+", "+}"));
        assert_eq!(line, "Welcome [-aboard-]{+to Acme+}, friend");
    }
}
