# tty: nothing typed into the instructor's terminal, no raw escape sequence on it.
if grep -qa 'typed\[[^]]' "$A/tty.log"; then
	bad "typed into the terminal: $(grep -ao 'typed\[[^]]*\]' "$A/tty.log" | head -1)"
fi
if grep -qaP '\x1b' "$A/tty.log"; then
	bad "a raw escape sequence reached the terminal"
fi
grep -qa 'points' "$A/tty.log" || bad "no report on the terminal"
