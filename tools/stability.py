#!/usr/bin/env python3
"""stability.py - are the verdicts the same on every run, with the machine busy?

Grades each lab's reference solution N times (every check must pass every time) and each
mutant in tests/mutants/LAB/ N times (every check its Kills: line names must fail every
time, and, when the whole lab is graded, every other check but its May-fail ones must pass),
while a busy loop it starts keeps one core loaded. Prints, per check, how many runs gave
another verdict than expected, and the total: 0 is the goal.

    tools/stability.py [-n N] [-m GLOB] [--no-reference] [LAB ...]
                                               (make stability N=20 LABS="00 01")

A mutant that names one check is graded with --check on that check alone; one that names
several is graded on the whole lab. Exit status: 0 when no verdict changed, 1 otherwise.
"""
import argparse
import fnmatch
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# WIRELAB_BIN: a copy of the grader, so that rebuilding bin/ meanwhile changes nothing.
WIRELAB = os.environ.get("WIRELAB_BIN") or os.path.join(ROOT, "bin", "wirelab")


def header(patch, key):
    """The ids after `key` on the patch's header line, as a set."""
    with open(patch, encoding="utf-8") as f:
        for line in f:
            if line.startswith(("---", "diff ")):
                break
            if line.startswith(key):
                return set(line[len(key):].replace(",", " ").split())
    return set()


def grade(lab, args):
    """One grading run: {check id: status}; a grader that printed no JSON is one error."""
    cmd = [WIRELAB, "grade", lab, "--format", "json"] + args
    env = dict(os.environ, WIRELAB_ROOT=ROOT)
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    try:
        return {c["id"]: c["status"] for c in json.loads(run.stdout)["checks"]}
    except (ValueError, KeyError):
        return {"(grader)": "error: exit %d, %s" % (run.returncode, run.stderr.strip()[:200])}


def lab_dirs(names):
    labs = sorted(os.path.basename(d) for d in glob.glob(os.path.join(ROOT, "solutions", "*")))
    if not names:
        return labs
    picked = []
    for n in names:
        match = [l for l in labs if l == n or l.split("-", 1)[0] == n.zfill(2)]
        if not match:
            sys.exit("stability: no lab %s" % n)
        picked += match
    return picked


def report(title, counts, runs):
    """counts: {check: changes}; prints one line per check, returns the sum."""
    print("== %s: %d runs" % (title, runs))
    for check in sorted(counts):
        print("  %-32s %2d of %d runs changed verdict" % (check, counts[check], runs))
    sys.stdout.flush()
    return sum(counts.values())


def stability(lab, runs, pcaps, mutants, reference):
    total = 0
    counts = {}
    for _ in range(runs if reference else 0):
        for check, status in grade(lab, ["--solution", "--pcap-dir", pcaps]).items():
            counts[check] = counts.get(check, 0) + (status != "pass")
    if reference:
        total += report("%s reference" % lab, counts, runs)
    for patch in sorted(glob.glob(os.path.join(ROOT, "tests", "mutants", lab, "*.patch"))):
        if not fnmatch.fnmatch(os.path.basename(patch), mutants):
            continue
        kills, may = header(patch, "Kills:"), header(patch, "May-fail:")
        work = tempfile.mkdtemp(prefix="wirelab-stability-")
        try:
            shutil.copytree(os.path.join(ROOT, "solutions", lab, "src"),
                            os.path.join(work, "src"))
            subprocess.run(["git", "apply", patch], cwd=work, check=True)
            args = ["--submission", work, "--pcap-dir", pcaps]
            if len(kills) == 1:
                args += ["--check", next(iter(kills))]
            counts = {k: 0 for k in kills}
            for _ in range(runs):
                for check, status in grade(lab, args).items():
                    if check in kills:
                        counts[check] += status != "fail"
                    elif check not in may:
                        counts[check] = counts.get(check, 0) + (status != "pass")
            name = os.path.relpath(patch, os.path.join(ROOT, "tests", "mutants"))
            total += report(name, counts, runs)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=20, help="runs of each (default 20)")
    ap.add_argument("-m", default="*", help="only the mutants whose file name matches")
    ap.add_argument("--no-reference", action="store_true", help="grade no reference")
    ap.add_argument("labs", nargs="*", help="lab ids (default: every lab)")
    opts = ap.parse_args()
    # SIGTERM ends the run through the finally below, which ends the busy loop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(2))
    # One core busy for the whole run, as on a shared machine; ended by its pid.
    busy = subprocess.Popen(["sh", "-c", "while :; do :; done"])
    pcaps = tempfile.mkdtemp(prefix="wirelab-stability-pcaps-")
    start = time.time()
    total = 0
    try:
        for lab in lab_dirs(opts.labs):
            total += stability(lab, opts.n, pcaps, opts.m, not opts.no_reference)
    finally:
        busy.kill()
        busy.wait()
        shutil.rmtree(pcaps, ignore_errors=True)
    print("stability: %d verdict changes in %d runs of each (%.0f s, one core busy)"
          % (total, opts.n, time.time() - start))
    return 0 if total == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
