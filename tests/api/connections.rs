//! Connections (issue 10, points 11 and 12): deadlines for slow and idle clients, the cap on open
//! connections, shutdown that does not wait for idle clients, and problem+json for the requests
//! hyper refuses by itself. Real sockets; the real binary where a signal or a log line is the
//! point.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream as StdStream,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::Value;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::support::*;

/// A `tenantdesk serve` process whose stdout lines are collected as they come.
pub struct Served {
    child: Child,
    pub addr: String,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Served {
    /// The binary with the test database, listening on a free port, no ingestion worker, and
    /// `env` on top.
    pub fn command(env: &[(&str, &str)]) -> Command {
        let cfg = config();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tenantdesk"));
        cmd.arg("serve")
            .env("BIND_ADDR", "127.0.0.1:0")
            .env("DATABASE_URL", cfg.database_url.expose())
            .env(
                "MIGRATION_DATABASE_URL",
                cfg.migration_database_url.expose(),
            )
            .env("EMBEDDING_MODEL_DIR", &cfg.embedding.model_dir)
            .env("WORKER_ENABLED", "false")
            .env("RUST_LOG", "info")
            .env_remove("NO_COLOR")
            .envs(env.iter().copied());
        cmd
    }

    pub fn start(mut cmd: Command) -> Self {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().unwrap();
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let mut served = Self {
            child,
            addr: String::new(),
            lines,
        };
        let line = served
            .wait_for_log("listening", Duration::from_secs(120))
            .unwrap_or_else(|| panic!("never listened: {}", served.log()));
        served.addr = listen_addr(&line).unwrap_or_else(|| panic!("no address in {line:?}"));
        served
    }

    /// The first log line containing `needle`, waiting up to `within` for it.
    pub fn wait_for_log(&self, needle: &str, within: Duration) -> Option<String> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(l) = self
                .lines
                .lock()
                .unwrap()
                .iter()
                .find(|l| l.contains(needle))
            {
                return Some(l.clone());
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    pub fn sigterm(&self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -TERM");
    }

    /// How long the process took to exit (successfully), if it did within `within`.
    pub fn exits_within(&mut self, within: Duration) -> Option<Duration> {
        let start = Instant::now();
        while start.elapsed() < within {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exit status {status:?}: {}", self.log());
                return Some(start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// CPU seconds (user + system) the process has used so far.
    pub fn cpu_secs(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .unwrap()
            .1
            .split_whitespace()
            .collect();
        let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
        let hz = Command::new("getconf").arg("CLK_TCK").output().unwrap();
        ticks
            / String::from_utf8_lossy(&hz.stdout)
                .trim()
                .parse::<f64>()
                .unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `addr` of the "listening" line, text (colour codes or not: another test checks those) or
/// JSON.
fn listen_addr(line: &str) -> Option<String> {
    if let Ok(v) = serde_json::from_str::<Value>(line) {
        return v["addr"].as_str().map(str::to_string);
    }
    let mut plain = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|&c| c == 'm');
        } else {
            plain.push(c);
        }
    }
    plain
        .split_whitespace()
        .find_map(|t| t.strip_prefix("addr="))
        .map(str::to_string)
}

/// A response read off a raw socket.
pub struct Raw {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// Asserts a problem+json answer with this status and code, and that the request id is in
    /// both the header and the body.
    #[track_caller]
    pub fn problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "{}", self.head);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.head
        );
        let body: Value = serde_json::from_slice(&self.body).expect("a JSON body");
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["status"], status, "{body}");
        assert!(
            body["title"].is_string() && body["type"].is_string(),
            "{body}"
        );
        let id = self.header("x-request-id").expect("x-request-id");
        assert_eq!(body["request_id"], id, "{body}");
        body
    }
}

/// Reads one response (head and a Content-Length body) off `s`.
pub async fn read_response(s: &mut TcpStream) -> Raw {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let b = s.read_u8().await.expect("a response head");
        head.push(b);
    }
    let head = String::from_utf8(head).unwrap();
    let status = head[9..12].parse().unwrap();
    let mut raw = Raw {
        status,
        head,
        body: Vec::new(),
    };
    let len: usize = raw
        .header("content-length")
        .map_or(0, |l| l.parse().unwrap());
    raw.body = vec![0; len];
    s.read_exact(&mut raw.body).await.unwrap();
    raw
}

