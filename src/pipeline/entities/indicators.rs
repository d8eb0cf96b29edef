//! Technical indicators: IP addresses, domains, URLs, e-mails, hashes and CVE ids, found in
//! defanged form too ("hxxp", "[.]", "(dot)") and reported refanged and normalised.

use std::{net::IpAddr, ops::Range, sync::LazyLock};

use regex::Regex;

use crate::pipeline::regex::compile;

use crate::pb::IndicatorKind;

/// A dot, plain or defanged.
const DOT: &str = r"(?:\.|\[\.\]|\(\.\)|\[dot\]|\(dot\))";
/// Top-level domains an indicator may end in: a closed list, so "e.g." or "file.exe" is not one.
const TLD: &str = r"(?:com|net|org|info|biz|io|co|ru|ua|cn|ir|kp|uk|de|fr|nl|eu|gov|edu|mil|xyz|top|online|site|club|app|dev|me|tk|cc|su|by|kz|pl|cz|sk|lt|lv|ee|example|onion)";

static INDICATOR: LazyLock<Regex> = LazyLock::new(|| {
    let label = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    let pattern = format!(
        r"(?i)\b(?P<cve>CVE-\d{{4}}-\d{{4,7}})\b|(?P<url>(?:h[tx]{{2}}ps?|fxp|ftp)(?::|\[:\])//[^\s<>()\[\]]*(?:\[\.\][^\s<>()\[\]]*)*)|\b(?P<email>[A-Za-z0-9._%+-]+(?:@|\[@\]|\[at\])(?:{label}{DOT})+{TLD})\b|\b(?P<ip>(?:\d{{1,3}}{DOT}){{3}}\d{{1,3}})\b|\b(?P<domain>(?:{label}{DOT})+{TLD})\b|\b(?P<hash>[a-f0-9]{{64}}|[a-f0-9]{{40}}|[a-f0-9]{{32}})\b"
    );
    compile(&pattern)
});

/// An indicator found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Found {
    /// Which kind.
    pub kind: IndicatorKind,
    /// Where.
    pub range: Range<usize>,
    /// Refanged, normalised value.
    pub value: String,
}

/// Every indicator in `text`.
pub(super) fn find(text: &str) -> Vec<Found> {
    INDICATOR
        .captures_iter(text)
        .filter_map(|c| {
            let (name, m) =
                ["cve", "url", "email", "ip", "domain", "hash"].into_iter().find_map(|n| c.name(n).map(|m| (n, m)))?;
            let raw = m.as_str().trim_end_matches(['.', ',', ';']);
            let range = m.start()..m.start() + raw.len();
            let value = refang(raw);
            let kind = match name {
                "cve" => return Some(Found { kind: IndicatorKind::Cve, range, value: value.to_uppercase() }),
                "url" => IndicatorKind::Url,
                "email" => IndicatorKind::Email,
                "ip" => match value.parse::<IpAddr>() {
                    Ok(IpAddr::V4(_)) => IndicatorKind::Ipv4,
                    _ => return None,
                },
                "domain" => IndicatorKind::Domain,
                _ => match raw.len() {
                    32 => IndicatorKind::Md5,
                    40 => IndicatorKind::Sha1,
                    _ => IndicatorKind::Sha256,
                },
            };
            let value = if kind == IndicatorKind::Url { value } else { value.to_lowercase() };
            Some(Found { kind, range, value })
        })
        .collect()
}

/// Undoes the usual defanging.
fn refang(s: &str) -> String {
    let mut out = s.to_string();
    for (from, to) in
        [("[.]", "."), ("(.)", "."), ("[dot]", "."), ("(dot)", "."), ("[:]", ":"), ("[@]", "@"), ("[at]", "@")]
    {
        out = out.replace(from, to);
    }
    let lower = out.to_ascii_lowercase();
    if lower.starts_with("hxxp") {
        out.replace_range(..4, "http");
    } else if lower.starts_with("fxp") {
        out.replace_range(..3, "ftp");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defanged_indicators_are_refanged() {
        let text = "Payloads came from hxxp://update-check[.]example/gw.sh and 198.51.100[.]23; \
                    see CVE-2024-3400, mail ops[at]bad-domain[.]ru, hash d41d8cd98f00b204e9800998ecf8427e.";
        let found: Vec<(IndicatorKind, String)> = find(text).into_iter().map(|f| (f.kind, f.value)).collect();
        assert_eq!(
            found,
            [
                (IndicatorKind::Url, "http://update-check.example/gw.sh".to_string()),
                (IndicatorKind::Ipv4, "198.51.100.23".to_string()),
                (IndicatorKind::Cve, "CVE-2024-3400".to_string()),
                (IndicatorKind::Email, "ops@bad-domain.ru".to_string()),
                (IndicatorKind::Md5, "d41d8cd98f00b204e9800998ecf8427e".to_string()),
            ]
        );
    }

    #[test]
    fn prose_is_not_an_indicator() {
        assert!(find("Version 1.2.3 shipped, e.g. to users; the file report.pdf and 999.1.1.1 too.").is_empty());
    }
}
