#!/usr/bin/env bash
# The kit's own tests: build with -Werror, the labs' unit tests against the reference
# solutions, the harness and grader tests (Criterion), real peers, the mutants, and the
# same again under AddressSanitizer and UndefinedBehaviorSanitizer.
set -uo pipefail
cd "$(dirname "$0")/.."

jobs=${WIRELAB_TEST_JOBS:-2}
passed=0 failed=0 skipped=0
start=$(date +%s)
# What failed, said again at the end: a log read from its tail shows it.
fails=$(mktemp)
trap 'rm -f "$fails"' EXIT
failure() { echo "$*" >>"$fails"; }

# Run one Criterion binary; add its synthesis line to the totals.
run() {
	local bin=$1; shift
	local log t0=$SECONDS
	log=$(mktemp)
	echo "== $bin $*"
	"$bin" --jobs "$jobs" "$@" 2>&1 | tee "$log" | grep -E '^\[(FAIL|----)\]|Synthesis' || true
	echo "   $((SECONDS - t0)) s"
	local line
	line=$(grep -a 'Synthesis' "$log" | tail -n 1)
	local said
	said=$(grep -a -E '^\[(FAIL|----)\]' "$log" | head -n 12 | sed "s|^|$bin: |")
	rm -f "$log"
	if [ -z "$line" ]; then
		echo "   $bin printed no result: counted as one failure"
		failure "$bin printed no result"
		failed=$((failed + 1))
		return
	fi
	local t p f c s
	t=$(sed -n 's/.*Tested: \([0-9]*\).*/\1/p' <<<"$line")
	p=$(sed -n 's/.*Passing: \([0-9]*\).*/\1/p' <<<"$line")
	f=$(sed -n 's/.*Failing: \([0-9]*\).*/\1/p' <<<"$line")
	c=$(sed -n 's/.*Crashing: \([0-9]*\).*/\1/p' <<<"$line")
	s=$(sed -n 's/.*Skipped: \([0-9]*\).*/\1/p' <<<"$line")
	passed=$((passed + p)); failed=$((failed + f + c)); skipped=$((skipped + ${s:-0}))
	[ $((f + c)) -eq 0 ] || failure "$said"
	: "$t"
}

# A student kit (make handout) has no solutions/: the parts that need them say so and skip.
have_solutions=yes
if [ ! -d solutions ]; then
	have_solutions=
	echo "== this kit has no solutions/: the labs' unit tests against them, the grader's"
	echo "   tests on them and the mutants are not part of it; your own labs: make grade"
fi

echo "== building the kit with -Werror"
if ! make -s all unit; then
	echo "tests: 0 passed, 1 failed"
	exit 1
fi