/// Whether the server closes `s` within `within` (a read sees the end or a reset).
pub async fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    tokio::time::timeout(within, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

const GET_HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";

#[tokio::test]
async fn a_request_head_sent_too_slowly_is_dropped_after_the_header_timeout() {
    let app = spawn_with(|c| {
        c.http.header_read_timeout = Duration::from_secs(1);
        c.http.idle_timeout = Duration::from_secs(60);
    })
    .await;

    // Slowloris: a header line every 200 ms, never the blank line that ends the head.
    let mut slow = TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 256];
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        for i in 0.. {
            tokio::select! {
                r = slow.read(&mut buf) => match r {
                    Ok(0) | Err(_) => return,
                    Ok(n) => panic!("answered a half-sent head: {:?}", String::from_utf8_lossy(&buf[..n])),
                },
                // The slow client under test: a header line every 200 ms.
                _ = tokio::time::sleep(Duration::from_millis(200)) => {
                    if slow.write_all(format!("X-Slow-{i}: a\r\n").as_bytes()).await.is_err() {
                        return;
                    }
                }
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "a trickled head was never dropped");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900),
        "closed too early: {took:?}"
    );

    // A connection that sends nothing at all gets the same deadline for its first head.
    let mut silent = TcpStream::connect(app.addr).await.unwrap();
    assert!(closed_within(&mut silent, Duration::from_secs(10)).await);

    // A head sent in time is answered as usual.
    let mut ok = TcpStream::connect(app.addr).await.unwrap();
    ok.write_all(GET_HEALTHZ).await.unwrap();
    assert_eq!(read_response(&mut ok).await.status, 200);
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_idle_timeout_over_http1_and_http2() {
    let app = spawn_with(|c| {
        c.http.header_read_timeout = Duration::from_secs(30);
        c.http.idle_timeout = Duration::from_secs(1);
    })
    .await;

    // HTTP/1.1 keep-alive: one request, then nothing.
    let mut h1 = TcpStream::connect(app.addr).await.unwrap();
    h1.write_all(GET_HEALTHZ).await.unwrap();
    assert_eq!(read_response(&mut h1).await.status, 200);
    let idle_from = Instant::now();
    assert!(closed_within(&mut h1, Duration::from_secs(10)).await);
    assert!(idle_from.elapsed() >= Duration::from_millis(900));

    // HTTP/2 (prior knowledge): the server ends the connection after a GOAWAY.
    let tcp = TcpStream::connect(app.addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(tcp),
    )
    .await
    .unwrap();
    let conn = tokio::spawn(conn);
    let req = hyper::Request::get(format!("http://{}/healthz", app.addr))
        .body(http_body_util::Empty::<hyper::body::Bytes>::new())
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    drop(resp);
    let ended = tokio::time::timeout(Duration::from_secs(10), conn).await;
    assert!(ended.is_ok(), "the idle HTTP/2 connection stayed open");

    // A request in flight is not idle, however long its body takes.
    let body = r#"{"tenant":"no-such-tenant","email":"a@b.c","password":"whatever"}"#;
    let mut slow = TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(
        format!(
            "POST /v1/auth/token HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    for part in body.as_bytes().chunks(body.len() / 3 + 1) {
        // The slow body under test: each pause is longer than the idle timeout.
        tokio::time::sleep(Duration::from_millis(700)).await;
        slow.write_all(part).await.unwrap();
    }
    assert_eq!(read_response(&mut slow).await.status, 401);
}

#[tokio::test]
async fn over_the_connection_cap_a_new_connection_waits_until_one_closes() {
    let app = spawn_with(|c| c.http.max_connections = 2).await;
    let mut first = TcpStream::connect(app.addr).await.unwrap();
    let mut second = TcpStream::connect(app.addr).await.unwrap();
    for s in [&mut first, &mut second] {
        s.write_all(GET_HEALTHZ).await.unwrap();
        assert_eq!(read_response(s).await.status, 200);
    }

    // The third is left in the listen backlog: its request is not read.
    let mut third = TcpStream::connect(app.addr).await.unwrap();
    third.write_all(GET_HEALTHZ).await.unwrap();
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(700), third.read(&mut byte)).await;
    assert!(early.is_err(), "answered over the cap: {early:?}");

    drop(first);
    let resp = tokio::time::timeout(Duration::from_secs(10), read_response(&mut third)).await;
    assert_eq!(resp.expect("served once a slot freed").status, 200);
}

