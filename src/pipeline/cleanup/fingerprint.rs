//! Content fingerprint: a 64-bit SimHash over word trigrams, so near-duplicate articles (two
//! renderings of one report) differ in few bits while unrelated ones differ in about half.

use xxhash_rust::xxh3::xxh3_64;

/// The SimHash of `text`'s lowercase word trigrams; 0 for text of fewer than three words.
pub(super) fn simhash(text: &str) -> u64 {
    // One lowercase copy and one trigram buffer: no allocation per word.
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    // How many trigram hashes set each bit; a bit of the SimHash is set when most do.
    let mut ones = [0u32; 64];
    let mut gram = String::new();
    for window in words.windows(3) {
        gram.clear();
        for (i, word) in window.iter().enumerate() {
            if i > 0 {
                gram.push(' ');
            }
            gram.push_str(word);
        }
        let h = xxh3_64(gram.as_bytes());
        for (bit, count) in ones.iter_mut().enumerate() {
            *count += (h >> bit & 1) as u32;
        }
    }
    let trigrams = words.len().saturating_sub(2) as u32;
    ones.iter().enumerate().filter(|&(_, &count)| 2 * count > trigrams).fold(0, |acc, (bit, _)| acc | 1 << bit)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "Unknown attackers took down the websites of three ministries on Friday, officials said, \
        and left a message warning citizens that their data had been leaked to the public.";

    #[test]
    fn near_duplicates_are_close_and_others_far() {
        let edited = A.replace("officials said", "the government said").replace("Friday", "Friday night");
        let other = "The central bank raised interest rates by half a point on Thursday, citing inflation \
            that has stayed above its target for a year and a labour market that remains tight.";
        let near = (simhash(A) ^ simhash(&edited)).count_ones();
        let far = (simhash(A) ^ simhash(other)).count_ones();
        assert!(near < 20 && far > 20 && near < far, "near {near}, far {far}");
        assert_eq!(simhash("too short"), 0);
    }
}
