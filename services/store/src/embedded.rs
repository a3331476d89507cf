//! A private PostgreSQL cluster run from the machine's own server binaries (`initdb`, `pg_ctl`),
//! so `jevons` works with zero setup when no `DATABASE_URL` is given.
//!
//! The cluster listens on 127.0.0.1 only, on a free port, with scram-sha-256 password auth and no
//! Unix socket. The password is generated once and kept in `<data_dir>/jevons_password` (0600).
//! PostgreSQL refuses to run as root, so when jevons runs as root the server runs as the
//! `postgres` system user, which then owns the data directory.
//!
//! Over 400 lines because the embedded cluster's lifecycle (find binaries, initdb, run as a
//! non-root user, start, stop, restart) is one unit with its platform rules.

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use nix::unistd::{Gid, Uid, User};

/// The file beside the cluster files that holds the generated superuser password.
pub const PASSWORD_FILE: &str = "jevons_password";
/// The server log, written by `pg_ctl -l`.
pub const LOG_FILE: &str = "server.log";
/// The oldest major version jevons runs on.
pub const MIN_MAJOR: u32 = 14;

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "no PostgreSQL server binaries found (need initdb and pg_ctl >= {MIN_MAJOR}): install them with `sudo apt-get install -y postgresql`, or set DATABASE_URL"
    )]
    NoBinaries,
    #[error(
        "JEVONS_PG_BINDIR={} does not contain initdb, pg_ctl and postgres",
        .0.display()
    )]
    BadBindir(PathBuf),
    #[error(
        "the PostgreSQL binaries in {} are version {found}; jevons needs {MIN_MAJOR} or newer (set JEVONS_PG_BINDIR or DATABASE_URL)",
        dir.display()
    )]
    TooOld { dir: PathBuf, found: u32 },
    #[error(
        "running as root, but there is no `postgres` system user to run the embedded PostgreSQL server as: create one (install the postgresql package), run jevons as a normal user, or set DATABASE_URL"
    )]
    NoPostgresUser,
    #[error(
        "the `{user}` user cannot reach {}: {} is not searchable by it; put the data directory somewhere it can reach, or set DATABASE_URL",
        data_dir.display(),
        blocked.display()
    )]
    NotTraversable {
        user: String,
        data_dir: PathBuf,
        blocked: PathBuf,
    },
    #[error(
        "{} is not empty and is not a PostgreSQL data directory; choose an empty or new directory",
        .0.display()
    )]
    NotACluster(PathBuf),
    #[error(
        "{} holds a PostgreSQL cluster but no {PASSWORD_FILE} file, so jevons cannot log in; remove the directory to start afresh",
        .0.display()
    )]
    MissingPassword(PathBuf),
    #[error("{what} failed: {detail}")]
    Command { what: String, detail: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

fn io_err(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> EmbeddedError {
    let context = context.into();
    move |source| EmbeddedError::Io { context, source }
}

/// Where the server binaries are: `JEVONS_PG_BINDIR`, else `pg_config --bindir`, else the newest
/// `/usr/lib/postgresql/*/bin` (Debian) or `/usr/pgsql-*/bin` (RHEL). Checks the version.
pub fn find_bindir() -> Result<PathBuf, EmbeddedError> {
    let dir = locate_bindir()?;
    let found = server_major_version(&dir)?;
    if found < MIN_MAJOR {
        return Err(EmbeddedError::TooOld { dir, found });
    }
    Ok(dir)
}

fn has_binaries(dir: &Path) -> bool {
    ["initdb", "pg_ctl", "postgres"]
        .iter()
        .all(|b| dir.join(b).is_file())
}

fn locate_bindir() -> Result<PathBuf, EmbeddedError> {
    if let Some(dir) = std::env::var_os("JEVONS_PG_BINDIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        return if has_binaries(&dir) {
            Ok(dir)
        } else {
            Err(EmbeddedError::BadBindir(dir))
        };
    }
    if let Ok(out) = Command::new("pg_config")
        .arg("--bindir")
        .stdin(Stdio::null())
        .output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has_binaries(&dir) {
            return Ok(dir);
        }
    }
    let mut candidates: Vec<(u32, PathBuf)> = Vec::new();
    for (parent, prefix, suffix) in [
        ("/usr/lib/postgresql", "", "bin"),
        ("/usr", "pgsql-", "bin"),
    ] {
        let Ok(entries) = fs::read_dir(parent) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(version) = name
                .to_str()
                .and_then(|n| n.strip_prefix(prefix))
                .and_then(|v| v.parse::<u32>().ok())
            else {
                continue;
            };
            let dir = entry.path().join(suffix);
            if has_binaries(&dir) {
                candidates.push((version, dir));
            }
        }
    }
    candidates
        .into_iter()
        .max_by_key(|(v, _)| *v)
        .map(|(_, dir)| dir)
        .ok_or(EmbeddedError::NoBinaries)
}

