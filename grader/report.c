/* report.c - the grading report in text, JSON, Gradescope, JUnit and TAP. */
#include "report.h"
#include "html.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Where a check that could not start an unbuilt program quotes the build (ctx.c, run.c). */
#define BUILD_SAID "the build said:\n"

int report_parse_format(const char *s, enum report_format *out)
{
	static const struct { const char *name; enum report_format f; } tab[] = {
		{ "text", REPORT_TEXT }, { "json", REPORT_JSON },
		{ "gradescope", REPORT_GRADESCOPE }, { "junit", REPORT_JUNIT },
		{ "tap", REPORT_TAP },
		{ "html", REPORT_HTML },
	};

	for (size_t i = 0; i < sizeof tab / sizeof *tab; i++)
		if (strcmp(s, tab[i].name) == 0) {
			*out = tab[i].f;
			return 0;
		}
	return -EINVAL;
}

const char *report_sandbox_token(enum sb_mode m)
{
	switch (m) {
	case SB_NETNS: return "namespace";
	case SB_HOST:  return "host";
	case SB_NOCAP: return "nocap";
	}
	return "?";
}

/* "hint text (see "Section" in labs/NN/README.md)": the hint that fits what result r
 * showed (its symptom), else the check's own. */
static void hint_text(const struct lab *lab, const struct check *ch, const struct check_result *r,
		      char *buf, size_t bufsz)
{
	const char *hint, *section;

	check_hint_for(lab, ch, r, &hint, &section);
	if (section)
		snprintf(buf, bufsz, "%s (see \"%s\" in labs/%s/README.md)", hint ? hint : "",
			 section, lab->id);
	else
		snprintf(buf, bufsz, "%s", hint ? hint : "");
}

/* The length of message to show when the build's output is shown once elsewhere: up to
 * where it quotes the build log (the text after BUILD_SAID being the start of that log),
 * else all of it. */
static size_t message_without_build(const struct lab_result *lr, const char *message)
{
	const char *said = strstr(message, BUILD_SAID);

	if (!said || !lr->build_log)
		return strlen(message);
	const char *quote = said + strlen(BUILD_SAID);
	size_t n = strlen(quote);
	if (n > strlen(lr->build_log) || strncmp(quote, lr->build_log, n) != 0)
		return strlen(message);
	return (size_t)(said - message) + strlen("the build said");
}

/* Message, ladder and log as one text, for formats with a single output field; with
 * build_elsewhere, a quote of the build log gives way to a pointer to where it is shown. */
static char *full_output(const struct lab_result *lr, size_t i, bool with_hint,
			 bool build_elsewhere)
{
	const struct check_result *r = &lr->results[i];
	char hint[1024];
	size_t cap = strlen(r->message) + strlen(r->ladder) + strlen(r->log) + sizeof hint +
		     2 * sizeof r->pcap + 192;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	hint_text(lr->lab, lr->checks[i], r, hint, sizeof hint);
	size_t n;
	if (build_elsewhere && (n = message_without_build(lr, r->message)) < strlen(r->message)) {
		/* Nothing ran: a hint on how to behave would be beside the point. */
		n = (size_t)snprintf(s, cap, "%.*s: see the autograder output above the tests", (int)n,
				     r->message);
		with_hint = false;
	} else {
		n = (size_t)snprintf(s, cap, "%s", r->message);
	}
	if (r->ladder[0])
		n += (size_t)snprintf(s + n, cap - n, "\n\n%s", r->ladder);
	if (r->log[0] && r->status != CHECK_PASS)
		n += (size_t)snprintf(s + n, cap - n, "\n\n%s", r->log);
	if (with_hint && r->status == CHECK_FAIL)
		n += (size_t)snprintf(s + n, cap - n, "\n\nhint: %s", hint);
	if (r->pcap[0])
		snprintf(s + n, cap - n, "\npcap: %s (read it with: tcpdump -nn -r %s)", r->pcap,
			 r->pcap);
	return s;
}

/* ---- text ----------------------------------------------------------------------------- */

static const char *mark(const struct report_opts *o, enum check_status s, const char **end)
{
	static const char *plain[] = { "PASS", "FAIL", "ERR ", "SKIP" };
	static const char *col[] = { "\033[32mPASS", "\033[1;31mFAIL", "\033[1;33mERR ",
				     "\033[36mSKIP" };

	*end = o->color ? "\033[0m" : "";
	return o->color ? col[s] : plain[s];
}

