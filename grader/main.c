/* main.c - the wirelab command: list, grade, doctor. */
#define _GNU_SOURCE
#include "labs.h"
#include "batch.h"
#include "course.h"
#include "gradebook.h"
#include "report.h"
#include "run.h"
#include "sandbox.h"
#include "esc.h"
#include "jail.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WIRELAB_VERSION "0.1.0"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wirelab list [LAB] [--course FILE.json]\n"
		"       wirelab grade LAB|all [--submission DIR | --solution] [-f|--format FORMAT]\n"
		"                     [-o|--output FILE] [--pcap-dir DIR] [--check ID]...\n"
		"                     [--exclude ID]... [-j|--jobs N] [--repeat N] [--course FILE.json]\n"
		"                     [-v|--verbose]\n"
		"       wirelab batch DIR [LAB|all] --out DIR [-j N] [--resume] [--html]\n"
		"                     (see: wirelab batch --help)\n"
		"       wirelab gradebook [merge] OUT... [--out DIR] [--roster FILE.csv] [--checks]\n"
		"                     [--html]\n"
		"       wirelab doctor\n"
		"       wirelab --help | --version\n"
		"\n"
		"LAB is a number (01), a name (tcp-echo) or both (01-tcp-echo).\n"
		"FORMAT is text (default), json, gradescope, junit, tap or html.\n"
		"--check takes a check id or a pattern (\"echo.server-*\"), and may be given\n"
		"several times: the checks matching any are graded; --exclude leaves out the\n"
		"checks matching its id or pattern.\n"
		"--repeat N runs each check N times: it passes only if every run passes.\n"
		"--course FILE.json grades by a course's rules (see docs/instructor-guide.md).\n"
		"--html: batch writes each student a report.html and OUT/index.html, the class\n"
		"page; gradebook writes index.html again from the reports.\n"
		"Exit status: 0 every check passed, 1 a check failed, 2 usage or internal error.\n");
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The kit's root: WIRELAB_ROOT, else the nearest folder above the binary that holds both
 * labs/ and grader/ (a student kit has no solutions/). */
static int find_root(char *out, size_t outsz)
{
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	const char *env = getenv("WIRELAB_ROOT");

	if (env && *env) {
		snprintf(out, outsz, "%s", env);
		return 0;
	}
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	for (char *slash = strrchr(exe, '/'); slash && slash != exe; slash = strrchr(exe, '/')) {
		*slash = '\0';
		snprintf(probe, sizeof probe, "%s/labs", exe);
		bool labs = is_dir(probe);
		snprintf(probe, sizeof probe, "%s/grader", exe);
		if (labs && is_dir(probe)) {
			snprintf(out, outsz, "%s", exe);
			return 0;
		}
	}
	return -1;
}

/* The run options a course selects checks by: its checks, which ro's own patterns (the
 * command line's --check) only narrow, and its exclusions when ro has none of its own. */
static void course_select(struct run_opts *ro, const struct course *c)
{
	if (!c)
		return;
	if (c->nchecks) {
		ro->only = ro->checks;
		ro->checks = (const char *const *)c->checks;
	}
	if (c->nexcludes && !ro->excludes)
		ro->excludes = (const char *const *)c->excludes;
}

/* A lab, its points and checks as course c grades them (NULL: the kit's own). */
static void list_lab(const struct lab *lab, bool detail, const struct course *c)
{
	struct run_opts ro = { 0 };
	int total = 0;
	size_t n = 0;

	course_select(&ro, c);
	for (size_t i = 0; i < lab->nchecks; i++)
		if (run_check_selected(&ro, lab->checks[i].id)) {
			total += course_points(c, &lab->checks[i]);
			n++;
		}
	printf("%-20s %-44s %3d points, %2zu checks; programs:", lab->id, lab->title, total, n);
	for (size_t i = 0; lab->programs[i]; i++)
		printf(" %s", lab->programs[i]);
	printf("\n");
	if (!detail)
		return;
	for (size_t i = 0; i < lab->nchecks; i++) {
		const struct check *ch = &lab->checks[i];
		const char *vis = course_visibility(c, ch);
		if (!run_check_selected(&ro, ch->id))
			continue;
		printf("  %-28s %3d  %s%s", ch->id, course_points(c, ch), ch->title,
		       ch->flags & CHECK_WIRE ? "  [wire]" : "");
		if (strcmp(vis, "visible") != 0)
			printf("  (Gradescope: %s)", vis);
		printf("\n");
	}
}

