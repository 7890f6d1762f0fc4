//! Starts a `colonies-edge serve` for the colonyos interop test (see tests/flow.rs).

use std::{
    net::{TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// The colonyos version this suite pins (checked against Cargo.lock by the test).
pub const COLONYOS_VERSION: &str = "1.0.5";

/// A server started for the test; stopped (by its own PID) when dropped.
pub struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The server owner's private key (hex).
    pub owner_prvkey: String,
    data_dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

fn binary() -> PathBuf {
    if let Ok(path) = std::env::var("COLONIES_EDGE_BIN") {
        return path.into();
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let target =
        std::env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or(root.join("target"));
    target.join("release/colonies-edge")
}

/// Starts the release server on a free port with a fresh owner key, or uses
/// `COLONIES_TEST_URL` + `COLONIES_TEST_SERVER_PRVKEY` when set.
pub fn start() -> Server {
    if let Ok(url) = std::env::var("COLONIES_TEST_URL") {
        let owner_prvkey = std::env::var("COLONIES_TEST_SERVER_PRVKEY")
            .expect("COLONIES_TEST_SERVER_PRVKEY is the owner key of COLONIES_TEST_URL");
        return Server { child: None, url, owner_prvkey, data_dir: PathBuf::new() };
    }
    let owner_prvkey = colonyos::crypto::gen_prvkey();
    let owner_id = colonyos::crypto::gen_id(&owner_prvkey);
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("an address")
        .port();
    let data_dir =
        std::env::temp_dir().join(format!("colonies-rsinterop-{}-{port}", std::process::id()));
    let bin = binary();
    let child = Command::new(&bin)
        .args(["serve", "--host", "127.0.0.1", "--port", &port.to_string()])
        .arg("--data-dir")
        .arg(&data_dir)
        .env("COLONIES_SERVER_ID", &owner_id)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {}: {e} (build it: cargo build --release -p colonies-cli)",
                bin.display()
            )
        });
    let server = Server {
        child: Some(child),
        url: format!("http://127.0.0.1:{port}"),
        owner_prvkey,
        data_dir,
    };
    // The server listens only once its database is ready.
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the server did not start within 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}