static void indent(FILE *f, const char *text, const char *pad)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		fprintf(f, "%s%.*s\n", n ? pad : "", (int)n, p);
		if (!nl)
			break;
		p = nl + 1;
	}
}

static void text_lab(FILE *f, const struct report_opts *o, const struct lab_result *lr)
{
	size_t passed = 0;
	const char *bold = o->color ? "\033[1m" : "", *end = o->color ? "\033[0m" : "";

	fprintf(f, "%s%s%s  %s\n", bold, lr->lab->id, end, lr->lab->title);
	fprintf(f, "  from %s\n", lr->labdir);
	if (!lr->built) {
		fprintf(f, "\n  The lab did not build. The build said:\n\n");
		indent(f, lr->build_log, "    ");
		fprintf(f, "\n");
	} else if (o->verbose && lr->build_log && strstr(lr->build_log, "warning")) {
		fprintf(f, "\n  The build warned:\n");
		indent(f, lr->build_log, "    ");
	}
	fprintf(f, "\n");
	for (size_t i = 0; i < lr->n; i++) {
		const struct check *ch = lr->checks[i];
		const struct check_result *r = &lr->results[i];
		const char *mend, *m = mark(o, r->status, &mend);
		char pts[32];
		snprintf(pts, sizeof pts, "%d/%d", r->score, ch->points);
		fprintf(f, "  %s%s  %-28s %-52s %6s\n", m, mend, ch->id, ch->title, pts);

		if (r->status == CHECK_PASS) {
			passed++;
			if (o->verbose && r->log[0])
				indent(f, r->log, "        ");
			continue;
		}
		if (!lr->built)
			continue;
		if (r->message[0])
			indent(f, r->message, "        ");
		if (r->ladder[0]) {
			fprintf(f, "\n");
			indent(f, r->ladder, "        ");
		}
		if (r->log[0]) {
			fprintf(f, "\n");
			indent(f, r->log, "        ");
		}
		if (r->status == CHECK_FAIL) {
			char hint[1024];
			hint_text(lr->lab, ch, r, hint, sizeof hint);
			fprintf(f, "\n        hint: %s\n", hint);
		}
		if (r->pcap[0])
			fprintf(f, "        pcap: %s\n              tcpdump -nn -r %s\n", r->pcap,
				r->pcap);
		fprintf(f, "\n");
	}
	fprintf(f, "\n  %s%s: %d/%d points%s, %zu of %zu checks passed (%.1f s)\n\n", bold,
		lr->lab->id, lr->score, lr->max_score, end, passed, lr->n,
		lr->duration_ms / 1000.0);
}

/* One phrase for a failure: what was seen (the first "seen:" of the message, else its first
 * line), cut to fit one line. */
static void failure_phrase(const struct check_result *r, char *buf, size_t bufsz)
{
	const char *m = r->message, *seen = strstr(m, "seen: ");
	const char *p = seen ? seen + 6 : m;
	size_t n = strcspn(p, "\n"), max = 72;

	if (n > max)
		snprintf(buf, bufsz, "%.*s...", (int)(max - 3), p);
	else
		snprintf(buf, bufsz, "%.*s", (int)n, p);
	if (!buf[0])
		snprintf(buf, bufsz, "%s", run_status_name(r->status));
}

/* The end of the report, where the eye lands: one line per check that did not pass (its
 * id, the points it cost, what was seen), then the total. */