/// The major version printed by `initdb --version` ("initdb (PostgreSQL) 15.20 (Debian …)").
fn server_major_version(bindir: &Path) -> Result<u32, EmbeddedError> {
    let out = Command::new(bindir.join("initdb"))
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(io_err(format!("running {}/initdb", bindir.display())))?;
    let text = String::from_utf8_lossy(&out.stdout);
    parse_major(&text).ok_or_else(|| EmbeddedError::Command {
        what: "initdb --version".into(),
        detail: format!("unexpected output {:?}", text.trim()),
    })
}

fn parse_major(version_line: &str) -> Option<u32> {
    let after = version_line.split_once(')')?.1.trim_start();
    let digits: String = after.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// The user the server processes run as when jevons itself runs as root.
#[derive(Debug, Clone)]
struct RunAs {
    name: String,
    uid: Uid,
    gid: Gid,
}

fn run_as() -> Result<Option<RunAs>, EmbeddedError> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    match User::from_name("postgres") {
        Ok(Some(u)) => Ok(Some(RunAs {
            name: u.name,
            uid: u.uid,
            gid: u.gid,
        })),
        _ => Err(EmbeddedError::NoPostgresUser),
    }
}

/// Fails early, with a clear message, when `user` cannot search every ancestor of `dir`. The
/// child keeps no supplementary groups (std drops them when it changes uid), so owner, primary
/// group and "other" bits are all that count.
fn check_traversable(dir: &Path, user: &RunAs) -> Result<(), EmbeddedError> {
    for ancestor in dir.ancestors().skip(1) {
        let meta =
            fs::metadata(ancestor).map_err(io_err(format!("reading {}", ancestor.display())))?;
        let mode = meta.mode();
        let searchable = if meta.uid() == user.uid.as_raw() {
            mode & 0o100 != 0
        } else if meta.gid() == user.gid.as_raw() {
            mode & 0o010 != 0
        } else {
            mode & 0o001 != 0
        };
        if !searchable {
            return Err(EmbeddedError::NotTraversable {
                user: user.name.clone(),
                data_dir: dir.to_path_buf(),
                blocked: ancestor.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// Where the cluster goes when root's checkout is out of the `postgres` user's reach (a `0700`
/// home such as `/root`, a `mktemp -d` directory): one directory per checkout path.
pub const FALLBACK_ROOT: &str = "/var/lib/jevons";

/// `data_dir` when `user` can reach it, else `<fallback_root>/pg-<hash of data_dir>`: stable for
/// a checkout, distinct between checkouts. Logged, since the data then lives elsewhere.
fn reachable_data_dir(
    data_dir: PathBuf,
    user: &RunAs,
    fallback_root: &Path,
) -> Result<PathBuf, EmbeddedError> {
    // Created first (as root, like every parent on the way) so that only real directories'
    // modes are judged; an empty directory left behind when falling back is harmless.
    fs::create_dir_all(&data_dir).map_err(io_err(format!("creating {}", data_dir.display())))?;
    let Err(unreachable) = check_traversable(&data_dir, user) else {
        return Ok(data_dir);
    };
    let fallback = fallback_root.join(format!(
        "pg-{:016x}",
        fnv1a(data_dir.as_os_str().as_encoded_bytes())
    ));
    fs::create_dir_all(fallback_root)
        .map_err(io_err(format!("creating {}", fallback_root.display())))?;
    if check_traversable(&fallback, user).is_err() {
        // The fallback is no better: report the directory that was asked for.
        return Err(unreachable);
    }
    tracing::warn!(
        asked = %data_dir.display(),
        using = %fallback.display(),
        user = %user.name,
        "the PostgreSQL user cannot reach the data directory; the embedded cluster lives in the fallback directory instead"
    );
    Ok(fallback)
}

/// FNV-1a: a hash that stays the same across Rust versions (the fallback path must not move).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn chown(path: &Path, user: &RunAs) -> Result<(), EmbeddedError> {
    nix::unistd::chown(path, Some(user.uid), Some(user.gid)).map_err(|e| EmbeddedError::Io {
        context: format!("changing the owner of {} to {}", path.display(), user.name),
        source: e.into(),
    })
}

fn random_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..32)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// Writes a secret file readable only by its owner (and the cluster user, who owns it).
fn write_secret(path: &Path, contents: &str, owner: Option<&RunAs>) -> Result<(), EmbeddedError> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io_err(format!("creating {}", path.display())))?;
    file.write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io_err(format!("writing {}", path.display())))?;
    if let Some(user) = owner {
        chown(path, user)?;
    }
    Ok(())
}

