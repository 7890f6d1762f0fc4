//! A private PostgreSQL cluster started from the machine's PostgreSQL binaries.
//!
//! Used when no database is configured. The cluster lives in `<data dir>/pgdata`, is reachable
//! only on 127.0.0.1 (no Unix socket, so nothing depends on `/var/run/postgresql`), and needs
//! a password: initdb runs with `-A scram-sha-256` and a generated 256-bit password kept in
//! `<data dir>/embedded-postgres.json` (mode 0600). Trust authentication would let every local
//! user of the machine into the broker's database; a password costs nothing here.
//!
//! The port is picked once and kept across restarts (a new one only if it is taken). The
//! cluster is stopped (`pg_ctl stop -m fast`) when [`EmbeddedPostgres::stop`] runs, and also by
//! a small watchdog process should this process die without stopping it (SIGKILL, a panic,
//! a test binary that exits), so no orphaned postmaster keeps the data directory locked.
//!
//! PostgreSQL refuses to run as root: as root the cluster runs as the `postgres` user (through
//! `runuser`) and the data directory is given to that user.

use core::{fmt, net::Ipv4Addr};
use std::{
    io::{Read, Write},
    net::TcpListener,
    os::unix::{
        fs::{MetadataExt, OpenOptionsExt, PermissionsExt},
        process::CommandExt,
    },
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

/// Where the cluster lives and which binaries to use.
#[derive(Debug, Clone)]
pub struct EmbeddedOptions {
    /// The server's data directory; the cluster is its `pgdata` subdirectory.
    pub data_dir: PathBuf,
    /// A PostgreSQL `bin` directory to use instead of searching (`COLONIES_PG_BIN`).
    pub pg_bin: Option<PathBuf>,
    /// Delete the whole data directory after stopping (test clusters).
    pub ephemeral: bool,
}

/// Why the private cluster could not be started or stopped.
#[derive(Debug)]
#[non_exhaustive]
pub enum EmbeddedError {
    /// No PostgreSQL server binaries were found; installing them (or configuring a database) fixes it.
    NoBinaries {
        /// Where we looked.
        searched: Vec<PathBuf>,
    },
    /// Running as root, but there is no unprivileged user to run PostgreSQL as.
    NoServiceUser,
    /// The `postgres` user cannot reach the data directory (a parent is closed to it).
    Unreachable {
        /// The data directory.
        dir: PathBuf,
    },
    /// The cluster was made by another PostgreSQL major version than the binaries found.
    VersionMismatch {
        /// The cluster's version (its `PG_VERSION`).
        cluster: String,
        /// The binaries' directory.
        bin: PathBuf,
    },
    /// A postmaster already runs on this data directory (another server uses it).
    AlreadyRunning {
        /// The cluster directory.
        pgdata: PathBuf,
    },
    /// A file operation failed.
    Io {
        /// What we were doing.
        what: String,
        /// The error.
        source: std::io::Error,
    },
    /// A PostgreSQL tool failed.
    Command {
        /// The command line.
        what: String,
        /// Its exit status and output, and the server log's tail where there is one.
        output: String,
    },
}

impl fmt::Display for EmbeddedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoBinaries { searched } => {
                write!(
                    f,
                    "no PostgreSQL server binaries found (looked in $COLONIES_PG_BIN, `pg_config --bindir`, \
                     /usr/lib/postgresql/*/bin and $PATH: {}).\n\
                     Fix: install PostgreSQL (Debian/Ubuntu: `apt-get install postgresql`; macOS: \
                     `brew install postgresql`), or point COLONIES_PG_BIN at its bin directory, \
                     or use an existing database with DATABASE_URL=postgres://user:password@host:port/db",
                    searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
                )
            }
            Self::NoServiceUser => f.write_str(
                "PostgreSQL refuses to run as root and there is no `postgres` user to run it as.\n\
                 Fix: run as a normal user, or create the user (`apt-get install postgresql` does), \
                 or set DATABASE_URL",
            ),
            Self::Unreachable { dir } => write!(
                f,
                "the `postgres` user cannot reach {} (a parent directory is closed to it).\n\
                 Fix: choose a data directory it can traverse, e.g. --data-dir /var/lib/colonies-edge",
                dir.display()
            ),
            Self::VersionMismatch { cluster, bin } => write!(
                f,
                "the cluster was created by PostgreSQL {cluster} but the binaries in {} are another \
                 major version.\nFix: set COLONIES_PG_BIN to PostgreSQL {cluster}'s bin directory, or \
                 upgrade the cluster with pg_upgrade",
                bin.display()
            ),
            Self::AlreadyRunning { pgdata } => write!(
                f,
                "a PostgreSQL server already runs on {} (is another `colonies-edge serve` using this \
                 data directory?).\nFix: stop it, use another --data-dir, or share that server's \
                 database through DATABASE_URL",
                pgdata.display()
            ),
            Self::Io { what, source } => write!(f, "{what}: {source}"),
            Self::Command { what, output } => write!(f, "`{what}` failed: {output}"),
        }
    }
}

