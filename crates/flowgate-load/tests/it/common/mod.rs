//! Helpers shared by the corpus tests.
#![allow(dead_code)]

/// Damage a real file the way editors and transfers do: cut it at `cut` (truncate), or
/// replace `len` bytes there with `insert`. Offsets are moved back to character boundaries.
pub fn mutate(original: &str, cut: usize, len: usize, insert: &[char], truncate: bool) -> String {
    let boundary = |mut at: usize| {
        at = at.min(original.len());
        while !original.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let at = boundary(cut % (original.len() + 1));
    if truncate {
        return original[..at].to_owned();
    }
    let end = boundary(at + len);
    let inserted: String = insert.iter().collect();
    format!("{}{inserted}{}", &original[..at], &original[end..])
}

/// The ids of the loaded assets, in model order.
pub fn ids(loaded: &flowgate_load::Loaded) -> Vec<&str> {
    loaded
        .model
        .assets()
        .iter()
        .map(|a| a.id.as_str())
        .collect()
}
