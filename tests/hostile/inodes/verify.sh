# inodes: the program says how many files each folder took; the report quotes its stderr.
most=$($PY -c 'import json, re, sys
d = json.load(open(sys.argv[1]))
m = " ".join(c["message"] for c in d["checks"])
print(max([int(n) for n in re.findall(r"made (\d+) files", m)] or [0]))' "$A/report.json" 2>/dev/null)
[ "${most:-0}" -gt 50000 ] && bad "a folder of the jail took $most empty files (no inode limit)"
