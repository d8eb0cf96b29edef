//! Offsets: maps positions in the cleaned text back to the caller's text, and byte offsets to
//! the Unicode code points the API speaks.
//!
//! Stages work on byte ranges of the cleaned text. Cleanup drops page furniture and rewrites
//! some characters (exotic spaces, invisible characters, NFC, entities), so the cleaned text
//! is a sequence of pieces, each either copied verbatim from the input or a replacement for an
//! input range. [`CleanText`] records those pieces; [`CodePoints`] converts input byte offsets
//! to code points.

use std::ops::Range;

/// One piece of the cleaned text and the input range it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    clean_start: usize,
    orig: Range<usize>,
    /// Copied verbatim, so offsets inside map one to one. A replacement maps only its ends.
    verbatim: bool,
}

/// Builds the cleaned text and remembers where each piece came from.
#[derive(Debug, Default)]
pub struct CleanTextBuilder {
    text: String,
    pieces: Vec<Piece>,
}

impl CleanTextBuilder {
    /// Appends `orig[range]` unchanged; `s` must equal that slice of the input.
    pub fn copy(&mut self, orig_start: usize, s: &str) {
        if s.is_empty() {
            return;
        }
        let clean_start = self.text.len();
        self.text.push_str(s);
        // Merge with the previous piece when both sides are contiguous: keeps the map small.
        if let Some(last) = self.pieces.last_mut()
            && last.verbatim
            && last.orig.end == orig_start
            && last.clean_start + last.orig.len() == clean_start
        {
            last.orig.end = orig_start + s.len();
            return;
        }
        self.pieces.push(Piece { clean_start, orig: orig_start..orig_start + s.len(), verbatim: true });
    }

    /// Appends `replacement` standing for the input range `orig`.
    pub fn replace(&mut self, orig: Range<usize>, replacement: &str) {
        if replacement.is_empty() {
            return;
        }
        let clean_start = self.text.len();
        self.text.push_str(replacement);
        self.pieces.push(Piece { clean_start, orig, verbatim: false });
    }

    /// Finishes the cleaned text.
    pub fn finish(self) -> CleanText {
        CleanText { text: self.text, pieces: self.pieces }
    }
}

/// The cleaned text with its way back to the input.
#[derive(Debug, Default, Clone)]
pub struct CleanText {
    text: String,
    pieces: Vec<Piece>,
}

impl CleanText {
    /// The cleaned text the later stages read.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a byte range of the cleaned text to a byte range of the input. A range that starts
    /// or ends inside a replacement widens to the whole replaced input range.
    pub fn to_input(&self, clean: Range<usize>) -> Range<usize> {
        let start = self.map_start(clean.start);
        let end = self.map_end(clean.end).max(start);
        start..end
    }

    /// The input ranges the cleaned text was made from, in order.
    #[cfg(test)]
    pub(crate) fn input_ranges(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.pieces.iter().map(|p| p.orig.clone())
    }

    fn piece_at(&self, pos: usize) -> Option<&Piece> {
        let i = self.pieces.partition_point(|p| p.clean_start <= pos);
        i.checked_sub(1).map(|i| &self.pieces[i])
    }

    fn map_start(&self, pos: usize) -> usize {
        match self.piece_at(pos) {
            Some(p) if p.verbatim => (p.orig.start + (pos - p.clean_start)).min(p.orig.end),
            Some(p) if pos == p.clean_start => p.orig.start,
            Some(p) => p.orig.end,
            None => 0,
        }
    }

    fn map_end(&self, pos: usize) -> usize {
        let Some(last) = pos.checked_sub(1) else { return self.map_start(0) };
        match self.piece_at(last) {
            Some(p) if p.verbatim => (p.orig.start + (pos - p.clean_start)).min(p.orig.end),
            Some(p) => p.orig.end,
            None => 0,
        }
    }
}

/// Converts byte offsets of one string to code point offsets in O(log n).
#[derive(Debug, Clone)]
pub struct CodePoints {
    /// For each multi-byte character: (its byte offset, extra bytes before and including it).
    /// Empty for ASCII text, where bytes and code points coincide.
    wide: Vec<(u32, u32)>,
}

impl CodePoints {
    /// Indexes `text`; its length must fit in `u32` (articles are bounded far below that).
    pub fn new(text: &str) -> Self {
        let mut extra = 0u32;
        let wide = text
            .char_indices()
            .filter(|(_, c)| !c.is_ascii())
            .map(|(i, c)| {
                extra += c.len_utf8() as u32 - 1;
                (i as u32, extra)
            })
            .collect();
        Self { wide }
    }

    /// The code point offset of byte offset `byte` (a char boundary).
    pub fn of(&self, byte: usize) -> u32 {
        let byte = byte as u32;
        let i = self.wide.partition_point(|&(at, _)| at < byte);
        let extra = i.checked_sub(1).map_or(0, |i| self.wide[i].1);
        byte - extra
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_and_replaced_pieces_map_back() {
        let input = "a \u{201c}b\u{201d} c\n\nd";
        let mut b = CleanTextBuilder::default();
        b.copy(0, "a ");
        b.replace(2..5, "\"");
        b.copy(5, "b");
        b.replace(6..9, "\"");
        b.copy(9, " c\n");
        b.copy(13, "d");
        let clean = b.finish();
        assert_eq!(clean.as_str(), "a \"b\" c\nd");
        // `"b"` in the clean text covers the curly quotes in the input.
        assert_eq!(&input[clean.to_input(2..5)], "\u{201c}b\u{201d}");
        assert_eq!(&input[clean.to_input(3..4)], "b");
        assert_eq!(&input[clean.to_input(8..9)], "d");
        assert_eq!(&input[clean.to_input(6..7)], "c");
    }

    #[test]
    fn code_points_count_multibyte_characters_once() {
        let text = "Київ 🙂 “x”";
        let cp = CodePoints::new(text);
        for (n, (byte, _)) in text.char_indices().enumerate() {
            assert_eq!(cp.of(byte), n as u32, "byte {byte}");
        }
        assert_eq!(cp.of(text.len()), text.chars().count() as u32);
        assert_eq!(CodePoints::new("plain").of(3), 3);
    }
}
