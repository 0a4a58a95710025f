#!/usr/bin/env python3
"""yilu against Hugo (and Zola, when a `zola` binary is on PATH) on the same archive.

    python3 bench/compare.py [--meetings 100,1000,3000] [--runs 3] [--work /dev/shm/yilu-bench]
                             [--gen ../shared/bench/gen_corpus.py] [--yilu target/release/yilu]

For each size M it generates the corpus with gen_corpus.py (raw transcripts plus the equivalent
Hugo and Zola sites), ingests the raw transcripts with `yilu ingest` (timing it: MB/s), then
times full builds of yilu, Hugo and Zola into empty output folders, alternating the tools run by
run so that machine noise falls on all of them alike, plus `cp -r` of yilu's output as a floor.
It prints medians of wall time and peak memory and the ratios the performance targets are
stated in (yilu/Hugo, yilu/Zola, yilu/cp). Measure on tmpfs (/dev/shm) on an idle machine.
Standard library only.
"""
from __future__ import annotations

import argparse
import os
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
    if site.exists():
        shutil.rmtree(site)
    site.mkdir()
    shutil.copy(ROOT / "site.toml", site / "site.toml")
    raw = sorted((corpus / "raw").glob("*.txt"))
    raw_bytes = sum(p.stat().st_size for p in raw)
    ingest_wall, _ = run([str(args.yilu), "ingest", "-q", "--out", str(site / "content"), *map(str, raw)])
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--meetings", default="100,1000,3000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/dev/shm/yilu-bench"))
    ap.add_argument("--gen", type=Path, default=ROOT.parent / "shared" / "bench" / "gen_corpus.py")
    ap.add_argument("--yilu", type=Path, default=ROOT / "target" / "release" / "yilu")
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


if __name__ == "__main__":
    main()
