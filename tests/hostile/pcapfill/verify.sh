# pcapfill: the captures one lab's checks leave are bounded (128 MiB, and what checks
# running side by side add before they see it: 16 MiB each).
kb=$(du -sk "$SUB/.wirelab" 2>/dev/null | cut -f1)
[ "${kb:-0}" -gt $(( (128 + 8 * 16) * 1024 )) ] && bad "the checks left $((kb / 1024)) MiB of captures"
