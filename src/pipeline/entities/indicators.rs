//! Technical indicators: IP addresses, domains, URLs, e-mails, hashes and CVE ids, found in
//! defanged form too ("hxxp", "[.]", "(dot)", "[at]") and reported refanged and normalised.

use std::{net::IpAddr, ops::Range, sync::LazyLock};

use regex::Regex;

use crate::{pb::IndicatorKind, pipeline::text::compile};

/// A dot, plain or defanged.
const DOT: &str = r"(?:\.|\[\.\]|\(\.\)|\[dot\]|\(dot\))";

static INDICATOR: LazyLock<Regex> = LazyLock::new(|| {
    let label = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    compile(&format!(
        r"(?i)\b(?P<cve>CVE-\d{{4}}-\d{{4,7}})\b|(?P<url>(?:h[tx]{{2}}ps?|fxp|ftp)(?::|\[:\])//[^\s<>()\[\]]*(?:\[\.\][^\s<>()\[\]]*)*)|\b(?P<email>[A-Za-z0-9._%+-]+(?:@|\[@\]|\[at\]|\(at\))(?:{label}{DOT})+[A-Za-z]{{2,24}})\b|\b(?P<ip4>(?:\d{{1,3}}{DOT}){{3}}\d{{1,3}})\b|(?P<ip6>\b(?:[0-9a-f]{{1,4}}:){{2,7}}[0-9a-f]{{0,4}}(?::[0-9a-f]{{1,4}})*|::(?:[0-9a-f]{{1,4}}:){{0,6}}[0-9a-f]{{1,4}}\b)|\b(?P<domain>(?:{label}{DOT})+[A-Za-z]{{2,24}})\b|\b(?P<hash>[a-f0-9]{{64}}|[a-f0-9]{{40}}|[a-f0-9]{{32}})\b"
    ))
});

/// Extensions that make "name.ext" a file, not a domain, even where `ext` is also a
/// top-level domain (.zip, .mov).
const FILE_EXTENSIONS: &[&str] = &[
    "exe", "dll", "zip", "rar", "7z", "gz", "tar", "pdf", "doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx",
    "txt", "csv", "log", "js", "py", "sh", "ps1", "bat", "vbs", "jar", "apk", "iso", "img", "lnk", "msi", "png", "jpg",
    "jpeg", "gif", "mov", "mp4", "html", "htm", "php", "asp", "aspx", "json", "xml", "sys", "bin", "dat", "so",
];

/// An indicator found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Found {
    /// Which kind.
    pub(super) kind: IndicatorKind,
    /// Where.
    pub(super) range: Range<usize>,
    /// Refanged, normalised value.
    pub(super) value: String,
    /// Whether the text wrote it defanged.
    pub(super) defanged: bool,
}

/// Every indicator in `text`.
pub(super) fn find(text: &str) -> Vec<Found> {
    INDICATOR
        .captures_iter(text)
        .filter_map(|c| {
            let (name, m) = ["cve", "url", "email", "ip4", "ip6", "domain", "hash"]
                .into_iter()
                .find_map(|n| c.name(n).map(|m| (n, m)))?;
            let raw = m.as_str().trim_end_matches(['.', ',', ';', ':']);
            let range = m.start()..m.start() + raw.len();
            let value = refang(raw);
            let defanged = value != raw && name != "cve";
            let (kind, value) = match name {
                "cve" => (IndicatorKind::Cve, value.to_uppercase()),
                "url" => (IndicatorKind::Url, value),
                "email" => (IndicatorKind::Email, value.to_lowercase()),
                "ip4" | "ip6" => match value.parse::<IpAddr>().ok()? {
                    IpAddr::V4(ip) if !is_version_number(text, range.start) => (IndicatorKind::Ipv4, ip.to_string()),
                    IpAddr::V6(ip) => (IndicatorKind::Ipv6, ip.to_string()),
                    IpAddr::V4(_) => return None,
                },
                "domain" => (IndicatorKind::Domain, domain(&value, defanged)?),
                _ => {
                    let kind = match raw.len() {
                        32 => IndicatorKind::Md5,
                        40 => IndicatorKind::Sha1,
                        _ => IndicatorKind::Sha256,
                    };
                    (kind, value.to_lowercase())
                }
            };
            Some(Found { kind, range, value, defanged })
        })
        .collect()
}

