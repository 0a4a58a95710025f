//! The dev server's HTTP side, on std's `TcpListener` with `httparse` for the request head:
//! bounded in every way a client could stretch it ([`Limits`]: request head size, read and write
//! timeouts, open connections), refusing Host headers that are not this server's (a DNS-rebinding
//! defence), mapping a request path to a file inside the output folder and nowhere else,
//! injecting the live-reload script into HTML, and holding the event streams open.
//!
//! HTTP/1.1 with keep-alive; only GET and HEAD; responses always carry a length (event streams
//! close the connection instead).

use std::io::{self, Read as _, Write as _};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use super::reload::{self, Hub};

/// What one client may take of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Request line and headers together, in bytes: a longer request line is answered 414,
    /// longer headers 431, without reading further.
    pub max_head: usize,
    /// How long a request head may take to arrive, counted from when the server starts waiting
    /// for it (so it is also how long an idle keep-alive connection stays open). A head still
    /// incomplete then is answered 408.
    pub read_timeout: Duration,
    /// How long a write may block on a client that does not read.
    pub write_timeout: Duration,
    /// Connections open at once (live-reload streams included); one more is answered 503.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head: 16 * 1024,
            read_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            max_connections: 64,
        }
    }
}

/// The most header lines a request may have (431 beyond).
const MAX_HEADERS: usize = 64;

/// What a connection needs to answer requests.
pub(crate) struct Context {
    /// The folder served.
    pub(crate) output: PathBuf,
    pub(crate) hub: Arc<Hub>,
    /// The address the listener is bound to (the port Host headers must name).
    pub(crate) addr: SocketAddr,
    pub(crate) limits: Limits,
}

/// A listening server; [`run`](Server::run) accepts until [`Stopper::stop`].
pub(crate) struct Server {
    listener: TcpListener,
    context: Arc<Context>,
    stopping: Arc<AtomicBool>,
}

/// Stops a running [`Server`] from another thread.
#[derive(Clone)]
pub(crate) struct Stopper {
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
}

impl Stopper {
    /// Makes `run` return: sets the flag, then wakes the blocked `accept` with a connection.
    pub(crate) fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&local(self.addr), Duration::from_secs(1));
    }
}

impl Server {
    pub(crate) fn new(listener: TcpListener, context: Context) -> Server {
        Server { listener, context: Arc::new(context), stopping: Arc::new(AtomicBool::new(false)) }
    }

    pub(crate) fn stopper(&self) -> Stopper {
        Stopper { addr: self.context.addr, stopping: Arc::clone(&self.stopping) }
    }

    /// Accepts connections until stopped, each on its own thread while fewer than
    /// `max_connections` are open; beyond that a connection is answered 503 and closed.
    pub(crate) fn run(self) {
        let open = Arc::new(AtomicUsize::new(0));
        for stream in self.listener.incoming() {
            if self.stopping.load(Ordering::SeqCst) {
                break;
            }
            let stream = match stream {
                Ok(stream) => stream,
                Err(_) => {
                    // Out of file descriptors or an aborted handshake: do not spin.
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            };
            let _ = stream.set_write_timeout(Some(self.context.limits.write_timeout));
            if open.fetch_add(1, Ordering::SeqCst) >= self.context.limits.max_connections {
                open.fetch_sub(1, Ordering::SeqCst);
                refuse_busy(stream);
                continue;
            }
            let slot = Slot(Arc::clone(&open));
            let context = Arc::clone(&self.context);
            // On failure the closure, and with it the slot, is dropped: the count stays right.
            let _ = std::thread::Builder::new().name("yilu-connection".into()).spawn(move || {
                let _slot = slot;
                connection(stream, &context);
            });
        }
    }
}

/// One open connection, counted until dropped.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn refuse_busy(mut stream: TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
    let body = "too many connections; try again\n";
    let _ = write!(
        stream,
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain; \
         charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.shutdown(Shutdown::Write);
}

/// Serves requests on one connection until the client closes it, asks to, or idles too long.
fn connection(mut stream: TcpStream, context: &Context) {
    let mut buffer = Vec::with_capacity(2048);
    loop {
        let end = match read_head(&mut stream, &mut buffer, &context.limits) {
            Ok(Some(end)) => end,
            Ok(None) => return,
            Err(status) => {
                let _ = respond(&mut stream, &Reply::text(status, reason(status)), false, true);
                linger(stream);
                return;
            }
        };
        let outcome = request(&mut stream, &buffer[..end], context);
        buffer.drain(..end);
        match outcome {
            Outcome::KeepAlive => {}
            Outcome::Close => return,
            Outcome::CloseAfterError => {
                linger(stream);
                return;
            }
        }
    }
}

/// Reads until `buffer` holds a whole request head; returns its length. None when the client
/// closed, or sent nothing within the timeout; a status to answer for a head too long (414: the
/// request line, 431: the headers) or too slow (408).
fn read_head(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    limits: &Limits,
) -> Result<Option<usize>, u16> {
    let deadline = Instant::now() + limits.read_timeout;
    let mut searched = 0;
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = head_end(buffer, searched) {
            return Ok(Some(end));
        }
        searched = buffer.len().saturating_sub(3);
        if buffer.len() >= limits.max_head {
            return Err(if buffer[..limits.max_head].contains(&b'\n') { 431 } else { 414 });
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return if buffer.is_empty() { Ok(None) } else { Err(408) };
        }
        if stream.set_read_timeout(Some(left)).is_err() {
            return Ok(None);
        }
        let room = (limits.max_head - buffer.len()).min(chunk.len());
        match stream.read(&mut chunk[..room]) {
            Ok(0) => return Ok(None),
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                return if buffer.is_empty() { Ok(None) } else { Err(408) };
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Ok(None),
        }
    }
}