/// hyper answers these itself (an empty 400/414/431); they get problem+json like every error.
#[tokio::test]
async fn requests_that_are_not_valid_http_get_a_problem_answer() {
    let app = spawn().await;
    let long_uri = format!("GET /{} HTTP/1.1\r\nHost: t\r\n\r\n", "a".repeat(70_000));
    let many_headers = format!(
        "GET /healthz HTTP/1.1\r\nHost: t\r\n{}\r\n",
        (0..200)
            .map(|i| format!("X-H{i}: v\r\n"))
            .collect::<String>()
    );
    let cases: [(&[u8], u16, &str); 6] = [
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n", 400, "bad_request"),
        (b"GET /healthz HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n", 400, "bad_request"),
        (
            b"POST /v1/auth/token HTTP/1.1\r\nHost: t\r\nContent-Length: ten\r\n\r\n",
            400,
            "bad_request",
        ),
        (
            b"POST /v1/auth/token HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
            400,
            "bad_request",
        ),
        (long_uri.as_bytes(), 414, "uri_too_long"),
        (many_headers.as_bytes(), 431, "headers_too_large"),
    ];
    for (request, status, code) in cases {
        let mut s = TcpStream::connect(app.addr).await.unwrap();
        s.write_all(request).await.unwrap();
        read_response(&mut s).await.problem(status, code);
    }

    // On a keep-alive connection, after a good request.
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    s.write_all(GET_HEALTHZ).await.unwrap();
    let ok = read_response(&mut s).await;
    assert_eq!(ok.status, 200);
    assert_eq!(
        ok.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n")
        .await
        .unwrap();
    read_response(&mut s).await.problem(400, "bad_request");
    assert!(closed_within(&mut s, Duration::from_secs(5)).await);
}

/// SIGTERM with an idle HTTP/1.1 keep-alive connection, an idle HTTP/2 connection, a half-sent
/// request head and a connection that never sent anything: none of them holds the process for
/// the grace period. Text logs to a pipe carry no colour codes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_does_not_wait_for_idle_or_half_open_connections() {
    let mut served = Served::start(Served::command(&[
        ("SHUTDOWN_GRACE_SECS", "60"),
        ("HEADER_READ_TIMEOUT_SECS", "120"),
        ("IDLE_TIMEOUT_SECS", "120"),
        ("LOG_FORMAT", "text"),
    ]));
    let addr = served.addr.clone();

    let mut keep_alive = StdStream::connect(&addr).unwrap();
    keep_alive
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: keep-alive-1\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 512];
    let n = keep_alive.read(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));

    let h2 = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let r = h2
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    assert_eq!(r.status(), 200);
    r.bytes().await.unwrap();

    let mut half = StdStream::connect(&addr).unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        .unwrap();
    let silent = StdStream::connect(&addr).unwrap();
    // Time for the server to accept both (nothing outside the process shows that it has); one it
    // has not accepted yet is closed with the listener, which the test allows as well.
    std::thread::sleep(Duration::from_millis(300));

    served.sigterm();
    let took = served.exits_within(Duration::from_secs(20));
    let log = served.log();
    assert!(
        took.is_some_and(|t| t < Duration::from_secs(10)),
        "exit took {took:?} (grace 60 s): {log}"
    );
    drop((keep_alive, half, silent, h2));

    assert!(log.contains("keep-alive-1"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "ANSI colour codes in a piped log: {log:?}"
    );
}

/// Under an open-file limit of 128, 150 clients connect at once. The service keeps its cap on
/// connections below the limit, says so in its log, leaves the rest waiting without spinning a
/// core on failing accepts, and serves again once they leave.
#[test]
fn at_the_open_file_limit_clients_wait_and_the_accept_loop_does_not_spin() {
    let mut cmd = Command::new("bash");
    cmd.args(["-c", r#"ulimit -n 128 && exec "$@""#, "bash"])
        .arg(env!("CARGO_BIN_EXE_tenantdesk"));
    let base = Served::command(&[
        ("DB_POOL_SIZE", "2"),
        ("HEADER_READ_TIMEOUT_SECS", "120"),
        ("IDLE_TIMEOUT_SECS", "120"),
        ("LOG_FORMAT", "json"),
    ]);
    cmd.args(base.get_args());
    for (k, v) in base.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let served = Served::start(cmd);
    let listening = served.wait_for_log("listening", Duration::ZERO).unwrap();
    let cap = serde_json::from_str::<Value>(&listening).unwrap()["max_connections"]
        .as_u64()
        .expect("max_connections in the listening line");
    assert!(cap < 128, "cap {cap} not below the open-file limit");

    let clients: Vec<StdStream> = (0..150)
        .map(|_| StdStream::connect(&served.addr).unwrap())
        .collect();
    let line = served.wait_for_log("connection limit reached", Duration::from_secs(20));
    assert!(line.is_some(), "no log line: {}", served.log());

    let before = served.cpu_secs();
    // What is measured: the CPU the server spends over two seconds of waiting at its cap.
    std::thread::sleep(Duration::from_secs(2));
    let spent = served.cpu_secs() - before;
    assert!(spent < 0.25, "{spent:.2} s of CPU in 2 s while waiting");

    let mut waiting = StdStream::connect(&served.addr).unwrap();
    waiting.write_all(GET_HEALTHZ).unwrap();
    drop(clients);
    waiting
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut buf = [0u8; 64];
    let n = waiting.read(&mut buf).expect("served once the others left");
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{:?}", &buf[..n]);
}