impl core::error::Error for EmbeddedError {}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> EmbeddedError {
    let what = what.into();
    move |source| EmbeddedError::Io { what, source }
}

/// What is kept across restarts.
#[derive(serde::Serialize, serde::Deserialize)]
struct State {
    port: u16,
    user: String,
    password: String,
}

const STATE_FILE: &str = "embedded-postgres.json";
const SUPERUSER: &str = "colonies";
const SERVICE_USER: &str = "postgres";

/// A running private cluster.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    bin: PathBuf,
    data_dir: PathBuf,
    pgdata: PathBuf,
    port: u16,
    user: String,
    password: String,
    run_as: Option<String>,
    watchdog: Option<Child>,
    ephemeral: bool,
    stopped: bool,
}

impl EmbeddedPostgres {
    /// Creates the cluster on first use, then starts it. Blocking (runs the PostgreSQL tools);
    /// call it from a blocking thread in async code.
    pub fn start(options: &EmbeddedOptions) -> Result<Self, EmbeddedError> {
        let data_dir = absolute(&options.data_dir)?;
        let pgdata = data_dir.join("pgdata");
        let cluster_version =
            std::fs::read_to_string(pgdata.join("PG_VERSION")).ok().map(|v| v.trim().to_owned());
        let bin = find_bin_dir(options.pg_bin.as_deref(), cluster_version.as_deref())?;
        let run_as = if running_as_root() { Some(service_user()?) } else { None };

        std::fs::create_dir_all(&data_dir)
            .map_err(io(format!("creating {}", data_dir.display())))?;
        std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o700))
            .map_err(io(format!("restricting {}", data_dir.display())))?;
        if let Some(user) = &run_as {
            give_to(&data_dir, user)?;
            let reachable = Command::new("runuser")
                .args(["-u", user, "--", "test", "-w"])
                .arg(&data_dir)
                .status()
                .is_ok_and(|s| s.success());
            if !reachable {
                return Err(EmbeddedError::Unreachable { dir: data_dir });
            }
        }

        let mut pg = Self {
            bin,
            data_dir,
            pgdata,
            port: 0,
            user: SUPERUSER.into(),
            password: String::new(),
            run_as,
            watchdog: None,
            ephemeral: options.ephemeral,
            stopped: true,
        };
        let state = match (cluster_version, pg.read_state()) {
            (Some(version), Some(state)) => {
                pg.check_version(&version)?;
                state
            }
            _ => pg.init()?,
        };
        pg.user = state.user.clone();
        pg.password = state.password.clone();
        pg.port = if port_is_free(state.port) { state.port } else { free_port()? };
        if pg.port != state.port {
            tracing::info!(
                old = state.port,
                new = pg.port,
                "embedded PostgreSQL port was taken; moving"
            );
            pg.write_state(&State { port: pg.port, ..state })?;
        }

        if pg.pg_ctl(&["status"]).is_ok() {
            return Err(EmbeddedError::AlreadyRunning { pgdata: pg.pgdata.clone() });
        }
        let log = pg.data_dir.join("postgres.log");
        let port_option = format!("-p {}", pg.port);
        let log_arg = log.display().to_string();
        pg.pg_ctl(&["-l", &log_arg, "-o", &port_option, "-w", "-t", "60", "start"]).map_err(
            |e| match e {
                EmbeddedError::Command { what, output } => {
                    EmbeddedError::Command { what, output: format!("{output}\n{}", tail(&log)) }
                }
                other => other,
            },
        )?;
        pg.stopped = false;
        pg.watchdog = pg.spawn_watchdog();
        tracing::info!(port = pg.port, dir = %pg.pgdata.display(), "embedded PostgreSQL started");
        Ok(pg)
    }

    /// The connection settings of the cluster.
    pub fn config(&self) -> tokio_postgres::Config {
        let mut config = tokio_postgres::Config::new();
        config
            .host("127.0.0.1")
            .port(self.port)
            .user(&self.user)
            .password(&self.password)
            .dbname("postgres")
            .application_name("colonies-edge");
        config
    }

    /// A `postgres://` URL of the cluster (it contains the password).
    pub fn url(&self) -> String {
        format!("postgres://{}:{}@127.0.0.1:{}/postgres", self.user, self.password, self.port)
    }

    /// The port the cluster listens on (127.0.0.1 only).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the cluster (fast shutdown: open transactions are rolled back). Blocking.
    pub fn stop(mut self) -> Result<(), EmbeddedError> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> Result<(), EmbeddedError> {
        if self.stopped {
            return Ok(());
        }
        self.stopped = true;
        let result = self.pg_ctl(&["-m", "fast", "-w", "stop"]).map(drop);
        if let Some(mut watchdog) = self.watchdog.take() {
            // It would stop the cluster again once we are gone; harmless, but pointless.
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
        if self.ephemeral {
            std::fs::remove_dir_all(&self.data_dir)
                .map_err(io(format!("removing {}", self.data_dir.display())))?;
        }
        result
    }

    fn tool(&self, name: &str) -> Command {
        let program = self.bin.join(name);
        let mut command = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(program);
                c
            }
            None => Command::new(program),
        };
        // Its own process group: a Ctrl-C at the terminal reaches this server, which then
        // shuts down in order, instead of reaching the postmaster directly.
        command.process_group(0).stdin(Stdio::null());
        command
    }

    fn run(&self, mut command: Command) -> Result<String, EmbeddedError> {
        let what = format!("{command:?}");
        let output = command.output().map_err(io(format!("running {what}")))?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if output.status.success() {
            Ok(text)
        } else {
            Err(EmbeddedError::Command {
                what,
                output: format!("{}: {}", output.status, text.trim()),
            })
        }
    }

    fn pg_ctl(&self, args: &[&str]) -> Result<String, EmbeddedError> {
        let mut command = self.tool("pg_ctl");
        command.arg("-D").arg(&self.pgdata).args(args);
        self.run(command)
    }

    fn init(&self) -> Result<State, EmbeddedError> {
        if self.pgdata.exists() {
            // A half-made cluster from an interrupted first start; nothing in it to keep.
            std::fs::remove_dir_all(&self.pgdata)
                .map_err(io(format!("removing the incomplete {}", self.pgdata.display())))?;
        }
        let state = State { port: free_port()?, user: SUPERUSER.into(), password: random_hex(32)? };
        let pwfile = self.data_dir.join(".initdb-password");
        // initdb stores a verifier given as the password as is: one with few iterations
        // (see super::scram for why that is safe with this random password).
        let salt = random_bytes(16)?;
        let verifier = super::scram::verifier(&state.password, &salt, super::scram::ITERATIONS);
        write_private(&pwfile, verifier.as_bytes())?;
        if let Some(user) = &self.run_as {
            give_to(&pwfile, user)?;
        }
        let mut initdb = self.tool("initdb");
        initdb
            .arg("-D")
            .arg(&self.pgdata)
            .args(["-U", SUPERUSER, "-A", "scram-sha-256", "-E", "UTF8", "--no-locale"])
            .arg(format!("--pwfile={}", pwfile.display()));
        let result = self.run(initdb);
        let _ = std::fs::remove_file(&pwfile);
        result?;
        let settings = "\n# colonies-edge: a private cluster, reachable only from this machine over TCP.\n\
            listen_addresses = '127.0.0.1'\n\
            unix_socket_directories = ''\n\
            max_connections = 200\n";
        std::fs::OpenOptions::new()
            .append(true)
            .open(self.pgdata.join("postgresql.conf"))
            .and_then(|mut f| f.write_all(settings.as_bytes()))
            .map_err(io("configuring the embedded cluster"))?;
        self.write_state(&state)?;
        tracing::info!(dir = %self.pgdata.display(), "created the embedded PostgreSQL cluster");
        Ok(state)
    }

    fn check_version(&self, cluster: &str) -> Result<(), EmbeddedError> {
        let mut command = self.tool("postgres");
        command.arg("--version");
        let text = self.run(command)?;
        // "postgres (PostgreSQL) 15.8 (Debian 15.8-0+deb12u1)": the major version is what
        // the cluster format depends on.
        let major = text.split_whitespace().nth(2).and_then(|v| v.split('.').next()).unwrap_or("");
        if major == cluster {
            Ok(())
        } else {
            Err(EmbeddedError::VersionMismatch { cluster: cluster.into(), bin: self.bin.clone() })
        }
    }

    fn read_state(&self) -> Option<State> {
        let text = std::fs::read_to_string(self.data_dir.join(STATE_FILE)).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn write_state(&self, state: &State) -> Result<(), EmbeddedError> {
        let json = serde_json::to_string_pretty(state).unwrap_or_default();
        write_private(&self.data_dir.join(STATE_FILE), json.as_bytes())
    }

    fn spawn_watchdog(&self) -> Option<Child> {
        // Positional parameters, not string splicing, so no path needs quoting.
        const SCRIPT: &str = r#"
            pid=$1; pgctl=$2; pgdata=$3; runas=$4; remove=$5
            while kill -0 "$pid" 2>/dev/null; do sleep 1; done
            if [ -n "$runas" ]; then
                runuser -u "$runas" -- "$pgctl" -D "$pgdata" -m fast -w stop
            else
                "$pgctl" -D "$pgdata" -m fast -w stop
            fi >/dev/null 2>&1
            if [ -n "$remove" ]; then rm -rf "$remove"; fi
        "#;
        let remove =
            if self.ephemeral { self.data_dir.display().to_string() } else { String::new() };
        let spawned = Command::new("sh")
            .arg("-c")
            .arg(SCRIPT)
            .arg("colonies-edge-pg-watchdog")
            .arg(std::process::id().to_string())
            .arg(self.bin.join("pg_ctl"))
            .arg(&self.pgdata)
            .arg(self.run_as.as_deref().unwrap_or(""))
            .arg(remove)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match spawned {
            Ok(child) => Some(child),
            Err(e) => {
                tracing::warn!(error = %e, "no watchdog for the embedded PostgreSQL: it may outlive a crash");
                None
            }
        }
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        if let Err(e) = self.stop_inner() {
            tracing::warn!(error = %e, "stopping the embedded PostgreSQL failed");
        }
    }
}

