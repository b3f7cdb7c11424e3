/* test_grader.c - the grader end to end: reference solutions score full marks every time,
 * stubs build and score zero, saved pcaps open with tcpdump, every output format is well
 * formed, build failures and hostile programs are handled, the sandbox fallbacks work. */
#define _DEFAULT_SOURCE
#include "kit.h"

#include <sys/stat.h>
#include <unistd.h>

/* Every check of every lab in a `grade all` JSON document has the wanted status. */
static void expect_all(cJSON *j, const char *want, const char *what)
{
	const cJSON *labs = cJSON_GetObjectItemCaseSensitive(j, "labs"), *lab, *chk;
	int n = 0;

	cr_assert(cJSON_IsArray(labs), "%s: no \"labs\" array", what);
	cJSON_ArrayForEach(lab, labs) {
		cJSON_ArrayForEach(chk, cJSON_GetObjectItemCaseSensitive(lab, "checks")) {
			cr_expect_str_eq(kit_str(chk, "status"), want,
					 "%s: %s %s: expected %s, got %s: %s", what, kit_str(lab, "lab"),
					 kit_str(chk, "id"), want, kit_str(chk, "status"),
					 kit_str(chk, "message"));
			n++;
		}
	}
	cr_assert_gt(n, 20, "%s: only %d checks ran", what, n);
}

Test(grader, solutions_score_full_marks_three_times, .timeout = 240)
{
	const char *quick = getenv("WIRELAB_TEST_QUICK");
	int runs = quick && *quick ? 1 : 3;

	for (int i = 0; i < runs; i++) {
		char *tmp = kit_tmpdir(), args[256];
		int st;
		snprintf(args, sizeof args, "all --solution --pcap-dir %s", tmp);
		cJSON *j = kit_grade(args, &st);
		expect_all(j, "pass", "reference solutions");
		cr_expect_eq(kit_num(j, "score"), kit_num(j, "max_score"),
			     "run %d: the solutions scored %.0f of %.0f", i + 1, kit_num(j, "score"),
			     kit_num(j, "max_score"));
		cr_expect_eq(st, 0, "run %d: exit status %d for a full score", i + 1, st);
		cJSON_Delete(j);
		kit_rmdir(tmp);
	}
}

Test(grader, stubs_build_and_score_zero, .timeout = 120)
{
	char *tmp = kit_tmpdir(), args[256];
	int st;

	snprintf(args, sizeof args, "all --pcap-dir %s", tmp);
	cJSON *j = kit_grade(args, &st);
	expect_all(j, "fail", "stubs");
	cr_expect_eq(kit_num(j, "score"), 0, "the stubs scored %.0f", kit_num(j, "score"));
	cr_expect_eq(st, 1, "exit status %d when checks fail", st);
	const cJSON *lab, *chk;
	cJSON_ArrayForEach(lab, cJSON_GetObjectItemCaseSensitive(j, "labs"))
		cJSON_ArrayForEach(chk, cJSON_GetObjectItemCaseSensitive(lab, "checks"))
			cr_expect_null(strstr(kit_str(chk, "message"), "did not build"),
				       "%s: the stub did not build: %s", kit_str(lab, "lab"),
				       kit_str(chk, "message"));
	cJSON_Delete(j);
	kit_rmdir(tmp);
}