/// The end of the head (after its blank line) in `buffer`, searching from `from`.
fn head_end(buffer: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(at) = buffer.get(i..).and_then(|rest| rest.iter().position(|&b| b == b'\n')) {
        let nl = i + at;
        match buffer.get(nl + 1) {
            Some(b'\n') => return Some(nl + 2),
            Some(b'\r') if buffer.get(nl + 2) == Some(&b'\n') => return Some(nl + 3),
            _ => {}
        }
        i = nl + 1;
    }
    None
}

/// After an error answer: stop writing, and read (and drop) what the client is still sending
/// for a moment, so closing does not reset the connection before the answer arrives.
fn linger(mut stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut sink = [0u8; 8192];
    let mut left: usize = 1 << 20;
    while left > 0 {
        let wait = deadline.saturating_duration_since(Instant::now());
        if wait.is_zero() || stream.set_read_timeout(Some(wait)).is_err() {
            return;
        }
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

enum Outcome {
    KeepAlive,
    Close,
    /// The request was refused as malformed, or left a body unread: close, after [`linger`].
    CloseAfterError,
}

/// What the server needs of a request's head.
struct Head<'a> {
    method: &'a str,
    target: &'a str,
    host: &'a str,
    /// A body is never read: the connection closes after answering rather than parse the
    /// body as the next request.
    has_body: bool,
    close: bool,
}

/// Parses a request head; a malformed one is the status and text to refuse it with.
fn parse_head<'h>(
    head: &'h [u8],
    headers: &'h mut [httparse::Header<'h>; MAX_HEADERS],
) -> Result<Head<'h>, (u16, &'static str)> {
    let mut parsed = httparse::Request::new(headers);
    match parsed.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Err(httparse::Error::TooManyHeaders) => return Err((431, reason(431))),
        // Control characters (CR, LF…) or spaces in the target end up here.
        Ok(httparse::Status::Partial) | Err(_) => return Err((400, reason(400))),
    }
    let (Some(method), Some(target), Some(version)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Err((400, reason(400)));
    };
    let mut hosts = parsed.headers.iter().filter(|h| h.name.eq_ignore_ascii_case("host"));
    let host = match (hosts.next(), hosts.next()) {
        (Some(h), None) => std::str::from_utf8(h.value).unwrap_or(""),
        _ => return Err((400, "one Host header is required\n")),
    };
    let header = |name: &str| {
        parsed
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).to_ascii_lowercase())
            .collect::<Vec<_>>()
    };
    let has_body = !header("transfer-encoding").is_empty()
        || header("content-length").iter().any(|v| v.trim() != "0");
    let close = version == 0
        || has_body
        || header("connection").iter().any(|v| v.split(',').any(|t| t.trim() == "close"));
    Ok(Head { method, target, host, has_body, close })
}

