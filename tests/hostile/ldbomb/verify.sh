# ldbomb: the program must not have been built (the linker stopped at the file size limit).
built=$($PY -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(p["program"] for p in d["build"]["programs"] if p["ok"]))' "$A/report.json" 2>/dev/null)
case " $built " in *" echo_server "*) bad "a program of over 1 GiB was linked into the host's /tmp" ;; esac
