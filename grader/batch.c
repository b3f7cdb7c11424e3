/* batch.c - grading a class: finding each submission's sources, one pool for all of them,
 * a report folder per submission. */
#define _GNU_SOURCE
#include "batch.h"
#include "clock.h"
#include "gradebook.h"
#include "labs.h"
#include "esc.h"
#include "html.h"
#include "jail.h"
#include "report.h"
#include "run.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FIND_MAX_DIRS    64      /* folders looked into at each depth */
#define CHUNK_UNITS      40      /* labs built at once (one compiler thread each) */

/* ---- finding the sources ------------------------------------------------------------- */

/* "what: why" appended to note, once. */
static void note_add(char *note, size_t notesz, const char *what, const char *why)
{
	size_t used = strlen(note);
	char line[1400], clean[1400 * 4];

	snprintf(line, sizeof line, "%.1000s: %.300s", what, why);
	if (strstr(note, line))
		return;
	esc_text(line, strlen(line), clean, sizeof clean);
	if (used < notesz)
		snprintf(note + used, notesz - used, "%s%s", used ? "; " : "", clean);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The subfolders of rel below subfd (sorted, malloc'd, "rel/name"), links noted. */
static size_t subdirs(int subfd, const char *rel, char **out, size_t max, char *note,
		      size_t notesz)
{
	int fd = strcmp(rel, ".") == 0 ? fcntl(subfd, F_DUPFD_CLOEXEC, 0)
				       : jail_open_beneath(subfd, rel, O_RDONLY | O_DIRECTORY, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	size_t n = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	rewinddir(d);   /* a duplicate shares the offset an earlier listing left at the end */
	while ((e = readdir(d)) != NULL && n < max) {
		struct stat st;
		if (e->d_name[0] == '.' || strcmp(e->d_name, "__MACOSX") == 0 ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		char path[1200];
		snprintf(path, sizeof path, "%s%s%s", strcmp(rel, ".") ? rel : "",
			 strcmp(rel, ".") ? "/" : "", e->d_name);
		if (S_ISLNK(st.st_mode))
			note_add(note, notesz, path, "a symbolic link (not followed)");
		else if (S_ISDIR(st.st_mode) && (out[n] = strdup(path)) != NULL)
			n++;
	}
	closedir(d);
	qsort(out, n, sizeof *out, cmp_name);
	return n;
}

static bool is_dir_below(int fd, const char *rel)
{
	int d = jail_open_beneath(fd, rel, O_RDONLY | O_DIRECTORY, 0);

	if (d < 0)
		return false;
	close(d);
	return true;
}

/* A link as the last component of rel (the folders before it being real ones). */
static bool is_link_below(int fd, const char *rel)
{
	struct stat st;

	return fstatat(fd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

/* A program of lab in the folder rel below fd, as a regular file. */
static bool has_program(int fd, const char *rel, const struct lab *lab)
{
	int d = jail_open_beneath(fd, rel, O_RDONLY | O_DIRECTORY, 0);
	bool any = false;

	if (d < 0)
		return false;
	for (size_t i = 0; lab->programs[i] && !any; i++) {
		char name[300];
		struct stat st;
		snprintf(name, sizeof name, "%s.c", lab->programs[i]);
		any = fstatat(d, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
	}
	close(d);
	return any;
}

/* The patterns at one base folder (rel below subfd, "." for the submission itself). */
static bool find_at(int subfd, const char *base, const struct lab *lab, struct batch_where *w,
		    char *note, size_t notesz)
{
	const bool top = strcmp(base, ".") == 0;
	const char *pre = top ? "" : base, *sep = top ? "" : "/";
	char p[600], q[600], s[700];

	/* Links where the sources would be: named, never followed. */
	static const struct { const char *a, *b; bool id; } links[] = {
		{ "labs", "", false }, { "labs/", "", true }, { "labs/", "/src", true },
		{ "", "", true }, { "", "/src", true }, { "src", "", false },
	};
	for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
		snprintf(p, sizeof p, "%.500s%s%s%s%s", pre, sep, links[i].a,
			 links[i].id ? lab->id : "", links[i].b);
		if (is_link_below(subfd, p))
			note_add(note, notesz, p, "a symbolic link (not followed)");
	}
	snprintf(p, sizeof p, "%.500s%slabs/%.60s", pre, sep, lab->id);
	snprintf(s, sizeof s, "%s/src", p);
	if (is_dir_below(subfd, s)) {
		snprintf(w->rel, sizeof w->rel, "%s", p);
		snprintf(w->layout, sizeof w->layout, "labs/ tree");
		goto found;
	}
	snprintf(p, sizeof p, "%.500s%s%.60s", pre, sep, lab->id);
	snprintf(s, sizeof s, "%s/src", p);
	if (is_dir_below(subfd, s)) {
		snprintf(w->rel, sizeof w->rel, "%s", p);
		snprintf(w->layout, sizeof w->layout, "lab folders");
		goto found;
	}
	snprintf(q, sizeof q, "%.500s%ssrc", pre, sep);
	if (is_dir_below(subfd, q) && has_program(subfd, q, lab)) {
		snprintf(w->rel, sizeof w->rel, "%s", base);
		snprintf(w->layout, sizeof w->layout, "src/");
		goto found;
	}
	if (has_program(subfd, base, lab)) {
		snprintf(w->rel, sizeof w->rel, "%s", base);
		w->flat = true;
		snprintf(w->layout, sizeof w->layout, "loose .c files");
		goto found;
	}
	return false;
found:
	if (!top) {
		size_t n = strlen(w->layout);
		snprintf(w->layout + n, sizeof w->layout - n, " in %.600s/", base);
	}
	return true;
}

bool batch_find(int subfd, const struct lab *lab, struct batch_where *w, char *note,
		size_t notesz)
{
	char *one[FIND_MAX_DIRS], *two[FIND_MAX_DIRS];
	size_t n1, n2 = 0;
	bool found;

	memset(w, 0, sizeof *w);
	if (find_at(subfd, ".", lab, w, note, notesz))
		return true;
	n1 = subdirs(subfd, ".", one, FIND_MAX_DIRS, note, notesz);
	found = false;
	for (size_t i = 0; i < n1 && !found; i++)
		found = find_at(subfd, one[i], lab, w, note, notesz);
	for (size_t i = 0; i < n1 && !found; i++) {
		n2 = subdirs(subfd, one[i], two, FIND_MAX_DIRS, note, notesz);
		for (size_t k = 0; k < n2 && !found; k++)
			found = find_at(subfd, two[k], lab, w, note, notesz);
		for (size_t k = 0; k < n2; k++)
			free(two[k]);
	}
	for (size_t i = 0; i < n1; i++)
		free(one[i]);
	if (!found)
		memset(w, 0, sizeof *w);
	return found;
}

/* ---- the class ----------------------------------------------------------------------- */

struct sub {
	char *name;                  /* the folder's name: the student's bytes */
	bool link;
	int fd;                      /* the submission's folder, -1 when not open */
	int out_fd;                  /* its folder under out */
	bool *found;                 /* per lab of o->labs */
	struct batch_where *where;
	char note[2048];
	int64_t budget_ns;
	size_t first, nunits;        /* its units in the chunk */
	int64_t start_ns;
};

struct progress {
	pthread_mutex_t mu;          /* the chunks' threads report here */
	pthread_cond_t cv;
	bool on;
	size_t subs_total, subs_done;
	size_t checks_per_sub;       /* selected checks of all labs, for the estimate */
	size_t checks_done, checks_failed;
	int64_t t0, last;
};

/* Under p->mu. */
static void progress_print(struct progress *p, bool force)
{
	int64_t now = clock_mono_ns();

	if (!p->on || (!force && now - p->last < 250000000))
		return;
	p->last = now;
	double el = (now - p->t0) / 1e9;
	size_t all = p->subs_total * p->checks_per_sub;
	char eta[32] = "?";
	if (p->checks_done > 0 && all > p->checks_done) {
		double left = el / (double)p->checks_done * (double)(all - p->checks_done);
		snprintf(eta, sizeof eta, "%dm%02ds", (int)left / 60, (int)left % 60);
	} else if (all <= p->checks_done) {
		snprintf(eta, sizeof eta, "0m00s");
	}
	fprintf(stderr, "\r\033[Kwirelab batch: %zu/%zu submissions (%zu/%zu checks), %zu failed, "
		"%dm%02ds, ETA %s", p->subs_done, p->subs_total, p->checks_done, all,
		p->checks_failed, (int)el / 60, (int)el % 60, eta);
	fflush(stderr);
}

/* A few submissions graded together: all their labs in one run_units call. */
struct chunk {
	struct progress *pg;
	struct run_opts ro;
	size_t first, next;          /* its submissions, subs[first..next) */
	size_t nu;
	struct run_unit *units;
	struct lab_result *res;
	char (*dirs)[PATH_MAX], (*pcaps)[PATH_MAX];
	size_t left;                 /* checks not yet final (under pg->mu) */
	bool done;                   /* run_units returned (under pg->mu) */
	int rc;
	char why[512];
	pthread_t thread;
	bool started;
};

static void on_check(void *arg, const struct lab_result *r, size_t idx)
{
	struct chunk *c = arg;
	struct progress *p = c->pg;

	pthread_mutex_lock(&p->mu);
	if (c->left)
		c->left--;
	p->checks_done++;
	p->checks_failed += r->results[idx].status != CHECK_PASS &&
			    r->results[idx].status != CHECK_SKIP;
	progress_print(p, false);
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void *chunk_thread(void *arg)
{
	struct chunk *c = arg;

	c->rc = run_units(&c->ro, c->units, c->nu, c->res, c->why, sizeof c->why);
	pthread_mutex_lock(&c->pg->mu);
	c->done = true;
	pthread_cond_broadcast(&c->pg->cv);
	pthread_mutex_unlock(&c->pg->mu);
	return NULL;
}

static void chunk_free(struct chunk *c)
{
	if (!c)
		return;
	free(c->units);
	free(c->res);
	free(c->dirs);
	free(c->pcaps);
	free(c);
}

static struct chunk *chunk_new(size_t n)
{
	struct chunk *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->units = calloc(n, sizeof *c->units);
	c->res = calloc(n, sizeof *c->res);
	c->dirs = calloc(n, sizeof *c->dirs);
	c->pcaps = calloc(n, sizeof *c->pcaps);
	if (!c->units || !c->res || !c->dirs || !c->pcaps) {
		chunk_free(c);
		return NULL;
	}
	return c;
}

/* Write data to name in dirfd: a new file renamed over name once complete. */
static int write_at(int dirfd, const char *name, const char *data, size_t len)
{
	char tmp[300];
	int fd;

	snprintf(tmp, sizeof tmp, ".%s.%d.tmp", name, (int)getpid());
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			close(fd);
			unlinkat(dirfd, tmp, 0);
			return -e;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0 || renameat(dirfd, tmp, dirfd, name) < 0) {
		int e = errno;
		unlinkat(dirfd, tmp, 0);
		return -e;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The submissions: every entry of the class folder but hidden ones, files and out itself. */
static char **list_class(int dirfd_, const struct stat *out_st, size_t *n, bool **links)
{
	int fd = fcntl(dirfd_, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	char **names = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode))
			continue;
		if (S_ISDIR(st.st_mode) && st.st_dev == out_st->st_dev && st.st_ino == out_st->st_ino)
			continue;
		if (*n == cap) {
			char **g = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
			if (!g)
				break;
			names = g;
		}
		if ((names[*n] = strdup(e->d_name)) != NULL)
			(*n)++;
	}
	closedir(d);
	if (names)
		qsort(names, *n, sizeof *names, cmp_str);
	*links = calloc(*n ? *n : 1, sizeof **links);
	for (size_t i = 0; *links && i < *n; i++) {
		struct stat st;
		(*links)[i] = fstatat(dirfd_, names[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			      S_ISLNK(st.st_mode);
	}
	return names;
}

/* Names the gradebook uses in out: a submission may not take them. */
static bool is_reserved(const char *name)
{
	static const char *const r[] = { "gradebook.csv", "summary.txt", "canvas.csv",
					 "moodle.csv", "index.html", NULL };

	for (size_t i = 0; r[i]; i++)
		if (strcmp(name, r[i]) == 0)
			return true;
	return false;
}

static void esc_dup(const char *s, char *out, size_t outsz)
{
	esc_text(s, strlen(s), out, outsz);
}

/* "build failed: p1, p2" for the programs that did not build, or "" */
static void unbuilt_list(const struct lab_result *res, size_t n, char *out, size_t outsz)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		for (size_t p = 0; res[i].lab->programs[p]; p++)
			if (res[i].unbuilt & (1u << p) && used < outsz)
				used += (size_t)snprintf(out + used, outsz - used, "%s%s",
							 used ? ", " : BATCH_BUILD_FAIL,
							 res[i].lab->programs[p]);
}

static const char *sub_status(const struct sub *s, const struct lab_result *res, char *buf,
			      size_t bufsz)
{
	if (s->link)
		return BATCH_LINK;
	if (s->nunits == 0)
		return BATCH_NO_SOURCES;
	if (s->budget_ns <= 0 && s->budget_ns != INT64_MIN)
		return BATCH_TIMED_OUT;
	unbuilt_list(res, s->nunits, buf, bufsz);
	return buf[0] ? buf : BATCH_GRADED;
}

static int max_points(const struct run_opts *ro, const struct course *c, const struct lab *lab)
{
	int m = 0;

	for (size_t i = 0; i < lab->nchecks; i++)
		if (run_check_selected(ro, lab->checks[i].id))
			m += course_points(c, &lab->checks[i]);
	return m;
}

/* report.json: the same document as `grade all --format json`, and what a class needs. */
static char *sub_json(const struct batch_opts *o, const struct run_opts *ro, const struct sub *s,
		      const struct lab_result *res, const char *status, const char *path)
{
	char *buf = NULL, clean[PATH_MAX * 4], subm[PATH_MAX * 4];
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	struct report_opts rop = { .format = REPORT_JSON, .sb = o->sb, .title = "", .all = true,
				   .version = o->version, .submission = subm };
	cJSON *root = NULL;

	if (!m)
		return NULL;
	esc_dup(path, subm, sizeof subm);
	report_write(m, &rop, res, s->nunits);
	fclose(m);
	root = buf ? cJSON_Parse(buf) : NULL;
	free(buf);
	if (!root)
		return NULL;
	esc_dup(s->name, clean, sizeof clean);
	cJSON_AddStringToObject(root, "student", clean);
	cJSON_AddStringToObject(root, "status", status);
	cJSON_AddStringToObject(root, "notes", s->note);
	cJSON *graded = cJSON_AddArrayToObject(root, "graded_labs");
	cJSON *missing = cJSON_AddArrayToObject(root, "missing_labs");
	int max_total = 0;
	for (size_t l = 0; o->labs[l]; l++) {
		cJSON_AddItemToArray(graded, cJSON_CreateString(o->labs[l]->id));
		max_total += max_points(ro, o->course, o->labs[l]);
		if (!s->link && !s->found[l])
			cJSON_AddItemToArray(missing, cJSON_CreateString(o->labs[l]->id));
	}
	cJSON_AddNumberToObject(root, "max_total", max_total);
	/* Per lab: where its sources were. */
	cJSON *labs = cJSON_GetObjectItemCaseSensitive(root, "labs"), *lab;
	size_t i = 0;
	cJSON_ArrayForEach(lab, labs) {
		if (i >= s->nunits)
			break;
		const struct lab_result *r = &res[i];
		size_t l = 0;
		while (o->labs[l] && o->labs[l] != r->lab)
			l++;
		if (o->labs[l]) {
			esc_dup(s->where[l].layout, clean, sizeof clean);
			cJSON_AddStringToObject(lab, "layout", clean);
			esc_dup(s->where[l].rel, clean, sizeof clean);
			cJSON_AddStringToObject(lab, "folder", clean);
		}
		i++;
	}
	cJSON_AddNumberToObject(root, "time_limit_s", (double)(o->time_limit_ms / 1000));
	char *out = cJSON_Print(root);
	cJSON_Delete(root);
	return out;
}

/* report.txt: what `grade` prints, after a header on where the sources were. */
static char *sub_text(const struct batch_opts *o, const struct sub *s,
		      const struct lab_result *res, const char *status, const char *path)
{
	char *buf = NULL, name[1100], title[PATH_MAX * 4];
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	esc_dup(s->name, name, sizeof name);
	esc_dup(path, title, sizeof title);
	fprintf(m, "student: %s\nstatus:  %s\n", name, status);
	for (size_t l = 0; o->labs[l] && !s->link; l++) {
		char where[2900];
		esc_dup(s->where[l].layout, where, sizeof where);
		fprintf(m, "%-20s %s\n", o->labs[l]->id, s->found[l] ? where : "not found");
	}
	if (s->note[0])
		fprintf(m, "note:    %s\n", s->note);
	fprintf(m, "\n");
	if (s->nunits) {
		struct report_opts rop = { .format = REPORT_TEXT, .sb = o->sb, .title = title,
					   .all = true, .verbose = o->verbose };
		report_write(m, &rop, res, s->nunits);
	} else if (s->link) {
		fprintf(m, "The submission is a symbolic link: it was not followed, nothing was "
			"graded.\n");
	} else {
		fprintf(m, "No sources were found: no labs/<lab>/src, <lab>/src, src/ or .c files of "
			"a lab's programs, up to two folders deep. Nothing was graded.\n");
	}
	fclose(m);
	return buf;
}

/* The line an Autolab autograder prints last: {"scores": {"<lab>": score, ...}}. */
static char *sub_autolab(const struct batch_opts *o, const struct sub *s,
			 const struct lab_result *res)
{
	cJSON *root = cJSON_CreateObject(), *sc = cJSON_AddObjectToObject(root, "scores");

	for (size_t l = 0; o->labs[l]; l++) {
		int score = 0;
		for (size_t i = 0; i < s->nunits; i++)
			if (res[i].lab == o->labs[l])
				score = res[i].score;
		cJSON_AddNumberToObject(sc, o->labs[l]->id, score);
	}
	char *txt = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!txt)
		return NULL;
	size_t n = strlen(txt);
	char *line = realloc(txt, n + 2);
	if (!line) {
		free(txt);
		return NULL;
	}
	memcpy(line + n, "\n", 2);
	return line;
}

/* report.html: the student's page (html.h), the captures linked relative to it, under a
 * header saying where each lab was found. Every line is escaped by html_write_page. */
static char *sub_html(const struct batch_opts *o, const struct sub *s,
		      const struct lab_result *res, const char *status, const char *path,
		      const char *outabs)
{
	size_t nlabs = 0, k = 0;
	while (o->labs[nlabs])
		nlabs++;
	char (*text)[1400] = calloc(nlabs + 4, sizeof *text);
	const char **lines = calloc(nlabs + 5, sizeof *lines);
	char *buf = NULL, dir[PATH_MAX + 300];
	size_t len = 0;
	FILE *m = text && lines ? open_memstream(&buf, &len) : NULL;

	if (!m) {
		free(text);
		free(lines);
		return NULL;
	}
	snprintf(text[k++], sizeof *text, "student: %.255s", s->name);
	snprintf(text[k++], sizeof *text, "status: %s", status);
	for (size_t l = 0; l < nlabs && !s->link; l++)
		snprintf(text[k++], sizeof *text, "%s: %s", o->labs[l]->id,
			 s->found[l] ? s->where[l].layout : "not found");
	if (s->note[0])
		snprintf(text[k++], sizeof *text, "note: %.1300s", s->note);
	if (!s->nunits)
		snprintf(text[k++], sizeof *text, "%s", s->link ?
			 "The submission is a symbolic link: it was not followed, nothing was graded." :
			 "No sources were found: no labs/<lab>/src, <lab>/src, src/ or .c files of a "
			 "lab's programs, up to two folders deep. Nothing was graded.");
	for (size_t i = 0; i < k; i++)
		lines[i] = text[i];
	snprintf(dir, sizeof dir, "%s/%s", outabs, s->name);
	struct report_opts rop = { .format = REPORT_HTML, .sb = o->sb, .title = path,
				   .all = true, .verbose = o->verbose };
	struct html_page page = { .dir = dir, .lines = lines, .class_page = "../index.html" };
	int rc = html_write_page(m, &rop, res, s->nunits, &page);
	if (fclose(m) != 0 || rc < 0) {
		free(buf);
		buf = NULL;
	}
	free(text);
	free(lines);
	return buf;
}

static void sub_write(const struct batch_opts *o, const struct run_opts *ro, struct sub *s,
		      const struct lab_result *res, const char *outabs)
{
	char bf[1024], path[PATH_MAX + 300];
	const char *status = sub_status(s, res, bf, sizeof bf);

	snprintf(path, sizeof path, "%s/%s", o->dir, s->name);
	char *txt = sub_text(o, s, res, status, path);
	char *al = sub_autolab(o, s, res);
	char *html = o->html ? sub_html(o, s, res, status, path, outabs) : NULL;
	char *json = sub_json(o, ro, s, res, status, path);
	if (txt)
		write_at(s->out_fd, "report.txt", txt, strlen(txt));
	if (al)
		write_at(s->out_fd, "autolab.json", al, strlen(al));
	if (html)
		write_at(s->out_fd, "report.html", html, strlen(html));
	free(html);
	/* Last: its presence is what --resume trusts. */
	if (json)
		write_at(s->out_fd, "report.json", json, strlen(json));
	free(txt);
	free(al);
	free(json);
}

static void sub_clear(struct sub *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->out_fd >= 0)
		close(s->out_fd);
	free(s->found);
	free(s->where);
	s->fd = s->out_fd = -1;
	s->found = NULL;
	s->where = NULL;
}

/* The folder rel below fd as an open file description of its own: a duplicate would share
 * its reading offset with the other labs built side by side from the same folder. */
static int open_fresh(int fd, const char *rel)
{
	if (strcmp(rel, ".") == 0) {
		int d = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		return d < 0 ? -errno : d;
	}
	return jail_open_beneath(fd, rel, O_RDONLY | O_DIRECTORY, 0);
}

/* Open the submission, find its labs, and append its units. */
static int sub_prepare(const struct batch_opts *o, int classfd, int outfd, const char *outabs,
		       struct sub *s, size_t nlabs, struct run_unit *units, size_t *nu,
		       char (*dirs)[PATH_MAX], char (*pcaps)[PATH_MAX])
{
	s->fd = s->out_fd = -1;
	s->found = calloc(nlabs, sizeof *s->found);
	s->where = calloc(nlabs, sizeof *s->where);
	s->note[0] = '\0';
	s->first = *nu;
	s->nunits = 0;
	s->budget_ns = o->time_limit_ms ? o->time_limit_ms * 1000000 : INT64_MIN;
	s->start_ns = clock_mono_ns();
	if (!s->found || !s->where)
		return -ENOMEM;
	if (mkdirat(outfd, s->name, 0755) < 0 && errno != EEXIST)
		return -errno;
	s->out_fd = jail_open_beneath(outfd, s->name, O_RDONLY | O_DIRECTORY, 0);
	if (s->out_fd < 0)
		return s->out_fd;
	if (s->link)
		return 0;
	s->fd = jail_open_beneath(classfd, s->name, O_RDONLY | O_DIRECTORY, 0);
	if (s->fd < 0) {
		s->link = s->fd == -ELOOP;
		if (!s->link)
			note_add(s->note, sizeof s->note, "cannot open the folder",
				 strerror(-s->fd));
		return 0;
	}
	for (size_t l = 0; l < nlabs; l++) {
		if (!(s->found[l] = batch_find(s->fd, o->labs[l], &s->where[l], s->note,
					       sizeof s->note)))
			continue;
		struct run_unit *u = &units[*nu];
		snprintf(dirs[*nu], PATH_MAX, "%s/%s%s%s", o->dir, s->name,
			 strcmp(s->where[l].rel, ".") ? "/" : "",
			 strcmp(s->where[l].rel, ".") ? s->where[l].rel : "");
		snprintf(pcaps[*nu], PATH_MAX, "%.3000s/%.255s/pcaps/%.60s", outabs, s->name,
			 o->labs[l]->id);
		*u = (struct run_unit){
			.lab = o->labs[l], .flat = s->where[l].flat, .dir = dirs[*nu],
			.pcap_dir = pcaps[*nu], .no_pcap = o->no_pcap,
			.budget_ns = o->time_limit_ms ? &s->budget_ns : NULL,
			.dir_fd = open_fresh(s->fd, s->where[l].rel),
		};
		(*nu)++;
		s->nunits++;
	}
	return 0;
}

static size_t max_selected(const struct run_opts *ro, const struct lab *lab)
{
	size_t n = 0;

	for (size_t k = 0; k < lab->nchecks; k++)
		n += run_check_selected(ro, lab->checks[k].id);
	return n;
}

/* The chunk's run is over: each submission's reports, then its folders closed. */
static size_t chunk_finish(const struct batch_opts *o, const struct run_opts *ro,
			   struct progress *pg, struct sub *subs, struct chunk *c, size_t nlabs,
			   const char *outabs)
{
	for (size_t i = 0; i < c->nu; i++)
		if (c->units[i].dir_fd >= 0)
			close(c->units[i].dir_fd);
	for (size_t i = c->first; i < c->next; i++) {
		struct sub *s = &subs[i];
		size_t uncounted = 0;
		/* Labs that did not build, or were not found, ran no check: they count now. */
		for (size_t u = s->first; u < s->first + s->nunits; u++)
			if (!c->res[u].built)
				uncounted += c->res[u].n;
		for (size_t l = 0; l < nlabs; l++)
			if (!s->found[l])
				uncounted += max_selected(ro, o->labs[l]);
		struct check *copies = o->course ? course_apply_points(o->course, &c->res[s->first],
									       s->nunits) : NULL;
		sub_write(o, ro, s, &c->res[s->first], outabs);
		free(copies);
		sub_clear(s);
		pthread_mutex_lock(&pg->mu);
		pg->checks_done += uncounted;
		pg->subs_done++;
		pthread_mutex_unlock(&pg->mu);
	}
	for (size_t i = 0; i < c->nu; i++)
		run_lab_free(&c->res[i]);
	pthread_mutex_lock(&pg->mu);
	progress_print(pg, true);
	pthread_mutex_unlock(&pg->mu);
	size_t n = c->next - c->first;
	c->nu = 0;
	c->first = c->next;
	return n;
}

int batch_run(const struct batch_opts *o, char *why, size_t whylen)
{
	char outabs[PATH_MAX];
	struct stat out_st;
	size_t nlabs = 0, nsubs = 0, graded = 0;
	bool *links = NULL;
	int rc = -1;

	while (o->labs[nlabs])
		nlabs++;
	int classfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (classfd < 0) {
		snprintf(why, whylen, "%s: %s", o->dir, strerror(errno));
		return -1;
	}
	if (mkdir(o->out, 0755) < 0 && errno != EEXIST) {
		snprintf(why, whylen, "%s: %s", o->out, strerror(errno));
		close(classfd);
		return -1;
	}
	int outfd = open(o->out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (outfd < 0 || fstat(outfd, &out_st) < 0 || !realpath(o->out, outabs) ||
	    faccessat(outfd, ".", W_OK, AT_EACCESS) < 0) {
		snprintf(why, whylen, "%s: %s", o->out, strerror(errno));
		close(classfd);
		if (outfd >= 0)
			close(outfd);
		return -1;
	}
	char **names = list_class(classfd, &out_st, &nsubs, &links);
	struct sub *subs = calloc(nsubs ? nsubs : 1, sizeof *subs);
	struct chunk *cur = NULL, *nxt = NULL;
	struct progress pg = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER,
			       .on = o->progress, .t0 = clock_mono_ns() };
	if ((nsubs && (!names || !links)) || !subs) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	/* This run's share: a shard, less what is already graded. */
	size_t todo = 0;
	for (size_t i = 0; i < nsubs; i++) {
		if (o->shard_n > 1 && (int)(i % (size_t)o->shard_n) != o->shard_k - 1)
			continue;
		if (is_reserved(names[i])) {
			fprintf(stderr, "wirelab: a submission may not be named %s: skipped\n",
				names[i]);
			continue;
		}
		if (o->resume) {
			char rel[300];
			snprintf(rel, sizeof rel, "%.250s/report.json", names[i]);
			int fd = jail_open_beneath(outfd, rel, O_RDONLY, 0);
			if (fd >= 0) {
				close(fd);
				continue;
			}
		}
		subs[todo++] = (struct sub){ .name = names[i], .link = links[i], .fd = -1,
					     .out_fd = -1 };
	}
	struct run_opts ro = {
		.sb = o->sb, .jobs = o->jobs, .checks = o->checks, .excludes = o->excludes,
		.verbose = o->verbose, .on_check = on_check,
		.repeat = o->course ? o->course->repeat : 0,
	};
	pg.subs_total = todo;
	for (size_t l = 0; l < nlabs; l++)
		for (size_t k = 0; k < o->labs[l]->nchecks; k++)
			pg.checks_per_sub += run_check_selected(&ro, o->labs[l]->checks[k].id);
	progress_print(&pg, true);
	/* A few submissions at a time, every lab of them in one call: one pool. The next chunk
	 * starts (and builds) while the last checks of the one before run, so that the pool
	 * does not drain between them. */
	size_t next = 0;
	const size_t slack = (size_t)o->jobs * 3 + 4;
	while (next < todo || cur) {
		if (cur) {
			pthread_mutex_lock(&pg.mu);
			while (!cur->done && (cur->left > slack || next == todo))
				pthread_cond_wait(&pg.cv, &pg.mu);
			pthread_mutex_unlock(&pg.mu);
		}
		if (next < todo) {
			if (!(nxt = chunk_new(CHUNK_UNITS + nlabs))) {
				snprintf(why, whylen, "out of memory");
				goto out;
			}
			nxt->pg = &pg;
			nxt->ro = ro;
			nxt->ro.on_check_arg = nxt;
			nxt->first = next;
			while (next < todo && (nxt->nu == 0 || nxt->nu + nlabs <= CHUNK_UNITS)) {
				int e = sub_prepare(o, classfd, outfd, outabs, &subs[next], nlabs,
						    nxt->units, &nxt->nu, nxt->dirs, nxt->pcaps);
				next++;
				nxt->next = next;
				if (e < 0) {
					char name[1100];
					esc_dup(subs[next - 1].name, name, sizeof name);
					snprintf(why, whylen, "%s/%s: %s", o->out, name, strerror(-e));
					goto out;
				}
			}
			for (size_t i = 0; i < nxt->nu; i++)
				nxt->left += max_selected(&ro, nxt->units[i].lab);
			nxt->started = pthread_create(&nxt->thread, NULL, chunk_thread, nxt) == 0;
			if (!nxt->started)
				chunk_thread(nxt);
		}
		if (cur) {
			if (cur->started)
				pthread_join(cur->thread, NULL);
			cur->started = false;
			if (cur->rc < 0) {
				snprintf(why, whylen, "%s", cur->why);
				goto out;
			}
			graded += chunk_finish(o, &ro, &pg, subs, cur, nlabs, outabs);
			chunk_free(cur);
		}
		cur = nxt;
		nxt = NULL;
	}
	if (pg.on)
		fprintf(stderr, "\n");
	rc = (int)graded;
out:
	/* After an error: let the chunks still running end, and close what is open. */
	struct chunk *left[] = { cur, nxt };
	for (size_t k = 0; k < 2; k++) {
		struct chunk *c = left[k];
		if (!c)
			continue;
		if (c->started)
			pthread_join(c->thread, NULL);
		for (size_t i = 0; i < c->nu; i++) {
			if (c->units[i].dir_fd >= 0)
				close(c->units[i].dir_fd);
			if (c->done)
				run_lab_free(&c->res[i]);
		}
		for (size_t i = c->first; i < c->next; i++)
			sub_clear(&subs[i]);
		chunk_free(c);
	}
	for (size_t i = 0; i < nsubs; i++)
		free(names ? names[i] : NULL);
	free(names);
	free(links);
	free(subs);
	close(classfd);
	close(outfd);
	return rc;
}

/* ---- the command --------------------------------------------------------------------- */

#define BATCH_MAX_PATTERNS 64

static void batch_usage(FILE *f)
{
	fprintf(f,
		"usage: wirelab batch DIR [LAB|all] --out DIR [-j N] [--resume] [--check P]...\n"
		"                     [--exclude P]... [--no-pcap] [--checks] [--roster FILE.csv]\n"
		"                     [--shard K/N] [--time-limit SECS] [--course FILE.json]\n"
		"                     [--html] [--no-progress] [-v]\n"
		"Every subfolder of DIR is one submission. OUT/<name>/ gets its report.json,\n"
		"report.txt, autolab.json (and report.html with --html); OUT/ gets gradebook.csv,\n"
		"summary.txt (and with --html index.html: every student's checks in one grid,\n"
		"linking to their pages). Exit status: 0 the class was graded, 2 usage or internal\n"
		"error.\n");
}

static int parse_shard(const char *s, int *k, int *n)
{
	char *end;
	long a = strtol(s, &end, 10), b;

	if (end == s || *end != '/')
		return -1;
	const char *t = end + 1;
	b = strtol(t, &end, 10);
	if (end == t || *end || b < 1 || b > 100000 || a < 1 || a > b)
		return -1;
	*k = (int)a;
	*n = (int)b;
	return 0;
}

static int batch_course_run(struct batch_opts *op, struct gradebook_opts *gp, int argc,
			    char **argv, const char **checks, size_t nc, const char **excludes,
			    size_t nx, bool no_progress);

int batch_cmd(int argc, char **argv, const char *version)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "resume", no_argument, NULL, 'r' },
		{ "check", required_argument, NULL, 'c' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "no-pcap", no_argument, NULL, 'P' },
		{ "checks", no_argument, NULL, 'C' },
		{ "roster", required_argument, NULL, 'R' },
		{ "shard", required_argument, NULL, 'S' },
		{ "time-limit", required_argument, NULL, 't' },
		{ "no-progress", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "course", required_argument, NULL, 'K' },
		{ "html", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *checks[BATCH_MAX_PATTERNS + 1] = { NULL }, *excludes[BATCH_MAX_PATTERNS + 1] = { NULL };
	size_t nc = 0, nx = 0;
	struct batch_opts o = { .jobs = run_default_jobs(), .version = version,
				.time_limit_ms = BATCH_TIME_LIMIT_S * 1000LL };
	struct gradebook_opts g = { 0 };
	bool no_progress = false, limit_set = false;
	const char *course_file = NULL;
	struct course course;
	int ch, rc = 2;
	char why[1024];

	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:j:vh", opts, NULL)) != -1) {
		char *end;
		long v;
		switch (ch) {
		case 'o': o.out = optarg; break;
		case 'j':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 64) {
				fprintf(stderr, "wirelab: -j takes a number from 1 to 64\n");
				return 2;
			}
			o.jobs = (int)v;
			break;
		case 'r': o.resume = true; break;
		case 'c':
		case 'x':
			if ((ch == 'c' ? nc : nx) == BATCH_MAX_PATTERNS) {
				fprintf(stderr, "wirelab: at most %d patterns\n", BATCH_MAX_PATTERNS);
				return 2;
			}
			if (ch == 'c')
				checks[nc++] = optarg;
			else
				excludes[nx++] = optarg;
			break;
		case 'P': o.no_pcap = true; break;
		case 'C': g.checks = true; break;
		case 'R': g.roster = optarg; break;
		case 'S':
			if (parse_shard(optarg, &o.shard_k, &o.shard_n) < 0) {
				fprintf(stderr, "wirelab: --shard takes K/N with 1 <= K <= N (2/4)\n");
				return 2;
			}
			break;
		case 't':
			v = strtol(optarg, &end, 10);
			if (*end || v < 0 || v > 86400) {
				fprintf(stderr, "wirelab: --time-limit takes seconds, 0 for none\n");
				return 2;
			}
			o.time_limit_ms = v * 1000;
			limit_set = true;
			break;
		case 'K': course_file = optarg; break;
		case 'n': no_progress = true; break;
		case 'v': o.verbose = true; break;
		case 'H': o.html = true; break;
		case 'h': batch_usage(stdout); return 0;
		default: batch_usage(stderr); return 2;
		}
	}
	if (optind >= argc || argc - optind > 2 || !o.out) {
		fprintf(stderr, "wirelab: batch takes a class folder, a lab (or all) and --out DIR\n");
		batch_usage(stderr);
		return 2;
	}
	o.dir = argv[optind];
	if (course_file) {
		if (course_read(course_file, &course, why, sizeof why) < 0) {
			fprintf(stderr, "wirelab: %s\n", why);
			return 2;
		}
		o.course = &course;
		/* The command line adds its patterns to the course's. */
		for (size_t i = 0; i < course.nchecks && nc < BATCH_MAX_PATTERNS; i++)
			checks[nc++] = course.checks[i];
		for (size_t i = 0; i < course.nexcludes && nx < BATCH_MAX_PATTERNS; i++)
			excludes[nx++] = course.excludes[i];
		if (!limit_set && course.time_limit_s >= 0)
			o.time_limit_ms = course.time_limit_s * 1000;
	}
	rc = batch_course_run(&o, &g, argc, argv, checks, nc, excludes, nx, no_progress);
	if (course_file)
		course_free(&course);
	return rc;
}

/* The rest of the command, once the course file (if any) is read. */
static int batch_course_run(struct batch_opts *op, struct gradebook_opts *gp, int argc,
			    char **argv, const char **checks, size_t nc, const char **excludes,
			    size_t nx, bool no_progress)
{
	struct batch_opts o = *op;
	struct gradebook_opts g = *gp;
	char why[1024];
	const char *lab = optind + 1 < argc ? argv[optind + 1] : "all";
	const struct lab *one[2] = { NULL, NULL };
	if (o.course && o.course->labs[0] && optind + 1 >= argc) {
		o.labs = o.course->labs;
	} else if (strcmp(lab, "all") == 0) {
		o.labs = labs_all;
	} else if ((one[0] = labs_find(lab)) != NULL) {
		o.labs = one;
	} else {
		fprintf(stderr, "wirelab: no lab named \"%s\" (see: wirelab list)\n", lab);
		return 2;
	}
	struct stat st;
	if (stat(o.dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "wirelab: %s: not a folder\n", o.dir);
		return 2;
	}
	if (g.roster && gradebook_check_roster(g.roster, why, sizeof why) < 0) {
		fprintf(stderr, "wirelab: %s\n", why);
		return 2;
	}
	o.checks = nc ? checks : NULL;
	o.excludes = nx ? excludes : NULL;
	struct run_opts probe = { .checks = o.checks, .excludes = o.excludes };
	bool any = false;
	for (size_t l = 0; o.labs[l]; l++)
		for (size_t k = 0; k < o.labs[l]->nchecks; k++)
			any |= run_check_selected(&probe, o.labs[l]->checks[k].id);
	if (!any) {
		fprintf(stderr, "wirelab: no check is selected by --check and --exclude\n");
		return 2;
	}
	struct sb_info sb;
	sb_probe(&sb);
	o.sb = &sb;
	o.progress = !no_progress && isatty(STDERR_FILENO);
	if (sb.mode != SB_NETNS)
		fprintf(stderr, "wirelab: warning: sandbox %s (%s): without namespaces the checks of "
			"different students are not isolated from one another; grade one submission "
			"per machine or container, or fix the sandbox (see: wirelab doctor)\n",
			sb_mode_name(sb.mode), sb.why);
	if (jail_init(why, sizeof why) < 0) {
		fprintf(stderr, "wirelab: %s\n", why);
		return 2;
	}
	if (batch_run(&o, why, sizeof why) < 0) {
		fprintf(stderr, "wirelab: %s\n", why);
		return 2;
	}
	const char *ins[] = { o.out };
	g.out = o.out;
	g.absent_rows = o.shard_n <= 1;
	g.html = o.html;
	g.title = o.dir;
	int rows = gradebook_write(ins, 1, &g, why, sizeof why);
	if (rows < 0) {
		fprintf(stderr, "wirelab: %s\n", why);
		return 2;
	}
	fprintf(stderr, "wirelab: %d rows in %s/gradebook.csv; the class's pass rates in "
		"%s/summary.txt", rows, o.out, o.out);
	if (o.html)
		fprintf(stderr, "; the class page in %s/index.html", o.out);
	fprintf(stderr, "\n");
	return 0;
}
