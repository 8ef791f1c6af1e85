#!/usr/bin/env python3
"""Structure check: module cycles and long functions in the workspace's library and binary code.

Usage: python3 .ci/structure.py [--max-lines N] [--json]

- A module cycle is a ring of sibling modules that use each other (`use super::b` in `a`,
  `use super::a` in `b`; or longer rings). A reference from a module to one of its ancestors
  or descendants is structure, not a cycle, and is not counted.
- A long function is a `fn` whose body spans more than N lines (150 by default), tests
  included only when they live in src/.

Exits 1 when it finds either, 0 otherwise. Only the standard library is used, so CI needs
nothing but python3.
"""

import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = re.compile(r"\b(crate|super|self)((?:::\w+)+|::\{)")
USE_GROUP = re.compile(r"\buse\s+(crate|super|self)((?:::\w+)*)::\{([^;]*)\};", re.S)
FN = re.compile(r"\bfn\s+(\w+)")


def blank_literals(text):
    """Text with comments and the insides of string and char literals replaced by spaces,
    line breaks kept, so that braces and paths are only code."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(keep_lines(text[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:i + 130]) and not is_ident(text, i - 1):
            hashes = len(re.match(r'r(#*)"', text[i:]).group(1))
            close = '"' + "#" * hashes
            end = text.find(close, i + 2 + hashes)
            end = n if end < 0 else end + len(close)
            out.append(keep_lines(text[i:end]))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(keep_lines(text[i:j + 1]))
            i = j + 1
        elif c == "'":
            j = char_literal_end(text, i)
            out.append(keep_lines(text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def is_ident(text, i):
    return i >= 0 and (text[i].isalnum() or text[i] == "_")


def char_literal_end(text, i):
    """The end of a char literal starting at `i`, or `i + 1` for a lifetime's quote."""
    if text.startswith("\\", i + 1):
        end = text.find("'", i + 3)
        return i + 1 if end < 0 else end + 1
    if i + 2 < len(text) and text[i + 2] == "'":
        return i + 3
    return i + 1


def keep_lines(chunk):
    return "".join("\n" if ch == "\n" else " " for ch in chunk)


def module_files(src):
    """{module path tuple: file} for a crate's src directory."""
    modules = {}
    for directory, _, files in os.walk(src):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(directory, name)
            parts = os.path.relpath(path, src)[:-3].split(os.sep)
            if parts[-1] in ("lib", "main", "mod"):
                parts = parts[:-1]
            if parts and parts[0] == "bin":
                continue
            modules[tuple(parts)] = path
    return modules


def references(code, module):
    """Module paths (tuples) the code of `module` refers to through crate::, super:: or self::."""
    found = []

    def resolve(root, tail):
        segments = [s for s in tail.split("::") if s]
        if root == "crate":
            start = []
        elif root == "self":
            start = list(module)
        else:
            start = list(module[:-1])
        while segments and segments[0] == "super":
            start = start[:-1]
            segments = segments[1:]
        return tuple(start + segments)

    for match in USE_GROUP.finditer(code):
        prefix = resolve(match.group(1), match.group(2))
        for item in re.split(r"[,\s]+", match.group(3)):
            item = item.split("::")[0].strip("{} ")
            if item and item != "self":
                found.append(prefix + (item,))
    for match in REFERENCE.finditer(code):
        found.append(resolve(match.group(1), match.group(2).rstrip(":{")))
    return found


def sibling_edges(modules, module, targets):
    edges = set()
    for target in targets:
        while target and target not in modules:
            target = target[:-1]
        common = 0
        while common < min(len(module), len(target)) and module[common] == target[common]:
            common += 1
        if common < len(module) and common < len(target):
            edges.add((module[: common + 1], target[: common + 1]))
    return edges


def cycles(edges):
    """Strongly connected components with more than one module (Tarjan)."""
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def long_functions(code, path, limit):
    found = []
    for match in FN.finditer(code):
        brace = code.find("{", match.end())
        semi = code.find(";", match.end())
        if brace < 0 or (0 <= semi < brace):
            continue
        depth, j = 0, brace
        while j < len(code):
            if code[j] == "{":
                depth += 1
            elif code[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        lines = code.count("\n", brace, j) + 1
        if lines > limit:
            line = code.count("\n", 0, match.start()) + 1
            found.append({"file": os.path.relpath(path, ROOT), "line": line,
                          "function": match.group(1), "lines": lines})
    return found


def check_crate(crate_dir, limit):
    src = os.path.join(crate_dir, "src")
    modules = module_files(src)
    edges, long = set(), []
    for module, path in sorted(modules.items()):
        with open(path, encoding="utf-8") as handle:
            code = blank_literals(handle.read())
        edges |= sibling_edges(modules, module, references(code, module))
        long.extend(long_functions(code, path, limit))
    name = os.path.basename(crate_dir)
    rings = [["::".join(m) or "crate" for m in ring] for ring in cycles(edges)]
    return [{"crate": name, "modules": ring} for ring in rings], long


def main():
    limit = 150
    if "--max-lines" in sys.argv:
        limit = int(sys.argv[sys.argv.index("--max-lines") + 1])
    crates_dir = os.path.join(ROOT, "crates")
    all_cycles, all_long = [], []
    for name in sorted(os.listdir(crates_dir)):
        crate = os.path.join(crates_dir, name)
        if os.path.isdir(os.path.join(crate, "src")):
            rings, long = check_crate(crate, limit)
            all_cycles += rings
            all_long += long
    if "--json" in sys.argv:
        print(json.dumps({"version": 1, "cycles": all_cycles, "long_functions": all_long},
                         indent=2))
    else:
        for ring in all_cycles:
            print(f"cycle in {ring['crate']}: {' <-> '.join(ring['modules'])}")
        for f in sorted(all_long, key=lambda f: -f["lines"]):
            print(f"long function: {f['file']}:{f['line']} {f['function']} ({f['lines']} lines > {limit})")
        print(f"{len(all_cycles)} module cycle(s), {len(all_long)} function(s) over {limit} lines")
    return 1 if all_cycles or all_long else 0


if __name__ == "__main__":
    sys.exit(main())
