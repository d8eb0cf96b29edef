//! The server under test, when the bench starts it: `incident-enricher serve` on a loopback
//! port as a child process, timed from spawn to health SERVING, killed when dropped.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use tonic::transport::Endpoint;
use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient};

use super::{LoadError, procfs};

/// Longest wait for the child to report SERVING.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Pause between health checks while the child starts.
const POLL_INTERVAL: Duration = Duration::from_millis(1);

/// A running child server.
pub(crate) struct ServerProcess {
    child: Child,
    /// Its gRPC address, `host:port`.
    pub(crate) addr: String,
    /// From spawn to the first health check answered SERVING.
    pub(crate) startup: Duration,
}

impl ServerProcess {
    /// Starts `serve` on 127.0.0.1 with `extra` flags and waits until health says SERVING.
    pub(crate) async fn start(extra: &[String]) -> Result<Self, LoadError> {
        let exe = std::env::current_exe().map_err(LoadError::Spawn)?;
        let spawned = Instant::now();
        let mut child = Command::new(exe)
            .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"])
            .args(extra)
            // The "serving" line names the port; per-article lines are debug.
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(LoadError::Spawn)?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let (addr_tx, addr_rx) = mpsc::channel();
        // Reads the log: hands on the address, then passes warnings and errors through.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let Ok(json) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
                let fields = &json["fields"];
                if fields["message"] == "serving" {
                    let _ = addr_tx.send(fields["addr"].as_str().unwrap_or_default().to_string());
                } else if matches!(json["level"].as_str(), Some("WARN" | "ERROR")) {
                    eprintln!("server: {line}");
                }
            }
        });
        let mut server = Self { child, addr: String::new(), startup: Duration::ZERO };
        server.addr = tokio::task::spawn_blocking(move || addr_rx.recv_timeout(START_TIMEOUT))
            .await
            .expect("the address reader does not panic")
            .map_err(|_| LoadError::NotServing { after: START_TIMEOUT })?;
        server.startup = wait_serving(&server.addr, spawned).await?;
        Ok(server)
    }

    /// The child's process id, for `/proc`.
    pub(crate) fn pid(&self) -> String {
        self.child.id().to_string()
    }

    /// Its CPU and memory now.
    pub(crate) fn usage(&self) -> Option<procfs::Usage> {
        procfs::usage(&self.pid())
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Checks health until it answers SERVING; the time since `spawned`.
async fn wait_serving(addr: &str, spawned: Instant) -> Result<Duration, LoadError> {
    let endpoint = Endpoint::from_shared(format!("http://{addr}")).expect("a host:port from the server's log");
    while spawned.elapsed() < START_TIMEOUT {
        if let Ok(channel) = endpoint.connect().await {
            let mut health = HealthClient::new(channel);
            let answer = health.check(HealthCheckRequest { service: String::new() }).await;
            if answer.is_ok_and(|a| a.into_inner().status() == ServingStatus::Serving) {
                return Ok(spawned.elapsed());
            }
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
    Err(LoadError::NotServing { after: START_TIMEOUT })
}