/// Answers the request whose head is `head`.
fn request(stream: &mut TcpStream, head: &[u8], context: &Context) -> Outcome {
    let refuse = |stream: &mut TcpStream, status: u16, why: &str| {
        let _ = respond(stream, &Reply::text(status, why), false, true);
        Outcome::CloseAfterError
    };
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let head = match parse_head(head, &mut headers) {
        Ok(head) => head,
        Err((status, why)) => return refuse(stream, status, why),
    };
    if !host_allowed(head.host, context.addr) {
        let why = "this preview answers only to localhost, 127.0.0.1, [::1] or its own address \
                   (with its port)\n";
        let _ = respond(stream, &Reply::text(403, why), false, true);
        return Outcome::Close;
    }
    let head_only = match head.method {
        "GET" => false,
        "HEAD" => true,
        _ => {
            let reply = Reply::text(405, "method not allowed\n").header("Allow", "GET, HEAD");
            let _ = respond(stream, &reply, false, true);
            return if head.has_body { Outcome::CloseAfterError } else { Outcome::Close };
        }
    };
    if head.target.split('?').next() == Some(reload::EVENTS_PATH) {
        if head_only {
            let _ = respond(stream, &Reply::new(200, "text/event-stream", Vec::new()), true, true);
        } else {
            stream_events(stream, &context.hub);
        }
        return Outcome::Close;
    }
    let Some(reply) = page_reply(&context.output, head.target) else {
        return refuse(stream, 400, reason(400));
    };
    match respond(stream, &reply, head_only, head.close) {
        Ok(()) if !head.close => Outcome::KeepAlive,
        // A body was sent and not read: let it drain, so the answer is not lost to a reset.
        Ok(()) if head.has_body => Outcome::CloseAfterError,
        _ => Outcome::Close,
    }
}

/// The answer to a GET of `target` under `output`; None for a malformed target.
fn page_reply(output: &Path, target: &str) -> Option<Reply> {
    Some(match resolve(output, target) {
        Resolved::File(file) => file_reply(200, &file),
        Resolved::Redirect(location) => Reply::text(301, "moved\n").header("Location", &location),
        Resolved::Forbidden => Reply::text(403, "forbidden\n"),
        Resolved::BadRequest => return None,
        Resolved::NotFound => match output.join("404.html").canonicalize() {
            Ok(file) if file.is_file() => file_reply(404, &file),
            // No site yet (the first build failed): a page that still carries the live-reload
            // script, so the error shows in its overlay and the fix reloads it.
            _ => Reply::new(
                404,
                "text/html; charset=utf-8",
                reload::inject(
                    "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
                     <title>yilu serve</title></head><body><p>not found</p></body></html>"
                        .as_bytes(),
                ),
            ),
        },
    })
}

/// A file's bytes as a response, the live-reload script injected into HTML.
fn file_reply(status: u16, file: &Path) -> Reply {
    match std::fs::read(file) {
        Ok(bytes) => {
            let kind = content_type(file);
            let bytes = if kind.starts_with("text/html") { reload::inject(&bytes) } else { bytes };
            Reply::new(status, &kind, bytes).header("Cache-Control", "no-cache")
        }
        // Replaced between resolving and reading (a rebuild): the client will retry.
        Err(_) => Reply::text(404, "not found\n"),
    }
}

/// True when `host` (a Host header) names this server: `localhost` (or a `*.localhost` name),
/// a loopback address, or the bound address, with the bound port (or none for port 80). Bound
/// to an unspecified address (`0.0.0.0`, `::`), any IP address is accepted, so other devices
/// can use this machine's address; names other than localhost never are, since whoever controls
/// a name's DNS can point it at this machine from a page in its browser.
pub(crate) fn host_allowed(host: &str, bound: SocketAddr) -> bool {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let Some((ip, after)) = rest.split_once(']') else { return false };
        match after {
            "" => (ip, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (ip, Some(port)),
                None => return false,
            },
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        }
    };
    let port_ok = match port {
        Some(port) => port.parse::<u16>() == Ok(bound.port()),
        None => bound.port() == 80,
    };
    if !port_ok || name.is_empty() {
        return false;
    }
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    match name.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback() || ip == bound.ip() || bound.ip().is_unspecified(),
        Err(_) => false,
    }
}