static int cmd_list(int argc, char **argv)
{
	const char *lab_name = NULL, *course_file = NULL;
	struct course course, *c = NULL;
	char why[1024];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--course") == 0 && i + 1 < argc && !course_file)
			course_file = argv[++i];
		else if (argv[i][0] != '-' && !lab_name)
			lab_name = argv[i];
		else {
			usage(stderr);
			return 2;
		}
	}
	const struct lab *lab = lab_name ? labs_find(lab_name) : NULL;
	if (lab_name && !lab) {
		fprintf(stderr, "wirelab: no lab named \"%s\" (see: wirelab list)\n", lab_name);
		return 2;
	}
	if (course_file) {
		if (course_read(course_file, &course, why, sizeof why) < 0) {
			fprintf(stderr, "wirelab: %s\n", why);
			return 2;
		}
		c = &course;
	}
	if (lab)
		list_lab(lab, true, c);
	else
		for (const struct lab *const *l = c && c->labs[0] ? c->labs : labs_all; *l; l++)
			list_lab(*l, c != NULL, c);
	course_free(c);
	return 0;
}

static int cmd_doctor(void)
{
	struct sb_info sb;
	static const char *const tools[] = { "cc", "tcpdump", "socat", "curl", "python3", NULL };
	char root[PATH_MAX];

	sb_probe(&sb);
	printf("wirelab %s\n", WIRELAB_VERSION);
	printf("kit root:   %s\n", find_root(root, sizeof root) == 0 ? root : "(not found)");
	printf("user:       uid %u%s\n", (unsigned)geteuid(),
	       sb.root ? " (root: programs run as an unprivileged uid)" : "");
	printf("sandbox:    %s\n            %s\n", sb_mode_name(sb.mode), sb.why);
	char limits[400];
	jail_probe(limits, sizeof limits);
	if (sb.mode == SB_NETNS)
		printf("jail:       PID, mount and IPC namespaces per check, a minimal read-only view\n"
		       "            of the system, seccomp; %s\n", limits);
	else
		printf("jail:       none without namespaces: programs run %s with per-process\n"
		       "            limits, no inherited descriptors and seccomp only\n",
		       sb.root ? "as an unprivileged uid" : "as you");
	if (sb.fix[0])
		printf("to improve: %s\n", sb.fix);
	int abi = jail_landlock_abi();
	if (abi > 0)
		printf("landlock:   ABI %d: each program and peer in a domain of its own (no /proc "
		       "access to another%s)\n", abi, abi >= 6 ? ", no signal to another" : "");
	else
		printf("landlock:   not in this kernel (Linux 5.13 or later): programs of one uid "
		       "can reach one another through /proc\n");
	printf("libpcap:    %s\n", pcap_lib_version());
	for (size_t i = 0; tools[i]; i++) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tools[i]);
		printf("%-11s %s\n", tools[i], system(cmd) == 0 ? "found" : "missing (run: make deps)");
	}
	return sb.mode == SB_NOCAP ? 1 : 0;
}

#define GRADE_MAX_PATTERNS 64

struct grade_args {
	const char *lab;
	const char *submission;
	bool solution;
	enum report_format format;
	const char *output;
	const char *pcap_dir;
	const char *checks[GRADE_MAX_PATTERNS + 1];   /* --check, NULL-ended */
	const char *excludes[2 * GRADE_MAX_PATTERNS + 1]; /* --exclude, then the course's */
	size_t nchecks, nexcludes;
	int jobs;
	bool verbose;
	int repeat;
	const char *course;
};

