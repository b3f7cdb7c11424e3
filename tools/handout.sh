#!/usr/bin/env bash
# handout.sh - the student kit: the kit without solutions/, mutants or the tests that need
# them, as a tarball (default dist/wirelab-student.tar.gz) or unpacked into a folder.
#
#   tools/handout.sh [OUT.tar.gz]        the tarball, one top folder wirelab/
#   tools/handout.sh --dir DIR           the same files copied into DIR (made if missing)
#
# What ships: labs/, grader/, harness/, docs/, tools/, .ci/, Makefile, README.md,
# .gitignore and tests/ less what needs a reference solution. Files come from `git ls-files`
# when the kit is a git checkout (nothing untracked, nothing built), else from the tree.
set -euo pipefail
cd "$(dirname "$0")/.."

out=dist/wirelab-student.tar.gz dir=
case ${1:-} in
--dir) dir=${2:?"usage: tools/handout.sh --dir DIR"} ;;
"") ;;
*) out=$1 ;;
esac

ship=(labs grader harness docs tools .ci Makefile README.md .gitignore tests)

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files -- "${ship[@]}")
else
	mapfile -t files < <(find "${ship[@]}" -type f ! -path '*/build/*' ! -path '*/.wirelab/*' \
		! -name '*.o' ! -name '*.d' 2>/dev/null | sort)
fi

# Test files that read solutions/ stay home, and so does every test that includes one.
declare -A home=()
for f in "${files[@]}"; do
	case $f in
	tests/mutants/*|tests/courses/*|tests/hostile/*|tests/golden/*) home[$f]=1 ;;
	tests/*) [ -f "$f" ] && grep -q 'solutions' "$f" && home[$f]=1 ;;
	esac
done
for f in "${files[@]}"; do
	case $f in tests/*.c) ;; *) continue ;; esac
	[ -f "$f" ] || continue
	for h in "${!home[@]}"; do
		case $h in tests/*.h) ;; *) continue ;; esac
		grep -q "#include \"$(basename "$h")\"" "$f" && home[$f]=1
	done
done

keep=()
for f in "${files[@]}"; do
	[ -f "$f" ] && [ ! -L "$f" ] || continue   # deleted in the work tree, or a link
	[ -n "${home[$f]:-}" ] && continue
	keep+=("$f")
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/wirelab"
printf '%s\0' "${keep[@]}" | tar --null -T - -cf - | tar -xf - -C "$stage/wirelab"
if [ -d "$stage/wirelab/solutions" ] || [ -d "$stage/wirelab/tests/mutants" ]; then
	echo "handout: solutions/ or tests/mutants/ got into the kit" >&2
	exit 1
fi

if [ -n "$dir" ]; then
	mkdir -p "$dir"
	cp -a "$stage/wirelab/." "$dir/"
	echo "handout: ${#keep[@]} files in $dir"
	exit 0
fi

# Same files, same bytes: owner, order and times do not depend on who built it when.
mtime=$(git log -1 --format=%ct 2>/dev/null || date +%s)
mkdir -p "$(dirname "$out")"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" -C "$stage" \
	-cf - wirelab | gzip -n -9 >"$out.tmp"
mv "$out.tmp" "$out"
echo "handout: $out (${#keep[@]} files, $(du -k "$out" | cut -f1) KiB)"
