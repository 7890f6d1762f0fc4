#!/usr/bin/env python3
"""Summarises the `go tool test2json` events of tests/interop/go-server/run.sh.

    summary.py RESULTS.jsonl EXCLUDED.tsv                  the whole run; exit 1 on a failure
    summary.py --package PKG --short SECONDS RESULTS EXCL  one line for one package
    summary.py --seen PKG RESULTS                          the package's tests that have run

Counts are of top-level tests (subtests count with their parent). A package that fails with
no failed test (a panic, a timeout, a build error) counts as a failure too.
"""

import json
import sys
from collections import OrderedDict


def load(path, only_package=None):
    tests = OrderedDict()  # (package, test) -> {"action": ..., "output": [...], "elapsed": ...}
    packages = OrderedDict()  # package -> {"action": ..., "output": [...]}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                ev = json.loads(line)
            except json.JSONDecodeError:
                continue
            pkg = ev.get("Package", "")
            if only_package and pkg != only_package:
                continue
            name = ev.get("Test")
            action = ev.get("Action")
            if name:
                top = name.split("/")[0]
                t = tests.setdefault((pkg, top), {"action": None, "output": [], "elapsed": 0})
                if action == "output":
                    t["output"].append(ev.get("Output", ""))
                elif action in ("pass", "fail", "skip") and "/" not in name:
                    t["action"] = action
                    t["elapsed"] = ev.get("Elapsed", 0)
            else:
                p = packages.setdefault(pkg, {"action": None, "output": []})
                if action == "output":
                    p["output"].append(ev.get("Output", ""))
                elif action in ("pass", "fail", "skip"):
                    p["action"] = action
    return tests, packages


def short_name(pkg):
    return pkg.rsplit("/", 1)[-1]


def test_output(lines):
    keep = []
    for line in lines:
        s = line.rstrip("\n")
        if s.lstrip().startswith(("=== RUN", "=== PAUSE", "=== CONT", "=== NAME")):
            continue
        keep.append(s)
    return keep


def main(argv):
    if argv and argv[0] == "--seen":
        tests, _ = load(argv[2], argv[1])
        print(" ".join(name for _, name in tests))
        return 0
    only_package = None
    short = None
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == "--package":
            only_package = argv[i + 1]
            i += 2
        elif argv[i] == "--short":
            short = argv[i + 1]
            i += 2
        else:
            args.append(argv[i])
            i += 1
    results, excluded_path = args
    tests, packages = load(results, only_package)

    run = list(tests)
    passed = [k for k, t in tests.items() if t["action"] == "pass"]
    failed = [k for k, t in tests.items() if t["action"] == "fail"]
    skipped = [k for k, t in tests.items() if t["action"] == "skip"]
    unfinished = [k for k, t in tests.items() if t["action"] is None]
    broken = [p for p, v in packages.items() if v["action"] == "fail"
              and not any(k[0] == p for k in failed + unfinished)]

    if short is not None:
        line = (f"{short_name(only_package)}: {len(run)} run, {len(passed)} passed, "
                f"{len(failed) + len(unfinished)} failed, {len(skipped)} skipped ({short}s)")
        print(line)
        for k in failed + unfinished:
            print(f"    FAIL {k[1]}" + ("" if tests[k]["action"] else " (did not finish)"))
        for p in broken:
            print(f"    FAIL package {short_name(p)}:")
            for s in test_output(packages[p]["output"])[-15:]:
                print("      " + s)
        if not packages:
            print("    (no result: the test binary did not run)")
        return 0

    excluded = []
    with open(excluded_path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3:
                excluded.append(parts)

    if failed or unfinished or broken:
        print("\n=== failures")
        for k in failed + unfinished:
            print(f"--- FAIL {short_name(k[0])} {k[1]}"
                  + ("" if tests[k]["action"] else " (did not finish)"))
            for s in test_output(tests[k]["output"]):
                if s.startswith("--- "):
                    continue
                print("    " + s)
        for p in broken:
            print(f"--- FAIL package {short_name(p)}")
            for s in test_output(packages[p]["output"])[-30:]:
                print("    " + s)

    print("\n=== excluded")
    files = OrderedDict()  # (package, "file.go: reason") -> number of tests
    for pkg, name, reason in excluded:
        head = reason.split(": ", 1)[0]
        if head.endswith(".go"):
            files[(pkg, reason)] = files.get((pkg, reason), 0) + 1
        else:
            print(f"  {pkg} {name}: {reason}")
    for (pkg, reason), n in files.items():
        file, why = reason.split(": ", 1)
        print(f"  {pkg} {file} ({n} tests): {why}")

    print("\n=== summary")
    print(f"tests run: {len(run)}  passed: {len(passed)}  failed: {len(failed) + len(unfinished)}"
          f"  skipped: {len(skipped)}  excluded: {len(excluded)}"
          + (f"  packages failed outside a test: {len(broken)}" if broken else ""))
    if failed or unfinished:
        print("failed:")
        for k in failed + unfinished:
            print(f"  {short_name(k[0])} {k[1]}")
    return 1 if (failed or unfinished or broken) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
