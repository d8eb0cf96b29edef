//! What every client of the Enricher shares: the way to a Unix socket, and how large an answer
//! it takes.

use std::{io, path::PathBuf};

use hyper_util::rt::TokioIo;
use tokio::net::UnixStream;
use tonic::transport::{Channel, Uri};
use tower::Service;

use crate::pb::enricher_client::EnricherClient;

/// Largest response accepted: an article at the 1 MiB limit with its clean text and spans
/// stays well below it.
const MAX_RESPONSE_BYTES: usize = 64 << 20;

/// An Enricher client on `channel` that takes responses up to [`MAX_RESPONSE_BYTES`].
pub(crate) fn enricher(channel: Channel) -> EnricherClient<Channel> {
    EnricherClient::new(channel).max_decoding_message_size(MAX_RESPONSE_BYTES)
}

/// Connects to the Unix socket at `path`, whatever the URI: for a socket, the endpoint's URI
/// only fills the :authority header.
pub(crate) fn unix_connector(
    path: PathBuf,
) -> impl Service<Uri, Response = TokioIo<UnixStream>, Error = io::Error, Future: Send> + Clone + Send + 'static {
    tower::service_fn(move |_: Uri| {
        let path = path.clone();
        async move { Ok(TokioIo::new(UnixStream::connect(path).await?)) }
    })
}