/// A response to write.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
        Reply { status, headers: vec![("Content-Type", content_type.to_string())], body }
    }

    fn text(status: u16, body: &str) -> Reply {
        Reply::new(status, "text/plain; charset=utf-8", body.as_bytes().to_vec())
    }

    /// Adds a header; `value` comes from this module and never holds CR or LF.
    fn header(mut self, name: &'static str, value: &str) -> Reply {
        debug_assert!(!value.chars().any(char::is_control), "{name}: {value:?}");
        self.headers.push((name, value.to_string()));
        self
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

fn respond(stream: &mut TcpStream, reply: &Reply, head_only: bool, close: bool) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("X-Content-Type-Options: nosniff\r\n");
    head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&reply.body)?;
    }
    stream.flush()
}

/// Holds an event stream open until the hub closes or the client goes. Same-origin only: no
/// CORS header, so other sites' pages cannot read it.
fn stream_events(stream: &mut TcpStream, hub: &Hub) {
    let events = hub.subscribe();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\
                Connection: close\r\n\r\nretry: 1000\n\n";
    if stream.write_all(head.as_bytes()).and_then(|()| stream.flush()).is_err() {
        return;
    }
    loop {
        let chunk = match events.recv_timeout(Duration::from_secs(15)) {
            Ok(event) => event,
            // A comment line: keeps proxies from closing the stream and finds gone clients.
            Err(RecvTimeoutError::Timeout) => ": ping\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if stream.write_all(chunk.as_bytes()).and_then(|()| stream.flush()).is_err() {
            return;
        }
    }
}

/// Where a request path leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// A file inside the output folder (canonical path).
    File(PathBuf),
    /// A folder asked for without its trailing slash: redirect here (a path and query,
    /// percent-encoded so it is safe in a header).
    Redirect(String),
    /// Outside the output folder, or a path no file may have.
    Forbidden,
    /// Control characters (CR, LF, NUL…), raw or percent-encoded, in the target.
    BadRequest,
    NotFound,
}

/// What a path segment in a Location header must have encoded (besides non-ASCII).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'\\');
/// What a query echoed in a Location header must have encoded (`%` stays: it is already
/// an escape).
const QUERY: &AsciiSet =
    &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'<').add(b'>').add(b'`').add(b'\\');

/// Resolves the request target `url` (`/meetings/x/?q`) against the output folder `root`.
/// Refuses `..` and `.` segments (plain or percent-encoded), encoded slashes and backslashes,
/// control characters, targets that are not a path (`http://…`, `*`), and anything (symlinks
/// included) whose canonical path is not inside the canonical output folder.
pub(crate) fn resolve(root: &Path, url: &str) -> Resolved {
    if url.chars().any(char::is_control) {
        return Resolved::BadRequest;
    }
    let (path, query) = match url.split_once('?') {
        Some((path, query)) => (path, Some(query.split('#').next().unwrap_or(""))),
        None => (url.split('#').next().unwrap_or(""), None),
    };
    if !path.starts_with('/') {
        return Resolved::Forbidden;
    }
    let lower = path.to_ascii_lowercase();
    if path.contains('\\') || lower.contains("%2f") || lower.contains("%5c") {
        return Resolved::Forbidden;
    }
    let Ok(decoded) = percent_decode_str(path).decode_utf8() else { return Resolved::Forbidden };
    if decoded.chars().any(char::is_control) {
        return Resolved::BadRequest;
    }
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" => {}
            "." | ".." => return Resolved::Forbidden,
            s if s.contains(':') => return Resolved::Forbidden,
            s => segments.push(s),
        }
    }
    let rel: PathBuf = segments.iter().collect();
    let Ok(root) = root.canonicalize() else { return Resolved::NotFound };
    let Ok(mut target) = root.join(&rel).canonicalize() else { return Resolved::NotFound };
    if !target.starts_with(&root) {
        return Resolved::Forbidden;
    }
    if target.is_dir() {
        if !path.ends_with('/') {
            // Rebuilt from the segments, so `//host` cannot become a redirect to another site.
            let mut location = String::from("/");
            for segment in &segments {
                location.extend(utf8_percent_encode(segment, SEGMENT));
                location.push('/');
            }
            if let Some(query) = query {
                location.push('?');
                location.extend(utf8_percent_encode(query, QUERY));
            }
            return Resolved::Redirect(location);
        }
        target.push("index.html");
    }
    match target.canonicalize() {
        Ok(canonical) if !canonical.starts_with(&root) => Resolved::Forbidden,
        Ok(canonical) if canonical.is_file() => Resolved::File(canonical),
        _ => Resolved::NotFound,
    }
}

