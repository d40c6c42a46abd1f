//! The HTTP server: the accept loop and the life of each connection, around poem's endpoint.
//!
//! poem's own `Server` cannot keep this service's promises: it has no header-read or idle
//! deadline, no cap on connections, retries a failing `accept` at once (a core spins at the
//! open-file limit), and at shutdown waits for idle connections to go away by themselves. So
//! connections are served here with hyper-util's auto builder (HTTP/1.1, and HTTP/2 with prior
//! knowledge), each one watched by an [`Activity`]:
//!
//! - a request head must be complete within `header_read_timeout` of its first byte (of the
//!   connection's start, for the first request): a half-sent head is dropped;
//! - a connection with no request in flight is closed after `idle_timeout`;
//! - at most `max_connections` are open (kept below the open-file limit); more wait in the listen
//!   backlog, and a log line says so;
//! - at shutdown the listener closes, connections with no request in flight close at once
//!   (HTTP/2 after a GOAWAY), the others after their requests, and whatever is still open when
//!   the grace period ends is dropped.
//!
//! hyper answers an HTTP/1.1 request head it cannot parse (400, 414, 431) by itself, with an
//! empty body and no hook to change it. It only does so with no request in flight and every
//! earlier response flushed, a state [`Activity`] knows; in that state [`Watched`] writes a
//! problem+json answer in place of hyper's. The other way, checking each head before hyper,
//! would mean framing HTTP/1.1 a second time (bodies, chunked encoding) beside hyper: two parsers
//! that may disagree are how request smuggling starts.

use std::{
    convert::Infallible,
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{Arc, Mutex, MutexGuard},
    task::{Context, Poll, ready},
    time::Duration,
};

use http_body::{Body, Frame, SizeHint};
use http_body_util::combinators::BoxBody;
use hyper::body::{Bytes, Incoming};
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto,
};
use poem::{
    Endpoint,
    endpoint::BoxEndpoint,
    http::{StatusCode, Version, uri::Scheme},
    web::{LocalAddr, RemoteAddr},
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::{Notify, OwnedSemaphorePermit, Semaphore},
    time::Instant,
};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

use crate::{
    config::HttpConfig,
    error::{ApiError, PROBLEM_JSON, ProblemCode},
};

type ResponseBody = BoxBody<Bytes, io::Error>;

/// Open files kept for everything but client connections (beyond the pool): the listener,
/// stdio, the runtime, the model, uploads being read.
const RESERVED_FDS: usize = 64;
/// An `accept` that failed for want of resources (descriptors, memory) is retried after this
/// pause rather than at once.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// How long a closing HTTP/2 connection with nothing in flight may take over its GOAWAY.
const GOAWAY_PATIENCE: Duration = Duration::from_secs(1);
/// At most one "limit reached" or "accept failed" line per period, however long it lasts.
const LOG_EVERY: Duration = Duration::from_secs(10);

pub struct Server {
    listener: TcpListener,
    endpoint: BoxEndpoint<'static, poem::Response>,
    limits: HttpConfig,
    max_connections: usize,
}

/// What every connection task shares.
struct Shared {
    endpoint: BoxEndpoint<'static, poem::Response>,
    builder: auto::Builder<TokioExecutor>,
    limits: HttpConfig,
    local: SocketAddr,
    /// Shutdown has begun: close what is idle, let requests in flight finish.
    stop: CancellationToken,
    /// The grace period is over: drop every connection.
    hard: CancellationToken,
}

impl Server {
    /// `reserved`: open files the caller needs besides connections (the database pool).
    pub fn new(
        listener: TcpListener,
        endpoint: BoxEndpoint<'static, poem::Response>,
        limits: HttpConfig,
        reserved: usize,
    ) -> Self {
        let max_connections = connection_cap(limits.max_connections, reserved + RESERVED_FDS);
        Self {
            listener,
            endpoint,
            limits,
            max_connections,
        }
    }

    /// The cap actually applied: `MAX_CONNECTIONS`, lowered to fit the open-file limit.
    pub fn max_connections(&self) -> usize {
        self.max_connections
    }

