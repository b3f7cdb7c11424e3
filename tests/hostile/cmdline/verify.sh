# cmdline: the program prints what it read to stderr, which the check's message quotes.
seen=$($PY -c 'import json, sys
d = json.load(open(sys.argv[1]))
m = " ".join(c["message"] for c in d["checks"])
print(" ".join(w for w in ("ran:", "mounts:") if w in m))' "$A/report.json" 2>/dev/null)
case "$seen" in *ran:*) bad "the grader's command line reached the program (quoted in the report)" ;; esac
case "$seen" in *mounts:*) bad "the mount table of the grader's namespace reached the program" ;; esac
