#!/usr/bin/env python3
"""Checks that every "§" citation in the repository lands in docs/protocol.md, and that no
file of the repository points outside it.

Citations. Code comments, tests and documents cite the protocol as "protocol §4.5",
"§11 item 24", "§11.23", "§13 cases 9–12, 14, 20–22" or "§2.3 step 7". Every citation found in
the repository's text files (node_modules/, target/ and .git/ skipped) must name something
docs/protocol.md has:

- "§N", "§N.M", "§N.M.K": a numbered heading of that number, written "## N. Title",
  "### N.M Title" or deeper ("#### N.M.K Title"); a trailing dot after the number is allowed.
- "§N item(s) LIST", "§N case(s) LIST", "§N step(s) LIST": numbered items of section N. LIST is
  numbers and ranges ("9–12" or "9-12") separated by "," or "and", with remarks in parentheses
  allowed ("47 (standalone part)"); it may continue on the next comment line.
- "§N.M" where section N has no heading N.M but has numbered items: item M of section N
  ("§11.23" is item 23 of section 11).

A numbered item is a line that starts, unindented, with "N. " or "**N.** "; it belongs to the
nearest numbered heading above it (unnumbered headings do not change the section). Lines in
fenced code blocks are neither headings nor items. Two headings with one number, or two items
with one number in one section, are errors too: a citation must name one place.

A "§" right after the name of another standard is not a citation of the protocol and is
skipped: "RFC 7677 §3", "SEC 1 v2 §4.1.6", "FIPS 202 §…", "ISO 8601 §…".

Pointers. The check also fails when a file names a place outside the repository: the shared
protocol folder of the machine the project was started on ("/work/" followed by "shared"), or
notes that never were part of the repository ("DESIGN" or "TOOLCHAIN" followed by ".md", and
the file names of the outside protocol notes listed in POINTERS below). The build toolchain is
described in docs/toolchain.md, the protocol in docs/protocol.md.

Files. Inside a git work tree the files are the tracked ones plus untracked ones that are not
ignored (`git ls-files --cached --others --exclude-standard`); elsewhere (an exported copy)
every file under the root. Files that are not UTF-8 text are skipped.

Usage: python3 scripts/check-doc-refs.py [--root DIR]
Exit status 0 when every citation lands and nothing points outside; 1 otherwise, with one
"path:line: …" line per problem.
"""

from __future__ import annotations

import argparse
import bisect
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

DOC = Path("docs") / "protocol.md"
SKIP_DIRS = {"node_modules", "target", ".git"}

# Built from parts so that this file does not itself name them.
POINTERS = [
    "/work/" + "shared",
    "DESIGN" + ".md",
    "TOOLCHAIN" + ".md",
    "colonies-v1.9.12" + ".md",
    "client-expectations" + ".md",
    "cryptomesh-api" + ".md",
]

CITATION = re.compile(r"§ ?(\d+(?:\.\d+)*)")
# Another standard's section sign: the text just before "§".
OTHER_STANDARD = re.compile(
    r"(?:RFC\s*\d+|SEC\s*\d+(?:\s*v\d+(?:\.\d+)?)?|FIPS[\s-]*\d+|ISO(?:/IEC)?\s*\d+)\s*$"
)
# What may separate a citation from its item list across a line break: the next line's
# comment marker.
CONTINUATION = re.compile(r"\s*\n\s*(?://[/!]?|#|--|\*|;)?\s*")
KIND = re.compile(r"\s+(items?|cases?|steps?)\s+")
NUMBER = re.compile(r"(\d+)(?:\s*[–-]\s*(\d+))?")
REMARK = re.compile(r"\s*\([^)\n]*\)")
SEPARATOR = re.compile(r"\s*(?:,|\band\b)\s*(?=\d)")

HEADING = re.compile(r"^#{2,6}\s+(\d+(?:\.\d+)*)\.?\s")
ITEM = re.compile(r"^(?:\*\*)?(\d+)\.(?:\*\*)?\s")
FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass
class Doc:
    """What docs/protocol.md offers to cite."""

    sections: dict[str, int] = field(default_factory=dict)  # number -> line
    items: dict[str, dict[int, int]] = field(default_factory=dict)  # section -> item -> line
    problems: list[str] = field(default_factory=list)


