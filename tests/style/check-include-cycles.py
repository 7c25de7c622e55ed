#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Reports #include cycles between the modules of src/.

A module is a va-foo.c with its va-foo.h and va-foo-private.h (or
-internal.h); an edge A -> B means a file of A includes a header of B. A
cycle means two modules cannot be understood, tested or replaced apart.
The cycles not yet broken are listed in KNOWN: the check fails on any
other cycle, and on a KNOWN one that is gone (so the list only shrinks).
Usage: check-include-cycles.py SRC_DIR
"""
import os
import re
import sys

# Each entry is one strongly connected set of modules, sorted.
KNOWN = {
    ("va-codec", "va-serializable"),
    ("va-engine", "va-retention"),
    ("va-http", "va-http-connection", "va-http-server"),
    ("va-dbus", "va-dbus-service"),
    ("va-cli", "va-cli-settings"),
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module(name):
    stem = name.rsplit(".", 1)[0]
    for suffix in ("-private", "-internal"):
        if stem.endswith(suffix):
            return stem[: -len(suffix)]
    return stem


def include_graph(root):
    paths = {}
    for directory, _, names in os.walk(root):
        for name in names:
            if name.endswith((".c", ".h")):
                paths[name] = os.path.join(directory, name)
    graph = {}
    for name, path in paths.items():
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for header in INCLUDE.findall(text):
            header = os.path.basename(header)
            if header in paths and module(header) != module(name):
                graph.setdefault(module(name), set()).add(module(header))
    return graph


def cycles(graph):
    """Strongly connected sets of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            members = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                members.append(w)
                if w == v:
                    break
            if len(members) > 1:
                found.append(tuple(sorted(members)))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return set(found)


def main():
    graph = include_graph(sys.argv[1])
    found = cycles(graph)
    status = 0
    for c in sorted(found - KNOWN):
        status = 1
        edges = [f"{a} -> {b}" for a in c for b in sorted(graph.get(a, ())) if b in c]
        print(f"new include cycle: {', '.join(c)} ({'; '.join(edges)})")
    for c in sorted(KNOWN - found):
        status = 1
        print(f"include cycle {', '.join(c)} is gone: remove it from KNOWN in {sys.argv[0]}")
    return status


if __name__ == "__main__":
    sys.exit(main())
