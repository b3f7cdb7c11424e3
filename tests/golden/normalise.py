#!/usr/bin/env python3
"""normalise.py SUBMISSION PCAPS < report > normalised: the words of a text report with what
changes from run to run taken out: times, ephemeral ports, the folders of the run, and the
rows of ladder diagrams (their order follows the machine's timing), kept as one line."""
import re
import sys

sub, pcaps = sys.argv[1], sys.argv[2]
out, in_ladder = [], False
for line in sys.stdin.read().splitlines():
    line = line.replace(pcaps, "PCAPS").replace(sub, "SUBMISSION")
    ladder_row = re.match(r"^\s+(\d+\.\d+ ms\s+)?\|", line) or re.match(r"^\s+client \S+\s+server \S+$", line) \
        or re.match(r"^\s+\(\d+ more segments", line)
    if ladder_row:
        if not in_ladder:
            out.append("        (ladder)")
        in_ladder = True
        continue
    in_ladder = False
    line = re.sub(r"sandbox: .*", "sandbox: MODE", line)
    line = re.sub(r"\d+\.\d+ ms", "N ms", line)
    line = re.sub(r"\d+(\.\d+)? s\b", "N s", line)
    line = re.sub(r"(?<=:)\d{5}\b", "PORT", line)
    line = re.sub(r"wirelab-[a-z]+-[A-Za-z0-9]{6}", "wirelab-TMP", line)
    out.append(line)
print("\n".join(out))
