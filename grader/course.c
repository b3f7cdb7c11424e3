/* course.c - reading a course file (course.h). */
#include "course.h"
#include "labs.h"
#include "run.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COURSE_FILE_MAX (1 << 20)

static bool check_exists(const char *id)
{
	for (size_t l = 0; labs_all[l]; l++)
		for (size_t k = 0; k < labs_all[l]->nchecks; k++)
			if (strcmp(labs_all[l]->checks[k].id, id) == 0)
				return true;
	return false;
}

/* A list of strings into out (strdup'd), at most max. */
static int read_strings(const cJSON *v, const char *key, char **out, size_t max, size_t *n,
			char *why, size_t whylen)
{
	const cJSON *e;

	if (!cJSON_IsArray(v)) {
		snprintf(why, whylen, "\"%s\" must be a list of strings", key);
		return -1;
	}
	cJSON_ArrayForEach(e, v) {
		if (!cJSON_IsString(e) || !e->valuestring[0]) {
			snprintf(why, whylen, "\"%s\" must be a list of non-empty strings", key);
			return -1;
		}
		if (*n == max) {
			snprintf(why, whylen, "\"%s\": at most %zu entries", key, max);
			return -1;
		}
		if (!(out[(*n)++] = strdup(e->valuestring))) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* Gradescope's four visibilities of a test: the name as the course file holds it, or NULL. */
static const char *visibility_name(const cJSON *v)
{
	static const char *const names[] = { "visible", "after_published", "after_due_date",
					     "hidden" };

	for (size_t i = 0; cJSON_IsString(v) && i < sizeof names / sizeof *names; i++)
		if (strcmp(v->valuestring, names[i]) == 0)
			return names[i];
	return NULL;
}

static void visibility_why(const char *key, const cJSON *v, char *why, size_t whylen)
{
	snprintf(why, whylen, "%s: %s%.100s%s is not a Gradescope visibility (visible, "
		 "after_published, after_due_date or hidden)", key,
		 cJSON_IsString(v) ? "\"" : "", cJSON_IsString(v) ? v->valuestring : "the value",
		 cJSON_IsString(v) ? "\"" : "");
}

static int read_visibility(const cJSON *v, struct course *c, char *why, size_t whylen)
{
	const cJSON *e;

	if (!cJSON_IsObject(v)) {
		snprintf(why, whylen, "\"visibility\" must map check ids to Gradescope visibilities");
		return -1;
	}
	cJSON_ArrayForEach(e, v) {
		char key[160];
		const char *vis = visibility_name(e);
		if (!check_exists(e->string)) {
			snprintf(why, whylen, "\"visibility\": no check named %.100s (see: wirelab "
				 "list LAB)", e->string);
			return -1;
		}
		snprintf(key, sizeof key, "\"visibility\": %.100s", e->string);
		if (!vis) {
			visibility_why(key, e, why, whylen);
			return -1;
		}
		if (c->nvisibility == COURSE_MAX_POINTS) {
			snprintf(why, whylen, "\"visibility\": too many");
			return -1;
		}
		if (!(c->visibility[c->nvisibility].id = strdup(e->string))) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		c->visibility[c->nvisibility++].vis = vis;
	}
	return 0;
}

static int read_key(const cJSON *v, struct course *c, char *why, size_t whylen)
{
	const cJSON *e;
	size_t n = 0;

	if (strcmp(v->string, "labs") == 0) {
		if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1) {
			snprintf(why, whylen, "\"labs\" must be a non-empty list of lab names");
			return -1;
		}
		cJSON_ArrayForEach(e, v) {
			const struct lab *lab = cJSON_IsString(e) ? labs_find(e->valuestring) : NULL;
			if (!lab) {
				snprintf(why, whylen, "\"labs\": no lab named %.100s",
					 cJSON_IsString(e) ? e->valuestring : "(not a string)");
				return -1;
			}
			if (n == COURSE_MAX_LABS) {
				snprintf(why, whylen, "\"labs\": too many");
				return -1;
			}
			c->labs[n++] = lab;
		}
		c->labs[n] = NULL;
		return 0;
	}
	if (strcmp(v->string, "checks") == 0)
		return read_strings(v, "checks", c->checks, COURSE_MAX_PATTERNS, &c->nchecks, why,
				    whylen);
	if (strcmp(v->string, "exclude") == 0)
		return read_strings(v, "exclude", c->excludes, COURSE_MAX_PATTERNS, &c->nexcludes,
				    why, whylen);
	if (strcmp(v->string, "points") == 0) {
		if (!cJSON_IsObject(v)) {
			snprintf(why, whylen, "\"points\" must map check ids to points");
			return -1;
		}
		cJSON_ArrayForEach(e, v) {
			double p = cJSON_IsNumber(e) ? e->valuedouble : -1;
			if (!check_exists(e->string)) {
				snprintf(why, whylen, "\"points\": no check named %.100s (see: wirelab "
					 "list LAB)", e->string);
				return -1;
			}
			if (p < 0 || p > 10000 || p != (int)p) {
				snprintf(why, whylen, "\"points\": %.100s must be a whole number from 0 "
					 "to 10000", e->string);
				return -1;
			}
			if (c->npoints == COURSE_MAX_POINTS) {
				snprintf(why, whylen, "\"points\": too many");
				return -1;
			}
			c->points[c->npoints].id = strdup(e->string);
			c->points[c->npoints++].points = (int)p;
		}
		return 0;
	}
	if (strcmp(v->string, "time_limit_s") == 0) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 86400) {
			snprintf(why, whylen, "\"time_limit_s\" must be seconds from 0 (none) to 86400");
			return -1;
		}
		c->time_limit_s = (int64_t)v->valuedouble;
		return 0;
	}
	if (strcmp(v->string, "repeat") == 0) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > COURSE_MAX_REPEAT ||
		    v->valuedouble != (int)v->valuedouble) {
			snprintf(why, whylen, "\"repeat\" must be a whole number of runs from 1 to %d",
				 COURSE_MAX_REPEAT);
			return -1;
		}
		c->repeat = (int)v->valuedouble;
		return 0;
	}
	if (strcmp(v->string, "default_visibility") == 0) {
		if (!(c->default_visibility = visibility_name(v))) {
			visibility_why("\"default_visibility\"", v, why, whylen);
			return -1;
		}
		return 0;
	}
	if (strcmp(v->string, "visibility") == 0)
		return read_visibility(v, c, why, whylen);
	snprintf(why, whylen, "unknown key \"%.100s\" (known: labs, checks, exclude, points, "
		 "time_limit_s, repeat, default_visibility, visibility)", v->string);
	return -1;
}