static int parse_grade(int argc, char **argv, struct grade_args *g)
{
	static const struct option opts[] = {
		{ "submission", required_argument, NULL, 's' },
		{ "solution", no_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "pcap-dir", required_argument, NULL, 'p' },
		{ "check", required_argument, NULL, 'c' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "course", required_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	memset(g, 0, sizeof *g);
	g->jobs = run_default_jobs();
	optind = 1;
	while ((ch = getopt_long(argc, argv, "j:vo:f:", opts, NULL)) != -1) {
		switch (ch) {
		case 's': g->submission = optarg; break;
		case 'S': g->solution = true; break;
		case 'f':
			if (report_parse_format(optarg, &g->format) < 0) {
				fprintf(stderr, "wirelab: unknown format \"%s\"\n", optarg);
				return -1;
			}
			break;
		case 'o': g->output = optarg; break;
		case 'p': g->pcap_dir = optarg; break;
		case 'c':
		case 'x': {
			size_t *cnt = ch == 'c' ? &g->nchecks : &g->nexcludes;
			if (*cnt == GRADE_MAX_PATTERNS) {
				fprintf(stderr, "wirelab: at most %d --check and %d --exclude\n",
					GRADE_MAX_PATTERNS, GRADE_MAX_PATTERNS);
				return -1;
			}
			(ch == 'c' ? g->checks : g->excludes)[(*cnt)++] = optarg;
			break;
		}
		case 'j': {
			char *end;
			long j = strtol(optarg, &end, 10);
			if (*end || j < 1 || j > 64) {
				fprintf(stderr, "wirelab: -j takes a number from 1 to 64\n");
				return -1;
			}
			g->jobs = (int)j;
			break;
		}
		case 'v': g->verbose = true; break;
		case 'K': g->course = optarg; break;
		case 'r': {
			char *end;
			long r = strtol(optarg, &end, 10);
			if (*end || r < 1 || r > 100) {
				fprintf(stderr, "wirelab: --repeat takes a number from 1 to 100\n");
				return -1;
			}
			g->repeat = (int)r;
			break;
		}
		default: return -1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "wirelab: grade takes one LAB (or all)\n");
		return -1;
	}
	g->lab = argv[optind];
	if (g->solution && g->submission) {
		fprintf(stderr, "wirelab: --solution and --submission do not go together\n");
		return -1;
	}
	return 0;
}

/* Where lab's folder is: DIR/<id> for a tree, or DIR itself when it holds src/. */
static void lab_folder(const char *tree, bool single, const struct lab *lab, char *out,
		       size_t outsz)
{
	if (single)
		snprintf(out, outsz, "%s", tree);
	else
		snprintf(out, outsz, "%s/%s", tree, lab->id);
}

/* The report goes to a new file beside path, renamed over path once complete: whatever
 * stood at path (a file or a link someone planted in a shared folder) is replaced, never
 * written through. */
static FILE *open_output(const char *path, char *tmp, size_t tmpsz)
{
	snprintf(tmp, tmpsz, "%s.XXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "w");
	if (!f || fchmod(fd, 0644) < 0) {
		int e = errno;
		if (f)
			fclose(f);
		else
			close(fd);
		unlink(tmp);
		errno = e;
		return NULL;
	}
	return f;
}

static int close_output(FILE *f, const char *tmp, const char *path)
{
	bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	int e = errno;

	if (fclose(f) != 0 && ok) {
		ok = false;
		e = errno;
	}
	if (ok && rename(tmp, path) < 0) {
		ok = false;
		e = errno;
	}
	if (!ok) {
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

/* --pcap-dir names a folder that exists or can be made, and that can be written to: said
 * before grading, not in every failed check's log afterwards. */
static int pcap_dir_usable(const char *dir, char *why, size_t whylen)
{
	char tmp[PATH_MAX];

	if (!*dir) {
		snprintf(why, whylen, "is empty: name a folder");
		return -1;
	}
	snprintf(tmp, sizeof tmp, "%s", dir);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST) {
		snprintf(why, whylen, "%s: cannot be made: %s", dir, strerror(errno));
		return -1;
	}
	if (!is_dir(dir) || access(dir, W_OK | X_OK) < 0) {
		snprintf(why, whylen, "%s: %s", dir, !is_dir(dir) ? "not a folder"
						   : "cannot be written to");
		return -1;
	}
	return 0;
}

/* Grade as g says, by the rules of course c (NULL: the kit's own). */
static int grade(const struct grade_args *gp, const struct course *c)
{
	struct grade_args g = *gp;
	struct sb_info sb;
	char root[PATH_MAX], tree[PATH_MAX + 16], why[512];
	const struct lab *one[2] = { NULL, NULL };
	const struct lab *const *labs = one;
	const bool all = strcmp(g.lab, "all") == 0;
	bool single = false;

	if (all) {
		labs = c && c->labs[0] ? c->labs : labs_all;
	} else if (!(one[0] = labs_find(g.lab))) {
		fprintf(stderr, "wirelab: no lab named \"%s\" (see: wirelab list)\n", g.lab);
		return 2;
	}
	if (g.submission) {
		char *real = realpath(g.submission, NULL);
		if (!real || !is_dir(real)) {
			fprintf(stderr, "wirelab: %s: not a folder\n", g.submission);
			free(real);
			return 2;
		}
		snprintf(tree, sizeof tree, "%s", real);
		free(real);
		char src[PATH_MAX + 32];
		snprintf(src, sizeof src, "%s/src", tree);
		single = is_dir(src);
		if (single && all) {
			fprintf(stderr, "wirelab: %s is a single lab's folder: name the lab, not all\n",
				g.submission);
			return 2;
		}
	} else {
		if (find_root(root, sizeof root) < 0) {
			fprintf(stderr, "wirelab: cannot find the kit (labs/ and grader/); set "
				"WIRELAB_ROOT\n");
			return 2;
		}
		char sol[PATH_MAX + 16];
		snprintf(sol, sizeof sol, "%s/solutions", root);
		if (g.solution && !is_dir(sol)) {
			fprintf(stderr, "wirelab: the reference solutions are not part of this kit "
				"(%s has no solutions/)\n", root);
			return 2;
		}
		snprintf(tree, sizeof tree, "%s/%s", root, g.solution ? "solutions" : "labs");
	}
	/* Each --check must name a check of the labs graded (a typo is not an empty grade). */
	for (size_t n = 0; n < g.nchecks; n++) {
		bool any = false;
		for (size_t i = 0; labs[i] && !any; i++)
			for (size_t k = 0; k < labs[i]->nchecks && !any; k++)
				any = fnmatch(g.checks[n], labs[i]->checks[k].id, 0) == 0;
		if (!any) {
			fprintf(stderr, "wirelab: no check matches \"%s\" (see: wirelab list %s)\n",
				g.checks[n], all ? "" : labs[0]->id);
			return 2;
		}
	}
	/* --check narrows the course's checks; --exclude adds to its exclusions; the command
	 * line's --repeat wins. */
	for (size_t i = 0; c && i < c->nexcludes && g.nexcludes < 2 * GRADE_MAX_PATTERNS; i++)
		g.excludes[g.nexcludes++] = c->excludes[i];
	struct run_opts ro = {
		.sb = &sb, .jobs = g.jobs, .checks = g.nchecks ? g.checks : NULL,
		.excludes = g.nexcludes ? g.excludes : NULL, .verbose = g.verbose,
		.repeat = g.repeat ? g.repeat : c ? c->repeat : 0,
	};
	course_select(&ro, c);
	bool any = false;
	for (size_t i = 0; labs[i] && !any; i++)
		for (size_t k = 0; k < labs[i]->nchecks && !any; k++)
			any = run_check_selected(&ro, labs[i]->checks[k].id);
	if (!any) {
		fprintf(stderr, "wirelab: no check is selected by --check and --exclude%s\n",
			c ? " and the course's checks and exclude" : "");
		return 2;
	}
	if (g.pcap_dir && pcap_dir_usable(g.pcap_dir, why, sizeof why) < 0) {
		fprintf(stderr, "wirelab: --pcap-dir %s\n", why);
		return 2;
	}
	sb_probe(&sb);
	if (jail_init(why, sizeof why) < 0) {
		fprintf(stderr, "wirelab: %s\n", why);
		return 2;
	}
	/* The folder named by the grader's user; nothing below it is reached through a link. */
	int tree_fd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tree_fd < 0) {
		fprintf(stderr, "wirelab: %s: %s\n", tree, strerror(errno));
		return 2;
	}
	/* The course's time limit is the check time of this whole run. */
	int64_t budget_ns = c && c->time_limit_s > 0 ? c->time_limit_s * 1000000000 : 0;
	size_t nlabs = 0;
	while (labs[nlabs])
		nlabs++;
	struct lab_result *res = calloc(nlabs, sizeof *res);
	struct run_unit *units = calloc(nlabs, sizeof *units);
	char (*dirs)[PATH_MAX + 64] = calloc(nlabs, sizeof *dirs);
	char (*pcaps)[PATH_MAX + 64] = calloc(nlabs, sizeof *pcaps);
	if (!res || !units || !dirs || !pcaps) {
		fprintf(stderr, "wirelab: out of memory\n");
		return 2;
	}
	int status = 0;
	for (size_t i = 0; i < nlabs; i++) {
		lab_folder(tree, single, labs[i], dirs[i], sizeof dirs[i]);
		if (g.pcap_dir)
			snprintf(pcaps[i], sizeof pcaps[i], "%s/%s", g.pcap_dir, labs[i]->id);
		units[i] = (struct run_unit){
			.lab = labs[i], .dir = dirs[i], .pcap_dir = g.pcap_dir ? pcaps[i] : NULL,
			.dir_fd = run_open_beneath(tree_fd, single ? "." : labs[i]->id),
			.budget_ns = budget_ns ? &budget_ns : NULL,
		};
	}
	if (run_units(&ro, units, nlabs, res, why, sizeof why) < 0) {
		fprintf(stderr, "wirelab: %s\n", why);
		status = 2;
	}
	for (size_t i = 0; i < nlabs; i++)
		if (units[i].dir_fd >= 0)
			close(units[i].dir_fd);
	free(units);
	free(dirs);
	free(pcaps);
	close(tree_fd);
	FILE *out = stdout;
	char tmp_out[PATH_MAX + 32] = "";
	if (g.output && !(out = open_output(g.output, tmp_out, sizeof tmp_out))) {
		fprintf(stderr, "wirelab: %s: %s\n", g.output, strerror(errno));
		status = 2;
		out = stdout;
	}
	char title[PATH_MAX * 4 + 64], subm[PATH_MAX * 4 + 64];
	esc_text(g.submission ? tree : g.solution ? "the reference solutions" : "your labs",
		 strlen(g.submission ? tree : g.solution ? "the reference solutions" : "your labs"),
		 title, sizeof title);
	esc_text(tree, strlen(tree), subm, sizeof subm);
	struct report_opts rop = {
		.format = g.format,
		.color = out == stdout && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"),
		.verbose = g.verbose,
		.sb = &sb,
		.title = title,
		.all = all,
		.version = WIRELAB_VERSION,
		.submission = subm,
		.course = c,
	};
	struct check *copies = c ? course_apply_points(c, res, nlabs) : NULL;
	report_write(out, &rop, res, nlabs);
	free(copies);
	if (out != stdout && close_output(out, tmp_out, g.output) < 0) {
		fprintf(stderr, "wirelab: %s: %s\n", g.output, strerror(errno));
		status = 2;
	}
	bool failed = false, errored = false;
	for (size_t i = 0; i < nlabs; i++) {
		for (size_t k = 0; k < res[i].n; k++) {
			failed |= res[i].results[k].status == CHECK_FAIL;
			errored |= res[i].results[k].status == CHECK_ERROR;
		}
		run_lab_free(&res[i]);
	}
	free(res);
	if (status)
		return status;
	return failed ? 1 : errored ? 2 : 0;
}

static int cmd_grade(int argc, char **argv)
{
	struct grade_args g;
	struct course course;
	char why[1024];

	if (parse_grade(argc, argv, &g) < 0) {
		usage(stderr);
		return 2;
	}
	if (!g.course)
		return grade(&g, NULL);
	if (course_read(g.course, &course, why, sizeof why) < 0) {
		fprintf(stderr, "wirelab: %s\n", why);
		return 2;
	}
	int rc = grade(&g, &course);
	course_free(&course);
	return rc;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	/* The command line lives on in copies: its own memory is what /proc/PID/cmdline shows,
	 * which each check's pid 1 blanks (run.h). */
	if (argc > 0) {
		char *start = argv[0], *end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
		for (int i = 0; i < argc; i++) {
			char *copy = strdup(argv[i]);
			if (!copy)
				return 2;
			argv[i] = copy;
		}
		run_set_cmdline(start, (size_t)(end - start));
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("wirelab %s\n", WIRELAB_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "grade") == 0)
		return cmd_grade(argc - 1, argv + 1);
	if (strcmp(argv[1], "batch") == 0)
		return batch_cmd(argc - 1, argv + 1, WIRELAB_VERSION);
	if (strcmp(argv[1], "gradebook") == 0)
		return gradebook_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "doctor") == 0)
		return cmd_doctor();
	fprintf(stderr, "wirelab: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
