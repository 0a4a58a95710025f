#!/usr/bin/env python3
"""Prove two output folders differ in whitespace only (for template refactors).

    python3 scripts/same-but-whitespace.py BASE_DIR NEW_DIR

Every file must exist on both sides. Files with different bytes are compared again after
collapsing every run of whitespace to one space and dropping the spaces that touch a tag's
angle bracket (`> <` → `><`), so text like `a b` against `ab` still counts as a difference.
Prints how many files differ in bytes and lists any that differ beyond whitespace; exit status 1
when there is one. Standard library only.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path


def normalise(data: bytes) -> bytes:
    collapsed = re.sub(rb"\s+", b" ", data)
    return re.sub(rb" ?([<>]) ?", rb"\1", collapsed).strip()


def files(root: Path) -> set[str]:
    return {str(Path(d, f).relative_to(root)) for d, _, fs in os.walk(root) for f in fs}


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    base, new = Path(sys.argv[1]), Path(sys.argv[2])
    fa, fb = files(base), files(new)
    ok = fa == fb
    for f in sorted(fa ^ fb):
        print(f"only on one side: {f}")
    byte_diff = 0
    for f in sorted(fa & fb):
        a, b = (base / f).read_bytes(), (new / f).read_bytes()
        if a == b:
            continue
        byte_diff += 1
        na, nb = normalise(a), normalise(b)
        if na != nb:
            ok = False
            at = next((i for i, (x, y) in enumerate(zip(na, nb)) if x != y), min(len(na), len(nb)))
            print(f"differs beyond whitespace: {f}\n  base: {na[at - 80:at + 80]!r}\n  new:  {nb[at - 80:at + 80]!r}")
    print(f"{len(fa)} files, {byte_diff} differ in bytes, "
          f"{'all in whitespace only' if ok else 'some beyond whitespace'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
