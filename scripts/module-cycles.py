#!/usr/bin/env python3
"""Lists import cycles between the modules of src/ (one module per file).

    python3 scripts/module-cycles.py [--src src]

A module "imports" another when its code names it: `use crate::a::b::…`, an inline
`crate::a::b::item` or `super::…` path, or a `use child::…` of a child module (declaring
`mod child;` is not an import). Test modules (`#[cfg(test)] mod tests { … }` to the end of
the file) are left out. Each strongly connected group of two or more modules is printed; the
exit status is 1 when there is one, so CI can run it. Standard library only.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path


def module_of(src: Path, file: Path) -> tuple[str, ...]:
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts.pop()
    return tuple(parts)


def code_without_tests(text: str) -> str:
    m = re.search(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text)
    text = text[: m.start()] if m else text
    # Comments and string literals name modules without importing them.
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def use_paths(code: str) -> list[str]:
    """Every path a `use` declaration brings in, braces expanded, plus inline crate/super paths."""
    paths: list[str] = []
    for m in re.finditer(r"\buse\s+([^;]+);", code):
        paths.extend(expand(re.sub(r"\s+", "", m.group(1))))
    rest = re.sub(r"\buse\s+[^;]+;", "", code)
    for m in re.finditer(r"(?<![\w:])((?:crate|super)(?:::\w+)+)", rest):
        paths.append(m.group(1))
    return paths


def expand(tree: str) -> list[str]:
    """`a::{b,c::{d,e}}` → a::b, a::c::d, a::c::e."""
    i = tree.find("{")
    if i < 0:
        return [tree.split(" as ")[0]]
    prefix, inner = tree[:i], tree[i + 1 : tree.rfind("}")]
    items, depth, start = [], 0, 0
    for k, ch in enumerate(inner):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(inner[start:k])
            start = k + 1
    items.append(inner[start:])
    out = []
    for item in filter(None, items):
        out.extend(expand(prefix + item))
    return out


def resolve(path: str, here: tuple[str, ...], is_dir_module: bool, modules: set) -> tuple | None:
    segs = path.split("::")
    if segs[0] == "crate":
        base, rest = (), segs[1:]
    elif segs[0] in ("super", "self"):
        # In a/b.rs, `super` is a; in a/b/mod.rs too (the module is a::b, its parent a).
        base = here
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                base = base[:-1]
            segs = segs[1:]
        rest = segs
    else:
        # A `use child::…` inside a module names its child.
        base, rest = here, segs
        if not rest or base + (rest[0],) not in modules:
            return None
    best = None
    for n in range(len(rest) + 1):
        cand = base + tuple(rest[:n])
        if cand in modules:
            best = cand
    return best


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", type=Path, default=Path(__file__).resolve().parent.parent / "src")
    args = ap.parse_args()
    files = {module_of(args.src, f): f for f in args.src.rglob("*.rs")}
    modules = set(files)
    edges: dict[tuple, set] = {m: set() for m in modules}
    for mod, file in files.items():
        code = code_without_tests(file.read_text(encoding="utf-8"))
        for p in use_paths(code):
            target = resolve(p, mod, file.name == "mod.rs", modules)
            if target is not None and target != mod and target != ():
                edges[mod].add(target)
    cycles = strongly_connected(edges)
    name = lambda m: "::".join(m) or "crate"
    for group in cycles:
        print("cycle:", ", ".join(sorted(name(m) for m in group)))
        for a in sorted(group):
            for b in sorted(edges[a] & group):
                print(f"  {name(a)} -> {name(b)}")
    if not cycles:
        print(f"no module cycles among {len(modules)} modules")
    return 1 if cycles else 0


def strongly_connected(edges: dict) -> list[set]:
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(group)

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


if __name__ == "__main__":
    sys.exit(main())
