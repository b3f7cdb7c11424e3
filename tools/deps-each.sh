#!/usr/bin/env bash
# deps-each.sh - when tools/deps.sh fails because the distribution lacks one of its packages
# (Ubuntu has no "chromium" package, only a snap): install every package of its list that
# the distribution has, and say which it lacks. Root or passwordless sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t want < <(sed -n '/^pkgs=(/,/)/p' tools/deps.sh | tr -d '()' | sed 's/pkgs=//' |
	tr ' \t' '\n\n' | grep -v '^$')
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
"${sudo[@]}" apt-get update -qq
have=() lack=()
for p in "${want[@]}"; do
	if apt-cache show "$p" >/dev/null 2>&1; then have+=("$p"); else lack+=("$p"); fi
done
echo "deps-each: not available here: ${lack[*]:-(none)}; installing the rest" >&2
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${have[@]}" >/dev/null