static void text_summary(FILE *f, const struct report_opts *o, const struct lab_result *labs,
			 size_t n, int score, int max)
{
	const char *bold = o->color ? "\033[1m" : "", *end = o->color ? "\033[0m" : "";
	size_t lost = 0;

	for (size_t l = 0; l < n; l++)
		for (size_t i = 0; i < labs[l].n; i++)
			lost += labs[l].results[i].status != CHECK_PASS;
	if (lost == 0) {
		fprintf(f, "%ssummary: every check passed%s\n", bold, end);
	} else {
		fprintf(f, "%ssummary: %zu check%s did not pass%s\n", bold, lost, lost == 1 ? "" : "s",
			end);
		for (size_t l = 0; l < n; l++) {
			if (!labs[l].built) {
				/* One line for the lab, not one per check. */
				const char *mend, *m = mark(o, CHECK_FAIL, &mend);
				char pts[16];
				snprintf(pts, sizeof pts, "-%d", labs[l].max_score);
				fprintf(f, "  %s%s  %-28s %4s  the lab did not build: its %zu checks fail\n",
					m, mend, labs[l].lab->id, pts, labs[l].n);
				continue;
			}
			for (size_t i = 0; i < labs[l].n; i++) {
				const struct check_result *r = &labs[l].results[i];
				const char *mend, *m = mark(o, r->status, &mend);
				char phrase[128], pts[16];
				if (r->status == CHECK_PASS)
					continue;
				failure_phrase(r, phrase, sizeof phrase);
				snprintf(pts, sizeof pts, "-%d", labs[l].checks[i]->points);
				fprintf(f, "  %s%s  %-28s %4s  %s\n", m, mend, labs[l].checks[i]->id, pts,
					phrase);
			}
		}
	}
	fprintf(f, "%stotal: %d/%d points%s\n", bold, score, max, end);
}

static int write_text(FILE *f, const struct report_opts *o, const struct lab_result *labs,
		      size_t n)
{
	int score = 0, max = 0;

	fprintf(f, "wirelab: grading %s; sandbox: %s (%s)\n", o->title, sb_mode_name(o->sb->mode),
		o->sb->why);
	if (o->sb->fix[0])
		fprintf(f, "  for full checks: %s\n", o->sb->fix);
	fprintf(f, "\n");
	for (size_t i = 0; i < n; i++) {
		text_lab(f, o, &labs[i]);
		score += labs[i].score;
		max += labs[i].max_score;
	}
	text_summary(f, o, labs, n, score, max);
	return 0;
}

/* ---- JSON ----------------------------------------------------------------------------- */

/* What the build did: ok, each program's verdict, and the commands and compiler output
 * (escaped and bounded by the runner). */
static void json_build(cJSON *o, const struct lab_result *lr)
{
	cJSON *b = cJSON_AddObjectToObject(o, "build"), *progs;

	cJSON_AddBoolToObject(b, "ok", lr->unbuilt == 0);
	progs = cJSON_AddArrayToObject(b, "programs");
	for (size_t p = 0; lr->lab->programs[p]; p++) {
		cJSON *pj = cJSON_CreateObject();
		cJSON_AddStringToObject(pj, "program", lr->lab->programs[p]);
		cJSON_AddBoolToObject(pj, "ok", !(lr->unbuilt & (1u << p)));
		cJSON_AddItemToArray(progs, pj);
	}
	cJSON_AddStringToObject(b, "output", lr->build_log ? lr->build_log : "");
}

static cJSON *json_lab(const struct lab_result *lr)
{
	cJSON *o = cJSON_CreateObject(), *checks = cJSON_CreateArray();

	cJSON_AddStringToObject(o, "lab", lr->lab->id);
	cJSON_AddNumberToObject(o, "score", lr->score);
	cJSON_AddNumberToObject(o, "max_score", lr->max_score);
	for (size_t i = 0; i < lr->n; i++) {
		const struct check_result *r = &lr->results[i];
		cJSON *c = cJSON_CreateObject();
		char hint[1024], *msg = full_output(lr, i, false, false);
		/* The pcap path has a field of its own. */
		char *cut = msg ? strstr(msg, "\npcap: ") : NULL;
		if (cut && r->pcap[0])
			*cut = '\0';
		hint_text(lr->lab, lr->checks[i], r, hint, sizeof hint);
		cJSON_AddStringToObject(c, "id", lr->checks[i]->id);
		cJSON_AddStringToObject(c, "title", lr->checks[i]->title);
		cJSON_AddStringToObject(c, "status", run_status_name(r->status));
		cJSON_AddNumberToObject(c, "score", r->score);
		cJSON_AddNumberToObject(c, "max_score", lr->checks[i]->points);
		cJSON_AddStringToObject(c, "message", msg ? msg : "");
		cJSON_AddStringToObject(c, "hint", hint);
		if (r->pcap[0])
			cJSON_AddStringToObject(c, "pcap", r->pcap);
		else
			cJSON_AddNullToObject(c, "pcap");
		cJSON_AddNumberToObject(c, "duration_ms", (double)r->duration_ms);
		cJSON *progs = cJSON_AddArrayToObject(c, "programs");
		for (size_t p = 0; lr->lab->programs[p]; p++)
			if (r->programs & (1u << p))
				cJSON_AddItemToArray(progs, cJSON_CreateString(lr->lab->programs[p]));
		if (r->runs > 1) {
			cJSON_AddNumberToObject(c, "runs", r->runs);
			cJSON_AddNumberToObject(c, "runs_passed", r->runs_passed);
			cJSON_AddNumberToObject(c, "runs_failed", r->runs_failed);
		}
		cJSON_AddItemToArray(checks, c);
		free(msg);
	}
	cJSON_AddItemToObject(o, "checks", checks);
	json_build(o, lr);
	return o;
}

