#!/usr/bin/env python3
"""Crawl a site over HTTP from a start URL, following every href and src on the same host and
under the same path prefix; fail on any response that is not 200. Standard library only.

    crawl.py http://127.0.0.1:8080/archive/

Prints one line per broken link and ends with 'N passed, M failed'.
"""
import html.parser
import sys
import urllib.error
import urllib.parse
import urllib.request


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("href", "src") and value:
                self.links.append(value)


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get_content_type(), r.read()
    except urllib.error.HTTPError as e:
        return e.code, "", b""


def main():
    start = sys.argv[1]
    base = urllib.parse.urlsplit(start)
    seen, queue, passed, failed = {start}, [(start, "(start)")], 0, 0
    while queue:
        url, referrer = queue.pop()
        status, ctype, body = fetch(url)
        if status != 200:
            failed += 1
            print(f"FAIL {url} (linked from {referrer}): HTTP {status}")
            continue
        passed += 1
        if ctype != "text/html":
            continue
        parser = Links()
        parser.feed(body.decode("utf-8", errors="replace"))
        for link in parser.links:
            target = urllib.parse.urljoin(url, link)
            parts = urllib.parse.urlsplit(target)
            if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
                continue
            if not parts.path.startswith(base.path):
                failed += 1
                print(f"FAIL {url}: link {link} leaves {base.path}")
                continue
            target = urllib.parse.urlunsplit(parts._replace(fragment=""))
            if target not in seen:
                seen.add(target)
                queue.append((target, url))
    print(f"crawled {len(seen)} URLs")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or passed < 10 else 0)


if __name__ == "__main__":
    main()
