//! `/pubsub` soak: N concurrent WebSocket subscribers on one native server, with the server's
//! memory (VmRSS) and open file descriptors at baseline, with every subscriber connected, and
//! after they disconnect, over several rounds (a leak shows as growth from round to round).
//!
//! ```text
//! cargo run --release -p colonies-blackbox --example ws_soak -- [--subscribers 1000] [--rounds 3]
//! ```
//! The server runs in a child process (this binary with `--serve`) on a private PostgreSQL
//! cluster, so the figures are the server's alone: the clients live in the parent, and
//! PostgreSQL in processes of its own.

use colonies_blackbox::{Client, executor_payload, signed};
use colonies_core::PrivateKey;
use core::time::Duration;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::{
    io::{BufRead, BufReader, Write},
    process::{Child, ChildStdin, Command, Stdio},
    time::Instant,
};
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve") {
        serve();
        return;
    }
    let value = |flag: &str, default: usize| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let subscribers = value("--subscribers", 1000);
    let rounds = value("--rounds", 3);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(soak(subscribers, rounds));
}

/// The child: one native server, until its stdin closes.
fn serve() {
    use colonies_worker::{
        ServerConfig,
        native::{self, Database, NativeConfig},
    };
    let owner = PrivateKey::generate().expect("a key");
    let data_dir =
        tempfile::Builder::new().prefix("colonies-ws-soak-").tempdir().expect("a directory").keep();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async move {
        let config = NativeConfig {
            server: ServerConfig::default(),
            listen: "127.0.0.1:0".parse().expect("an address"),
            database: Database::Embedded { pg_bin: None, ephemeral: true },
            data_dir,
            server_id: Some(owner.id().to_hex()),
            body_limit: native::DEFAULT_BODY_LIMIT,
            dashboard_dir: None,
            pool_size: 16,
            timeouts: native::HttpTimeouts::default(),
        };
        let server = native::start(config).await.expect("the server starts");
        println!("READY {} {}", server.addr(), owner.to_hex());
        // Each line on stdin asks for the runtime's live tasks and the registered
        // subscriptions; end of input (the parent is done or gone) stops the server.
        let (lines_tx, mut lines) = tokio::sync::mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in std::io::stdin().lines().map_while(Result::ok) {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let metrics = tokio::runtime::Handle::current().metrics();
        while lines.recv().await.is_some() {
            let tasks = metrics.num_alive_tasks();
            println!("STATS {tasks} {}", server.events().subscriptions());
        }
        server.shutdown().await;
    });
}

/// The server's resident memory (KiB), open file descriptors, threads, live tokio tasks and
/// registered subscriptions.
#[derive(Debug, Clone, Copy)]
struct Usage {
    rss_kib: u64,
    fds: usize,
    threads: u64,
    tasks: usize,
    subscriptions: usize,
}

fn usage(server: &mut Server) -> Usage {
    let pid = server.child.id();
    let (tasks, subscriptions) = server.stats();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count()).unwrap_or(0);
    Usage { rss_kib: field("VmRSS:"), fds, threads: field("Threads:"), tasks, subscriptions }
}

fn show(label: &str, u: Usage) {
    println!(
        "{label:<30} RSS {:>6.1} MiB  fds {:>5}  threads {:>2}  tasks {:>5}  subscriptions {:>5}",
        u.rss_kib as f64 / 1024.0,
        u.fds,
        u.threads,
        u.tasks,
        u.subscriptions
    );
}

struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    stats: std::sync::mpsc::Receiver<(usize, usize)>,
    url: String,
    owner: PrivateKey,
}

impl Server {
    /// Asks the server process for its live tasks and subscriptions.
    fn stats(&mut self) -> (usize, usize) {
        let asked = self.stdin.as_mut().map(|s| writeln!(s, "stats").and_then(|()| s.flush()));
        if !matches!(asked, Some(Ok(()))) {
            return (0, 0);
        }
        self.stats.recv_timeout(Duration::from_secs(5)).unwrap_or((0, 0))
    }
}

fn start_server() -> Server {
    let exe = std::env::current_exe().expect("this binary");
    let mut child = Command::new(exe)
        .arg("--serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server process starts");
    let stdout = child.stdout.take().expect("its stdout");
    let mut lines = BufReader::new(stdout).lines();
    let ready = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.starts_with("READY "))
        .expect("the server says READY");
    let mut parts = ready.split_whitespace().skip(1);
    let addr = parts.next().expect("an address").to_owned();
    let owner = parts.next().expect("a key").parse().expect("the owner key");
    // Keep draining its stdout (so it never blocks on a full pipe), passing on its answers.
    let (stats_tx, stats) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let mut numbers =
                line.strip_prefix("STATS ").into_iter().flat_map(str::split_whitespace);
            let mut next = || numbers.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            if line.starts_with("STATS ") && stats_tx.send((next(), next())).is_err() {
                break;
            }
        }
    });
    let stdin = child.stdin.take();
    Server { child, stdin, stats, url: format!("http://{addr}"), owner }
}