/* Where and how the grading ran: the same fields for `grade` and for batch's report.json,
 * from here alone, so that the two never disagree. */
static void json_meta(cJSON *root, const struct report_opts *o)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(root, "sandbox", o->sb ? report_sandbox_token(o->sb->mode) : "?");
	cJSON_AddStringToObject(root, "version", o->version ? o->version : "");
	cJSON_AddStringToObject(root, "timestamp", ts);
	cJSON_AddStringToObject(root, "submission", o->submission ? o->submission : "");
}

static int print_json(FILE *f, cJSON *root)
{
	char *s = cJSON_Print(root);

	cJSON_Delete(root);
	if (!s)
		return -ENOMEM;
	fprintf(f, "%s\n", s);
	free(s);
	return 0;
}

static int write_json(FILE *f, const struct report_opts *o, const struct lab_result *labs,
		      size_t n)
{
	if (!o->all && n == 1) {
		cJSON *lab = json_lab(&labs[0]);
		json_meta(lab, o);
		return print_json(f, lab);
	}
	cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	int score = 0, max = 0;
	for (size_t i = 0; i < n; i++) {
		cJSON_AddItemToArray(arr, json_lab(&labs[i]));
		score += labs[i].score;
		max += labs[i].max_score;
	}
	cJSON_AddItemToObject(root, "labs", arr);
	cJSON_AddNumberToObject(root, "score", score);
	cJSON_AddNumberToObject(root, "max_score", max);
	json_meta(root, o);
	return print_json(f, root);
}

/* ---- Gradescope ----------------------------------------------------------------------- */

/* Whether the build is worth showing: a program did not build, or the compiler said more
 * than the commands it ran (a warning). */
static bool build_has_news(const struct lab_result *lr)
{
	if (lr->unbuilt)
		return true;
	for (const char *p = lr->build_log; p && *p;) {
		if (strncmp(p, "$ ", 2) != 0)
			return true;
		const char *nl = strchr(p, '\n');
		if (!nl)
			break;
		p = nl + 1;
	}
	return false;
}

/* The first line of why a check was skipped, past a --repeat preamble. */
static void skip_reason(const struct check_result *r, char *buf, size_t bufsz)
{
	const char *p = r->message, *said = strstr(p, "said:\n");

	if (strncmp(p, "passed ", 7) == 0 && said)
		p = said + 6;
	size_t n = strcspn(p, "\n");
	snprintf(buf, bufsz, "%.*s%s", (int)(n > 160 ? 157 : n), p, n > 160 ? "..." : "");
}

/* Whether a skip before labs[l].results[i] gave the reason why. */
static bool skip_reason_seen(const struct lab_result *labs, size_t l, size_t i, const char *why)
{
	char other[200];

	for (size_t a = 0; a <= l; a++)
		for (size_t b = 0; b < (a == l ? i : labs[a].n); b++) {
			if (labs[a].results[b].status != CHECK_SKIP)
				continue;
			skip_reason(&labs[a].results[b], other, sizeof other);
			if (strcmp(why, other) == 0)
				return true;
		}
	return false;
}

/* The reason why, then every check from labs[l].results[i] on that was skipped for it. */
static void skipped_for(FILE *m, const struct lab_result *labs, size_t n, size_t l, size_t i,
			const char *why)
{
	char other[200];

	fprintf(m, "  %s:\n", why);
	for (size_t a = l; a < n; a++)
		for (size_t b = a == l ? i : 0; b < labs[a].n; b++) {
			if (labs[a].results[b].status != CHECK_SKIP)
				continue;
			skip_reason(&labs[a].results[b], other, sizeof other);
			if (strcmp(why, other) == 0)
				fprintf(m, "    %s %s\n", labs[a].lab->id, labs[a].checks[b]->id);
		}
}

