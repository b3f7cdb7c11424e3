# names: a helper and a header whose names are invalid UTF-8 and terminal escape sequences
# (a tar or zip upload carries any bytes but '/' and NUL in a name). The helper does not
# compile, so the compiler's errors, which name the files, go into the report.
bad_name=$(printf 'x\377\033[2J\033]0;pwned\007\001 \033[32mok')
printf '#include "%s.h"\nint names_helper(void) { return NAMES_H + ; }\n' "$bad_name" \
	>"$SUB/src/$bad_name.c"
printf '#define NAMES_H 1\n' >"$SUB/src/$bad_name.h"
chown -R "$(stat -c %u "$SUB")" "$SUB/src"
