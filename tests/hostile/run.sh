#!/usr/bin/env bash
# run.sh - grade the kit's hostile submissions and assert the grader contained each one.
#
#   tests/hostile/run.sh [--quick] [--keep] [ATTACK...]
#
# Every folder of tests/hostile/ with an attack.conf is one attack: a lab folder (src/*.c)
# that a hostile student could hand in. Each is graded with WIRELAB_BIN (default
# bin/wirelab) as root, and again as an ordinary user (a uid of its own, through user
# namespaces) where the attack applies. Then the runner asserts what a student can observe
# or damage, never how the jail is built:
#   - the grader finished in time, alive, with a complete, well-formed report;
#   - the attack did not score full marks;
#   - no canary file outside the jail was read (its secret is in no output) or touched
#     (content, owner, mode, mtime, and the folder's list of files unchanged);
#   - the grader's stdin was not read, and no proof of a forbidden act was left behind;
#   - nothing the attack started is still running, and nothing it wrote stays in /tmp or
#     /dev/shm;
#   - the reference solution of the same lab, graded right after, scores full marks.
# One line per attack and mode, then "N passed, N failed"; exit 1 if any failed.
#
# attack.conf (shell): LAB, CHECK (a --check pattern), MODES ("root user"), QUICK (1 if
# cheap), LIMIT (seconds the grade may take), NOERROR (1: no check may be an "error"),
# FORMATS (extra report formats to parse), TTY (1: the grader runs on a terminal),
# OUTPUT (1: --output in a shared folder), PEER (1: a classmate is graded at the same time),
# REFLAB (1: the whole lab's reference afterwards, not only CHECK). An attack may also have
# setup.sh and verify.sh, sourced before and after grading (verify.sh calls `bad REASON`).
set -u
export LC_ALL=C NO_COLOR=1

HERE=$(cd "$(dirname "$0")" && pwd)
KIT=$(cd "$HERE/../.." && pwd)
BIN=${WIRELAB_BIN:-bin/wirelab}
case $BIN in /*) ;; *) BIN=$KIT/$BIN ;; esac
QUICKRUN=0 KEEP=0
ATTACKS=()
for a in "$@"; do
	case $a in
	--quick) QUICKRUN=1 ;;
	--keep) KEEP=1 ;;
	-h|--help) sed -n '2,30p' "$0"; exit 0 ;;
	-*) echo "run.sh: unknown option $a" >&2; exit 2 ;;
	*) ATTACKS+=("${a%/}") ;;
	esac
done
if [ "$(id -u)" != 0 ]; then
	echo "run.sh: run as root (it grades as root and as an unprivileged uid)" >&2
	exit 2
fi
if [ ! -x "$BIN" ]; then
	echo "run.sh: no grader at $BIN (make all)" >&2
	exit 2
fi
if [ ${#ATTACKS[@]} -eq 0 ]; then
	for d in "$HERE"/*/attack.conf; do
		a=$(basename "$(dirname "$d")")
		if [ $QUICKRUN = 1 ]; then
			grep -q '^QUICK=1' "$d" || continue
		fi
		ATTACKS+=("$a")
	done
fi

# ---- the stage: a kit checkout, canaries, a host service --------------------------------
# The ordinary user: a uid of its own, so that kill(-1) from an attack reaches no one else.
UUID=${WLH_UID:-64917}
# One run at a time per uid: another run's processes of that uid would count as left behind
# by this run's attacks (and its attacks' kill(-1) would reach them).
exec 8>"/run/wirelab-hostile-$UUID.lock" 2>/dev/null || exec 8>"/tmp/wirelab-hostile-$UUID.lock"
if ! flock -n 8; then
	echo "hostile: another run holds uid $UUID; waiting for it (WLH_UID=N for another uid)" >&2
	flock 8