/* The warning that opens the output when checks were skipped (they score 0, so the total
 * is not the submission's) or when nothing could be captured: each reason once, and the
 * checks it skipped. */
static void gradescope_warning(FILE *m, const struct report_opts *o,
			       const struct lab_result *labs, size_t n)
{
	size_t skipped = 0;
	bool nocap = o->sb && o->sb->mode == SB_NOCAP;

	for (size_t l = 0; l < n; l++)
		for (size_t i = 0; i < labs[l].n; i++)
			skipped += labs[l].results[i].status == CHECK_SKIP;
	if (!skipped && !nocap)
		return;
	if (nocap)
		fprintf(m, "WARNING: this machine could not capture packets (sandbox: %s; %s): "
			"the checks that read the wire judged behaviour only, and a pass of "
			"theirs counts as skipped.\n", sb_mode_name(o->sb->mode), o->sb->why);
	if (skipped)
		fprintf(m, "WARNING: %zu check%s skipped and scored 0 here; the score is not "
			"the submission's.\n", skipped, skipped == 1 ? " was" : "s were");
	for (size_t l = 0; l < n; l++)
		for (size_t i = 0; i < labs[l].n; i++) {
			char why[200];
			if (labs[l].results[i].status != CHECK_SKIP)
				continue;
			skip_reason(&labs[l].results[i], why, sizeof why);
			if (!skip_reason_seen(labs, l, i, why))
				skipped_for(m, labs, n, l, i, why);
		}
	fprintf(m, "\n");
}

/* results.json's own output: the warning, a line per lab, then each lab's build once
 * (the tests point here instead of repeating it). */
static char *gradescope_output(const struct report_opts *o, const struct lab_result *labs,
			       size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	gradescope_warning(m, o, labs, n);
	for (size_t l = 0; l < n; l++) {
		const struct lab_result *lr = &labs[l];
		fprintf(m, "%s: %d/%d%s", lr->lab->id, lr->score, lr->max_score,
			lr->built ? "" : " (did not build)");
		for (size_t p = 0, k = 0; lr->built && lr->lab->programs[p]; p++)
			if (lr->unbuilt & (1u << p))
				fprintf(m, "%s%s", k++ ? ", " : " (did not build: ",
					lr->lab->programs[p]);
		fprintf(m, "%s\n", lr->built && lr->unbuilt ? ")" : "");
	}
	for (size_t l = 0; l < n; l++)
		if (build_has_news(&labs[l]))
			fprintf(m, "\n%s: the build said:\n%s", labs[l].lab->id,
				labs[l].build_log ? labs[l].build_log : "");
	fclose(m);
	return buf;
}

static int write_gradescope(FILE *f, const struct report_opts *o, const struct lab_result *labs,
			    size_t n)
{
	cJSON *root = cJSON_CreateObject(), *tests = cJSON_CreateArray();
	int score = 0;
	int64_t ms = 0;
	char *summary = gradescope_output(o, labs, n);

	for (size_t l = 0; l < n; l++) {
		const struct lab_result *lr = &labs[l];
		score += lr->score;
		ms += lr->duration_ms;
		for (size_t i = 0; i < lr->n; i++) {
			const struct check_result *r = &lr->results[i];
			cJSON *t = cJSON_CreateObject();
			char name[256], *out = full_output(lr, i, true, true);
			snprintf(name, sizeof name, "%s %s: %s", lr->lab->id, lr->checks[i]->id,
				 lr->checks[i]->title);
			cJSON_AddStringToObject(t, "name", name);
			cJSON_AddNumberToObject(t, "score", r->score);
			cJSON_AddNumberToObject(t, "max_score", lr->checks[i]->points);
			cJSON_AddStringToObject(t, "status",
						r->status == CHECK_PASS ? "passed" : "failed");
			cJSON_AddStringToObject(t, "output", out ? out : "");
			/* Plain text: shown as it is, never read as HTML or Markdown. */
			cJSON_AddStringToObject(t, "output_format", "text");
			cJSON_AddStringToObject(t, "visibility",
						course_visibility(o->course, lr->checks[i]));
			cJSON_AddItemToArray(tests, t);
			free(out);
		}
	}
	cJSON_AddNumberToObject(root, "score", score);
	cJSON_AddNumberToObject(root, "execution_time", ms / 1000.0);
	cJSON_AddStringToObject(root, "output", summary ? summary : "");
	cJSON_AddStringToObject(root, "output_format", "text");
	cJSON_AddItemToObject(root, "tests", tests);
	free(summary);
	return print_json(f, root);
}