/// A domain under a known public suffix, lowercased. Defanged text is meant as a domain;
/// otherwise a file name ("invoice.zip") or two sentences run together ("attack.The") is not.
pub(super) fn domain(name: &str, defanged: bool) -> Option<String> {
    let last = name.rsplit('.').next().unwrap_or_default();
    if !defanged
        && (FILE_EXTENSIONS.contains(&last.to_ascii_lowercase().as_str()) || last.starts_with(char::is_uppercase))
    {
        return None;
    }
    let name = name.to_lowercase();
    psl::domain(name.as_bytes()).filter(|d| d.suffix().is_known()).map(|_| name.clone())
}

/// "version 10.2.3.4", "v1.2.3.4": a version number shaped like an IP address.
fn is_version_number(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end();
    let tail = &before[before.floor_char_boundary(before.len().saturating_sub(8))..];
    ["version", "v", "build", "release"].iter().any(|w| {
        tail.len() >= w.len()
            && tail.is_char_boundary(tail.len() - w.len())
            && tail[tail.len() - w.len()..].eq_ignore_ascii_case(w)
    })
}

/// Undoes the usual defanging.
fn refang(s: &str) -> String {
    let mut out = s.to_string();
    for (from, to) in [
        ("[.]", "."),
        ("(.)", "."),
        ("[dot]", "."),
        ("(dot)", "."),
        ("[:]", ":"),
        ("[@]", "@"),
        ("[at]", "@"),
        ("(at)", "@"),
    ] {
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

    fn found(text: &str) -> Vec<(IndicatorKind, String, bool)> {
        find(text).into_iter().map(|f| (f.kind, f.value, f.defanged)).collect()
    }

    #[test]
    fn defanged_indicators_are_refanged_and_flagged() {
        let text = "Payloads came from hxxp://update-check[.]example/gw.sh and 198.51.100[.]23; \
                    mail ops[at]bad-domain[.]ru, C2 at evil(.)com.";
        assert_eq!(
            found(text),
            [
                (IndicatorKind::Url, "http://update-check.example/gw.sh".into(), true),
                (IndicatorKind::Ipv4, "198.51.100.23".into(), true),
                (IndicatorKind::Email, "ops@bad-domain.ru".into(), true),
                (IndicatorKind::Domain, "evil.com".into(), true),
            ]
        );
    }

    #[test]
    fn plain_indicators_are_normalised() {
        let text = "See CVE-2024-3400 at https://vendor.example.com/advisory, host 2001:db8::1, \
                    hash D41D8CD98F00B204E9800998ECF8427E and the domain Login-Secure.co.uk.";
        assert_eq!(
            found(text),
            [
                (IndicatorKind::Cve, "CVE-2024-3400".into(), false),
                (IndicatorKind::Url, "https://vendor.example.com/advisory".into(), false),
                (IndicatorKind::Ipv6, "2001:db8::1".into(), false),
                (IndicatorKind::Md5, "d41d8cd98f00b204e9800998ecf8427e".into(), false),
                (IndicatorKind::Domain, "login-secure.co.uk".into(), false),
            ]
        );
    }

    #[test]
    fn look_alikes_are_not_indicators() {
        for text in [
            "Version 10.0.19041.1 shipped in 3.5 weeks.",
            "e.g. the file report.pdf or invoice.zip, i.e. the usual.",
            "The price rose 2.75 per cent to 1,024.5 points at 10:30.",
            "Open payload.exe and notes.txt, then run setup.ps1.",
            "999.1.1.1 is not an address.",
            "The attackers struck again.It was the third attack.The ministry said so.",
        ] {
            assert_eq!(found(text), [], "{text}");
        }
    }
}
