//! The article's language as callers write it: BCP 47 tags ("en-US"), ISO 639-1, 639-2 and
//! 639-3 codes ("en", "eng", "ger"), and English or native names ("English", "Deutsch"), read
//! as the ISO 639-1 code the stages compare with.

use isolang::Language;

/// ISO 639-2/B codes that differ from the ISO 639-3 (and 639-2/T) ones, with the latter: the
/// bibliographic codes libraries and older archives use.
const BIBLIOGRAPHIC: [(&str, &str); 20] = [
    ("alb", "sqi"),
    ("arm", "hye"),
    ("baq", "eus"),
    ("bur", "mya"),
    ("chi", "zho"),
    ("cze", "ces"),
    ("dut", "nld"),
    ("fre", "fra"),
    ("geo", "kat"),
    ("ger", "deu"),
    ("gre", "ell"),
    ("ice", "isl"),
    ("mac", "mkd"),
    ("mao", "mri"),
    ("may", "msa"),
    ("per", "fas"),
    ("rum", "ron"),
    ("slo", "slk"),
    ("tib", "bod"),
    ("wel", "cym"),
];

/// The ISO 639-1 code of `value` (the 639-3 code for a language that has no 639-1 code), or
/// an empty string when it is empty or says the language is undetermined ("und"): the caller
/// leaves the language to detection. `None` when `value` names no language.
pub(crate) fn code(value: &str) -> Option<String> {
    let value = value.trim();
    // A BCP 47 tag's first subtag is the language; POSIX locales write "en_US".
    let primary = value.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    let language = match primary.len() {
        0 => return Some(String::new()),
        _ if primary == "und" => return Some(String::new()),
        2 => Language::from_639_1(&primary),
        3 => {
            let terminology = BIBLIOGRAPHIC.iter().find(|(b, _)| *b == primary).map_or(primary.as_str(), |(_, t)| t);
            Language::from_639_3(terminology)
        }
        _ => None,
    }
    .or_else(|| by_name(value))?;
    Some(language.to_639_1().unwrap_or_else(|| language.to_639_3()).to_string())
}

/// The language whose English or native name is `value`, in any case ("english", "Français").
fn by_name(value: &str) -> Option<Language> {
    let lower = value.to_lowercase();
    Language::from_name_lowercase(&lower)
        .or_else(|| Language::match_autonyms(move |autonym| autonym.to_lowercase() == lower).next())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_read_as_people_write_them() {
        for (value, want) in [
            ("en", "en"),
            ("EN", "en"),
            ("en-US", "en"),
            ("en-GB", "en"),
            ("en_GB", "en"),
            ("zh-Hant-TW", "zh"),
            ("eng", "en"),
            ("deu", "de"),
            ("ger", "de"),
            ("fre", "fr"),
            ("English", "en"),
            ("english", "en"),
            ("German", "de"),
            ("Deutsch", "de"),
            ("français", "fr"),
            (" en ", "en"),
            ("", ""),
            ("und", ""),
        ] {
            assert_eq!(code(value).as_deref(), Some(want), "{value:?}");
        }
    }

    #[test]
    fn values_that_name_no_language_are_refused() {
        for value in ["xx", "xx-YY", "qqq", "Klingonese", "123"] {
            assert_eq!(code(value), None, "{value:?}");
        }
    }
}