    /// Serves until `stop` is cancelled, then drains the connections for at most `grace`.
    pub async fn run(self, stop: CancellationToken, grace: Duration) -> io::Result<()> {
        let local = self.listener.local_addr()?;
        let mut builder = auto::Builder::new(TokioExecutor::new());
        // poem's settings, kept.
        builder
            .http2()
            .max_concurrent_streams(200)
            .max_pending_accept_reset_streams(20)
            .max_header_list_size(16 * 1024);
        let shared = Arc::new(Shared {
            endpoint: self.endpoint,
            builder,
            limits: self.limits,
            local,
            stop: stop.clone(),
            hard: CancellationToken::new(),
        });
        let permits = Arc::new(Semaphore::new(self.max_connections));
        let tasks = TaskTracker::new();
        let mut full_logged: Option<Instant> = None;
        let mut error_logged: Option<Instant> = None;
        loop {
            let permit = match permits.clone().try_acquire_owned() {
                Ok(p) => p,
                Err(_) => {
                    if due(&mut full_logged) {
                        tracing::warn!(
                            max_connections = self.max_connections,
                            "connection limit reached: new connections wait until one closes"
                        );
                    }
                    tokio::select! {
                        p = permits.clone().acquire_owned() => p.expect("the semaphore is never closed"),
                        _ = stop.cancelled() => break,
                    }
                }
            };
            let (stream, remote) = tokio::select! {
                r = self.listener.accept() => match r {
                    Ok(accepted) => accepted,
                    // The client gave up before we took its connection: nothing to wait for.
                    Err(e) if matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionReset
                            | io::ErrorKind::Interrupted
                    ) => continue,
                    Err(e) => {
                        if due(&mut error_logged) {
                            tracing::warn!(error = %e, "accepting a connection failed; pausing");
                        }
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                        continue;
                    }
                },
                _ = stop.cancelled() => break,
            };
            let _ = stream.set_nodelay(true);
            tasks.spawn(serve_connection(shared.clone(), stream, remote, permit));
        }
        drop(self.listener);
        tasks.close();
        if tokio::time::timeout(grace, tasks.wait()).await.is_err() {
            tracing::warn!("grace period over: dropping the connections still open");
            shared.hard.cancel();
            tasks.wait().await;
        }
        Ok(())
    }
}

/// Whether a rate-limited log line may be written now.
fn due(last: &mut Option<Instant>) -> bool {
    let now = Instant::now();
    if last.is_some_and(|t| now < t + LOG_EVERY) {
        return false;
    }
    *last = Some(now);
    true
}

/// Raises the soft limit on open files to the hard one (the soft default is often 1,024) and
/// keeps the connection cap `reserved` descriptors below it: past the limit `accept` fails,
/// whereas below the cap clients simply wait in the backlog.
fn connection_cap(wanted: usize, reserved: usize) -> usize {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let soft = match (limit.current, limit.maximum) {
        (Some(current), Some(max)) if max > current => {
            let raised = Rlimit {
                current: Some(max),
                maximum: Some(max),
            };
            match setrlimit(Resource::Nofile, raised) {
                Ok(()) => Some(max),
                Err(e) => {
                    tracing::warn!(error = %e, "could not raise the open-file limit");
                    Some(current)
                }
            }
        }
        (current, _) => current,
    };
    let Some(soft) = soft else { return wanted };
    let fits = usize::try_from(soft)
        .unwrap_or(usize::MAX)
        .saturating_sub(reserved)
        .max(1);
    if fits < wanted {
        tracing::warn!(
            max_connections = wanted,
            open_file_limit = soft,
            serving = fits,
            "MAX_CONNECTIONS lowered to fit under the open-file limit"
        );
    }
    wanted.min(fits)
}

/// Why a connection is being closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Close {
    /// A request head was not complete in time.
    HeadTimeout,
    /// Nothing in flight for `idle_timeout`.
    Idle,
    Shutdown,
}

