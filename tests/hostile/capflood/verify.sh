# capflood: what the grader keeps of a flood is bounded (256 MiB of captures at most).
kb=$(du -sk "$SUB/.wirelab" 2>/dev/null | cut -f1)
[ "${kb:-0}" -gt 262144 ] && bad "the flood left $((kb / 1024)) MiB of captures"