/* Write a lab folder with one source file. */
static char *one_file_lab(const char *name, const char *text)
{
	char *dir = kit_tmpdir(), path[600];

	snprintf(path, sizeof path, "%s/src", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/src/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs(text, f);
	fclose(f);
	return dir;
}

/* A greet_server that answers every line with "NO" and closes: it fails on the wire. */
static const char wrong_server[] =
	"#define _POSIX_C_SOURCE 200809L\n#include <netinet/in.h>\n#include <stdlib.h>\n"
	"#include <string.h>\n#include <sys/socket.h>\n#include <unistd.h>\n"
	"int main(int argc, char **argv) {\n"
	"  int s = socket(AF_INET6, SOCK_STREAM, 0), one = 1, off = 0; char b[128];\n"
	"  struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(atoi(argv[argc - 1])) };\n"
	"  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);\n"
	"  setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);\n"
	"  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 8) < 0) return 1;\n"
	"  for (;;) { int c = accept(s, NULL, NULL); if (c < 0) continue;\n"
	"    if (read(c, b, sizeof b) > 0 && write(c, \"NO\\n\", 3) < 0) {}\n"
	"    shutdown(c, SHUT_WR); while (read(c, b, sizeof b) > 0) {} close(c); } }\n";

static char *wrong_server_lab(void)
{
	char *dir = one_file_lab("greet_server.c", wrong_server), cmd[700];

	snprintf(cmd, sizeof cmd, "cp solutions/00-sockets-basics/src/greet_client.c %s/src/", dir);
	cr_assert_eq(system(cmd), 0);
	return dir;
}

Test(grader, saved_pcaps_open_with_tcpdump, .timeout = 120)
{
	char *dir = wrong_server_lab(), *tmp = kit_tmpdir(), args[1200], cmd[1200];
	int st;

	snprintf(args, sizeof args, "00 --submission %s --pcap-dir %s --check 'greet.server-*'",
		 dir, tmp);
	cJSON *j = kit_grade(args, &st), *chk;
	int pcaps = 0;
	cJSON_ArrayForEach(chk, cJSON_GetObjectItemCaseSensitive(j, "checks")) {
		const char *pcap = kit_str(chk, "pcap");
		if (strcmp(kit_str(chk, "status"), "fail") != 0 || !*pcap)
			continue;
		pcaps++;
		snprintf(cmd, sizeof cmd, "tcpdump -nn -r '%s' 2>&1", pcap);
		char *out = kit_run(cmd, &st);
		cr_expect_eq(st, 0, "tcpdump cannot read %s: %s", pcap, out);
		cr_expect_not_null(strstr(out, "7000"), "%s: no packet to port 7000:\n%s", pcap, out);
		free(out);
	}
	cr_expect_gt(pcaps, 3, "only %d failing checks saved a pcap", pcaps);
	cJSON_Delete(j);
	kit_rmdir(tmp);
	kit_rmdir(dir);
}

/* A failing 16 MiB transfer: its pcap stays under 16 MiB and still has every packet the
 * ladder shows, from the SYN to the FIN, each with its headers. */
Test(grader, large_pcaps_are_cut_not_lost, .timeout = 120)
{
	char *tmp = kit_mutant("01-tcp-echo", "tests/mutants/01-tcp-echo/server-strlen.patch");
	char cmd[6000], args[1200];
	int st;

	snprintf(args, sizeof args, "01 --submission %s --pcap-dir %s/p --check echo.server-large",
		 tmp, tmp);
	cJSON *j = kit_grade(args, &st);
	const cJSON *chk = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "checks"), 0);
	cr_assert_str_eq(kit_str(chk, "status"), "fail");
	const char *pcap = kit_str(chk, "pcap");
	struct stat sb;
	cr_assert(stat(pcap, &sb) == 0, "no pcap at %s", pcap);
	cr_expect_leq(sb.st_size, 16 << 20, "%s is %lld bytes", pcap, (long long)sb.st_size);
	snprintf(cmd, sizeof cmd, "tcpdump -nn -r '%s' 2>/dev/null | awk 'NR == 1 || /Flags \\[F/'",
		 pcap);
	char *out = kit_run(cmd, &st);
	cr_expect(strstr(out, "Flags [S]") && strstr(out, "Flags [F"),
		  "%s lost the SYN or the FIN:\n%s", pcap, out);
	free(out);
	/* Every packet is there: the client's data adds up to 16 MiB in the TCP lengths (more
	 * when a segment was sent again). */
	snprintf(cmd, sizeof cmd, "tcpdump -nn -r '%s' 'dst port 7000' 2>/dev/null | "
		 "sed -n 's/.*length \\([0-9]*\\)$/\\1/p' | awk '{ n += $1 } END { print n }'",
		 pcap);
	out = kit_run(cmd, &st);
	cr_expect_geq(atol(out), 16L << 20, "the client's segments in %s add up to %s", pcap, out);
	free(out);
	cJSON_Delete(j);
	kit_rmdir(tmp);
}

