//! What one HTTP/2 connection may hold: streams, header bytes, buffered request bytes, and
//! how long it may live silent or at all.

use std::time::Duration;

use tonic::transport::Server;

use crate::config::{self, ServeArgs};

/// Request bytes buffered per stream and per connection before the peer must wait for a
/// WINDOW_UPDATE: hyper's defaults, stated so the bound on a connection's memory is ours.
const STREAM_WINDOW_BYTES: u32 = 1 << 20;
const CONNECTION_WINDOW_BYTES: u32 = 1 << 20;
/// Streams a peer may open and reset before we read them before the connection gets GOAWAY
/// (h2's default, the "rapid reset" guard).
const MAX_PENDING_ACCEPT_RESET_STREAMS: usize = 20;
/// Streams we may reset for a peer's protocol errors before the connection gets GOAWAY.
const MAX_LOCAL_ERROR_RESET_STREAMS: usize = 1024;

/// Per-connection HTTP/2 bounds, from [`ServeArgs`].
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Calls open at once on one connection (SETTINGS_MAX_CONCURRENT_STREAMS).
    pub max_concurrent_streams: u32,
    /// Largest header block of one request (SETTINGS_MAX_HEADER_LIST_SIZE).
    pub max_header_list_bytes: u32,
    /// PING interval on a quiet connection.
    pub keepalive_interval: Duration,
    /// How long a PING may go unanswered before the connection is closed.
    pub keepalive_timeout: Duration,
    /// Age at which a connection gets GOAWAY; its open calls finish first.
    pub max_connection_age: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_concurrent_streams: config::DEFAULT_MAX_CONCURRENT_STREAMS,
            max_header_list_bytes: config::DEFAULT_MAX_HEADER_LIST_BYTES,
            keepalive_interval: config::DEFAULT_KEEPALIVE_INTERVAL,
            keepalive_timeout: config::DEFAULT_KEEPALIVE_TIMEOUT,
            max_connection_age: config::DEFAULT_MAX_CONNECTION_AGE,
        }
    }
}

impl From<&ServeArgs> for ConnectionLimits {
    fn from(a: &ServeArgs) -> Self {
        Self {
            max_concurrent_streams: a.max_concurrent_streams,
            max_header_list_bytes: a.max_header_list_bytes,
            keepalive_interval: a.keepalive_interval,
            keepalive_timeout: a.keepalive_timeout,
            max_connection_age: a.max_connection_age,
        }
    }
}

impl ConnectionLimits {
    /// `server` with these bounds set.
    pub(super) fn apply(&self, server: Server) -> Server {
        server
            .max_concurrent_streams(self.max_concurrent_streams)
            .http2_max_header_list_size(self.max_header_list_bytes)
            .initial_stream_window_size(STREAM_WINDOW_BYTES)
            .initial_connection_window_size(CONNECTION_WINDOW_BYTES)
            .http2_max_pending_accept_reset_streams(Some(MAX_PENDING_ACCEPT_RESET_STREAMS))
            .http2_max_local_error_reset_streams(Some(MAX_LOCAL_ERROR_RESET_STREAMS))
            .http2_keepalive_interval(Some(self.keepalive_interval))
            .http2_keepalive_timeout(Some(self.keepalive_timeout))
            // No grace: a backfill's long stream is not cut, only its connection is not reused.
            .max_connection_age(self.max_connection_age)
    }
}
