//! Byte spans inside a source file and their translation into lines and columns.

use serde::{Deserialize, Serialize};

/// A half-open byte range `start..end` inside one source text.
///
/// Offsets are `u32`: the loader refuses files larger than 4 GiB long before this matters.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Span {
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (swapped if given in the wrong order).
    pub fn new(start: usize, end: usize) -> Self {
        let (start, end) = if start <= end {
            (start, end)
        } else {
            (end, start)
        };
        Self {
            start: clamp_u32(start),
            end: clamp_u32(end),
        }
    }

    /// An empty span at `offset`.
    pub fn point(offset: usize) -> Self {
        Self::new(offset, offset)
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Shift the span by `offset` bytes (used for text embedded inside a larger document).
    pub fn offset_by(self, offset: u32) -> Span {
        Span {
            start: self.start.saturating_add(offset),
            end: self.end.saturating_add(offset),
        }
    }
}

fn clamp_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// A 1-based line and column. Columns count Unicode scalar values, as editors do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LineCol {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// Line-start offsets of one text, for turning byte offsets into [`LineCol`].
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    /// Index the line starts of `text` (`\n` and `\r\n` line endings).
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| clamp_u32(i + 1)),
        );
        Self { line_starts }
    }

    /// Line and column of a byte offset; offsets past the end map to the last position.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = offset.min(clamp_u32(text.len()));
        let line = match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0) as usize;
        let end = floor_char_boundary(text, offset as usize);
        let column = text.get(start..end).map_or(0, |s| s.chars().count());
        LineCol {
            line: clamp_u32(line + 1),
            column: clamp_u32(column + 1),
        }
    }

    /// The text of 1-based line `line`, without its line ending.
    pub fn line_text<'a>(&self, text: &'a str, line: u32) -> Option<&'a str> {
        let index = (line as usize).checked_sub(1)?;
        let start = *self.line_starts.get(index)? as usize;
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(text.len(), |&e| e as usize);
        let slice = text.get(start..end)?;
        Some(slice.trim_end_matches(['\n', '\r']))
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let text = "ab\nçd\r\nef";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(index.line_col(text, 3), LineCol { line: 2, column: 1 });
        // 'd' follows a two-byte 'ç'.
        assert_eq!(index.line_col(text, 5), LineCol { line: 2, column: 2 });
        assert_eq!(index.line_text(text, 2), Some("çd"));
        assert_eq!(index.line_col(text, 999), LineCol { line: 3, column: 3 });
    }

    #[test]
    fn offsets_inside_a_character_do_not_panic() {
        let text = "é";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 1).column, 1);
    }
}