Test(grader, output_formats_are_well_formed, .timeout = 120)
{
	static const char *const fmts[][2] = {
		{ "json", "python3 -c 'import json,sys; d=json.load(sys.stdin); "
			  "assert d[\"lab\"]==\"00-sockets-basics\" and d[\"checks\"][0][\"pcap\"]'" },
		{ "gradescope", "python3 -c 'import json,sys; d=json.load(sys.stdin); "
				"assert set(d)>={\"score\",\"execution_time\",\"output\",\"tests\"}; "
				"t=d[\"tests\"][0]; assert set(t)>={\"name\",\"score\",\"max_score\","
				"\"status\",\"output\",\"visibility\"} and t[\"status\"]==\"failed\"'" },
		{ "junit", "python3 -c 'import sys,xml.etree.ElementTree as E; r=E.parse(sys.stdin)"
			   ".getroot(); assert r.find(\"testsuite/testcase/failure\") is not None'" },
		{ "tap", "python3 -c 'import sys; t=sys.stdin.read(); "
			 "assert t.startswith(\"TAP version 13\\n1..1\\nnot ok 1 \")'" },
		{ "text", "grep -q 'tcpdump -nn -r'" },
	};
	char *tmp = kit_tmpdir(), *dir = wrong_server_lab();

	for (size_t i = 0; i < sizeof fmts / sizeof *fmts; i++) {
		char cmd[2048];
		int st;
		snprintf(cmd, sizeof cmd, "%s grade 00 --submission %s --check greet.server-hello "
			 "--pcap-dir %s --format %s | %s", kit_bin(), dir, tmp, fmts[i][0], fmts[i][1]);
		char *out = kit_run(cmd, &st);
		cr_expect_eq(st, 0, "format %s is not well formed: %s", fmts[i][0], out);
		free(out);
	}
	kit_rmdir(dir);
	kit_rmdir(tmp);
}

Test(grader, exit_status_and_usage)
{
	static const struct { const char *args; int status; } cases[] = {
		{ "grade", 2 }, { "grade nosuchlab", 2 }, { "grade 01 --format yaml", 2 },
		{ "grade 01 -j 0", 2 }, { "frobnicate", 2 }, { "list", 0 }, { "list 1", 0 },
		{ "list tcp-echo", 0 }, { "--help", 0 }, { "grade 01 --repeat 0", 2 },
		{ "grade 01 --repeat x", 2 }, { "grade 01 --check no-such-check", 2 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char cmd[256];
		int st;
		snprintf(cmd, sizeof cmd, "%s %s 2>&1", kit_bin(), cases[i].args);
		free(kit_run(cmd, &st));
		cr_expect_eq(st, cases[i].status, "`wirelab %s`: expected exit %d, got %d",
			     cases[i].args, cases[i].status, st);
	}
}

Test(grader, build_failure_scores_zero_with_the_compiler_output, .timeout = 60)
{
	char *dir = one_file_lab("greet_server.c", "int main(void) { return syntax error; }\n");
	char args[700];
	int st;

	snprintf(args, sizeof args, "00 --submission %s", dir);
	cJSON *j = kit_grade(args, &st);
	cr_expect_eq(kit_num(j, "score"), 0, "a lab that does not build scored %.0f",
		     kit_num(j, "score"));
	cr_expect_eq(st, 1, "exit status %d for a build failure", st);
	const cJSON *chk = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "checks"), 0);
	cr_expect_not_null(strstr(kit_str(chk, "message"), "error"),
			   "the compiler's error is not in the message: %s", kit_str(chk, "message"));
	cJSON_Delete(j);
	kit_rmdir(dir);
}

/* Each program is built on its own: a client that does not compile costs the client's
 * checks, not the server's. */