async fn connect(url: &str, key: &PrivateKey, colony: &str) -> Ws {
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("{}/pubsub", url.replacen("http://", "ws://", 1)))
            .await
            .expect("the WebSocket opens");
    let payload = json!({ "colonyname": colony, "executortype": "test_executor_type",
                          "state": 0, "timeout": 600 });
    let envelope = signed(key, "subscribeprocessesmsg", payload).to_json();
    ws.send(Message::text(envelope)).await.expect("the subscription is sent");
    ws
}

/// Waits until the server's descriptor count stops changing (connections settle).
async fn settle(server: &mut Server, at_least: Option<usize>) -> Usage {
    let mut last = usage(server);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = usage(server);
        let reached = at_least.is_none_or(|n| now.fds >= n);
        if (now.fds == last.fds && reached) || Instant::now() > deadline {
            return now;
        }
        last = now;
    }
}

async fn soak(n: usize, rounds: usize) {
    let mut server = start_server();
    let pid = server.child.id();
    let client = Client::to(&server.url);
    let (colony_key, colony) = (PrivateKey::generate().expect("a key"), "soak".to_owned());
    let add = json!({ "colony": { "colonyid": colony_key.id().to_hex(), "name": colony } });
    client.call(&server.owner, "addcolonymsg", add).await.ok_json();
    let executor = PrivateKey::generate().expect("a key");
    let register = executor_payload(&executor, &colony, "soak-executor");
    client.call(&colony_key, "addexecutormsg", register).await.ok_json();
    let approve = json!({ "colonyname": colony, "executorname": "soak-executor" });
    client.call(&colony_key, "approveexecutormsg", approve).await.ok_json();

    // Fill the connection pool first (the subscribe burst would), so that the baseline holds
    // every Postgres connection the server keeps.
    futures_util::future::join_all(
        (0..32).map(|_| client.call(&executor, "getcolonymsg", json!({ "colonyname": colony }))),
    )
    .await;

    println!("{n} concurrent /pubsub subscribers (subscribeprocessesmsg), server pid {pid}");
    let baseline = settle(&mut server, None).await;
    show("baseline (idle, pool filled)", baseline);

    for round in 1..=rounds {
        let started = Instant::now();
        let mut sockets = Vec::with_capacity(n);
        // Opened 100 at a time, as a crowd of clients reconnecting would.
        for chunk in (0..n).collect::<Vec<_>>().chunks(100) {
            let opened = futures_util::future::join_all(
                chunk.iter().map(|_| connect(&server.url, &executor, &colony)),
            )
            .await;
            sockets.extend(opened);
        }
        let connected = settle(&mut server, Some(baseline.fds + n)).await;
        show(&format!("round {round}: {n} connected"), connected);
        println!("{:<30} {:.2} s to open and subscribe", "", started.elapsed().as_secs_f64());

        // One submit reaches every subscriber.
        let spec = json!({ "spec": {
            "funcname": "soak", "maxwaittime": -1, "maxexectime": -1, "maxretries": 0,
            "conditions": { "colonyname": colony, "executortype": "test_executor_type" } } });
        let sent = Instant::now();
        client.call(&executor, "submitfuncspecmsg", spec).await.ok_json();
        let received = futures_util::future::join_all(sockets.iter_mut().map(|ws| async {
            let got = tokio::time::timeout(Duration::from_secs(30), async {
                while let Some(Ok(message)) = ws.next().await {
                    if message.is_text() {
                        return true;
                    }
                }
                false
            })
            .await;
            got.unwrap_or(false)
        }))
        .await;
        let delivered = received.iter().filter(|ok| **ok).count();
        println!(
            "{:<30} one submit → {delivered}/{n} subscribers got the frame in {:.0} ms",
            "",
            sent.elapsed().as_secs_f64() * 1000.0
        );
        let during = usage(&mut server);
        show(&format!("round {round}: after fan-out"), during);

        // Half close politely, half just drop the connection.
        for (i, mut ws) in sockets.into_iter().enumerate() {
            if i % 2 == 0 {
                let _ = ws.close(None).await;
            }
        }
        settle(&mut server, None).await;
        // The server gives the sockets' memory back once it has had none for 2 s
        // (server-worker/src/native/pubsub.rs); read the figures after that.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let after = usage(&mut server);
        show(&format!("round {round}: all disconnected"), after);
    }

    drop(server.stdin.take());
    let _ = server.child.wait();
    let _ = std::io::stdout().flush();
}
