#!/usr/bin/env bash
# setup.sh - Gradescope runs this once, as root, when it builds the autograder's image: the
# system packages the kit needs, then the grader (source/wirelab/bin/wirelab).
# AUTOGRADER_ROOT names the autograder's folder (default /autograder), for trying it out.
set -euo pipefail
root=${AUTOGRADER_ROOT:-/autograder}
cd "$root/source/wirelab"

if ! tools/deps.sh; then
	# A distribution without one of the packages (Ubuntu has no "chromium" package, only a
	# snap): install every one it has, and say which are missing.
	mapfile -t want < <(sed -n '/^pkgs=(/,/)/p' tools/deps.sh | tr -d '()' | sed 's/pkgs=//' |
		tr ' \t' '\n\n' | grep -v '^$')
	have=() lack=()
	for p in "${want[@]}"; do
		if apt-cache show "$p" >/dev/null 2>&1; then have+=("$p"); else lack+=("$p"); fi
	done
	echo "setup.sh: not available here: ${lack[*]:-(none)}; installing the rest" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${have[@]}" >/dev/null
fi
make -s all
bin/wirelab doctor || true
