#!/usr/bin/env bash
# setup.sh - Gradescope runs this once, as root, when it builds the autograder's image: the
# system packages the kit needs, then the grader (source/wirelab/bin/wirelab).
# AUTOGRADER_ROOT names the autograder's folder (default /autograder), for trying it out.
set -euo pipefail
root=${AUTOGRADER_ROOT:-/autograder}
cd "$root/source/wirelab"

tools/deps.sh
make -s all
bin/wirelab doctor || true