Test(grader, a_program_that_does_not_build_costs_only_its_own_checks, .timeout = 120)
{
	char *dir = one_file_lab("echo_client.c", "int main(void) { return syntax error; }\n");
	char args[700], cmd[700];
	int st, server = 0, client = 0;

	snprintf(cmd, sizeof cmd, "cp solutions/01-tcp-echo/src/echo_server.c %s/src/", dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(args, sizeof args, "01 --submission %s --check 'echo.*-e*'", dir);
	cJSON *j = kit_grade(args, &st), *chk;
	cJSON_ArrayForEach(chk, cJSON_GetObjectItemCaseSensitive(j, "checks")) {
		const char *id = kit_str(chk, "id"), *status = kit_str(chk, "status");
		if (strncmp(id, "echo.server-", 12) == 0) {
			server++;
			cr_expect_str_eq(status, "pass", "%s: the server built, yet: %s", id,
					 kit_str(chk, "message"));
		} else if (strncmp(id, "echo.client-", 12) == 0) {
			client++;
			cr_expect_str_eq(status, "fail", "%s with a client that does not build", id);
			cr_expect_not_null(strstr(kit_str(chk, "message"), "did not build"),
					   "%s: %s", id, kit_str(chk, "message"));
		}
	}
	cr_expect(server > 0 && client > 0, "checks run: %d of the server, %d of the client",
		  server, client);
	cJSON_Delete(j);
	kit_rmdir(dir);
}

/* A program that fills its stdout and forks a child that never ends: the grader bounds
 * the output, ends the whole process group, and goes on. */
Test(grader, hostile_program_is_contained, .timeout = 60)
{
	char *dir = one_file_lab("greet_server.c",
		"#include <stdio.h>\n#include <unistd.h>\n#include <signal.h>\n#include <sys/prctl.h>\n"
		"int main(void) { prctl(PR_SET_NAME, \"wl-hostile\"); signal(SIGTERM, SIG_IGN);\n"
		"  if (fork() == 0) for (;;) pause();\n"
		"  for (;;) fputs(\"spam spam spam spam spam spam spam spam spam spam\\n\", stdout); }\n");
	char cmd[900];
	int st;

	/* greet_client is missing from this submission, so give it the reference one. */
	snprintf(cmd, sizeof cmd, "cp solutions/00-sockets-basics/src/greet_client.c %s/src/", dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "00 --submission %s --check greet.server-hello", dir);
	cJSON *j = kit_grade(cmd, &st);
	const cJSON *chk = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "checks"), 0);
	cr_expect_str_eq(kit_str(chk, "status"), "fail", "a spamming server: %s",
			 kit_str(chk, "message"));
	cr_expect_lt(kit_num(chk, "duration_ms"), 15000, "the check took %.0f ms",
		     kit_num(chk, "duration_ms"));
	cJSON_Delete(j);
	/* Nothing of it survives (SIGKILL to its group was sent; give the kernel a moment). */
	char *out = kit_run("for i in $(seq 50); do n=$(ps -eo stat=,comm= | grep -v '^Z' | "
			    "grep -c ' wl-hostile$'); [ \"$n\" = 0 ] && break; sleep 0.1; done; echo $n",
			    &st);
	cr_expect_eq(atoi(out), 0, "%d greet_server processes outlived the grader", atoi(out));
	free(out);
	kit_rmdir(dir);
}

Test(grader, host_loopback_fallback_scores_full_marks, .timeout = 120)
{
	char *tmp = kit_tmpdir(), cmd[512];
	int st;

	snprintf(cmd, sizeof cmd, "WIRELAB_MODE=host %s grade all --solution --pcap-dir %s "
		 "--format json", kit_bin(), tmp);
	char *out = kit_run(cmd, &st);
	cJSON *j = cJSON_Parse(out);
	cr_assert(j, "no JSON: %.1000s", out);
	expect_all(j, "pass", "solutions on the host loopback");
	cJSON_Delete(j);
	free(out);
	kit_rmdir(tmp);
}

Test(grader, without_capture_wire_checks_skip, .timeout = 120)
{
	char *tmp = kit_tmpdir(), cmd[512];
	int st, skipped = 0, passed = 0;

	snprintf(cmd, sizeof cmd, "WIRELAB_MODE=nocap %s grade all --solution --pcap-dir %s "
		 "--format json", kit_bin(), tmp);
	char *out = kit_run(cmd, &st);
	cJSON *j = cJSON_Parse(out), *lab, *chk;
	cr_assert(j, "no JSON: %.1000s", out);
	cJSON_ArrayForEach(lab, cJSON_GetObjectItemCaseSensitive(j, "labs"))
	cJSON_ArrayForEach(chk, cJSON_GetObjectItemCaseSensitive(lab, "checks")) {
		const char *s = kit_str(chk, "status");
		skipped += strcmp(s, "skip") == 0;
		passed += strcmp(s, "pass") == 0;
		cr_expect(strcmp(s, "skip") == 0 || strcmp(s, "pass") == 0,
			  "%s: %s without a capture: %s", kit_str(chk, "id"), s, kit_str(chk, "message"));
		if (strcmp(s, "skip") == 0)
			cr_expect_not_null(strstr(kit_str(chk, "message"), "capture"),
					   "a skip must say why: %s", kit_str(chk, "message"));
	}
	cr_expect_gt(skipped, 0, "no wire check was skipped");
	cr_expect_gt(passed, 0, "no behaviour check ran");
	cr_expect_eq(st, 0, "exit status %d with only passes and skips", st);
	cJSON_Delete(j);
	free(out);
	kit_rmdir(tmp);
}