def read_doc(path: Path, shown: str) -> Doc:
    doc = Doc()
    current: str | None = None
    fenced = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        if m := HEADING.match(line):
            current = m.group(1)
            if current in doc.sections:
                doc.problems.append(
                    f"{shown}:{number}: heading {current} is also on line {doc.sections[current]}"
                )
            doc.sections.setdefault(current, number)
            continue
        if current is not None and (m := ITEM.match(line)):
            item = int(m.group(1))
            items = doc.items.setdefault(current, {})
            if item in items:
                doc.problems.append(
                    f"{shown}:{number}: item {item} of section {current} is also on line "
                    f"{items[item]}"
                )
            items.setdefault(item, number)
    return doc


def item_list(text: str) -> tuple[str, list[int]] | None:
    """The kind and numbers of an item list that starts `text` ("cases 9–12, 14"), if any."""
    m = KIND.match(text)
    if not m:
        return None
    kind, rest, numbers = m.group(1), text[m.end() :], []
    while m := NUMBER.match(rest):
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else first
        numbers.extend(range(first, max(first, last) + 1))
        rest = rest[m.end() :]
        if r := REMARK.match(rest):
            rest = rest[r.end() :]
        s = SEPARATOR.match(rest)
        if not s:
            break
        rest = rest[s.end() :]
    return (kind, numbers) if numbers else None


def check_citation(doc: Doc, cited: str, following: str) -> list[str]:
    """Why `cited` (with the text after it) does not land in the document; empty if it does."""
    listed = item_list(CONTINUATION.sub(" ", following[:400]))
    if listed:
        kind, numbers = listed
        if cited not in doc.sections:
            return [f"§{cited}: docs/protocol.md has no section {cited}"]
        have = doc.items.get(cited, {})
        return [
            f"§{cited} {kind} {n}: section {cited} of docs/protocol.md has no item {n}"
            for n in numbers
            if n not in have
        ]
    if cited in doc.sections:
        return []
    parent, _, last = cited.rpartition(".")
    if parent and parent in doc.items and int(last) in doc.items[parent]:
        return []
    return [f"§{cited}: docs/protocol.md has no section {cited}"]


def files(root: Path) -> list[Path]:
    try:
        inside = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if Path(inside).resolve() != root.resolve():
            raise ValueError("not the top of a work tree")
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8", "surrogateescape")
        paths = [Path(p) for p in listed.split("\0") if p]
    except (OSError, subprocess.CalledProcessError, ValueError):
        paths = []
        for top, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            paths.extend(Path(top, n).relative_to(root) for n in sorted(names))
    return [p for p in paths if not SKIP_DIRS.intersection(p.parts) and (root / p).is_file()]


def text_of(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_root = Path(__file__).resolve().parent.parent
    parser.add_argument("--root", type=Path, default=default_root, help="the repository")
    root = parser.parse_args().root.resolve()

    doc_path = root / DOC
    if not doc_path.is_file():
        print(f"check-doc-refs: {DOC} is missing", file=sys.stderr)
        return 1
    doc = read_doc(doc_path, DOC.as_posix())
    problems = list(doc.problems)
    citations = cited_files = 0
    for relative in files(root):
        text = text_of(root / relative)
        if text is None:
            continue
        shown = relative.as_posix()
        starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        found = False
        for m in CITATION.finditer(text):
            index = bisect.bisect_right(starts, m.start()) - 1
            if OTHER_STANDARD.search(text[starts[index] : m.start()]):
                continue
            citations += 1
            found = True
            line = index + 1
            for why in check_citation(doc, m.group(1), text[m.end() :]):
                problems.append(f"{shown}:{line}: {why}")
        cited_files += found
        for number, line in enumerate(text.splitlines(), 1):
            for pointer in POINTERS:
                if pointer in line:
                    problems.append(
                        f"{shown}:{number}: points outside the repository ({pointer!r}); "
                        "cite docs/protocol.md or docs/toolchain.md instead"
                    )
    if problems:
        for problem in problems:
            print(problem)
        print(f"check-doc-refs: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    items = sum(len(v) for v in doc.items.values())
    print(
        f"check-doc-refs: {citations} citations in {cited_files} files land in {DOC} "
        f"({len(doc.sections)} numbered sections, {items} numbered items); "
        "no file points outside the repository"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