/* ---- JUnit and TAP -------------------------------------------------------------------- */

/* XML text: escapes markup, and drops what XML 1.0 cannot carry at all. */
static void xml_text(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if (*p >= 0x20 || *p == '\n' || *p == '\t' || *p == '\r')
				fputc(*p, f);
			else
				fputc('?', f);
		}
	}
}

static int write_junit(FILE *f, const struct lab_result *labs, size_t n)
{
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"wirelab\">\n");
	for (size_t l = 0; l < n; l++) {
		const struct lab_result *lr = &labs[l];
		size_t fails = 0, errors = 0, skips = 0;
		for (size_t i = 0; i < lr->n; i++) {
			fails += lr->results[i].status == CHECK_FAIL;
			errors += lr->results[i].status == CHECK_ERROR;
			skips += lr->results[i].status == CHECK_SKIP;
		}
		fprintf(f, "  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
			"skipped=\"%zu\" time=\"%.3f\">\n", lr->lab->id, lr->n, fails, errors, skips,
			lr->duration_ms / 1000.0);
		for (size_t i = 0; i < lr->n; i++) {
			const struct check_result *r = &lr->results[i];
			fprintf(f, "    <testcase classname=\"%s\" name=\"", lr->lab->id);
			xml_text(f, lr->checks[i]->id);
			fprintf(f, "\" time=\"%.3f\">\n", r->duration_ms / 1000.0);
			if (r->status != CHECK_PASS) {
				static const char *tag[] = { "", "failure", "error", "skipped" };
				char *out = full_output(lr, i, true, false);
				fprintf(f, "      <%s message=\"", tag[r->status]);
				xml_text(f, lr->checks[i]->title);
				fprintf(f, "\">");
				xml_text(f, out ? out : "");
				fprintf(f, "</%s>\n", tag[r->status]);
				free(out);
			}
			fprintf(f, "    </testcase>\n");
		}
		fprintf(f, "  </testsuite>\n");
	}
	fprintf(f, "</testsuites>\n");
	return 0;
}

static int write_tap(FILE *f, const struct lab_result *labs, size_t n)
{
	size_t total = 0, k = 0;

	for (size_t l = 0; l < n; l++)
		total += labs[l].n;
	fprintf(f, "TAP version 13\n1..%zu\n", total);
	for (size_t l = 0; l < n; l++) {
		const struct lab_result *lr = &labs[l];
		for (size_t i = 0; i < lr->n; i++) {
			const struct check_result *r = &lr->results[i];
			bool ok = r->status == CHECK_PASS || r->status == CHECK_SKIP;
			fprintf(f, "%sok %zu - %s %s: %s", ok ? "" : "not ", ++k, lr->lab->id,
				lr->checks[i]->id, lr->checks[i]->title);
			if (r->status == CHECK_SKIP)
				fprintf(f, " # SKIP %.200s", r->message);
			fprintf(f, "\n");
			if (r->status == CHECK_FAIL || r->status == CHECK_ERROR) {
				char *out = full_output(lr, i, true, false);
				fprintf(f, "  ---\n  status: %s\n  output: |\n", run_status_name(r->status));
				indent(f, out ? out : "", "    ");
				fprintf(f, "  ...\n");
				free(out);
			}
		}
	}
	return 0;
}

int report_write(FILE *f, const struct report_opts *o, const struct lab_result *labs, size_t n)
{
	switch (o->format) {
	case REPORT_TEXT:       return write_text(f, o, labs, n);
	case REPORT_JSON:       return write_json(f, o, labs, n);
	case REPORT_GRADESCOPE: return write_gradescope(f, o, labs, n);
	case REPORT_JUNIT:      return write_junit(f, labs, n);
	case REPORT_TAP:        return write_tap(f, labs, n);
	case REPORT_HTML:       return html_write(f, o, labs, n);
	}
	return -EINVAL;
}
