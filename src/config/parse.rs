//! The value parsers of the flags, and how a default duration reads in `--help`.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use super::{ConfigError, EndpointAddr, ListenAddr};

/// A default duration as `--help` shows it and clap reads it back.
pub(super) fn duration_text(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// The scheme of Unix socket addresses, as `--listen` and `--endpoint` take them.
const UNIX_SCHEME: &str = "unix://";

/// The socket path of a `unix://` address; `None` for any other address.
fn unix_path(s: &str) -> Option<Result<PathBuf, ConfigError>> {
    let path = s.strip_prefix(UNIX_SCHEME)?;
    Some(if path.is_empty() { Err(ConfigError::NoSocketPath) } else { Ok(PathBuf::from(path)) })
}

/// The Unix socket at `path` as an address, the way `unix_path` reads it.
pub(crate) fn unix_url(path: &Path) -> String {
    format!("{UNIX_SCHEME}{}", path.display())
}

pub(super) fn listen(s: &str) -> Result<ListenAddr, ConfigError> {
    if let Some(path) = unix_path(s) {
        return path.map(ListenAddr::Unix);
    }
    let (host, port) = s.rsplit_once(':').ok_or(ConfigError::NotListenAddr)?;
    port.parse::<u16>().map_err(|_| ConfigError::Port(port.into()))?;
    if host.is_empty() {
        return Err(ConfigError::NoListenHost);
    }
    Ok(ListenAddr::Tcp(s.to_string()))
}

pub(super) fn endpoint(s: &str) -> Result<EndpointAddr, ConfigError> {
    if let Some(path) = unix_path(s) {
        return path.map(EndpointAddr::Unix);
    }
    if s.starts_with("https://") {
        return Err(ConfigError::Tls);
    }
    let hostport = s.strip_prefix("http://").unwrap_or(s).trim_end_matches('/');
    let (host, port) = hostport.rsplit_once(':').ok_or(ConfigError::NotEndpoint)?;
    let port = port.parse::<u16>().map_err(|_| ConfigError::Port(port.into()))?;
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if host.is_empty() || host.contains('/') {
        return Err(ConfigError::Host(host.into()));
    }
    Ok(EndpointAddr::Tcp { host: host.to_string(), port })
}

pub(super) fn positive(s: &str) -> Result<usize, ConfigError> {
    match s.parse::<usize>()? {
        0 => Err(ConfigError::Zero),
        n => Ok(n),
    }
}

pub(super) fn duration(s: &str) -> Result<Duration, ConfigError> {
    match humantime::parse_duration(s) {
        Ok(d) if d.is_zero() => Err(ConfigError::ZeroDuration),
        Ok(d) => Ok(d),
        Err(e) => Err(ConfigError::NotADuration(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_what_is_wrong() {
        let cases: [(Result<(), ConfigError>, &str); 8] = [
            (listen("unix://").map(drop), "unix:// needs a socket path, e.g. unix:///run/enricher.sock"),
            (listen("50051").map(drop), "expected host:port or unix:///path"),
            (listen(":1").map(drop), "missing host; use 0.0.0.0:PORT to listen on every interface"),
            (endpoint("https://e:1").map(drop), "TLS is not supported; use http://host:port or unix:///path"),
            (endpoint("e:port").map(drop), "invalid port \"port\""),
            (positive("0").map(drop), "must be at least 1"),
            (positive("-1").map(drop), "invalid digit found in string"),
            (duration("soon").map(drop), "expected number at 0 (examples: 10s, 500ms, 1m)"),
        ];
        for (result, message) in cases {
            assert_eq!(result.expect_err(message).to_string(), message);
        }
    }

    #[test]
    fn unix_addresses_read_back() {
        let path = Path::new("/run/enricher.sock");
        assert_eq!(listen(&unix_url(path)), Ok(ListenAddr::Unix(path.into())));
    }

    #[test]
    fn default_durations_read_back() {
        for d in [Duration::from_millis(50), Duration::from_secs(60), Duration::from_secs(30 * 60)] {
            assert_eq!(duration(&duration_text(d)), Ok(d));
        }
    }
}
