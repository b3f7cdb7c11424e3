/* test_handouts.c - each handout's "What is graded" table lists exactly the grader's checks
 * of that lab, in order, with the same points; and every hint, the ones keyed on a symptom
 * too, points at a section that the handout has. */
#define _DEFAULT_SOURCE
#include "kit.h"
#include "labs.h"

#include <ctype.h>

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	cr_assert(s && fread(s, 1, (size_t)n, f) == (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* The first cell (without backticks) and the second (a number) of a table row. */
static bool row(const char *line, char *id, size_t idsz, int *points)
{
	const char *p = line;
	size_t n = 0;

	if (*p++ != '|')
		return false;
	while (*p == ' ' || *p == '`')
		p++;
	while (*p && *p != '|' && *p != '`' && *p != ' ' && n + 1 < idsz)
		id[n++] = *p++;
	id[n] = '\0';
	p = strchr(p, '|');
	if (!p || !strchr(id, '.'))
		return false;
	p++;
	while (*p == ' ')
		p++;
	if (!isdigit((unsigned char)*p))
		return false;
	*points = atoi(p);
	return true;
}

Test(handouts, graded_table_matches_the_checks)
{
	for (size_t l = 0; labs_all[l]; l++) {
		const struct lab *lab = labs_all[l];
		char path[256];
		snprintf(path, sizeof path, "labs/%s/README.md", lab->id);
		char *md = slurp(path);
		char *sec = strstr(md, "\n## What is graded");
		cr_assert(sec, "%s has no \"## What is graded\" section", path);
		char *end = strstr(sec + 5, "\n## ");
		if (end)
			*end = '\0';
		size_t k = 0;
		for (char *line = strtok(sec, "\n"); line; line = strtok(NULL, "\n")) {
			char id[128];
			int points;
			if (!row(line, id, sizeof id, &points))
				continue;
			cr_expect_lt(k, lab->nchecks, "%s lists %s, which the grader does not have", path, id);
			if (k >= lab->nchecks)
				break;
			cr_expect_str_eq(id, lab->checks[k].id, "%s row %zu: %s, but the grader's check %zu is %s",
					 path, k + 1, id, k + 1, lab->checks[k].id);
			cr_expect_eq(points, lab->checks[k].points, "%s: %s is worth %d in the handout, %d in "
				     "the grader", path, id, points, lab->checks[k].points);
			k++;
		}
		cr_expect_eq(k, lab->nchecks, "%s lists %zu checks, the grader has %zu", path, k,
			     lab->nchecks);
		free(md);
	}
}

Test(handouts, hints_point_at_existing_sections)
{
	for (size_t l = 0; labs_all[l]; l++) {
		const struct lab *lab = labs_all[l];
		char path[256];
		snprintf(path, sizeof path, "labs/%s/README.md", lab->id);
		char *md = slurp(path);
		for (size_t i = 0; i < lab->nchecks; i++) {
			const char *sec = lab->checks[i].section;
			char h2[256], h3[256];
			if (!sec)
				continue;
			snprintf(h2, sizeof h2, "\n## %s\n", sec);
			snprintf(h3, sizeof h3, "\n### %s\n", sec);
			cr_expect(strstr(md, h2) || strstr(md, h3),
				  "%s: the hint of %s points at \"%s\", which %s has no heading for", lab->id,
				  lab->checks[i].id, sec, path);
		}
		/* The hints keyed on a symptom: each for a check of the lab, at a real section. */
		for (const struct check_hint *h = lab->hints; h && h->check; h++) {
			char h2[256], h3[256];
			bool known = false;
			for (size_t i = 0; i < lab->nchecks && !known; i++)
				known = strcmp(lab->checks[i].id, h->check) == 0;
			cr_expect(known, "%s: a hint for \"%s\", which is not a check of the lab",
				  lab->id, h->check);
			cr_expect(h->key && h->hint && h->section, "%s: the %s hint of %s lacks a key, a "
				  "text or a section", lab->id, h->key ? h->key : "(no key)", h->check);
			if (!h->section)
				continue;
			snprintf(h2, sizeof h2, "\n## %s\n", h->section);
			snprintf(h3, sizeof h3, "\n### %s\n", h->section);
			cr_expect(strstr(md, h2) || strstr(md, h3),
				  "%s: the %s hint of %s points at \"%s\", which %s has no heading for",
				  lab->id, h->key, h->check, h->section, path);
		}
		free(md);
	}
}