fi
# The system's python (a version manager's shim costs a second at each start).
PY=$(command -v /usr/bin/python3 || command -v python3)
MARK=wlh$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
SECRET=WLHSECRET-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
W=$(mktemp -d /tmp/wirelab-hostile.XXXXXX)
H=$(mktemp -d /home/wirelab-hostile.XXXXXX 2>/dev/null || mktemp -d /var/tmp/wirelab-hostile.XXXXXX)
RC=$(mktemp -d /root/wirelab-hostile.XXXXXX)
chmod 755 "$W" "$H"
chmod 700 "$RC"
SOCKPID=
cleanup() {
	[ -n "$SOCKPID" ] && kill "$SOCKPID" 2>/dev/null
	reap_marked >/dev/null
	find /tmp /dev/shm -maxdepth 2 -name "*$MARK*" -exec rm -rf {} + 2>/dev/null
	rm -f /tmp/wirelab-hostile.hints
	if [ $KEEP = 0 ]; then
		rm -rf "$W" "$H" "$RC"
	else
		echo "kept: $W $H $RC" >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The kit as an instructor checks it out (a git repository: solutions, mutants, history),
# readable by every uid, outside /tmp.
KC=$H/kit
mkdir -p "$KC/bin"
(cd "$KIT" && git ls-files -z | grep -zv '^tests/hostile/' | xargs -0 cp --parents -t "$KC") ||
	{ echo "run.sh: cannot copy the kit" >&2; exit 2; }
cp "$BIN" "$KC/bin/wirelab"
(cd "$KC" && git init -q && git add -A && git -c user.name=kit -c user.email=kit@localhost \
	commit -qm kit) || { echo "run.sh: cannot make the kit's repository" >&2; exit 2; }
chmod -R a+rX "$KC"
KBIN=$KC/bin/wirelab
# Make a do-nothing grader binary not mistaken for a working one.
"$KBIN" list 01 >/dev/null 2>&1 || { echo "run.sh: $KBIN list fails" >&2; exit 2; }

# Canaries: 0600 files of the grading user in a 0700 folder, fresh for each mode.
canaries() { # DIR OWNER
	mkdir -p "$1"
	printf '%s canary\n' "$SECRET" >"$1/canary"
	printf 'student,grade\nada,%s\n' "$SECRET" >"$1/gradebook"
	printf '%s pcap\n' "$SECRET" >"$1/echo.server-echo.pcap"
	chown -R "$2" "$1"
	chmod 700 "$1"
	chmod 600 "$1"/*
}
canaries "$RC/c" 0:0
canaries "$H/user" "$UUID:$UUID"
snapshot() { # DIR: names, owners, modes, times, sizes and hashes of everything under DIR
	(cd "$1" && find . -printf '%p %U:%G %m %T@ %s\n' | sort &&
		find . -type f -exec sha256sum {} + | sort)
}

# A host service: a Unix socket in /tmp that logs every connection.
SOCK=$W/host.sock
$PY - "$SOCK" "$W/sock.log" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o777); s.listen(16)
while True:
    c, _ = s.accept()
    with open(sys.argv[2], "a") as f:
        f.write("connection\n")
    c.close()
PY
SOCKPID=$!

mkdir -p "$W/evidence" "$W/shared"
chmod 1777 "$W/evidence" "$W/shared"
touch "$W/maxrss" && chmod 666 "$W/maxrss"
# Where the runner keeps things, for attacks that look before they leap (a baseline run).
printf 'kit=%s\nsock=%s\nevidence=%s\n' "$KC" "$SOCK" "$W/evidence" >/tmp/wirelab-hostile.hints
chmod 644 /tmp/wirelab-hostile.hints

# ---- helpers ------------------------------------------------------------------------------
# Processes of this run's attacks (by name or argv), ended by their pid; prints them.
# Rounds until none is left: a fork bomb forks while it is being ended.
reap_marked() {
	local p found= round
	for round in $(seq 50); do
		local now
		# The marker goes to awk through its environment: in its argv, awk would find itself.
		now=$(ps -eo pid=,stat=,comm=,args= |
			M=$MARK awk '$2 !~ /^Z/ && index($0, ENVIRON["M"]) { printf " %s", $1 }')
		[ -z "$now" ] && break
		for p in $now; do kill -9 "$p" 2>/dev/null; done
		found="$found$now"
		sleep 0.1
	done
	[ -n "$found" ] && echo $found | tr ' ' '\n' | sort -un | paste -sd' ' -

}

# "N processes: pid pid pid ..." (the first few).
some_pids() {
	echo "$# processes: $(echo "$@" | cut -d' ' -f1-8)$([ $# -gt 8 ] && echo ' ...')"
}

as_mode() { # MODE CMD...: run as root or as the ordinary uid
	local m=$1
	shift
	if [ "$m" = root ]; then
		"$@"
	else
		setpriv --reuid="$UUID" --regid="$UUID" --clear-groups "$@"
	fi
}

# Copy an attack into DEST as a lab folder, placeholders replaced for MODE.
stage() { # ATTACK MODE DEST
	local a=$1 m=$2 d=$3 cdir ownuid=0 owner
	if [ "$m" = root ]; then cdir=$RC/c owner=65534; else cdir=$H/user owner=$UUID ownuid=1; fi
	mkdir -p "$d/src"
	cp "$HERE/common/wlh.h" "$d/src/"
	[ -d "$HERE/$a/src" ] && cp -a "$HERE/$a/src/." "$d/src/"
	for f in echo_server.c echo_client.c; do
		[ -e "$d/src/$f" ] || [ -L "$d/src" ] || cp "$HERE/common/$f" "$d/src/"
	done
	find "$d/src" -maxdepth 1 -type f -name '*.[ch]' -print0 | xargs -0 -r sed -i \
		-e "s|@MARK@|$MARK|g" -e "s|@KIT@|$KC|g" -e "s|@CANARY@|$cdir/canary|g" \
		-e "s|@CANARYDIR@|$cdir|g" -e "s|@GRADEBOOK@|$cdir/gradebook|g" \
		-e "s|@SOCK@|$SOCK|g" -e "s|@EVID@|$W/evidence/$a-$m|g" -e "s|@SUB@|$d|g" \
		-e "s|@OUTPUT@|$W/shared/report-$a-$m.json|g" -e "s|@OWNUID@|$ownuid|g"
	mkdir -p "$W/evidence/$a-$m"
	chmod 777 "$W/evidence/$a-$m"
	# The student owns the upload, and the programs run as the student's uid.
	chown -R "$owner:$owner" "$d"
	CDIR=$cdir
}

# Is FILE a complete report (json) of the checks of LAB that match PATTERN? Prints why not.
report_ok() { # FILE LAB PATTERN
	$PY - "$1" "$2" "$3" "$KBIN" <<'PY'
import fnmatch, json, subprocess, sys
path, lab, pat, kbin = sys.argv[1:]
ids = [l.split()[0] for l in subprocess.run([kbin, "list", lab], capture_output=True,
       text=True).stdout.splitlines()[1:] if l.strip()]
want = [i for i in ids if fnmatch.fnmatchcase(i, pat)]
try:
    raw = open(path, "rb").read()
    d = json.loads(raw.decode("utf-8"))
except Exception as e:
    print("the report is not JSON: %s" % e); sys.exit(1)
got = [c.get("id") for c in d.get("checks", [])]
if got != want:
    print("the report has checks %s, expected %s" % (got, want)); sys.exit(1)
for c in d["checks"]:
    if c.get("status") not in ("pass", "fail", "error", "skip"):
        print("check %s has status %r" % (c.get("id"), c.get("status"))); sys.exit(1)
print("%s %s %s" % (d.get("score"), d.get("max_score"),
      sum(c["status"] == "error" for c in d["checks"])))
PY
}

# Does FILE parse in FORMAT, free of control characters and invalid UTF-8? Prints why not.
format_ok() { # FILE FORMAT
	$PY - "$1" "$2" <<'PY'
import json, re, sys
import xml.etree.ElementTree as ET
path, fmt = sys.argv[1:]
raw = open(path, "rb").read()
try:
    text = raw.decode("utf-8")
except UnicodeDecodeError as e:
    print("%s: not UTF-8: %s" % (fmt, e)); sys.exit(1)
bad = re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text)
if bad:
    print("%s: a control character %r at byte %d" % (fmt, bad.group(), bad.start())); sys.exit(1)
try:
    if fmt in ("json", "gradescope"):
        json.loads(text)
    elif fmt == "junit":
        ET.fromstring(raw)
    elif fmt == "tap":
        for line in text.splitlines():
            if not re.match(r"(TAP version 13$|1\.\.\d+$|(not )?ok \d+|#|  |$)", line):
                raise ValueError("not a TAP line: %r" % line[:80])
except Exception as e:
    print("%s: does not parse: %s" % (fmt, e)); sys.exit(1)
PY
}

PASS=0 FAILN=0
REASONS=
bad() { REASONS="$REASONS${REASONS:+; }$*"; }

# ---- one attack in one mode -----------------------------------------------------------------
run_attack() { # ATTACK MODE
	local a=$1 m=$2 A=$W/$2/$1
	local LAB=01 CHECK='echo.server-echo' MODES='root user' LIMIT=60 NOERROR=0 FORMATS= TTY=0
	local OUTPUT=0 PEER=0 REFLAB=0 QUICK=0
	# shellcheck disable=SC1090
	. "$HERE/$a/attack.conf"
	case " $MODES " in *" $m "*) ;; *) return 0 ;; esac
	REASONS=
	mkdir -p "$A"
	chmod 755 "$W/$m" "$A"
	local SUB=$A/sub
	stage "$a" "$m" "$SUB"
	canaries "$RC/c" 0:0
	canaries "$H/user" "$UUID:$UUID"
	[ -f "$HERE/$a/setup.sh" ] && . "$HERE/$a/setup.sh"
	snapshot "$RC" >"$A/canary.before"
	snapshot "$H/user" >>"$A/canary.before"
	printf 'ada %s\nbob\ncyd\n' "$SECRET" >"$A/classlist"
	local rep=$A/report.json args=(grade "$LAB" --submission "$SUB" --check "$CHECK")
	local peerpid=
	if [ "$PEER" = 1 ]; then
		# A classmate, graded at the same time: the reference solution, signed with the secret.
		mkdir -p "$A/peer/src"
		cp "$KC"/solutions/01-tcp-echo/src/*.c "$A/peer/src/"
		sed -i "1i /* classmate: $SECRET */" "$A/peer/src/echo_server.c"
		chown -R "$([ "$m" = root ] && echo 65534 || echo "$UUID")" "$A/peer"
		as_mode "$m" "$KBIN" grade 01 --submission "$A/peer" --format json \
			>"$A/peer.json" 2>"$A/peer.err" </dev/null &
		peerpid=$!
		sleep 0.5
	fi
	# The grader's stdin is the class list of an instructor's `while read student` loop: as
	# root a file (the loop reads the rest through the shared offset), as the user a pipe
	# of the user's own (a FIFO here, filled in the background).
	local IN=$A/classlist
	if [ "$m" = user ] && [ "$TTY" != 1 ]; then
		IN=$A/stdin.fifo
		mkfifo -m 600 "$IN"
		chown "$UUID" "$IN"
		# The writer stays a while, as a loop's `cat class | while read` would.
		{ cat "$A/classlist"; sleep 1; } >"$IN" 2>/dev/null </dev/null &
	fi
	local t0 t1 st
	t0=$(date +%s.%N)
	if [ "$TTY" = 1 ]; then
		local who=()
		[ "$m" = user ] && who=(setpriv --reuid="$UUID" --regid="$UUID" --clear-groups)
		timeout -k 5 "$LIMIT" $PY "$HERE/onpty.py" "$A/tty.log" "${who[@]}" \
			"$KBIN" "${args[@]}" --format text <"$A/classlist" >/dev/null 2>"$A/stderr"
		st=$?
		# The same grade once more for the report the assertions read.
		as_mode "$m" timeout -k 5 "$LIMIT" "$KBIN" "${args[@]}" --format json \
			</dev/null >"$rep" 2>>"$A/stderr"
		cp "$A/classlist" "$A/stdin.left"
	elif [ "$OUTPUT" = 1 ]; then
		rep=$W/shared/report-$a-$m.json
		{ as_mode "$m" timeout -k 5 "$LIMIT" "$KBIN" "${args[@]}" --format json -o "$rep" \
			>"$A/stdout" 2>"$A/stderr" 3<>"$CDIR/gradebook"; st=$?; t1=$(date +%s.%N); timeout 2 cat >"$A/stdin.left"; } <"$IN"
		sleep 3   # a daemon would strike now
	else
		# The instructor's shell has the gradebook open on fd 3 (`exec 3<>gradebook`).
		{ as_mode "$m" /usr/bin/time -f %M -o "$W/maxrss" timeout -k 5 "$LIMIT" "$KBIN" \
			"${args[@]}" --format json >"$rep" 2>"$A/stderr" 3<>"$CDIR/gradebook"; st=$?; t1=$(date +%s.%N); timeout 2 cat >"$A/stdin.left"; } <"$IN"
	fi
	[ "$TTY" = 1 ] && t1=$(date +%s.%N)
	# The largest process of the grade (the grader or anything it waited for), in MiB.
	local secs rss
	rss=$(tail -n1 "$W/maxrss" 2>/dev/null)
	rss=$(( ${rss:-0} / 1024 ))
	: >"$W/maxrss"
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	[ -n "$peerpid" ] && wait "$peerpid"
	sleep 0.5
	# The grader: alive, in time, a complete report.
	if [ "$st" -ge 124 ]; then
		bad "the grader did not finish (status $st after ${secs} s)"
	elif [ "$st" -gt 2 ]; then
		bad "the grader ended with status $st"
	fi
	local r
	if r=$(report_ok "$rep" "$LAB" "$CHECK"); then
		set -- $r
		[ "$1" = "$2" ] && bad "graded $1/$2: full marks"
		[ "$NOERROR" = 1 ] && [ "$3" != 0 ] && bad "$3 checks are grader errors, not the student's failure"
	else
		bad "$r"
	fi
	for f in $FORMATS; do
		as_mode "$m" timeout -k 5 "$LIMIT" "$KBIN" "${args[@]}" --format "$f" \
			</dev/null >"$A/report.$f" 2>>"$A/stderr"
		r=$(format_ok "$A/report.$f" "$f") || bad "$r"
	done
	# The next submission is graded right (while anything the attack left still runs): the
	# reference solution, handed in as a student's, signed with this run's marker so that
	# attacks on "the next submission" can tell it from other people's on a shared machine.
	local refpat=$CHECK labname
	[ "$REFLAB" = 1 ] && [ $QUICKRUN = 0 ] && refpat='*'
	labname=$(basename "$KC"/solutions/"$LAB"-*)
	mkdir -p "$A/next"
	cp -a "$KC/solutions/$labname/." "$A/next/"
	for f in "$A"/next/src/*.c; do sed -i "1i /* next: $MARK */" "$f"; done
	chown -R "$([ "$m" = root ] && echo 65534 || echo "$UUID")" "$A/next"
	# A capture folder the grading user may write (an unusable --pcap-dir is a usage error).
	mkdir -p "$A/refpcap"
	[ "$m" = root ] || chown "$UUID" "$A/refpcap"
	as_mode "$m" timeout -k 5 120 "$KBIN" grade "$LAB" --submission "$A/next" \
		--check "$refpat" --format json --pcap-dir "$A/refpcap" </dev/null \
		2>"$A/ref.err" >"$A/ref.json"
	if r=$(report_ok "$A/ref.json" "$LAB" "$refpat"); then
		set -- $r
		[ "$1" != "$2" ] && bad "the reference graded next scored $1/$2"
	else
		bad "the reference graded next: $r $(head -c 200 "$A/ref.err")"
	fi
	# Nothing read, nothing touched, nothing left.
	local leak
	# (A name the attack gave the canary itself, a hard link, is not a leak.)
	leak=$(grep -rlaF "$SECRET" "$A" "$W/shared" 2>/dev/null |
		grep -v -e "/classlist$" -e "/stdin.left$" -e "/peer/" -e "/peer.json$" |
		while IFS= read -r f; do
			for c in "$CDIR"/*; do [ "$f" -ef "$c" ] && continue 2; done
			echo "$f"
		done | head -3)
	[ -n "$leak" ] && bad "a canary's secret is in $(echo $leak | sed "s|$W/||g")"
	snapshot "$RC" >"$A/canary.after"
	snapshot "$H/user" >>"$A/canary.after"
	if ! cmp -s "$A/canary.before" "$A/canary.after"; then
		bad "a canary was touched: $(diff "$A/canary.before" "$A/canary.after" | grep '^[<>]' |
			head -2 | tr '\n' ' ')"
	fi
	cmp -s "$A/classlist" "$A/stdin.left" || bad "the grader's stdin was read by someone"
	if [ -n "$(ls -A "$W/evidence/$a-$m")" ]; then
		bad "proof left: $(head -qn1 "$W/evidence/$a-$m"/* | head -2 | tr '\n' ' ')"
	fi
	[ -s "$W/sock.log" ] && bad "the host's Unix socket was reached" && : >"$W/sock.log"
	local left p round
	left=$(reap_marked)
	[ -n "$left" ] && bad "still running after grading: $(some_pids $left)"
	if [ "$m" = user ]; then
		# The ordinary uid is this run's own: anything of it still running is left over.
		left=$(ps -o pid= -u "$UUID" | tr -d ' ' | paste -sd, -)
		if [ -n "$left" ]; then
			bad "still running as uid $UUID after grading: $(ps -o comm= -p "$left" |
				sort | uniq -c | tr -s ' \n' ' ')"
			left=${left//,/ }
			for round in $(seq 20); do
				# kill(-1) as that uid: every process of it at once, however fast it forks.
				setpriv --reuid="$UUID" --regid="$UUID" --clear-groups kill -9 -1 2>/dev/null
				sleep 0.1
				left=$(ps -o pid= -u "$UUID" | tr -d ' ' | tr '\n' ' ')
				[ -z "${left// /}" ] && break
			done
		fi
	fi
	left=$(find /tmp /dev/shm -maxdepth 2 -name "*$MARK*" 2>/dev/null | head -3)
	if [ -n "$left" ]; then
		bad "left on the host: $(echo $left)"
		find /tmp /dev/shm -maxdepth 2 -name "*$MARK*" -exec rm -rf {} + 2>/dev/null
	fi
	[ -f "$HERE/$a/verify.sh" ] && . "$HERE/$a/verify.sh"
	if [ -z "$REASONS" ]; then
		PASS=$((PASS + 1))
		printf 'ok    %-4s %-20s %5s s %6s MiB\n' "$m" "$a" "$secs" "$rss"
	else
		FAILN=$((FAILN + 1))
		printf 'FAIL  %-4s %-20s %5s s %6s MiB  %s\n' "$m" "$a" "$secs" "$rss" "$REASONS"
	fi
}

for a in "${ATTACKS[@]}"; do
	if [ ! -f "$HERE/$a/attack.conf" ]; then
		echo "run.sh: no attack named $a" >&2
		FAILN=$((FAILN + 1))
		continue
	fi
	for m in root user; do
		run_attack "$a" "$m"
	done
done
echo "$PASS passed, $FAILN failed"
[ "$FAILN" = 0 ]
