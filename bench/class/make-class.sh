#!/usr/bin/env bash
# make-class.sh - generate a class of submissions for `wirelab batch`.
#
#   make-class.sh layouts OUT     one submission of lab 00 per layout students hand in, and
#                                 the troublemakers: a build failure, an empty folder, a hang,
#                                 a link as a submission, a link as src/, a formula and a
#                                 terminal escape as names
#   make-class.sh bench N OUT [LAB...]
#                                 N submissions of the LABs (default: all seven): references,
#                                 mutants of tests/mutants applied with `git apply`, build
#                                 failures and hangs, in every layout (deterministic:
#                                 submission i is the same on every run)
#
# OUT (relative to where it is run from) must not exist.
set -euo pipefail
here=$PWD
cd "$(dirname "$0")/../.."
kit=$PWD
mode=${1:?usage: make-class.sh layouts OUT | bench N OUT}

labs=(00-sockets-basics 01-tcp-echo 02-udp 03-threaded-server 04-http 05-ftp 06-websocket)

# copy_lab LAB DEST: the reference sources of LAB into DEST (made).
copy_lab() {
	mkdir -p "$2"
	cp "$kit/solutions/$1/src/"*.[ch] "$2/"
}

# hang FILE: a program that never exits and never answers.
hang() {
	cat >"$1" <<'C'
#include <unistd.h>
int main(void)
{
	for (;;)
		pause();
}
C
}

# layout NAME LAB STYLE SUB: place LAB's sources of folder SUB (a src/ copy) as STYLE.
place() {
	local dir=$1 lab=$2 style=$3 src=$4
	case $style in
	tree)    mkdir -p "$dir/labs/$lab" && cp -r "$src" "$dir/labs/$lab/src" ;;
	folders) mkdir -p "$dir/$lab" && cp -r "$src" "$dir/$lab/src" ;;
	src)     mkdir -p "$dir/src" && cp "$src"/* "$dir/src/" ;;
	loose)   mkdir -p "$dir" && cp "$src"/* "$dir/" ;;
	wrap1)   mkdir -p "$dir/wirelab-main/labs/$lab" && cp -r "$src" "$dir/wirelab-main/labs/$lab/src" ;;
	wrap2)   mkdir -p "$dir/upload/wirelab-main/$lab" && cp -r "$src" "$dir/upload/wirelab-main/$lab/src" ;;
	esac
}

case $mode in
layouts)
	out=${2:?OUT}
	case $out in /*) ;; *) out=$here/$out ;; esac
	[ ! -e "$out" ] || { echo "make-class.sh: $out exists" >&2; exit 2; }
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	lab=00-sockets-basics
	t=$(mktemp -d)
	copy_lab $lab "$t/ref"
	place "$out/alice" $lab tree "$t/ref"
	place "$out/bob" $lab folders "$t/ref"
	place "$out/carol" $lab src "$t/ref"
	place "$out/dave" $lab loose "$t/ref"
	place "$out/erin" $lab wrap1 "$t/ref"
	mkdir -p "$out/frank/upload/wirelab-main" && cp -r "$t/ref" "$out/frank/upload/wirelab-main/src"
	# gina: the client does not compile.
	cp -r "$t/ref" "$t/broken" && echo 'int broken(void) { return }' >>"$t/broken/greet_client.c"
	place "$out/gina" $lab tree "$t/broken"
	mkdir -p "$out/hank"
	# ivan: a server and a client that never answer nor exit.
	cp -r "$t/ref" "$t/hang" && hang "$t/hang/greet_server.c" && hang "$t/hang/greet_client.c"
	place "$out/ivan" $lab src "$t/hang"
	# judy: the submission is a link to the references.
	ln -s "$kit/solutions" "$out/judy"
	# kate: src/ is a link to the references.
	mkdir -p "$out/kate" && ln -s "$kit/solutions/$lab/src" "$out/kate/src"
	# A name that a spreadsheet would run as a formula, and one that clears a terminal.
	place "$out/=1+2" $lab src "$t/ref"
	place "$out/$(printf 'evil\033[2J')" $lab src "$t/ref"
	# The untouched stubs.
	place "$out/stub" $lab tree "$kit/labs/$lab/src"
	rm -rf "$t"
	;;
bench)
	n=${2:?N} out=${3:?OUT}
	shift 3
	[ $# -eq 0 ] || labs=("$@")
	case $out in /*) ;; *) out=$here/$out ;; esac
	[ ! -e "$out" ] || { echo "make-class.sh: $out exists" >&2; exit 2; }
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	t=$(mktemp -d)
	styles=(tree folders wrap1 wrap2 tree folders)
	for ((i = 0; i < n; i++)); do
		name=$(printf 's%03d' "$i")
		style=${styles[i % ${#styles[@]}]}
		for lab in "${labs[@]}"; do
			rm -rf "$t/src" && copy_lab "$lab" "$t/src"
			# One submission in three has a mutant in every lab, one in 25 fails to build,
			# one in 40 hangs; the rest are references.
			mutants=("$kit/tests/mutants/$lab"/*.patch)
			k=$(( (i * 7 + ${lab:0:2} * 3) % 3 ))
			if [ "$k" -eq 0 ] && [ -e "${mutants[0]}" ]; then
				m=${mutants[(i + ${lab:0:2}) % ${#mutants[@]}]}
				# The patches are relative to a lab's folder (a/src/...).
				rm -rf "$t/m" && mkdir -p "$t/m" && cp -r "$t/src" "$t/m/src"
				(cd "$t/m" && git apply "$m") || echo "make-class.sh: $m did not apply" >&2
				rm -rf "$t/src" && cp -r "$t/m/src" "$t/src"
			fi
			if [ $((i % 25)) -eq 24 ] && [ "$lab" = 01-tcp-echo ]; then
				echo 'int broken(void) { return }' >>"$t/src/echo_client.c"
			fi
			if [ $((i % 40)) -eq 39 ] && [ "$lab" = 02-udp ]; then
				hang "$t/src/udp_echo_server.c"
			fi
			place "$out/$name" "$lab" "$style" "$t/src"
		done
	done
	rm -rf "$t"
	;;
*)
	echo "usage: make-class.sh layouts OUT | bench N OUT" >&2
	exit 2
	;;
esac