/// True if `pid` has exited but was not reaped yet (Linux `/proc`; false elsewhere).
fn is_zombie(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            stat.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}

fn free_port() -> Result<u16, EmbeddedError> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(io_err("finding a free port on 127.0.0.1"))?;
    let port = listener
        .local_addr()
        .map_err(io_err("finding a free port on 127.0.0.1"))?
        .port();
    Ok(port)
}

fn describe(out: &Output) -> String {
    let mut text = String::from_utf8_lossy(&out.stderr).trim().to_string();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if text.is_empty() {
        text = stdout.trim().to_string();
    }
    format!("{} ({})", text, out.status)
}

/// The last `lines` lines of a file, for error messages; empty if unreadable.
fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A running (or stopped) private cluster. Dropping it stops the server if this value started it.
pub struct EmbeddedPostgres {
    bindir: PathBuf,
    data_dir: PathBuf,
    port: u16,
    password: String,
    user: Option<RunAs>,
    /// Started by this value, so `stop`/`Drop` shut it down.
    owned: bool,
    running: bool,
    initialized_now: bool,
}

impl std::fmt::Debug for EmbeddedPostgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedPostgres")
            .field("bindir", &self.bindir)
            .field("data_dir", &self.data_dir)
            .field("port", &self.port)
            .field("password", &"[REDACTED]")
            .field("run_as", &self.user.as_ref().map(|u| &u.name))
            .field("owned", &self.owned)
            .field("running", &self.running)
            .finish()
    }
}

impl EmbeddedPostgres {
    /// Starts the cluster in `data_dir` (running `initdb` first if the directory is new or empty).
    /// If a server already runs on that directory, it is reused and left running afterwards.
    pub async fn start(data_dir: &Path) -> Result<Self, EmbeddedError> {
        let data_dir = data_dir.to_path_buf();
        tokio::task::spawn_blocking(move || Self::start_blocking(&data_dir))
            .await
            .map_err(|e| EmbeddedError::Command {
                what: "starting the embedded server".into(),
                detail: e.to_string(),
            })?
    }

    /// [`EmbeddedPostgres::start`] for synchronous callers.
    pub fn start_blocking(data_dir: &Path) -> Result<Self, EmbeddedError> {
        let bindir = find_bindir()?;
        let user = run_as()?;
        let mut data_dir = std::path::absolute(data_dir)
            .map_err(io_err(format!("resolving {}", data_dir.display())))?;
        if let Some(u) = &user {
            data_dir = reachable_data_dir(data_dir, u, Path::new(FALLBACK_ROOT))?;
        }
        fs::create_dir_all(&data_dir)
            .map_err(io_err(format!("creating {}", data_dir.display())))?;
        if let Some(u) = &user {
            check_traversable(&data_dir, u)?;
            let meta = fs::metadata(&data_dir)
                .map_err(io_err(format!("reading {}", data_dir.display())))?;
            if meta.uid() != u.uid.as_raw() {
                chown(&data_dir, u)?;
            }
        }

        let mut pg = EmbeddedPostgres {
            bindir,
            data_dir,
            port: 0,
            password: String::new(),
            user,
            owned: false,
            running: false,
            initialized_now: false,
        };
        if !pg.data_dir.join("PG_VERSION").is_file() {
            pg.initdb()?;
        }
        pg.password = fs::read_to_string(pg.data_dir.join(PASSWORD_FILE))
            .map_err(|_| EmbeddedError::MissingPassword(pg.data_dir.clone()))?
            .trim()
            .to_string();

        if let Some(port) = pg.running_port()? {
            tracing::info!(data_dir = %pg.data_dir.display(), port, "reusing the running embedded PostgreSQL");
            pg.port = port;
            pg.running = true;
            return Ok(pg);
        }
        pg.launch()?;
        Ok(pg)
    }

