/* echo_server.c - hostile: make the compiler read files and quote them in its errors.
 *
 * The build log goes into the report. /dev/stdin is the grader's standard input, which an
 * instructor's `while read student; do wirelab grade ...; done <class-list` loop shares with
 * the compiler: the compiler eats the class list and quotes it. /etc/passwd names the
 * machine's users. The canary is a file only the grading user may read; that include is
 * fatal when the file cannot be read, so it comes last. */
#include "/dev/stdin"
#include "/etc/passwd"
#include "@CANARY@"
