//! Live reload over Server-Sent Events: a hub that fans `reload` and `error` events out to every
//! open page, and the small script that `serve` injects into HTML responses (never into the
//! output files). The script reloads the page on `reload`, shows an overlay on `error`, and
//! reconnects (then reloads) when the server restarts.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Where the injected script listens.
pub(crate) const EVENTS_PATH: &str = "/__yilu/events";

/// What the pages are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    /// The output changed: reload.
    Reload,
    /// The last change broke the build; the message, as printed in the terminal.
    Error(String),
}

impl Event {
    /// The event in the text/event-stream format.
    pub(crate) fn to_sse(&self) -> String {
        match self {
            Event::Reload => "event: reload\ndata: \n\n".to_string(),
            Event::Error(message) => {
                let mut out = String::from("event: error\n");
                for line in message.lines() {
                    out.push_str("data: ");
                    out.push_str(line);
                    out.push('\n');
                }
                out.push('\n');
                out
            }
        }
    }
}

/// Every open event stream, and the build error pages connecting now should see.
#[derive(Default)]
pub(crate) struct Hub {
    clients: Mutex<Vec<Sender<String>>>,
    error: Mutex<Option<String>>,
}

impl Hub {
    /// Sends `event` to every open page; an error is remembered until the next reload.
    pub(crate) fn send(&self, event: &Event) {
        *lock(&self.error) = match event {
            Event::Reload => None,
            Event::Error(message) => Some(message.clone()),
        };
        let text = event.to_sse();
        lock(&self.clients).retain(|c| c.send(text.clone()).is_ok());
    }

    /// A new event stream; it gets the current error at once, if any.
    pub(crate) fn subscribe(&self) -> Receiver<String> {
        let (tx, rx) = channel();
        if let Some(message) = lock(&self.error).clone() {
            let _ = tx.send(Event::Error(message).to_sse());
        }
        lock(&self.clients).push(tx);
        rx
    }

    /// Ends every stream (the server is stopping).
    pub(crate) fn close(&self) {
        lock(&self.clients).clear();
    }
}

/// The lock's data even if a thread panicked while holding it: the hub holds only a list of
/// senders and a message, both whole at every step, so a panic elsewhere (a request thread)
/// must not take the rebuild thread, which sends through the hub, down with it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The live-reload client. `error` is both our event and EventSource's own connection-error
/// event; only ours carries data.
pub(crate) const SCRIPT: &str = r#"<script>(function () {
  var box = null, opened = false;
  function show(text) {
    if (!box) {
      box = document.createElement("pre");
      box.id = "yilu-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;margin:0;padding:2em;" +
        "overflow:auto;white-space:pre-wrap;background:rgba(40,0,0,.93);color:#fff;" +
        "font:14px/1.5 ui-monospace,monospace";
      document.body.appendChild(box);
    }
    box.textContent = "yilu: the build failed; showing the last good page.\n\n" + text;
  }
  function connect() {
    var es = new EventSource("/__yilu/events");
    es.onopen = function () { if (opened) location.reload(); opened = true; };
    es.addEventListener("reload", function () { location.reload(); });
    es.addEventListener("error", function (e) {
      if (typeof e.data === "string") { show(e.data); return; }
      if (es.readyState === EventSource.CLOSED) { es.close(); setTimeout(connect, 1000); }
    });
  }
  connect();
})();</script>"#;

/// `html` with the live-reload script before its last `</body>` (or at the end).
pub(crate) fn inject(html: &[u8]) -> Vec<u8> {
    let at =
        html.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + SCRIPT.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(SCRIPT.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_last_body_end() {
        let html = b"<html><body><p>x</p></body></html>";
        let out = String::from_utf8(inject(html)).unwrap();
        assert!(out.ends_with(&format!("<p>x</p>{SCRIPT}</body></html>")));
        let bare = String::from_utf8(inject(b"<p>x</p>")).unwrap();
        assert_eq!(bare, format!("<p>x</p>{SCRIPT}"));
    }

    #[test]
    fn errors_are_multi_line_events_and_remembered() {
        let e = Event::Error("a.md:1:2: bad\n1 problem".into());
        assert_eq!(e.to_sse(), "event: error\ndata: a.md:1:2: bad\ndata: 1 problem\n\n");
        let hub = Hub::default();
        hub.send(&e);
        let rx = hub.subscribe();
        assert_eq!(rx.try_recv().unwrap(), e.to_sse());
        hub.send(&Event::Reload);
        assert_eq!(rx.try_recv().unwrap(), Event::Reload.to_sse());
        assert!(hub.subscribe().try_recv().is_err(), "a reload clears the error");
    }

    #[test]
    fn a_poisoned_lock_does_not_stop_the_hub() {
        let hub = std::sync::Arc::new(Hub::default());
        let early = hub.subscribe();
        for poison in [0, 1] {
            let hub = std::sync::Arc::clone(&hub);
            let _ = std::thread::spawn(move || {
                let _clients = lock(&hub.clients);
                let _error = if poison == 1 { Some(lock(&hub.error)) } else { None };
                panic!("a request thread panics while holding the hub's locks");
            })
            .join();
        }
        assert!(hub.clients.is_poisoned() && hub.error.is_poisoned());
        hub.send(&Event::Error("broken".into()));
        assert_eq!(early.try_recv().unwrap(), Event::Error("broken".into()).to_sse());
        let late = hub.subscribe();
        assert_eq!(late.try_recv().unwrap(), Event::Error("broken".into()).to_sse());
        hub.send(&Event::Reload);
        assert_eq!(late.try_recv().unwrap(), Event::Reload.to_sse());
        hub.close();
        assert!(late.recv().is_err(), "closed");
    }
}
