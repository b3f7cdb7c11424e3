#!/usr/bin/env bash
# template.sh - a GitHub Classroom template repository: the student kit (no solutions) and
# .github/workflows/classroom.yml, which fetches the grader from GRADER_REPO at GRADER_TAG,
# grades the student's labs/ and reports the points to Classroom.
#
#   tools/classroom/template.sh OUT_DIR GRADER_REPO GRADER_TAG [GRADER_COMMIT] [LAB...]
#
# GRADER_REPO is owner/name on GitHub, holding the student kit (make handout) at GRADER_TAG;
# GRADER_COMMIT, when given, is the commit that tag must point at. LABs default to all.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?"usage: tools/classroom/template.sh OUT_DIR GRADER_REPO GRADER_TAG [GRADER_COMMIT] [LAB...]"}
repo=${2:-}
tag=${3:-}
commit=${4:-}
shift $(($# < 4 ? $# : 4))
labs=${*:-all}
if [ -z "$repo" ] || [ -z "$tag" ]; then
	echo "classroom: name the instructor's grader repository and its tag:" >&2
	echo "  make classroom GRADER_REPO=owner/wirelab-grader GRADER_TAG=v1.0" >&2
	exit 2
fi
case $repo$tag$commit$labs in
*[!A-Za-z0-9._/\ -]*) echo "classroom: repository, tag, commit and labs take [A-Za-z0-9._/-]" >&2; exit 2 ;;
esac

rm -rf "$out"
tools/handout.sh --dir "$out" >/dev/null
mkdir -p "$out/.github/workflows"
sed -e "s|@GRADER_REPO@|$repo|" -e "s|@GRADER_TAG@|$tag|" -e "s|@GRADER_COMMIT@|$commit|" \
	-e "s|@LABS@|$labs|" tools/classroom/classroom.yml >"$out/.github/workflows/classroom.yml"
echo "classroom: $out (grader $repo at $tag${commit:+, commit $commit}; labs: $labs)"
