#!/usr/bin/env python3
"""Prove a change leaves yilu's output byte for byte as it was.

    python3 scripts/same-output.py [--base REV | --base-bin PATH] [--new-bin PATH]
                                   [--meetings 200] [--work /dev/shm/yilu-same]

Runs two yilu binaries, the base (built from git revision REV, default HEAD, in a cached target
folder, or given with --base-bin) and the new one (default target/release/yilu, built from the
working tree when missing), on the same inputs and compares what they write:

  1. ingest: the example transcript and a generated corpus of --meetings transcripts
     (../shared/bench/gen_corpus.py, seed 1) into two fresh content folders;
  2. build: the example site (this repository) and the ingested corpus, into two output folders.

Every file must exist on both sides with the same bytes. Differences are listed (missing, extra,
and the first differing line of up to ten files) and the exit status is 1; 0 means identical.
Standard library only.
"""
from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT.parent / "shared" / "bench" / "gen_corpus.py"
FIXTURE = ROOT / "tests" / "fixtures" / "chongqing-2024-10-21.txt"


def sh(argv: list[str], **kw) -> None:
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    if done.returncode != 0:
        sys.exit(f"{' '.join(map(str, argv))} failed:\n{done.stderr.decode(errors='replace')}")


def base_binary(rev: str, work: Path) -> Path:
    """Builds REV's yilu from a clean export, keeping its target folder between runs."""
    commit = subprocess.run(["git", "rev-parse", rev], cwd=ROOT, check=True, capture_output=True,
                            text=True).stdout.strip()
    src = work / f"base-{commit[:12]}"
    binary = src / "target" / "release" / "yilu"
    if binary.exists():
        return binary
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    print(f"building base {commit[:12]} …", flush=True)
    sh(["cargo", "build", "--release", "-q", "--bin", "yilu"], cwd=src,
       env={**os.environ, "CARGO_TARGET_DIR": str(src / "target")})
    return binary


def fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def ingest(binary: Path, out: Path, transcripts: list[Path]) -> Path:
    site = fresh(out)
    shutil.copy(ROOT / "site.toml", site / "site.toml")
    sh([str(binary), "ingest", "-q", "--root", str(site), *map(str, transcripts)])
    return site


def build(binary: Path, site: Path, out: Path) -> Path:
    if out.exists():
        shutil.rmtree(out)
    sh([str(binary), "build", "-q", "--root", str(site), "--output", str(out)])
    return out


def files(root: Path) -> set[str]:
    return {str(Path(d, f).relative_to(root)) for d, _, fs in os.walk(root) for f in fs}


def first_difference(a: Path, b: Path) -> str:
    la = a.read_bytes().split(b"\n")
    lb = b.read_bytes().split(b"\n")
    for n, (x, y) in enumerate(zip(la, lb), 1):
        if x != y:
            return f"line {n}:\n      base: {x[:160]!r}\n      new:  {y[:160]!r}"
    return f"lengths differ ({len(la)} vs {len(lb)} lines)"


def compare(label: str, base: Path, new: Path) -> bool:
    fa, fb = files(base), files(new)
    missing, extra = sorted(fa - fb), sorted(fb - fa)
    changed = sorted(f for f in fa & fb if not filecmp.cmp(base / f, new / f, shallow=False))
    if not (missing or extra or changed):
        print(f"{label}: {len(fa)} files, identical")
        return True
    print(f"{label}: {len(missing)} missing, {len(extra)} extra, {len(changed)} changed of {len(fa)} files")
    for f in missing[:10]:
        print(f"  missing: {f}")
    for f in extra[:10]:
        print(f"  extra:   {f}")
    for f in changed[:10]:
        print(f"  changed: {f} at {first_difference(base / f, new / f)}")
    return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="HEAD", help="git revision to compare against (default HEAD)")
    ap.add_argument("--base-bin", type=Path, help="a built base binary (skips building --base)")
    ap.add_argument("--new-bin", type=Path, default=ROOT / "target" / "release" / "yilu")
    ap.add_argument("--meetings", type=int, default=200)
    ap.add_argument("--work", type=Path, default=Path("/dev/shm/yilu-same"))
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if not args.new_bin.exists() or args.new_bin == ROOT / "target" / "release" / "yilu":
        sh(["cargo", "build", "--release", "-q", "--bin", "yilu"], cwd=ROOT)
    base = args.base_bin or base_binary(args.base, args.work)
    corpus = args.work / f"corpus-{args.meetings}"
    if not (corpus / "raw").is_dir():
        sh([sys.executable, str(GEN), "--meetings", str(args.meetings), "--out", str(corpus),
            "--seed", "1", "--only", "raw"])
    raw = sorted((corpus / "raw").glob("*.txt"))

    ok = True
    sites = {}
    for side, binary in (("base", base), ("new", args.new_bin)):
        sites[side] = (ingest(binary, args.work / side / "example-ingest", [FIXTURE]),
                       ingest(binary, args.work / side / "corpus", raw))
    ok &= compare("ingest example transcript", sites["base"][0] / "content", sites["new"][0] / "content")
    ok &= compare(f"ingest {len(raw)} corpus transcripts", sites["base"][1] / "content",
                  sites["new"][1] / "content")
    for label, site in (("example site", lambda s: ROOT), ("corpus site", lambda s: sites[s][1])):
        outs = {side: build(binary, site(side), args.work / side / f"{label.split()[0]}-public")
                for side, binary in (("base", base), ("new", args.new_bin))}
        ok &= compare(f"build {label}", outs["base"], outs["new"])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
