//! "Did you mean" suggestions for misspelt names.

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lowered = name.to_ascii_lowercase();
    candidates
        .iter()
        .map(|&c| (distance(&lowered, c), c))
        .filter(|&(d, c)| d <= 2 && d * 2 < c.chars().count().max(2))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions), in characters.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Names longer than this are never close to a candidate; avoid quadratic work.
    if a.len().abs_diff(b.len()) > 2 || a.len() > 64 {
        return usize::MAX;
    }
    let width = b.len() + 1;
    let mut table = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        table[at(i, 0)] = i;
    }
    for j in 0..=b.len() {
        table[at(0, j)] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (table[at(i - 1, j)] + 1)
                .min(table[at(i, j - 1)] + 1)
                .min(table[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(table[at(i - 2, j - 2)] + 1);
            }
            table[at(i, j)] = best;
        }
    }
    table[at(a.len(), b.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

    const OBJECTS: &[&str] = &["contact", "company", "deal", "order", "cart", "event"];

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(did_you_mean("contcat", OBJECTS), Some("contact"));
        assert_eq!(did_you_mean("Contact", OBJECTS), Some("contact"));
        assert_eq!(did_you_mean("deals", OBJECTS), Some("deal"));
        assert_eq!(did_you_mean("ordr", OBJECTS), Some("order"));
        assert_eq!(did_you_mean("lifecycle", OBJECTS), None);
        assert_eq!(did_you_mean("x", OBJECTS), None);
        assert_eq!(did_you_mean("", OBJECTS), None);
    }
}
