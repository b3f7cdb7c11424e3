# hardlink: src/canary.h is another name of the canary (same file system). A student with
# an account on the grading machine makes such a link where fs.protected_hardlinks is 0 (to
# any file they can reach, /etc/shadow too); the runner plants it as root. A grader that
# copies it as root hands the compiler, as nobody, a file nobody may read.
ln "$CDIR/canary" "$SUB/src/canary.h" 2>/dev/null ||
	echo "hardlink: $CDIR and $SUB are on different file systems: nothing tested" >&2
