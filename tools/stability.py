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
several is graded on the whole lab. Each is built once and its N runs go through the
grader's --repeat, all in one pool of -j workers (more load than one run at a time, as when
a class is graded); --serial grades it N times one after the other instead. Exit status: 0
when no verdict changed, 1 otherwise.
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


MAX_REPEAT = 100  # the grader's own bound on --repeat
SAID = {}  # check: what a run that did not pass said (of the grader calls since the last clear)


def grade(lab, args, runs=1):
    """Grading `runs` times, through --repeat when runs > 1: {check id: (passed, failed)},
    counts of runs; a grader that printed no JSON counts as `runs` errors of "(grader)"."""
    cmd = [WIRELAB, "grade", lab, "--format", "json"] + args
    if runs > 1:
        cmd += ["--repeat", str(runs)]
    env = dict(os.environ, WIRELAB_ROOT=ROOT)
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    try:
        out = {}
        for c in json.loads(run.stdout)["checks"]:
            if runs > 1:
                out[c["id"]] = (c["runs_passed"], c["runs_failed"])
            else:
                out[c["id"]] = (int(c["status"] == "pass"), int(c["status"] == "fail"))
            if c["status"] != "pass" and c.get("message"):
                SAID.setdefault(c["id"], c["message"])
        return out
    except (ValueError, KeyError):
        sys.stderr.write("stability: %s: exit %d, %s\n"
                         % (" ".join(cmd[1:]), run.returncode, run.stderr.strip()[:400]))
        return {"(grader)": (0, 0)}


def grade_n(lab, args, runs, serial):
    """{check id: (passed, failed)} over `runs` runs, summed over the grader calls made."""
    total = {}
    if serial:
        calls = [1] * runs
    else:
        calls = [MAX_REPEAT] * (runs // MAX_REPEAT) + ([runs % MAX_REPEAT] if runs % MAX_REPEAT else [])
    for n in calls:
        for check, (p, f) in grade(lab, args, n).items():
            tp, tf = total.get(check, (0, 0))
            total[check] = (tp + p, tf + f)
    return total


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


def report(title, counts, runs, kills=()):
    """counts: {check: changes}; prints one line per check, returns the sum. A check that
    must pass and did not every time is followed by what a run that did not pass said."""
    print("== %s: %d runs" % (title, runs))
    for check in sorted(counts):
        print("  %-32s %2d of %d runs changed verdict" % (check, counts[check], runs))
        if counts[check] and check not in kills and check in SAID:
            for line in SAID[check].splitlines()[:12]:
                print("      | " + line)
    sys.stdout.flush()
    return sum(counts.values())


def stability(lab, runs, pcaps, mutants, reference, serial):
    total = 0
    counts = {}
    if reference:
        SAID.clear()
        for check, (p, _) in grade_n(lab, ["--solution", "--pcap-dir", pcaps], runs, serial).items():
            counts[check] = runs - p
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
            SAID.clear()
            if len(kills) == 1:
                args += ["--check", next(iter(kills))]
            counts = {k: runs for k in kills}
            for check, (p, f) in grade_n(lab, args, runs, serial).items():
                if check in kills:
                    counts[check] = runs - f
                elif check not in may:
                    counts[check] = runs - p
            name = os.path.relpath(patch, os.path.join(ROOT, "tests", "mutants"))
            total += report(name, counts, runs, kills)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=20, help="runs of each (default 20)")
    ap.add_argument("-m", default="*", help="only the mutants whose file name matches")
    ap.add_argument("--no-reference", action="store_true", help="grade no reference")
    ap.add_argument("--serial", action="store_true",
                    help="grade each run on its own, one after the other, not through --repeat")
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
            total += stability(lab, opts.n, pcaps, opts.m, not opts.no_reference, opts.serial)
    finally:
        busy.kill()
        busy.wait()
        shutil.rmtree(pcaps, ignore_errors=True)
    print("stability: %d verdict changes in %d runs of each (%.0f s, one core busy, %s)"
          % (total, opts.n, time.time() - start,
             "one run at a time" if opts.serial else "runs side by side through --repeat"))
    return 0 if total == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