async fn serve_connection(
    shared: Arc<Shared>,
    stream: TcpStream,
    remote: SocketAddr,
    _permit: OwnedSemaphorePermit,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
        remote,
        rewrite: Rewrite::Off,
    });
    let service = {
        let (activity, shared) = (activity.clone(), shared.clone());
        hyper::service::service_fn(move |req: poem::http::Request<Incoming>| {
            let in_flight = activity.start(req.version() == Version::HTTP_2);
            let shared = shared.clone();
            async move {
                let req = poem::Request::from((
                    req,
                    LocalAddr(shared.local.into()),
                    RemoteAddr(remote.into()),
                    Scheme::HTTP,
                ));
                let resp: poem::http::Response<ResponseBody> =
                    shared.endpoint.get_response(req).await.into();
                Ok::<_, Infallible>(resp.map(|body| Tracked {
                    body,
                    _in_flight: in_flight,
                }))
            }
        })
    };
    let conn = shared.builder.serve_connection(io, service);
    tokio::pin!(conn);
    let why = tokio::select! {
        res = conn.as_mut() => {
            if let Err(e) = res {
                tracing::debug!(%remote, error = %e, "connection ended with an error");
            }
            return;
        }
        why = activity.expired(&shared.limits) => why,
        _ = shared.stop.cancelled() => Close::Shutdown,
    };
    // With no request in flight there is nothing to lose: a half-sent head or an idle HTTP/1.1
    // connection is closed at once. HTTP/2 gets a GOAWAY first, so the client knows that none
    // of its requests was cut off.
    if why == Close::HeadTimeout || (activity.quiet() && !activity.is_h2()) {
        tracing::debug!(%remote, reason = ?why, "closing connection");
        return;
    }
    conn.as_mut().graceful_shutdown();
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = shared.hard.cancelled() => return,
            // A client with nothing in flight gets a moment to take the GOAWAY, not the whole
            // grace period: it may never answer the PING that completes it.
            _ = tokio::time::sleep(GOAWAY_PATIENCE) => if activity.quiet() {
                return;
            },
        }
    }
}

/// What a connection is doing, for its deadlines and for recognising hyper's own answers.
struct Activity {
    state: Mutex<State>,
    changed: Notify,
}

struct State {
    /// Requests whose response has not been written yet.
    in_flight: usize,
    /// When the last response was done (or the connection opened).
    idle_since: Instant,
    /// When the first byte of the next request head arrived.
    head_since: Option<Instant>,
    /// Every response so far has been written out and flushed.
    flushed: bool,
    /// HTTP/2 (known from the first request): frames arrive between requests, so bytes read
    /// while idle do not start a request head.
    h2: bool,
}

impl Activity {
    fn new() -> Self {
        let now = Instant::now();
        Self {
            state: Mutex::new(State {
                in_flight: 0,
                idle_since: now,
                // The first request head is due from the connection's start.
                head_since: Some(now),
                flushed: true,
                h2: false,
            }),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn update(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.lock());
        self.changed.notify_waiters();
    }

    /// Bytes arrived.
    fn read(&self) {
        let mut s = self.lock();
        if s.in_flight == 0 && s.head_since.is_none() && !s.h2 {
            s.head_since = Some(Instant::now());
            drop(s);
            self.changed.notify_waiters();
        }
    }

    /// hyper handed a request to the service.
    fn start(self: &Arc<Self>, h2: bool) -> InFlight {
        self.update(|s| {
            s.in_flight += 1;
            s.head_since = None;
            s.flushed = false;
            s.h2 |= h2;
        });
        InFlight(self.clone())
    }

    /// Everything written so far went out.
    fn flushed(&self) {
        let mut s = self.lock();
        if s.in_flight == 0 {
            s.flushed = true;
        }
    }

    fn quiet(&self) -> bool {
        self.lock().in_flight == 0
    }

    fn is_h2(&self) -> bool {
        self.lock().h2
    }

    /// The only state in which hyper writes on an HTTP/1.1 connection by itself.
    fn hyper_answers(&self) -> bool {
        let s = self.lock();
        s.in_flight == 0 && s.flushed && !s.h2
    }

    /// Resolves when a deadline passes.
    async fn expired(&self, limits: &HttpConfig) -> Close {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let next = {
                let s = self.lock();
                match (s.in_flight, s.head_since) {
                    (0, Some(t)) => Some((t + limits.header_read_timeout, Close::HeadTimeout)),
                    (0, None) => Some((s.idle_since + limits.idle_timeout, Close::Idle)),
                    _ => None,
                }
            };
            match next {
                None => changed.await,
                Some((at, why)) if Instant::now() >= at => return why,
                Some((at, _)) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(at) => {}
                        _ = changed => {}
                    }
                }
            }
        }
    }
}

/// A request being answered; dropped with the response body (or the cancelled request).
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.update(|s| {
            s.in_flight -= 1;
            if s.in_flight == 0 {
                s.idle_since = Instant::now();
            }
        });
    }
}

