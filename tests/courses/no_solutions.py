#!/usr/bin/env python3
"""no_solutions.py ROOT TARBALL - no reference solution's distinctive lines in a student kit.

A line of solutions/NN/src/*.c is distinctive when, stripped, it is at least 25 characters
long and no file of the labs (stubs and handouts teach the same idioms), the grader or the
harness contains it. Every file in the tarball is searched
for every distinctive line; each solution file must have at least 5 of them, so the search
is never vacuous. Prints what it checked; exits 1 on any hit."""
import os
import sys
import tarfile

root, tarball = sys.argv[1], sys.argv[2]
sols = os.path.join(root, "solutions")


def lines_of(path):
    with open(path, "rb") as f:
        return {l.strip() for l in f.read().split(b"\n")}


patterns = {}   # line -> solution file it comes from
bad = False
stubs = set()
for top in ("labs", "grader", "harness"):
    for dirpath, _, names in os.walk(os.path.join(root, top)):
        for n in names:
            if os.path.isfile(os.path.join(dirpath, n)):
                stubs |= lines_of(os.path.join(dirpath, n))
for lab in sorted(os.listdir(sols)):
    src = os.path.join(sols, lab, "src")
    for name in sorted(os.listdir(src)):
        if not name.endswith(".c"):
            continue
        mine = [l for l in lines_of(os.path.join(src, name)) if len(l) >= 25 and l not in stubs]
        if len(mine) < 5:
            print(f"solutions/{lab}/src/{name}: only {len(mine)} distinctive lines")
            bad = True
        for l in mine:
            patterns.setdefault(l, f"solutions/{lab}/src/{name}")
print(f"{len(patterns)} distinctive lines from {len({v for v in patterns.values()})} solution files")

hits = 0
with tarfile.open(tarball) as tar:
    members = [m for m in tar.getmembers() if m.isfile()]
    for m in members:
        data = tar.extractfile(m).read()
        for l in {x.strip() for x in data.split(b"\n")}:
            if l in patterns:
                hits += 1
                if hits <= 20:
                    print(f"{m.name}: a line of {patterns[l]}: {l[:100]!r}")
print(f"{len(members)} files searched, {hits} hits")
sys.exit(1 if bad or hits else 0)
