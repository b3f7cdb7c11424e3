# A check the reference passes must not be skipped for the attack: a skip costs nothing in
# an exit status ("every check passed or was skipped": 0), which is all a CI job sees.
skipped=$($PY - "$A/report.json" "$A/ref.json" <<'PY'
import json, sys
att, ref = (json.load(open(p)) for p in sys.argv[1:3])
passed = {c["id"] for c in ref["checks"] if c["status"] == "pass"}
print(" ".join(c["id"] for c in att["checks"] if c["status"] == "skip" and c["id"] in passed))
PY
)
[ -n "$skipped" ] && bad "skipped for the attack, passed by the reference: $skipped"
[ "$st" = 0 ] && [ -z "$skipped" ] && bad "the grade exited 0 (every check passed or skipped)"