    /// A `Command` for one of the server binaries, run as the cluster user.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bindir.join(program));
        cmd.current_dir(&self.data_dir)
            .env("HOME", &self.data_dir)
            .env_remove("PGDATA")
            .env_remove("PGPORT")
            .env_remove("PGHOST")
            .env_remove("PGOPTIONS")
            .stdin(Stdio::null());
        if let Some(u) = &self.user {
            cmd.uid(u.uid.as_raw()).gid(u.gid.as_raw());
        }
        cmd
    }

    fn run(&self, mut cmd: Command, what: &str) -> Result<Output, EmbeddedError> {
        cmd.output().map_err(io_err(format!(
            "running {what} from {}",
            self.bindir.display()
        )))
    }

    fn initdb(&mut self) -> Result<(), EmbeddedError> {
        let not_empty = fs::read_dir(&self.data_dir)
            .map_err(io_err(format!("reading {}", self.data_dir.display())))?
            .next()
            .is_some();
        if not_empty {
            return Err(EmbeddedError::NotACluster(self.data_dir.clone()));
        }
        let password = random_password();
        let pwfile = std::env::temp_dir().join(format!("jevons-pw-{:016x}", rand::random::<u64>()));
        write_secret(&pwfile, &password, self.user.as_ref())?;
        let mut cmd = self.command("initdb");
        cmd.arg("-D")
            .arg(&self.data_dir)
            .args(["-U", "postgres", "--auth=scram-sha-256", "-E", "UTF8"])
            .args(["--no-locale", "--no-instructions"])
            .arg(format!("--pwfile={}", pwfile.display()));
        tracing::info!(data_dir = %self.data_dir.display(), "initialising a new PostgreSQL cluster");
        let out = self.run(cmd, "initdb");
        if let Err(e) = fs::remove_file(&pwfile) {
            tracing::warn!(error = %e, file = %pwfile.display(), "could not remove the temporary password file");
        }
        let out = out?;
        if !out.status.success() {
            return Err(EmbeddedError::Command {
                what: "initdb".into(),
                detail: describe(&out),
            });
        }
        write_secret(
            &self.data_dir.join(PASSWORD_FILE),
            &password,
            self.user.as_ref(),
        )?;
        self.initialized_now = true;
        Ok(())
    }

    /// The port of a server already running on this data directory, from `postmaster.pid`.
    fn running_port(&self) -> Result<Option<u16>, EmbeddedError> {
        let pid_path = self.data_dir.join("postmaster.pid");
        // A postmaster killed while nobody reaps it stays a zombie for a while; `pg_ctl status`
        // (and postgres itself) would take its pid file for a live server. Wait for the reaper,
        // then treat the file as stale.
        for _ in 0..30 {
            let mut cmd = self.command("pg_ctl");
            cmd.arg("status").arg("-D").arg(&self.data_dir);
            let out = self.run(cmd, "pg_ctl status")?;
            match out.status.code() {
                Some(0) => {}
                Some(3) => return Ok(None),
                _ => {
                    return Err(EmbeddedError::Command {
                        what: "pg_ctl status".into(),
                        detail: describe(&out),
                    });
                }
            }
            let pid_file = fs::read_to_string(&pid_path).unwrap_or_default();
            let mut lines = pid_file.lines();
            let pid: Option<u32> = lines.next().and_then(|l| l.trim().parse().ok());
            if pid.is_some_and(is_zombie) {
                std::thread::sleep(std::time::Duration::from_millis(100));
                continue;
            }
            // postmaster.pid: pid, data dir, start time, port, socket dir, listen address, …
            return match lines.nth(2).and_then(|l| l.trim().parse().ok()) {
                Some(port) => Ok(Some(port)),
                None => Err(EmbeddedError::Command {
                    what: "reading postmaster.pid".into(),
                    detail: "a server runs on this directory but its port is unknown".into(),
                }),
            };
        }
        tracing::warn!(file = %pid_path.display(), "removing the pid file of a dead (zombie) postmaster");
        fs::remove_file(&pid_path).map_err(io_err(format!("removing {}", pid_path.display())))?;
        Ok(None)
    }

    fn launch(&mut self) -> Result<(), EmbeddedError> {
        // Another process may take the port between our probe and the server's bind; retry.
        let mut last_error = None;
        for _ in 0..3 {
            match self.launch_on(free_port()?) {
                Ok(()) => return Ok(()),
                Err(error) => {
                    let in_use = matches!(&error, EmbeddedError::Command { detail, .. }
                        if detail.contains("could not bind") || detail.contains("in use"));
                    last_error = Some(error);
                    if !in_use {
                        break;
                    }
                }
            }
        }
        Err(last_error.unwrap_or(EmbeddedError::NoBinaries))
    }

    /// Starts the server on `port`; the error quotes the end of the server log.
    fn launch_on(&mut self, port: u16) -> Result<(), EmbeddedError> {
        let log = self.data_dir.join(LOG_FILE);
        if let Some(u) = &self.user
            && let Ok(meta) = fs::metadata(&log)
            && meta.uid() != u.uid.as_raw()
        {
            chown(&log, u)?;
        }
        let mut cmd = self.command("pg_ctl");
        cmd.args(["start", "-w", "-t", "60", "-D"])
            .arg(&self.data_dir)
            .arg("-l")
            .arg(&log)
            .arg("-o")
            .arg(format!(
                "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
            ));
        let out = self.run(cmd, "pg_ctl start")?;
        if out.status.success() {
            tracing::info!(data_dir = %self.data_dir.display(), port, "embedded PostgreSQL started");
            self.port = port;
            self.owned = true;
            self.running = true;
            return Ok(());
        }
        Err(EmbeddedError::Command {
            what: "pg_ctl start".into(),
            detail: format!(
                "{}; server log {}:\n{}",
                describe(&out),
                log.display(),
                tail(&log, 5)
            ),
        })
    }

    /// Starts a server that [`EmbeddedPostgres::stop`] stopped again, on the same port, so that
    /// pools holding its URL reconnect by themselves: a database restart, as the fault tests
    /// make one. Does nothing while it runs.
    pub fn start_again(&mut self) -> Result<(), EmbeddedError> {
        if self.running {
            return Ok(());
        }
        self.launch_on(self.port)
    }

    /// `postgres://postgres:PASSWORD@127.0.0.1:PORT/database`.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres:{}@127.0.0.1:{}/{database}",
            self.password, self.port
        )
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// True if this start created the cluster (ran `initdb`).
    pub fn initialized_now(&self) -> bool {
        self.initialized_now
    }

    /// Leaves the server running when this value is stopped or dropped (the shared test cluster).
    pub fn leave_running(&mut self) {
        self.owned = false;
    }

    /// Stops the server with `pg_ctl stop -m fast -w` if this value started it. Idempotent.
    pub fn stop(&mut self) -> Result<(), EmbeddedError> {
        if !self.running {
            return Ok(());
        }
        self.running = false;
        if !self.owned {
            return Ok(());
        }
        let mut cmd = self.command("pg_ctl");
        cmd.args(["stop", "-m", "fast", "-w", "-D"])
            .arg(&self.data_dir);
        let out = self.run(cmd, "pg_ctl stop")?;
        if !out.status.success() {
            return Err(EmbeddedError::Command {
                what: "pg_ctl stop".into(),
                detail: describe(&out),
            });
        }
        tracing::info!(data_dir = %self.data_dir.display(), "embedded PostgreSQL stopped");
        Ok(())
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        if let Err(e) = self.stop() {
            tracing::warn!(error = %e, "could not stop the embedded PostgreSQL server");
        }
    }
}

