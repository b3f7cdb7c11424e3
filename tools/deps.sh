#!/usr/bin/env bash
# Installs the system packages the kit needs (Debian and Ubuntu), or says the exact command.
set -euo pipefail

pkgs=(build-essential pkg-config libpcap-dev libcjson-dev libcriterion-dev libssl-dev libseccomp-dev
      tcpdump socat netcat-openbsd curl python3 git util-linux clang chromium)
# Lab 05's real peers: python's ftp server, lftp.
pkgs+=(python3-pyftpdlib lftp)
# Lab 06's real peers: python's websockets, node's ws (and the browser above).
pkgs+=(python3-websockets nodejs node-ws)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "wirelab needs: ${missing[*]} (Debian package names); install them with your package manager" >&2
	exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo=(sudo)
elif command -v sudo >/dev/null 2>&1 && [ -t 0 ]; then
	echo "Installing: ${missing[*]} (sudo will ask for your password)" >&2
	sudo=(sudo)
else
	echo "wirelab needs packages that are not installed. Run:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "Installing: ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
# A package the distribution does not have (Ubuntu has no "chromium", only a snap) is left
# out with a word, instead of failing the whole install.
have=()
for p in "${missing[@]}"; do
	if apt-cache show "$p" >/dev/null 2>&1; then have+=("$p"); else echo "wirelab: no package \"$p\" here; going on without it" >&2; fi
done
missing=("${have[@]}")
[ ${#missing[@]} -eq 0 ] && exit 0
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