fn absolute(path: &Path) -> Result<PathBuf, EmbeddedError> {
    std::path::absolute(path).map_err(io(format!("resolving {}", path.display())))
}

fn has_server_binaries(dir: &Path) -> bool {
    ["postgres", "initdb", "pg_ctl"].iter().all(|b| dir.join(b).is_file())
}

/// The PostgreSQL bin directory: the one given, else `pg_config --bindir`, else the newest
/// `/usr/lib/postgresql/*/bin` (the cluster's own major version first), else `$PATH`.
pub fn find_bin_dir(given: Option<&Path>, cluster: Option<&str>) -> Result<PathBuf, EmbeddedError> {
    let mut candidates = Vec::new();
    if let Some(dir) = given {
        candidates.push(dir.to_path_buf());
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, e.path().join("bin")))
        })
        .collect();
    debian.sort_by_key(|(v, _)| core::cmp::Reverse(*v));
    if let Some(cluster) = cluster.and_then(|c| c.parse::<u32>().ok()) {
        debian.sort_by_key(|(v, _)| *v != cluster);
    }
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if cluster.is_some() {
        // An existing cluster wants its own major version, which the Debian layout names.
        candidates.extend(debian.iter().map(|(_, p)| p.clone()));
        candidates.extend(from_pg_config);
    } else {
        candidates.extend(from_pg_config);
        candidates.extend(debian.iter().map(|(_, p)| p.clone()));
    }
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path));
    }
    if let Some(found) = candidates.iter().find(|d| has_server_binaries(d)) {
        return Ok(found.clone());
    }
    if let Some(dir) = given {
        return Err(EmbeddedError::NoBinaries { searched: vec![dir.to_path_buf()] });
    }
    Err(EmbeddedError::NoBinaries { searched: candidates })
}

