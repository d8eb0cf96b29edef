//! The words around a place in the text, cut at character boundaries.

/// Up to `bytes` of `text` before byte `at`.
pub(crate) fn before(text: &str, at: usize, bytes: usize) -> &str {
    &text[text.floor_char_boundary(at.saturating_sub(bytes))..at]
}

/// Up to `bytes` of `text` from byte `at`.
pub(crate) fn after(text: &str, at: usize, bytes: usize) -> &str {
    &text[at..text.ceil_char_boundary((at + bytes).min(text.len()))]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_stop_at_character_boundaries_and_the_text_ends() {
        let text = "über die Straße";
        assert_eq!(before(text, 6, 5), "über ", "five bytes back is inside the ü, which the window keeps");
        assert_eq!(after(text, 13, 2), "aß", "two bytes on is inside the ß, which the window keeps");
        assert_eq!(after(text, 13, 100), "aße");
        assert_eq!(before(text, 3, 100), "üb");
    }
}
