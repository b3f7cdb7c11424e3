#!/usr/bin/env bash
# Installs the system packages the kit needs (Debian and Ubuntu), or says the exact command.
set -euo pipefail

pkgs=(build-essential pkg-config libpcap-dev libcjson-dev libcriterion-dev libssl-dev
      tcpdump socat netcat-openbsd curl python3 git util-linux clang python3-pyftpdlib lftp)

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
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