/// A response body that keeps its request in flight until hyper is done with it.
struct Tracked {
    body: ResponseBody,
    _in_flight: InFlight,
}

impl Body for Tracked {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Replacing hyper's own answer to a head it could not parse.
enum Rewrite {
    Off,
    /// What is left to write of ours.
    Writing(Bytes),
    /// Ours is written; the rest of hyper's is dropped (it closes the connection next).
    Done,
}

/// The client's socket, as hyper sees it: reads mark the start of a request head, flushes mark
/// responses as written, and hyper's bare error answers become problem+json.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
    remote: SocketAddr,
    rewrite: Rewrite,
}

impl Watched {
    /// Whether this write is (the rest of) hyper's own answer.
    fn takes_over(&mut self, buf: &[u8]) -> bool {
        if !matches!(self.rewrite, Rewrite::Off) {
            return true;
        }
        let Some(status) = self
            .activity
            .hyper_answers()
            .then(|| hyper_status(buf))
            .flatten()
        else {
            return false;
        };
        self.rewrite = Rewrite::Writing(problem_answer(status, self.remote));
        true
    }

    fn poll_rewrite(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Rewrite::Writing(rest) = &mut self.rewrite {
            if rest.is_empty() {
                self.rewrite = Rewrite::Done;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, rest))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            let _ = rest.split_to(n);
        }
        Poll::Ready(Ok(()))
    }
}

/// The status of an HTTP/1.1 error answer at the start of `buf`.
fn hyper_status(buf: &[u8]) -> Option<StatusCode> {
    let code = buf.strip_prefix(b"HTTP/1.1 ")?.get(..3)?;
    let status = StatusCode::from_bytes(code).ok()?;
    (status.is_client_error() || status.is_server_error()).then_some(status)
}

/// The problem+json answer that replaces hyper's bare one (after which the connection closes).
fn problem_answer(status: StatusCode, remote: SocketAddr) -> Bytes {
    let (code, detail) = match status {
        StatusCode::URI_TOO_LONG => (ProblemCode::UriTooLong, "the request target is too long"),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => (
            ProblemCode::HeadersTooLarge,
            "the request head has too many or too large header fields",
        ),
        _ => (
            ProblemCode::BadRequest,
            "the request is not valid HTTP/1.1 (request line, header syntax, Content-Length or \
             Transfer-Encoding)",
        ),
    };
    let id = uuid::Uuid::new_v4().to_string();
    let mut problem = ApiError::new(status, code, detail).problem();
    problem.request_id = Some(id.clone());
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    tracing::info!(
        request_id = %id,
        client_ip = %remote.ip(),
        status = status.as_u16(),
        "refused a request that is not valid HTTP"
    );
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: {PROBLEM_JSON}\r\ncontent-length: {}\r\n\
         connection: close\r\n{}: {id}\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or_default(),
        body.len(),
        crate::http::REQUEST_ID_HEADER,
    );
    [head.into_bytes(), body].concat().into()
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            this.activity.read();
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.takes_over(buf) {
            // The rest goes out on flush, which hyper always calls next.
            let _ = this.poll_rewrite(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let first = bufs.iter().find(|b| !b.is_empty()).map_or(&[][..], |b| b);
        if this.takes_over(first) {
            let _ = this.poll_rewrite(cx)?;
            return Poll::Ready(Ok(bufs.iter().map(|b| b.len()).sum()));
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_rewrite(cx))?;
        ready!(Pin::new(&mut this.inner).poll_flush(cx))?;
        this.activity.flushed();
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_rewrite(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::hyper_status;
    use poem::http::StatusCode;

    #[test]
    fn only_an_http1_error_status_line_is_taken_for_hypers_answer() {
        assert_eq!(
            hyper_status(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"),
            Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        );
        assert_eq!(
            hyper_status(b"HTTP/1.1 400 Bad Request\r\n"),
            Some(StatusCode::BAD_REQUEST)
        );
        for other in [
            &b"HTTP/1.1 200 OK\r\n"[..],
            b"HTTP/1.1 4",
            b"\x00\x00\x12\x04\x00\x00\x00\x00\x00",
            b"",
        ] {
            assert_eq!(hyper_status(other), None, "{other:?}");
        }
    }
}