# The labs' own unit tests (Criterion, tests/*.c in a lab), against the solutions' helpers.
for dir in labs/*/; do
	[ -n "$have_solutions" ] || break
	lab=$(basename "$dir")
	[ -d "$dir/tests" ] || continue
	ls "$dir"/tests/*.c >/dev/null 2>&1 || continue
	progs=$(sed -n 's/^PROGRAMS *:= *//p' "$dir/Makefile")
	extra=$(sed -n 's/^LDLIBS_EXTRA *:= *//p' "$dir/Makefile")
	helpers=()
	for c in solutions/"$lab"/src/*.c; do
		name=$(basename "$c" .c)
		case " $progs " in *" $name "*) ;; *) helpers+=("$c") ;; esac
	done
	mkdir -p build/labtests
	for t in "$dir"/tests/*.c; do
		out=build/labtests/$lab-$(basename "$t" .c)
		if cc $(cat grader/recipe) -Werror -Isolutions/"$lab"/src -o "$out" \
			"$t" "${helpers[@]}" $extra -lcriterion; then
			run "$out"
		else
			echo "   $t does not build against solutions/$lab"
			failure "$t does not build against solutions/$lab"
			failed=$((failed + 1))
		fi
	done
done

for t in build/kit/tests/test_*; do
	case $t in *.d|*.o) continue ;; esac
	run "$t"
done

# The kit's own hostile submissions (tests/hostile/), the quick half: each graded as root
# and as an ordinary user, and contained. The whole set is `make hostile`.
if [ -z "$have_solutions" ]; then
	echo "== hostile submissions skipped: they grade the reference solutions next"
	skipped=$((skipped + 1))
elif [ "$(id -u)" -ne 0 ]; then
	echo "== hostile submissions skipped: they grade as root and as another user (run as root)"
	skipped=$((skipped + 1))
else
	echo "== tests/hostile/run.sh --quick"
	log=$(mktemp)
	tests/hostile/run.sh --quick >"$log" 2>&1
	grep -E '^FAIL' "$log" | head -20 | tee -a "$fails"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "   tests/hostile/run.sh printed no result: counted as one failure"
		failure "tests/hostile/run.sh printed no result"
		tail -n 20 "$log"
		failed=$((failed + 1))
	else
		echo "   $line"
		passed=$((passed + ${line%% passed*}))
		f=${line#*passed, }
		failed=$((failed + ${f%% failed*}))
	fi
	rm -f "$log"
fi

# The decoders and protocol readers take untrusted bytes: each fuzz target runs for a while
# (libFuzzer, with ASan and UBSan) and must find nothing.
fuzz_secs=${WIRELAB_FUZZ_SECONDS:-20}
if clang -fsanitize=fuzzer -x c - -o /dev/null <<<'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' 2>/dev/null; then
	mkdir -p build/fuzz
	for f in tests/fuzz/fuzz_*.c; do
		name=$(basename "$f" .c)
		echo "== $name, ${fuzz_secs} s"
		if clang -g -O1 -fsanitize=fuzzer,address,undefined -Iharness "$f" \
			harness/*.c -lpcap -lcjson -lseccomp -lcrypto -pthread -o "build/fuzz/$name" 2>"build/fuzz/$name.log" &&
			mkdir -p "build/fuzz/$name.corpus" &&
			"build/fuzz/$name" -max_total_time="$fuzz_secs" -seed=1 -rss_limit_mb=2048 \
				"build/fuzz/$name.corpus" >"build/fuzz/$name.log" 2>&1; then
			passed=$((passed + 1))
			tail -n 1 "build/fuzz/$name.log"
		else
			echo "   $name failed:"; tail -n 30 "build/fuzz/$name.log" 2>/dev/null
			failure "$name found something: build/fuzz/$name.log"
			failed=$((failed + 1))
		fi
	done
else
	echo "== fuzzing skipped: clang with libFuzzer is not installed (apt-get install clang)"
	skipped=$((skipped + 1))
fi

echo "== the same under AddressSanitizer and UndefinedBehaviorSanitizer"
if make -s SAN=1 all unit; then
	# Criterion's own runner keeps memory to the end: leaks are looked for in wirelab alone.
	export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	for t in build/san/tests/test_*; do
		case $t in
		*.d|*.o|*/test_mutants) continue ;;   # the mutants' verdicts do not change
		*/test_grader) WIRELAB_BIN=build/san/wirelab WIRELAB_TEST_QUICK=1 run "$t" ;;
		*) WIRELAB_BIN=build/san/wirelab run "$t" ;;
		esac
	done
	echo "== build/san/wirelab grade all --solution, with LeakSanitizer"
	log=$(mktemp)
	if [ -z "$have_solutions" ]; then
		echo "   skipped: no solutions/ in this kit"
		skipped=$((skipped + 1))
	elif ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 build/san/wirelab grade all --solution \
		--pcap-dir "$log.pcaps" >"$log" 2>&1 && ! grep -q 'Sanitizer' "$log"; then
		passed=$((passed + 1))
	else
		echo "   failed:"; grep -A20 -E 'Sanitizer|FAIL|ERR ' "$log" | head -60
		failure "build/san/wirelab grade all --solution, with LeakSanitizer"
		failed=$((failed + 1))
	fi
	rm -rf "$log" "$log.pcaps"
else
	echo "   the sanitizer build failed"
	failure "the sanitizer build failed"
	failed=$((failed + 1))
fi

if [ -s "$fails" ]; then
	echo "== what failed"
	head -n 60 "$fails"
fi
echo "== $(( $(date +%s) - start )) s"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