/// Where the shared test cluster lives: `<tmp>/jevons-test-pg`.
pub fn shared_test_dir() -> PathBuf {
    std::env::temp_dir().join("jevons-test-pg")
}

static SHARED_TEST_URL: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

/// A server URL (database `postgres`) of one cluster in `<tmp>/jevons-test-pg` shared by every
/// test process. Processes serialise on an exclusive lock of `<tmp>/jevons-test-pg.lock`; the
/// first starts the server, later ones reuse it. It is intentionally left running after the
/// tests, so the next run starts in milliseconds; `pg_ctl stop -D /tmp/jevons-test-pg` stops it
/// (as the `postgres` user when the tests ran as root).
pub async fn shared_test_cluster() -> Result<String, EmbeddedError> {
    SHARED_TEST_URL
        .get_or_try_init(|| async {
            tokio::task::spawn_blocking(shared_test_cluster_blocking)
                .await
                .map_err(|e| EmbeddedError::Command {
                    what: "starting the shared test cluster".into(),
                    detail: e.to_string(),
                })?
        })
        .await
        .cloned()
}

fn shared_test_cluster_blocking() -> Result<String, EmbeddedError> {
    let lock_path = std::env::temp_dir().join("jevons-test-pg.lock");
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io_err(format!("opening {}", lock_path.display())))?;
    // Permissive so that a later non-root run can take the lock too.
    let _ = fs::set_permissions(&lock_path, fs::Permissions::from_mode(0o666));
    lock.lock()
        .map_err(io_err(format!("locking {}", lock_path.display())))?;
    let mut pg = EmbeddedPostgres::start_blocking(&shared_test_dir())?;
    pg.leave_running();
    Ok(pg.url("postgres"))
    // The lock is released when `lock` is dropped here.
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse() {
        assert_eq!(
            parse_major("initdb (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n"),
            Some(15)
        );
        assert_eq!(parse_major("initdb (PostgreSQL) 17beta1"), Some(17));
        assert_eq!(parse_major("garbage"), None);
    }

    #[test]
    fn the_missing_binaries_message_is_one_actionable_line() {
        let msg = EmbeddedError::NoBinaries.to_string();
        assert!(!msg.contains('\n'));
        assert!(msg.contains("apt-get install -y postgresql"), "{msg}");
        assert!(msg.contains("DATABASE_URL"), "{msg}");
    }

    #[test]
    fn passwords_are_long_and_url_safe() {
        let a = random_password();
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, random_password());
    }

    #[test]
    fn an_unreachable_directory_is_reported() {
        let user = RunAs {
            name: "nobody-here".into(),
            uid: Uid::from_raw(65_000),
            gid: Gid::from_raw(65_000),
        };
        let base = std::env::temp_dir().join(format!("jevons-trav-{:x}", rand::random::<u64>()));
        let inner = base.join("inner");
        fs::create_dir_all(&inner).unwrap();
        fs::set_permissions(&base, fs::Permissions::from_mode(0o700)).unwrap();
        let err = check_traversable(&inner.join("pg"), &user).unwrap_err();
        assert!(matches!(err, EmbeddedError::NotTraversable { .. }), "{err}");
        fs::set_permissions(&base, fs::Permissions::from_mode(0o755)).unwrap();
        assert!(check_traversable(&inner.join("pg"), &user).is_ok());
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn an_unreachable_checkout_gets_a_stable_fallback_directory() {
        let user = RunAs {
            name: "nobody-here".into(),
            uid: Uid::from_raw(65_000),
            gid: Gid::from_raw(65_000),
        };
        let base = std::env::temp_dir().join(format!("jevons-fb-{:x}", rand::random::<u64>()));
        let (home, fallback_root) = (base.join("home"), base.join("fallback"));
        fs::create_dir_all(&home).unwrap();
        fs::set_permissions(&base, fs::Permissions::from_mode(0o755)).unwrap();
        let wanted = home.join("checkout/data/pg");
        // Reachable: kept as asked.
        assert_eq!(
            reachable_data_dir(wanted.clone(), &user, &fallback_root).unwrap(),
            wanted
        );
        // A 0700 home: a directory under the fallback root, the same on every start.
        fs::set_permissions(&home, fs::Permissions::from_mode(0o700)).unwrap();
        let first = reachable_data_dir(wanted.clone(), &user, &fallback_root).unwrap();
        assert!(first.starts_with(&fallback_root), "{}", first.display());
        assert_eq!(
            reachable_data_dir(wanted.clone(), &user, &fallback_root).unwrap(),
            first
        );
        let other = reachable_data_dir(home.join("other/data/pg"), &user, &fallback_root).unwrap();
        assert_ne!(other, first, "two checkouts, two clusters");
        // When the fallback is unreachable too, the error names the directory asked for.
        fs::set_permissions(&base, fs::Permissions::from_mode(0o700)).unwrap();
        let err = reachable_data_dir(wanted.clone(), &user, &fallback_root).unwrap_err();
        assert!(err.to_string().contains("checkout/data/pg"), "{err}");
        fs::set_permissions(&base, fs::Permissions::from_mode(0o755)).unwrap();
        fs::remove_dir_all(&base).unwrap();
    }
}
