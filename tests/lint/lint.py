#!/usr/bin/python3
"""lint.py: the structure rules of lnob's C sources, as a test (label lint).

    /usr/bin/python3 tests/lint/lint.py SOURCE_DIR BUILD_DIR

Over every .c and .h under common/, collector/ and aggregator/:
  - clang-tidy with the repository's .clang-tidy (bugprone-*,
    clang-analyzer-*, functions of at most 80 lines nested at most 4 deep),
    using BUILD_DIR/compile_commands.json: any finding fails;
  - no file over 800 lines;
  - no include cycle among the sources' own headers;
  - LMDB is called (mdb_*) only by common/store.c, the one LMDB edge;
  - records are read and written (store_get/put/del/foreach, store_dbi,
    AGG_DB_*) only by the store modules, which own the schemas.
Prints every finding with its file and line, and a summary; exits 1 when
there is any. LNOB_LINT_JOBS sets how many clang-tidy run at once (default:
the CPUs).
"""

import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import sys

DIRS = ("common", "collector", "aggregator")
MAX_LINES = 800
# The one module that calls LMDB; common/err.c only names its codes
# (mdb_strerror).
LMDB_EDGE = ("common/store.c", "common/err.c")
MDB_CALL = re.compile(r"\bmdb_[a-z_]+\s*\(")
# The modules that own a store's schema: the aggregator's (aggstore*), the
# collector's (outbox*, parked, custody, downstream), the key directory.
STORE_MODULES = re.compile(r"^(common/(store|keydir)|aggregator/aggstore\w*|"
                           r"collector/(outbox\w*|parked|custody|downstream))\.[ch]$")
RECORD_CALL = re.compile(r"\b(store_(get|put|del|foreach|dbi)\s*\(|AGG_DB_[A-Z_]+)")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(root):
    out = []
    for d in DIRS:
        out += sorted(glob.glob(os.path.join(root, d, "*.c")))
        out += sorted(glob.glob(os.path.join(root, d, "*.h")))
    return out


def rel(root, path):
    return os.path.relpath(path, root)


def check_sizes(root, files, findings):
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            n = sum(1 for _ in fh)
        if n > MAX_LINES:
            findings.append("%s: %d lines, over %d" % (rel(root, f), n, MAX_LINES))


def check_store(root, files, findings):
    for f in files:
        r = rel(root, f)
        with open(f, encoding="utf-8", errors="replace") as fh:
            for i, line in enumerate(fh, 1):
                code = line.split("//")[0]
                if code.lstrip().startswith("*") or code.lstrip().startswith("/*"):
                    continue
                m = MDB_CALL.search(code)
                if m and r not in LMDB_EDGE:
                    findings.append("%s:%d: calls LMDB (%s) outside common/store.c"
                                    % (r, i, m.group(0).rstrip("( ")))
                m = RECORD_CALL.search(code)
                if m and not STORE_MODULES.match(r):
                    findings.append("%s:%d: touches records (%s) outside the store modules"
                                    % (r, i, m.group(0).rstrip("( ")))


def check_cycles(root, files, findings):
    """Include cycles among the headers and sources of the tree (a .c, its
    .h and its private a_int.h are one module: an arrow a.c -> b.h counts
    as a -> b)."""
    names = {os.path.basename(f): f for f in files if f.endswith(".h")}

    def module(path):
        m = os.path.splitext(rel(root, path))[0]
        return m[:-len("_int")] if path.endswith("_int.h") else m

    edges = {}
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        src = module(f)
        for inc in INCLUDE.findall(text):
            target = names.get(os.path.basename(inc))
            if target and module(target) != src:
                edges.setdefault(src, set()).add(module(target))
    state, stack = {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(edges.get(n, ())):
            if state.get(m) == 1:
                cyc = stack[stack.index(m):] + [m]
                findings.append("include cycle: " + " -> ".join(cyc))
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(edges):
        if n not in state:
            visit(n)


def tidy_one(root, build, path):
    r = subprocess.run(["clang-tidy", "-p", build, "--quiet", path], cwd=root,
                       capture_output=True, text=True, timeout=600)
    out = [l for l in r.stdout.splitlines()
           if re.search(r": (warning|error): ", l)]
    if r.returncode != 0 and not out:
        out = ["%s: clang-tidy exited %d: %s" % (rel(root, path), r.returncode,
                                                 r.stderr.strip()[-500:])]
    return out


def check_tidy(root, build, files, findings):
    cs = [f for f in files if f.endswith(".c")]
    jobs = int(os.environ.get("LNOB_LINT_JOBS", os.cpu_count() or 2))
    seen = set()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        for lines in ex.map(lambda p: tidy_one(root, build, p), cs):
            for l in lines:
                l = l.replace(root.rstrip("/") + "/", "")
                if l not in seen:          # a header's finding, once
                    seen.add(l)
                    findings.append(l)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: lint.py SOURCE_DIR BUILD_DIR\n")
        return 2
    root, build = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if not os.path.exists(os.path.join(build, "compile_commands.json")):
        sys.stderr.write("lint: %s has no compile_commands.json\n" % build)
        return 2
    if not shutil.which("clang-tidy"):
        sys.stderr.write("lint: clang-tidy is not installed (Debian: apt-get install "
                         "clang-tidy; ./tests/run installs it)\n")
        return 2
    files = sources(root)
    findings = []
    check_sizes(root, files, findings)
    check_store(root, files, findings)
    check_cycles(root, files, findings)
    check_tidy(root, build, files, findings)
    for f in findings:
        print(f)
    print("lint: %d files, %d findings" % (len(files), len(findings)))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