fn running_as_root() -> bool {
    // /proc/self belongs to the process's effective user.
    std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

fn service_user() -> Result<String, EmbeddedError> {
    let exists = Command::new("id")
        .args(["-u", SERVICE_USER])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if exists { Ok(SERVICE_USER.into()) } else { Err(EmbeddedError::NoServiceUser) }
}

fn give_to(path: &Path, user: &str) -> Result<(), EmbeddedError> {
    let status = Command::new("chown")
        .arg(format!("{user}:"))
        .arg(path)
        .status()
        .map_err(io("running chown"))?;
    if status.success() {
        Ok(())
    } else {
        Err(EmbeddedError::Command {
            what: format!("chown {user}: {}", path.display()),
            output: status.to_string(),
        })
    }
}

fn write_private(path: &Path, contents: &[u8]) -> Result<(), EmbeddedError> {
    std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(contents))
        .map_err(io(format!("writing {}", path.display())))
}

/// `n` random bytes from the kernel, as hex.
pub fn random_hex(n: usize) -> Result<String, EmbeddedError> {
    Ok(colonies_core::hex::encode(&random_bytes(n)?))
}

fn random_bytes(n: usize) -> Result<Vec<u8>, EmbeddedError> {
    let mut bytes = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(io("reading /dev/urandom"))?;
    Ok(bytes)
}

fn port_is_free(port: u16) -> bool {
    port != 0 && TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// A port nobody listens on now (the kernel's pick).
pub fn free_port() -> Result<u16, EmbeddedError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(io("finding a free port"))
}

fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(15);
    format!("last lines of {}:\n{}", log.display(), lines[start..].join("\n"))
}
