/* test_rules.c - docs/rules/LAB.md lists every rule of a lab's handout with the checks that
 * enforce it (or "not graded: <reason>"): every check it names exists in that lab, every
 * check of the lab enforces at least one rule, and labs 00 to 04 have such a table. */
#define _DEFAULT_SOURCE
#include "kit.h"
#include "labs.h"

#include <ctype.h>

#define RULES_DIR "docs/rules"
#define NOT_GRADED "not graded:"

/* The whole file, or NULL when there is none. */
static char *slurp_or_null(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	cr_assert(s && fread(s, 1, (size_t)n, f) == (size_t)n, "cannot read %s", path);
	s[n] = '\0';
	fclose(f);
	return s;
}

static char *rules_of(const struct lab *lab, char *path, size_t pathsz)
{
	snprintf(path, pathsz, RULES_DIR "/%s.md", lab->id);
	return slurp_or_null(path);
}

static bool lab_has_check(const struct lab *lab, const char *id)
{
	for (size_t i = 0; i < lab->nchecks; i++)
		if (strcmp(lab->checks[i].id, id) == 0)
			return true;
	return false;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Calls row(rule, checks, arg) for each row of the table; checks every line's shape. */
static size_t each_row(const struct lab *lab, const char *path, char *md,
		       void (*row)(const struct lab *, const char *, const char *, char *, void *),
		       void *arg)
{
	char title[160];
	size_t rows = 0, lineno = 0;
	char *save = NULL;

	snprintf(title, sizeof title, "# Rules of %s", lab->id);
	for (char *line = strtok_r(md, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (lineno == 1) {
			cr_expect_str_eq(line, title, "%s: the first line must be \"%s\"", path, title);
			continue;
		}
		if (lineno == 2) {
			cr_expect_str_eq(line, "| rule | checks |", "%s line 2: the table's header", path);
			continue;
		}
		if (lineno == 3) {
			cr_expect_str_eq(line, "|---|---|", "%s line 3: the table's rule", path);
			continue;
		}
		size_t len = strlen(line);
		cr_assert(len > 4 && line[0] == '|' && line[len - 1] == '|',
			  "%s line %zu is not a table row: %s", path, lineno, line);
		line[len - 1] = '\0';
		char *bar = strrchr(line, '|');
		cr_assert(bar && bar != line, "%s line %zu has no checks cell: %s", path, lineno,
			  line);
		*bar = '\0';
		char *rule = trim(line + 1), *checks = trim(bar + 1);
		cr_expect(rule[0] != '\0', "%s line %zu: an empty rule", path, lineno);
		cr_expect(checks[0] != '\0', "%s line %zu: no checks and no \"" NOT_GRADED " <reason>\" "
			  "for \"%s\"", path, lineno, rule);
		row(lab, path, rule, checks, arg);
		rows++;
	}
	return rows;
}

static void named_checks_exist(const struct lab *lab, const char *path, const char *rule,
			       char *checks, void *arg)
{
	(void)arg;
	if (strncmp(checks, NOT_GRADED, strlen(NOT_GRADED)) == 0) {
		const char *why = checks + strlen(NOT_GRADED);
		while (*why == ' ')
			why++;
		cr_expect(strlen(why) >= 10, "%s: \"%s\" is not graded without saying why", path,
			  rule);
		return;
	}
	char *save = NULL;
	for (char *id = strtok_r(checks, " ,", &save); id; id = strtok_r(NULL, " ,", &save))
		cr_expect(lab_has_check(lab, id), "%s: the rule \"%s\" names %s, which %s does not "
			  "have (see: wirelab list %s)", path, rule, id, lab->id, lab->id);
}

struct seen {
	bool *found;            /* one per check of the lab */
};

static void mark_checks(const struct lab *lab, const char *path, const char *rule,
			char *checks, void *arg)
{
	struct seen *s = arg;
	char *save = NULL;

	(void)path;
	(void)rule;
	if (strncmp(checks, NOT_GRADED, strlen(NOT_GRADED)) == 0)
		return;
	for (char *id = strtok_r(checks, " ,", &save); id; id = strtok_r(NULL, " ,", &save))
		for (size_t i = 0; i < lab->nchecks; i++)
			if (strcmp(lab->checks[i].id, id) == 0)
				s->found[i] = true;
}

Test(rules, named_checks_exist)
{
	for (size_t l = 0; labs_all[l]; l++) {
		char path[256];
		char *md = rules_of(labs_all[l], path, sizeof path);
		if (!md)
			continue;
		size_t rows = each_row(labs_all[l], path, md, named_checks_exist, NULL);
		cr_expect_gt(rows, 0, "%s has no rules", path);
		free(md);
	}
}

Test(rules, every_check_enforces_a_rule)
{
	for (size_t l = 0; labs_all[l]; l++) {
		const struct lab *lab = labs_all[l];
		char path[256];
		char *md = rules_of(lab, path, sizeof path);
		if (!md)
			continue;
		struct seen s = { .found = calloc(lab->nchecks + 1, sizeof *s.found) };
		each_row(lab, path, md, mark_checks, &s);
		for (size_t i = 0; i < lab->nchecks; i++)
			cr_expect(s.found[i], "%s: no rule names %s: every check enforces a rule of the "
				  "handout", path, lab->checks[i].id);
		free(s.found);
		free(md);
	}
}

Test(rules, labs_00_to_04_have_rules)
{
	for (size_t l = 0; labs_all[l]; l++) {
		const struct lab *lab = labs_all[l];
		char path[256];
		if (strncmp(lab->id, "00", 2) < 0 || strncmp(lab->id, "04", 2) > 0)
			continue;
		char *md = rules_of(lab, path, sizeof path);
		cr_expect(md != NULL, "%s has no %s: list every rule of its handout with the checks "
			  "that enforce it", lab->id, path);
		free(md);
	}
}