/* As an ordinary user the grader makes its namespaces through a user namespace. */
Test(grader, unprivileged_user_namespaces, .timeout = 120)
{
	char *tmp = kit_tmpdir(), cmd[9000], abs[4096];
	int st;

	if (geteuid() != 0)
		cr_skip_test("runs as root only (it switches to nobody)");
	if (system("setpriv --reuid=65534 --regid=65534 --clear-groups unshare -rn true "
		   ">/dev/null 2>&1") != 0)
		cr_skip_test("this machine does not allow unprivileged user namespaces");
	cr_assert(realpath(kit_bin(), abs));
	chmod(tmp, 0777);
	snprintf(cmd, sizeof cmd, "setpriv --reuid=65534 --regid=65534 --clear-groups %s doctor; "
		 "setpriv --reuid=65534 --regid=65534 --clear-groups %s grade 01 --solution "
		 "--pcap-dir %s --format json", abs, abs, tmp);
	char *out = kit_run(cmd, &st);
	cr_expect_not_null(strstr(out, "sandbox:    network namespace"),
			   "as nobody the grader does not use namespaces:\n%.1500s", out);
	char *json = strchr(out, '{');
	cJSON *j = json ? cJSON_Parse(json) : NULL, *chk;
	cr_assert(j, "no JSON: %.1500s", out);
	cJSON_ArrayForEach(chk, cJSON_GetObjectItemCaseSensitive(j, "checks"))
		cr_expect_str_eq(kit_str(chk, "status"), "pass", "%s as nobody: %s",
				 kit_str(chk, "id"), kit_str(chk, "message"));
	cJSON_Delete(j);
	free(out);
	kit_rmdir(tmp);
}

/* A student's program cannot read the reference solutions while it is graded. */
Test(grader, solutions_are_hidden_from_submissions, .timeout = 60)
{
	char *dir = one_file_lab("greet_server.c",
		"#include <stdio.h>\nint main(void) {\n"
		"  FILE *f = fopen(\"solutions/00-sockets-basics/src/greet_server.c\", \"r\");\n"
		"  fprintf(stderr, \"peek: %s\\n\", f ? \"read the solution\" : \"hidden\");\n"
		"  return 1; }\n");
	char cmd[900], abs[4096];
	int st;

	cr_assert(realpath("solutions/00-sockets-basics/src/greet_server.c", abs));
	snprintf(cmd, sizeof cmd, "sed -i 's|solutions/00-sockets-basics/src/greet_server.c|%.600s|' "
		 "%s/src/greet_server.c && cp solutions/00-sockets-basics/src/greet_client.c %s/src/",
		 abs, dir, dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "00 --submission %s --check greet.server-hello", dir);
	cJSON *j = kit_grade(cmd, &st);
	const cJSON *chk = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "checks"), 0);
	const char *msg = kit_str(chk, "message");
	cr_expect_not_null(strstr(msg, "peek: hidden"), "the program could read the solutions: %s",
			   msg);
	cJSON_Delete(j);
	kit_rmdir(dir);
}

/* The text report ends where the eye lands: one line per check that did not pass (id,
 * points lost, what was seen), then the total. */
