#!/usr/bin/env python3
"""Checks that the server's modules only point down (ARCHITECTURE.md, "Layers").

Reads every `.rs` file of server-worker/src, collects the `crate::…`, `super::…` and `self::…`
paths each one names (in `use` lines and inline), resolves each to the module it lands in, and
fails when
  - a module names one of a higher layer (LAYERS below, top first), or
  - two modules of one layer name each other, directly or round a longer cycle.

`--self-test` proves the check can fail: it copies the tree, adds a back-import (the store
naming the handlers) and a sideways cycle, and expects both to be reported.

Usage: scripts/check-layers.py [--src DIR] [--self-test]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from collections import defaultdict

# Top first. A module belongs to the first entry that is its path or a prefix of it.
LAYERS: list[tuple[str, list[str]]] = [
    ("hosts", ["native", "workers"]),
    ("entry", ["pubsub", "dispatch", "rest"]),
    ("handlers", ["handlers"]),
    ("seam", ["host", "longpoll"]),
    ("store", ["store"]),
    ("platform", ["wakeups", "db", "ids", "error", "config"]),
]

IDENT = re.compile(r"\s*(r#)?([A-Za-z_][A-Za-z0-9_]*)\s*")


def modules(src: str) -> dict[str, str]:
    """Module path ("store::processes") → file, for every .rs file under `src`."""
    found = {}
    for dirpath, _, names in os.walk(src):
        for name in names:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(dirpath, name)
            parts = os.path.relpath(path, src)[:-3].split(os.sep)
            if parts[-1] in ("mod", "lib"):
                parts = parts[:-1]
            found["::".join(parts)] = path
    return found


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def parse_tree(text: str, i: int, prefix: list[str]) -> tuple[list[list[str]], int]:
    """Reads a path (and `{…}` groups) at `i`; returns every full path named and the end."""
    path = list(prefix)
    while i < len(text):
        m = IDENT.match(text, i)
        if m and m.group(2):
            path.append(m.group(2))
            i = m.end()
            if text.startswith("::", i):
                i += 2
                continue
            return [path], i
        if text[i] == "{":
            i += 1
            out: list[list[str]] = []
            while i < len(text):
                while i < len(text) and text[i] in " \t\r\n,":
                    i += 1
                if i < len(text) and text[i] == "}":
                    return out, i + 1
                inner, j = parse_tree(text, i, path)
                out += inner
                i = j if j > i else i + 1
            return out, i
        return [path], i
    return [path], i


def named_paths(module: str, text: str) -> set[tuple[str, ...]]:
    """Every crate-absolute path the file names (`super` of `a::b` is `a`, in a/b.rs or
    a/b/mod.rs alike)."""
    own = module.split("::") if module else []
    starts = {"crate": [], "super": own[:-1], "self": own}
    out: set[tuple[str, ...]] = set()
    for m in re.finditer(r"\b(crate|super|self)::", text):
        if m.start() > 0 and text[m.start() - 1] in ":_":
            continue
        paths, _ = parse_tree(text, m.end(), starts[m.group(1)])
        out.update(tuple(p) for p in paths)
    return out


def resolve(path: tuple[str, ...], known: set[str]) -> str | None:
    for k in range(len(path), -1, -1):
        candidate = "::".join(path[:k])
        if candidate in known:
            return candidate
    return None


def layer_of(module: str) -> int | None:
    for rank, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if module == p or module.startswith(p + "::"):
                return rank
    return None


def edges(src: str) -> dict[str, set[str]]:
    found = modules(src)
    known = set(found)
    graph: dict[str, set[str]] = defaultdict(set)
    for module, file in found.items():
        with open(file, encoding="utf-8") as f:
            text = strip_comments(f.read())
        # A test module may reach anything; only the code that ships is layered.
        text = re.split(r"#\[cfg\(test\)\]\s*mod\s+tests", text)[0]
        for path in named_paths(module, text):
            target = resolve(path, known)
            if target is None or target == module or module.startswith(target + "::"):
                continue
            if target.startswith(module + "::") or target == "":
                continue
            graph[module].add(target)
    return graph


def cycles(graph: dict[str, set[str]], members: set[str]) -> list[list[str]]:
    """Cycles among `members` (Tarjan's strongly connected components of size > 1)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in members:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(members):
        if v not in index:
            visit(v)
    return out


def check(src: str) -> list[str]:
    graph = edges(src)
    problems = []
    unlayered = sorted(m for m in modules(src) if m and layer_of(m) is None)
    for m in unlayered:
        problems.append(f"{m}: in no layer (add it to LAYERS in scripts/check-layers.py)")
    for module in sorted(graph):
        mine = layer_of(module)
        for target in sorted(graph[module]):
            theirs = layer_of(target)
            if mine is not None and theirs is not None and theirs < mine:
                problems.append(
                    f"{module} ({LAYERS[mine][0]}) names {target} ({LAYERS[theirs][0]}), "
                    "a layer above it"
                )
    for comp in cycles(graph, set(modules(src))):
        problems.append("modules that name each other: " + " → ".join(comp))
    return problems


def self_test(src: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "src")
        shutil.copytree(src, copy)
        if check(copy):
            print("self-test: the tree must pass before the deliberate breaks", file=sys.stderr)
            return 1
        with open(os.path.join(copy, "store", "mod.rs"), "a", encoding="utf-8") as f:
            f.write("\n#[allow(unused_imports)]\nuse crate::handlers::Reply as _BackImport;\n")
        found = check(copy)
        if not any("store (store) names handlers (handlers)" in p for p in found):
            print("self-test: a back-import from the store went unnoticed", file=sys.stderr)
            return 1
        print("self-test: a back-import is refused:\n  " + "\n  ".join(found))
    return 0


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", default=os.path.join(here, "..", "server-worker", "src"))
    parser.add_argument("--self-test", action="store_true", help="show that a back-import fails")
    parser.add_argument("--graph", action="store_true", help="print every module's imports")
    args = parser.parse_args()
    if args.graph:
        for module, targets in sorted(edges(args.src).items()):
            print(f"{module} -> {' '.join(sorted(targets))}")
        return 0
    if args.self_test:
        return self_test(args.src)
    problems = check(args.src)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} layering problem(s); see ARCHITECTURE.md, \"Layers\"", file=sys.stderr)
        return 1
    print(f"layers: {len(modules(args.src))} modules, every import points down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
