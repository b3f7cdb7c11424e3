# pcap-symlink: the upload's .wirelab/ (where failed checks' captures go by default) is a
# link to the grading user's private folder, which holds a file of the same name as the
# capture: the grader deletes it as stale, then writes the capture through the link.
mkdir -p "$SUB"
ln -s "$CDIR" "$SUB/.wirelab"
chown -h "$(stat -c %u "$SUB")" "$SUB/.wirelab"
