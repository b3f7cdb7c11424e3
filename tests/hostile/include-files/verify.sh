# include-files: no line of the host's /etc/passwd is quoted in the report.
while IFS= read -r line; do
	if grep -qaF "$line" "$A/report.json"; then
		bad "the host's /etc/passwd is quoted (the line of ${line%%:*})"
		break
	fi
done </etc/passwd