/// The Content-Type for a file name (mime_guess), with `charset=utf-8` for text: yilu writes
/// every text file in UTF-8.
pub(crate) fn content_type(path: &Path) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let textual = mime.type_() == "text"
        || matches!(mime.subtype().as_str(), "json" | "xml" | "javascript")
        || mime.suffix().is_some_and(|s| matches!(s.as_str(), "xml" | "json"));
    if textual {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().into()
    }
}

/// `addr`, or loopback on its port when it is unspecified (`0.0.0.0`, `::`).
pub(crate) fn local(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => {
            (std::net::Ipv4Addr::LOCALHOST, addr.port()).into()
        }
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => {
            (std::net::Ipv6Addr::LOCALHOST, addr.port()).into()
        }
        _ => addr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(out.join("meetings/x")).unwrap();
        std::fs::create_dir_all(out.join("会议")).unwrap();
        std::fs::write(out.join("index.html"), "home").unwrap();
        std::fs::write(out.join("meetings/x/index.html"), "x").unwrap();
        std::fs::write(out.join("atom.xml"), "feed").unwrap();
        std::fs::write(tmp.path().join("secret.txt"), "secret").unwrap();
        tmp
    }

    #[test]
    fn serves_files_and_folders_inside_the_output() {
        let tmp = site();
        let out = tmp.path().join("public");
        let canon = out.canonicalize().unwrap();
        let rows: &[(&str, Resolved)] = &[
            ("/", Resolved::File(canon.join("index.html"))),
            ("/meetings/x/", Resolved::File(canon.join("meetings/x/index.html"))),
            ("/meetings/x/?a=1", Resolved::File(canon.join("meetings/x/index.html"))),
            ("/atom.xml", Resolved::File(canon.join("atom.xml"))),
            ("/%6Deetings/x/", Resolved::File(canon.join("meetings/x/index.html"))),
            ("/meetings/x", Resolved::Redirect("/meetings/x/".into())),
            ("/meetings/x?a=1&b=%20", Resolved::Redirect("/meetings/x/?a=1&b=%20".into())),
            // `//meetings` must not become a protocol-relative redirect to a host `meetings`.
            ("//meetings", Resolved::Redirect("/meetings/".into())),
            ("/%E4%BC%9A%E8%AE%AE", Resolved::Redirect("/%E4%BC%9A%E8%AE%AE/".into())),
            ("/会议", Resolved::Redirect("/%E4%BC%9A%E8%AE%AE/".into())),
            ("/meetings?\"<x>", Resolved::Redirect("/meetings/?%22%3Cx%3E".into())),
            ("/nope/", Resolved::NotFound),
            ("/nope", Resolved::NotFound),
        ];
        for (url, want) in rows {
            assert_eq!(&resolve(&out, url), want, "{url}");
        }
    }

    #[test]
    fn refuses_paths_that_leave_the_output() {
        let tmp = site();
        let out = tmp.path().join("public");
        for url in [
            "/../secret.txt",
            "/meetings/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E/secret.txt",
            "/meetings%2f..%2f..%2fsecret.txt",
            "/..%5csecret.txt",
            "/..\\secret.txt",
            "/./index.html",
            "//etc/passwd/..",
            "http://example.org/",
            "secret.txt",
            "/C:/Windows",
            "/%ff",
        ] {
            assert_eq!(resolve(&out, url), Resolved::Forbidden, "{url}");
        }
        // An absolute path in the URL stays inside the output; a malformed escape is a name.
        assert_eq!(resolve(&out, "//etc/passwd"), Resolved::NotFound);
        assert_eq!(resolve(&out, "/%zz"), Resolved::NotFound);
    }

    #[test]
    fn refuses_control_characters_raw_or_encoded() {
        let tmp = site();
        let out = tmp.path().join("public");
        for url in [
            "/meetings?\nSet-Cookie:x=1",
            "/meetings\r\nSet-Cookie:x=1",
            "/meetings/x/?a\u{7}",
            "/%00",
            "/meetings%0d%0aSet-Cookie:x=1",
            "/meetings%0A",
        ] {
            assert_eq!(resolve(&out, url), Resolved::BadRequest, "{url:?}");
        }
        // Encoded in the query, they stay encoded in the Location.
        assert_eq!(
            resolve(&out, "/meetings?%0d%0aSet-Cookie:x=1"),
            Resolved::Redirect("/meetings/?%0d%0aSet-Cookie:x=1".into())
        );
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_out_of_the_output() {
        let tmp = site();
        let out = tmp.path().join("public");
        std::os::unix::fs::symlink(tmp.path().join("secret.txt"), out.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(tmp.path(), out.join("up")).unwrap();
        std::os::unix::fs::symlink(out.join("atom.xml"), out.join("inside.xml")).unwrap();
        assert_eq!(resolve(&out, "/link.txt"), Resolved::Forbidden);
        assert_eq!(resolve(&out, "/up/secret.txt"), Resolved::Forbidden);
        assert_eq!(resolve(&out, "/up/"), Resolved::Forbidden);
        assert!(matches!(resolve(&out, "/inside.xml"), Resolved::File(_)));
    }

    #[test]
    fn hosts() {
        let loopback: SocketAddr = "127.0.0.1:1111".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:1111".parse().unwrap();
        let lan: SocketAddr = "192.168.1.5:1111".parse().unwrap();
        let port80: SocketAddr = "127.0.0.1:80".parse().unwrap();
        let rows: &[(&str, SocketAddr, bool)] = &[
            ("localhost:1111", loopback, true),
            ("LOCALHOST:1111", loopback, true),
            ("localhost.:1111", loopback, true),
            ("app.localhost:1111", loopback, true),
            ("127.0.0.1:1111", loopback, true),
            ("127.0.0.2:1111", loopback, true),
            ("[::1]:1111", loopback, true),
            ("localhost:1112", loopback, false),
            ("localhost", loopback, false),
            ("localhost:", loopback, false),
            ("localhost:x", loopback, false),
            ("evil.example:1111", loopback, false),
            ("localhost.evil.example:1111", loopback, false),
            ("192.168.1.5:1111", loopback, false),
            ("192.168.1.5:1111", lan, true),
            ("192.168.1.6:1111", lan, false),
            ("192.168.1.6:1111", any, true),
            ("[fe80::1]:1111", any, true),
            ("evil.example:1111", any, false),
            ("", loopback, false),
            (":1111", loopback, false),
            ("[::1", loopback, false),
            ("[::1]x", loopback, false),
            ("localhost", port80, true),
            ("[::1]", port80, true),
        ];
        for (host, bound, want) in rows {
            assert_eq!(host_allowed(host, *bound), *want, "{host} on {bound}");
        }
    }

    #[test]
    fn head_ends() {
        let rows: &[(&[u8], Option<usize>)] = &[
            (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", Some(27)),
            (b"GET / HTTP/1.1\nHost: x\n\n", Some(24)),
            (b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET", Some(27)),
            (b"GET / HTTP/1.1\r\nHost: x\r\n", None),
            (b"GET / HTTP/1.1\r\nHost: x\r\n\r", None),
            (b"", None),
        ];
        for (bytes, want) in rows {
            assert_eq!(head_end(bytes, 0), *want, "{:?}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn content_types() {
        for (name, want) in [
            ("a.html", "text/html; charset=utf-8"),
            ("a.css", "text/css; charset=utf-8"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("a.json", "application/json; charset=utf-8"),
            ("a.xml", "text/xml; charset=utf-8"),
            ("a.csv", "text/csv; charset=utf-8"),
            ("a.svg", "image/svg+xml; charset=utf-8"),
            ("a.txt", "text/plain; charset=utf-8"),
            ("a.png", "image/png"),
            ("a.woff2", "font/woff2"),
            ("a.bin", "application/octet-stream"),
            ("noext", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(name)), want, "{name}");
        }
    }
}