Test(grader, text_report_ends_with_a_summary, .timeout = 60)
{
	char *dir = wrong_server_lab(), *tmp = kit_tmpdir(), cmd[2048];
	int st;

	snprintf(cmd, sizeof cmd, "%s grade 00 --submission %s --check greet.server-hello "
		 "--pcap-dir %s", kit_bin(), dir, tmp);
	char *out = kit_run(cmd, &st);
	cr_expect_eq(st, 1, "exit status %d for a failed check", st);
	char *sum = strstr(out, "\nsummary: 1 check did not pass\n");
	cr_assert_not_null(sum, "no summary line near the end:\n%s", out);
	char *line = strchr(sum + 1, '\n') + 1;
	cr_expect(strncmp(line, "  FAIL  greet.server-hello", 26) == 0 && strstr(line, " -") &&
		  strstr(line, "seen") == NULL, "the failure's summary line: id, points lost, "
		  "what was seen (without \"seen:\"):\n%s", line);
	char *total = strstr(sum, "\ntotal: 0/");
	cr_expect(total && strcmp(total + strcspn(total + 1, "\n") + 2, "") == 0,
		  "the report must end with the total:\n%s", sum);
	free(out);
	kit_rmdir(dir);
	kit_rmdir(tmp);
}

/* --repeat N: a check passes only if all N runs pass; a failure says how many did. */
Test(grader, repeat_runs_every_check_n_times, .timeout = 120)
{
	char *dir = wrong_server_lab(), *tmp = kit_tmpdir(), args[1200];
	int st;

	snprintf(args, sizeof args, "00 --submission %s --check greet.server-hello --repeat 3 "
		 "--pcap-dir %s", dir, tmp);
	cJSON *j = kit_grade(args, &st);
	const cJSON *chk = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "checks"), 0);
	cr_expect_str_eq(kit_str(chk, "status"), "fail", "a wrong server, 3 runs: %s",
			 kit_str(chk, "message"));
	cr_expect_eq(kit_num(chk, "runs"), 3, "runs: %.0f", kit_num(chk, "runs"));
	cr_expect_eq(kit_num(chk, "runs_passed"), 0, "runs_passed: %.0f", kit_num(chk, "runs_passed"));
	cr_expect_eq(kit_num(chk, "runs_failed"), 3, "runs_failed: %.0f", kit_num(chk, "runs_failed"));
	static const char said[] = "passed 0 of 3 runs; run 1 said:\n";
	cr_expect(strncmp(kit_str(chk, "message"), said, sizeof said - 1) == 0,
		  "the message must say how many runs passed: %s", kit_str(chk, "message"));
	cr_expect_eq(st, 1, "exit status %d for a failed check", st);
	cJSON_Delete(j);
	snprintf(args, sizeof args, "04 --solution --check 'http.client-s*' --repeat 3 --pcap-dir %s",
		 tmp);
	j = kit_grade(args, &st);
	chk = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "checks"), 0);
	cr_expect_str_eq(kit_str(chk, "status"), "pass", "the reference, 3 runs: %s",
			 kit_str(chk, "message"));
	cr_expect_eq(kit_num(chk, "runs_passed"), 3, "runs_passed: %.0f", kit_num(chk, "runs_passed"));
	cr_expect_eq(kit_num(chk, "runs_failed"), 0, "runs_failed: %.0f", kit_num(chk, "runs_failed"));
	cr_expect_eq(st, 0, "exit status %d when every run passed", st);
	cJSON_Delete(j);
	kit_rmdir(dir);
	kit_rmdir(tmp);
}

/* A check's hint follows the symptom: a body cut at a NUL byte gets the strlen hint. */
Test(grader, hint_fits_the_symptom, .timeout = 60)
{
	char *dir = kit_mutant("04-http", "tests/mutants/04-http/server-strlen-file.patch");
	char args[1200];
	int st;

	snprintf(args, sizeof args, "04 --submission %s --check http.binary --pcap-dir %s/p", dir,
		 dir);
	cJSON *j = kit_grade(args, &st);
	const cJSON *chk = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "checks"), 0);
	cr_expect_str_eq(kit_str(chk, "status"), "fail", "strlen on the file: %s",
			 kit_str(chk, "message"));
	cr_expect_not_null(strstr(kit_str(chk, "hint"), "NUL byte"),
			   "a body cut at a NUL byte must get the NUL hint, got: %s", kit_str(chk, "hint"));
	cr_expect_not_null(strstr(kit_str(chk, "hint"), "\"Pitfalls\""),
			   "the NUL hint points at Pitfalls: %s", kit_str(chk, "hint"));
	cJSON_Delete(j);
	kit_rmdir(dir);
}
