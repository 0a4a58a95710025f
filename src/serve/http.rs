//! The dev server's HTTP side (tiny_http): map a request path to a file inside the output folder
//! and nowhere else, answer with the right Content-Type, inject the live-reload script into HTML,
//! and hold the event streams open.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::reload::{self, Hub};

/// Where a request path leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A file inside the output folder (canonical path).
    File(PathBuf),
    /// A folder asked for without its trailing slash: redirect here.
    Redirect(String),
    /// Outside the output folder, or a path no file may have.
    Forbidden,
    NotFound,
}

/// Resolves the request target `url` (`/meetings/x/?q`) against the output folder `root`.
/// Refuses `..` and `.` segments (plain or percent-encoded), encoded slashes and backslashes,
/// NUL bytes, targets that are not a path (`http://…`, `*`), and anything (symlinks included)
/// whose canonical path is not inside the canonical output folder.
pub fn resolve(root: &Path, url: &str) -> Resolved {
    let path = url.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return Resolved::Forbidden;
    }
    let lower = path.to_ascii_lowercase();
    if path.contains('\\') || lower.contains("%2f") || lower.contains("%5c") {
        return Resolved::Forbidden;
    }
    let Some(decoded) = percent_decode(path) else { return Resolved::Forbidden };
    let mut rel = PathBuf::new();
    for segment in decoded.split('/') {
        match segment {
            "" => {}
            "." | ".." => return Resolved::Forbidden,
            s if s.contains('\0') || s.contains(':') => return Resolved::Forbidden,
            s => rel.push(s),
        }
    }
    let Ok(root) = root.canonicalize() else { return Resolved::NotFound };
    let Ok(mut target) = root.join(&rel).canonicalize() else { return Resolved::NotFound };
    if !target.starts_with(&root) {
        return Resolved::Forbidden;
    }
    if target.is_dir() {
        if !path.ends_with('/') {
            return Resolved::Redirect(format!("{path}/"));
        }
        target.push("index.html");
    }
    match target.canonicalize() {
        Ok(canonical) if !canonical.starts_with(&root) => Resolved::Forbidden,
        Ok(canonical) if canonical.is_file() => Resolved::File(canonical),
        _ => Resolved::NotFound,
    }
}

/// `%XX` decoded; None when the result is not UTF-8 or an escape is malformed.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type for a file name.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

fn text(status: u16, body: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(body.as_bytes().to_vec())
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
}

/// Answers one request. Event streams take over the connection until the hub closes.
pub fn handle(request: Request, output: &Path, hub: &Arc<Hub>) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        let _ = request
            .respond(text(405, "method not allowed\n").with_header(header("Allow", "GET, HEAD")));
        return;
    }
    let url = request.url().to_string();
    if url.split('?').next() == Some(reload::EVENTS_PATH) {
        stream_events(request, hub);
        return;
    }
    let (status, file) = match resolve(output, &url) {
        Resolved::File(file) => (200, file),
        Resolved::Redirect(location) => {
            let query = url.find('?').map(|i| &url[i..]).unwrap_or("");
            let response =
                text(301, "moved\n").with_header(header("Location", &format!("{location}{query}")));
            let _ = request.respond(response);
            return;
        }
        Resolved::Forbidden => {
            let _ = request.respond(text(403, "forbidden\n"));
            return;
        }
        Resolved::NotFound => match output.join("404.html").canonicalize() {
            Ok(file) if file.is_file() => (404, file),
            _ => {
                // No site yet (the first build failed): a page that still carries the live-reload
                // script, so the error shows in its overlay and the fix reloads it.
                let page = reload::inject(
                    "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
                     <title>yilu serve</title></head><body><p>not found</p></body></html>"
                        .as_bytes(),
                );
                let response = Response::from_data(page)
                    .with_status_code(StatusCode(404))
                    .with_header(header("Content-Type", "text/html; charset=utf-8"));
                let _ = request.respond(response);
                return;
            }
        },
    };
    let response = match std::fs::read(&file) {
        Ok(bytes) => {
            let kind = content_type(&file);
            let bytes = if kind.starts_with("text/html") { reload::inject(&bytes) } else { bytes };
            Response::from_data(bytes)
                .with_status_code(StatusCode(status))
                .with_header(header("Content-Type", kind))
                .with_header(header("Cache-Control", "no-cache"))
        }
        // Replaced between resolving and reading (a rebuild): the client will retry.
        Err(_) => text(404, "not found\n"),
    };
    let _ = request.respond(response);
}

/// Holds an event stream open: written by hand on the raw connection, because tiny_http buffers
/// chunked bodies and an event must reach the page at once.
fn stream_events(request: Request, hub: &Hub) {
    let events = hub.subscribe();
    let mut writer = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\
                Connection: close\r\nAccess-Control-Allow-Origin: *\r\n\r\nretry: 1000\n\n";
    if writer.write_all(head.as_bytes()).and_then(|()| writer.flush()).is_err() {
        return;
    }
    loop {
        let chunk = match events.recv_timeout(Duration::from_secs(15)) {
            Ok(event) => event,
            // A comment line: keeps proxies from closing the stream and finds gone clients.
            Err(RecvTimeoutError::Timeout) => ": ping\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if writer.write_all(chunk.as_bytes()).and_then(|()| writer.flush()).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(out.join("meetings/x")).unwrap();
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
        assert_eq!(resolve(&out, "/"), Resolved::File(canon.join("index.html")));
        assert_eq!(
            resolve(&out, "/meetings/x/"),
            Resolved::File(canon.join("meetings/x/index.html"))
        );
        assert_eq!(
            resolve(&out, "/meetings/x/?a=1"),
            Resolved::File(canon.join("meetings/x/index.html"))
        );
        assert_eq!(resolve(&out, "/atom.xml"), Resolved::File(canon.join("atom.xml")));
        assert_eq!(resolve(&out, "/meetings/x"), Resolved::Redirect("/meetings/x/".into()));
        assert_eq!(
            resolve(&out, "/%6Deetings/x/"),
            Resolved::File(canon.join("meetings/x/index.html"))
        );
        assert_eq!(resolve(&out, "/nope/"), Resolved::NotFound);
        assert_eq!(resolve(&out, "/nope"), Resolved::NotFound);
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
            "/%00",
            "/%zz",
        ] {
            assert_eq!(resolve(&out, url), Resolved::Forbidden, "{url}");
        }
        // An absolute path in the URL stays inside the output.
        assert_eq!(resolve(&out, "//etc/passwd"), Resolved::NotFound);
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
    fn content_types() {
        for (name, want) in [
            ("a.html", "text/html; charset=utf-8"),
            ("a.css", "text/css; charset=utf-8"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("a.json", "application/json; charset=utf-8"),
            ("a.xml", "application/xml; charset=utf-8"),
            ("a.csv", "text/csv; charset=utf-8"),
            ("a.svg", "image/svg+xml; charset=utf-8"),
            ("a.txt", "text/plain; charset=utf-8"),
            ("a.bin", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(name)), want);
        }
    }
}