int course_read(const char *path, struct course *c, char *why, size_t whylen)
{
	char msg[400];
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	cJSON *root = NULL;
	int rc = -1;

	memset(c, 0, sizeof *c);
	c->time_limit_s = -1;
	if (!f) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(COURSE_FILE_MAX + 1);
	size_t n = buf ? fread(buf, 1, COURSE_FILE_MAX + 1, f) : 0;
	fclose(f);
	if (!buf || n > COURSE_FILE_MAX) {
		snprintf(why, whylen, "%s: %s", path, buf ? "larger than 1 MiB" : "out of memory");
		goto out;
	}
	buf[n] = '\0';
	if (!(root = cJSON_Parse(buf)) || !cJSON_IsObject(root)) {
		snprintf(why, whylen, "%s: not a JSON object", path);
		goto out;
	}
	const cJSON *v;
	cJSON_ArrayForEach(v, root)
		if (read_key(v, c, msg, sizeof msg) < 0) {
			snprintf(why, whylen, "%s: %s", path, msg);
			goto out;
		}
	rc = 0;
out:
	cJSON_Delete(root);
	free(buf);
	if (rc < 0) {
		course_free(c);
		c->time_limit_s = -1;
	}
	return rc;
}

void course_free(struct course *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nchecks; i++)
		free(c->checks[i]);
	for (size_t i = 0; i < c->nexcludes; i++)
		free(c->excludes[i]);
	for (size_t i = 0; i < c->npoints; i++)
		free(c->points[i].id);
	for (size_t i = 0; i < c->nvisibility; i++)
		free(c->visibility[i].id);
	memset(c, 0, sizeof *c);
}

int course_points(const struct course *c, const struct check *ch)
{
	for (size_t i = 0; c && i < c->npoints; i++)
		if (strcmp(c->points[i].id, ch->id) == 0)
			return c->points[i].points;
	return ch->points;
}

const char *course_visibility(const struct course *c, const struct check *ch)
{
	for (size_t i = 0; c && i < c->nvisibility; i++)
		if (strcmp(c->visibility[i].id, ch->id) == 0)
			return c->visibility[i].vis;
	return c && c->default_visibility ? c->default_visibility : "visible";
}

struct check *course_apply_points(const struct course *c, struct lab_result *res, size_t n)
{
	size_t total = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		total += res[i].n;
	struct check *copies = calloc(total ? total : 1, sizeof *copies);
	if (!copies)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct lab_result *r = &res[i];
		r->score = r->max_score = 0;
		for (size_t j = 0; j < r->n; j++, k++) {
			copies[k] = *r->checks[j];
			copies[k].points = course_points(c, r->checks[j]);
			r->checks[j] = &copies[k];
			r->results[j].score = r->results[j].status == CHECK_PASS ? copies[k].points : 0;
			r->score += r->results[j].score;
			r->max_score += copies[k].points;
		}
	}
	return copies;
}
