/* gradebook.c - gradebook.csv, summary.txt and the LMS exports from report.json files. */
#define _GNU_SOURCE
#include "gradebook.h"
#include "batch.h"
#include "esc.h"
#include "html.h"
#include "jail.h"
#include "labs.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define REPORT_MAX (64u << 20)

struct row {
	char *key;                 /* the folder's name as on disk (the roster's key) */
	cJSON *j;                  /* its report.json; NULL for a roster entry without one */
	long roster;               /* its roster line, -1 if none */
	size_t in;                 /* the output folder it was read from (ins[in]) */
	bool page;                 /* a report.html beside its report.json */
};

struct roster {
	size_t n, ncols;
	char ***cells;             /* n lines of ncols cells */
	int folder, id, sis_user, sis_login, name, section, email, username;
};

void gradebook_csv_field(FILE *f, const char *s)
{
	size_t n = strlen(s), cap = n * 4 + 1;
	char *clean = malloc(cap);

	if (clean)
		esc_text(s, n, clean, cap);
	const char *p = clean ? clean : "";
	fputc('"', f);
	if (strchr("=+-@\t\r", p[0]) && p[0])
		fputc('\'', f);
	for (; *p; p++) {
		if (*p == '\n' || *p == '\r') {
			/* One record per line, whatever reads it. */
			fputs(*p == '\n' ? "\\n" : "\\r", f);
			continue;
		}
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
	free(clean);
}

/* ---- reading ------------------------------------------------------------------------- */

static cJSON *read_json_at(int dirfd, const char *rel)
{
	int fd = jail_open_beneath(dirfd, rel, O_RDONLY, 0);
	struct stat st;
	cJSON *j = NULL;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < REPORT_MAX) {
		char *buf = malloc((size_t)st.st_size + 1);
		size_t len = 0;
		while (buf && len < (size_t)st.st_size) {
			ssize_t r = read(fd, buf + len, (size_t)st.st_size - len);
			if (r <= 0)
				break;
			len += (size_t)r;
		}
		if (buf) {
			buf[len] = '\0';
			j = cJSON_Parse(buf);
		}
		free(buf);
	}
	close(fd);
	return j;
}

/* Whether <name>/report.html below dirfd is a regular file (no link followed). */
static bool has_page(int dirfd_, const char *name)
{
	int d = jail_open_beneath(dirfd_, name, O_RDONLY | O_DIRECTORY, 0);
	struct stat st;
	bool ok;

	if (d < 0)
		return false;
	ok = fstatat(d, "report.html", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
	close(d);
	return ok;
}

static int cmp_row(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->key, ((const struct row *)b)->key);
}

static int read_rows(const char *const *ins, size_t nin, struct row **rows, size_t *n,
		     char *why, size_t whylen)
{
	size_t cap = 0;

	*rows = NULL;
	*n = 0;
	for (size_t i = 0; i < nin; i++) {
		int fd = open(ins[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		struct dirent *e;
		if (!d) {
			snprintf(why, whylen, "%s: %s", ins[i], strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		while ((e = readdir(d)) != NULL) {
			char rel[300];
			bool dup = false;
			if (e->d_name[0] == '.' || strlen(e->d_name) > 255)
				continue;
			for (size_t k = 0; k < *n && !dup; k++)
				dup = strcmp((*rows)[k].key, e->d_name) == 0;
			snprintf(rel, sizeof rel, "%s/report.json", e->d_name);
			cJSON *j = dup ? NULL : read_json_at(dirfd(d), rel);
			if (!j)
				continue;
			if (*n == cap) {
				struct row *g = realloc(*rows, (cap = cap ? cap * 2 : 64) * sizeof **rows);
				if (!g) {
					cJSON_Delete(j);
					break;
				}
				*rows = g;
			}
			(*rows)[(*n)++] = (struct row){ .key = strdup(e->d_name), .j = j, .roster = -1,
							.in = i, .page = has_page(dirfd(d), e->d_name) };
		}
		closedir(d);
	}
	if (*n)
		qsort(*rows, *n, sizeof **rows, cmp_row);
	return 0;
}

/* ---- the roster ---------------------------------------------------------------------- */

/* One CSV record (RFC 4180: quotes, doubled quotes, CRLF); NULL at the end. */
static char **csv_record(FILE *f, size_t *n)
{
	char **cells = NULL, *cell = NULL;
	size_t ncell = 0, len = 0, cap = 0;
	bool quoted = false, any = false;
	int c;

	*n = 0;
	for (;;) {
		c = fgetc(f);
		if (c == EOF && !any)
			return NULL;
		any = true;
		if (quoted) {
			if (c == EOF)
				c = '\n', quoted = false;
			else if (c == '"') {
				int d = fgetc(f);
				if (d != '"') {
					quoted = false;
					if (d != EOF)
						ungetc(d, f);
					continue;
				}
			}
		} else if (c == '"' && len == 0) {
			quoted = true;
			continue;
		}
		if (!quoted && (c == ',' || c == '\n' || c == EOF)) {
			while (len && cell[len - 1] == '\r')
				len--;
			char **g = realloc(cells, (ncell + 1) * sizeof *cells);
			if (!g)
				break;
			cells = g;
			cells[ncell++] = cell ? (cell[len] = '\0', cell) : strdup("");
			cell = NULL;
			len = cap = 0;
			if (c != ',')
				break;
			continue;
		}
		if (len + 2 > cap) {
			char *g = realloc(cell, cap = cap ? cap * 2 : 32);
			if (!g)
				break;
			cell = g;
		}
		cell[len++] = (char)c;
	}
	free(cell);
	*n = ncell;
	return cells;
}

static void roster_free(struct roster *r)
{
	for (size_t i = 0; i < r->n; i++) {
		for (size_t k = 0; k < r->ncols; k++)
			free(r->cells[i][k]);
		free(r->cells[i]);
	}
	free(r->cells);
	memset(r, 0, sizeof *r);
}

static int roster_read(const char *path, struct roster *r, char *why, size_t whylen)
{
	FILE *f = fopen(path, "r");
	size_t n;
	char **head;

	memset(r, 0, sizeof *r);
	r->folder = r->id = r->sis_user = r->sis_login = r->name = r->section = r->email =
		r->username = -1;
	if (!f) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!(head = csv_record(f, &n))) {
		snprintf(why, whylen, "%s: empty (a header line is needed)", path);
		fclose(f);
		return -1;
	}
	static const struct { const char *name; size_t off; } cols[] = {
		{ "folder", offsetof(struct roster, folder) },
		{ "student", offsetof(struct roster, folder) },
		{ "id", offsetof(struct roster, id) },
		{ "sis_user_id", offsetof(struct roster, sis_user) },
		{ "sis_login_id", offsetof(struct roster, sis_login) },
		{ "name", offsetof(struct roster, name) },
		{ "section", offsetof(struct roster, section) },
		{ "email", offsetof(struct roster, email) },
		{ "username", offsetof(struct roster, username) },
	};
	for (size_t i = 0; i < n; i++) {
		const char *h = head[i];
		if (i == 0 && strncmp(h, "\xef\xbb\xbf", 3) == 0)
			h += 3;   /* a spreadsheet's byte order mark */
		for (size_t k = 0; k < sizeof cols / sizeof *cols; k++) {
			int *slot = (int *)((char *)r + cols[k].off);
			if (strcasecmp(h, cols[k].name) == 0 && *slot < 0)
				*slot = (int)i;
		}
	}
	r->ncols = n;
	for (size_t i = 0; i < n; i++)
		free(head[i]);
	free(head);
	if (r->folder < 0) {
		snprintf(why, whylen, "%s: no \"folder\" (or \"student\") column in the header", path);
		fclose(f);
		return -1;
	}
	char **cells;
	while ((cells = csv_record(f, &n)) != NULL) {
		char ***g = realloc(r->cells, (r->n + 1) * sizeof *r->cells);
		char **line = calloc(r->ncols, sizeof *line);
		if (!g || !line) {
			free(line);
			for (size_t i = 0; i < n; i++)
				free(cells[i]);
			free(cells);
			r->cells = g ? g : r->cells;
			break;
		}
		r->cells = g;
		for (size_t i = 0; i < r->ncols; i++)
			line[i] = i < n ? cells[i] : strdup("");
		for (size_t i = r->ncols; i < n; i++)
			free(cells[i]);
		free(cells);
		if (!line[r->folder] || !line[r->folder][0]) {
			for (size_t i = 0; i < r->ncols; i++)
				free(line[i]);
			free(line);
			continue;
		}
		r->cells[r->n++] = line;
	}
	fclose(f);
	return 0;
}

int gradebook_check_roster(const char *path, char *why, size_t whylen)
{
	struct roster r;

	if (roster_read(path, &r, why, whylen) < 0)
		return -1;
	roster_free(&r);
	return 0;
}

static const char *roster_cell(const struct roster *r, long line, int col)
{
	if (!r || line < 0 || col < 0 || !r->cells[line][col])
		return "";
	return r->cells[line][col];
}

/* ---- writing ------------------------------------------------------------------------- */

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static const cJSON *lab_of(const cJSON *j, const char *id)
{
	const cJSON *lab;

	cJSON_ArrayForEach(lab, cJSON_GetObjectItemCaseSensitive(j, "labs"))
		if (strcmp(jstr(lab, "lab"), id) == 0)
			return lab;
	return NULL;
}

/* Whether the row's total means something (graded at all). */
static bool has_total(const cJSON *j)
{
	const char *st = jstr(j, "status");

	return j && strcmp(st, BATCH_NO_SOURCES) != 0 && strcmp(st, BATCH_LINK) != 0;
}

/* The labs of the class, in the kit's order: every lab any report graded. */
static size_t class_labs(const struct row *rows, size_t n, const struct lab **out)
{
	size_t k = 0;

	for (size_t l = 0; labs_all[l]; l++) {
		bool any = false;
		for (size_t i = 0; i < n && !any; i++) {
			const cJSON *id;
			cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(rows[i].j, "graded_labs"))
				any |= cJSON_IsString(id) && strcmp(id->valuestring, labs_all[l]->id) == 0;
		}
		if (any)
			out[k++] = labs_all[l];
	}
	return k;
}

static const cJSON *check_of(const cJSON *lab, const char *id)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(lab, "checks"))
		if (strcmp(jstr(c, "id"), id) == 0)
			return c;
	return NULL;
}

/* The layouts of a row's labs, "+"-joined when they differ. */
static void row_layout(const cJSON *j, char *out, size_t outsz)
{
	const cJSON *lab;
	size_t used = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(lab, cJSON_GetObjectItemCaseSensitive(j, "labs")) {
		const char *l = jstr(lab, "layout");
		if (!l[0] || strstr(out, l))
			continue;
		if (used < outsz)
			used += (size_t)snprintf(out + used, outsz - used, "%s%s", used ? " + " : "", l);
	}
}

static FILE *open_at(int dirfd_, const char *name, char *tmp, size_t tmpsz)
{
	snprintf(tmp, tmpsz, ".%s.%d.tmp", name, (int)getpid());
	unlinkat(dirfd_, tmp, 0);
	int fd = openat(dirfd_, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (fd >= 0 && !f)
		close(fd);
	return f;
}

static int close_at(int dirfd_, FILE *f, const char *tmp, const char *name)
{
	bool ok = !ferror(f);

	if (fclose(f) != 0)
		ok = false;
	if (ok && renameat(dirfd_, tmp, dirfd_, name) == 0)
		return 0;
	int e = errno ? errno : EIO;
	unlinkat(dirfd_, tmp, 0);
	return -e;
}

static void write_csv(FILE *f, const struct row *rows, size_t n, const struct lab **labs,
		      size_t nlabs, const struct gradebook_opts *o, const struct roster *r)
{
	fprintf(f, "student,");
	if (r)
		fprintf(f, "id,");
	fprintf(f, "status,layout");
	for (size_t l = 0; l < nlabs; l++)
		fprintf(f, ",%s", labs[l]->id);
	fprintf(f, ",total,max_total");
	for (size_t l = 0; o->checks && l < nlabs; l++)
		for (size_t k = 0; k < labs[l]->nchecks; k++)
			fprintf(f, ",%s:%s", labs[l]->id, labs[l]->checks[k].id);
	fprintf(f, "\r\n");
	for (size_t i = 0; i < n; i++) {
		const cJSON *j = rows[i].j;
		char layout[2048];
		gradebook_csv_field(f, rows[i].key);
		if (r) {
			fputc(',', f);
			gradebook_csv_field(f, roster_cell(r, rows[i].roster, r->id));
		}
		fputc(',', f);
		gradebook_csv_field(f, j ? jstr(j, "status") : GRADEBOOK_ABSENT);
		row_layout(j, layout, sizeof layout);
		fputc(',', f);
		gradebook_csv_field(f, layout);
		for (size_t l = 0; l < nlabs; l++) {
			const cJSON *lab = j ? lab_of(j, labs[l]->id) : NULL;
			if (lab)
				fprintf(f, ",%.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(lab, "score")));
			else
				fprintf(f, ",");
		}
		if (has_total(j))
			fprintf(f, ",%.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(j, "score")));
		else
			fprintf(f, ",");
		if (j)
			fprintf(f, ",%.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(j, "max_total")));
		else
			fprintf(f, ",");
		for (size_t l = 0; o->checks && l < nlabs; l++) {
			const cJSON *lab = j ? lab_of(j, labs[l]->id) : NULL;
			for (size_t k = 0; k < labs[l]->nchecks; k++) {
				const cJSON *c = lab ? check_of(lab, labs[l]->checks[k].id) : NULL;
				if (c)
					fprintf(f, ",%.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(c, "score")));
				else
					fprintf(f, ",");
			}
		}
		fprintf(f, "\r\n");
	}
}

struct rate {
	const char *lab, *id, *title;
	int pass, ran;
};

static int cmp_rate(const void *a, const void *b)
{
	const struct rate *x = a, *y = b;
	double rx = x->ran ? (double)x->pass / x->ran : 2, ry = y->ran ? (double)y->pass / y->ran : 2;

	return rx < ry ? -1 : rx > ry ? 1 : 0;
}

static void write_summary(FILE *f, const struct row *rows, size_t n, const struct lab **labs,
			  size_t nlabs)
{
	size_t graded = 0, nosrc = 0, build = 0, timed = 0, link = 0, absent = 0, nr = 0;
	double sum = 0;
	int max = 0;

	for (size_t i = 0; i < n; i++) {
		const char *st = rows[i].j ? jstr(rows[i].j, "status") : GRADEBOOK_ABSENT;
		if (!rows[i].j)
			absent++;
		else if (strcmp(st, BATCH_GRADED) == 0)
			graded++;
		else if (strcmp(st, BATCH_NO_SOURCES) == 0)
			nosrc++;
		else if (strcmp(st, BATCH_TIMED_OUT) == 0)
			timed++;
		else if (strcmp(st, BATCH_LINK) == 0)
			link++;
		else
			build++;
		if (has_total(rows[i].j)) {
			nr++;
			sum += cJSON_GetNumberValue(cJSON_GetObjectItem(rows[i].j, "score"));
			max = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(rows[i].j, "max_total"));
		}
	}
	fprintf(f, "wirelab class summary: %zu submissions\n", n - absent);
	fprintf(f, "  graded %zu, build failed %zu, timed out %zu, no sources found %zu, "
		"symbolic links %zu", graded, build, timed, nosrc, link);
	if (absent)
		fprintf(f, ", in the roster with no submission %zu", absent);
	fprintf(f, "\n");
	if (nr)
		fprintf(f, "  mean total: %.1f of %d points\n", sum / (double)nr, max);
	size_t nrates = 0;
	for (size_t l = 0; l < nlabs; l++)
		nrates += labs[l]->nchecks;
	struct rate *rates = calloc(nrates ? nrates : 1, sizeof *rates);
	if (!rates)
		return;
	nrates = 0;
	for (size_t l = 0; l < nlabs; l++)
		for (size_t k = 0; k < labs[l]->nchecks; k++) {
			struct rate *rt = &rates[nrates];
			*rt = (struct rate){ labs[l]->id, labs[l]->checks[k].id, labs[l]->checks[k].title,
					     0, 0 };
			for (size_t i = 0; i < n; i++) {
				const cJSON *lab = rows[i].j ? lab_of(rows[i].j, labs[l]->id) : NULL;
				const cJSON *c = lab ? check_of(lab, rt->id) : NULL;
				if (!c)
					continue;
				rt->ran++;
				rt->pass += strcmp(jstr(c, "status"), "pass") == 0;
			}
			if (rt->ran)
				nrates++;
		}
	qsort(rates, nrates, sizeof *rates, cmp_rate);
	fprintf(f, "\nPass rate per check, among the submissions where its lab was found, "
		"hardest first:\n\n");
	for (size_t i = 0; i < nrates; i++)
		fprintf(f, "  %5.1f%%  %4d/%-4d  %-20s %-28s %s\n",
			100.0 * rates[i].pass / rates[i].ran, rates[i].pass, rates[i].ran,
			rates[i].lab, rates[i].id, rates[i].title);
	free(rates);
}

/* Canvas: Student, ID, SIS User ID, SIS Login ID, Section, then one column per lab. */
static void write_canvas(FILE *f, const struct row *rows, size_t n, const struct lab **labs,
			 size_t nlabs, const struct roster *r)
{
	fprintf(f, "Student,ID,SIS User ID,SIS Login ID,Section");
	for (size_t l = 0; l < nlabs; l++)
		fprintf(f, ",%s", labs[l]->id);
	fprintf(f, "\r\n");
	for (size_t i = 0; i < n; i++) {
		if (rows[i].roster < 0)
			continue;
		const int cols[] = { r->name, r->id, r->sis_user, r->sis_login, r->section };
		for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
			if (c)
				fputc(',', f);
			gradebook_csv_field(f, roster_cell(r, rows[i].roster, cols[c]));
		}
		for (size_t l = 0; l < nlabs; l++) {
			const cJSON *lab = has_total(rows[i].j) ? lab_of(rows[i].j, labs[l]->id) : NULL;
			if (lab)
				fprintf(f, ",%.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(lab, "score")));
			else if (has_total(rows[i].j))
				fprintf(f, ",0");
			else
				fprintf(f, ",");
		}
		fprintf(f, "\r\n");
	}
}

/* Moodle: an identifier column the import maps to a user (email, username or ID number),
 * then one column per lab and the total. */
static void write_moodle(FILE *f, const struct row *rows, size_t n, const struct lab **labs,
			 size_t nlabs, const struct roster *r)
{
	int key = r->email >= 0 ? r->email : r->username >= 0 ? r->username : r->id;
	const char *head = r->email >= 0 ? "Email address" : r->username >= 0 ? "Username"
										: "ID number";

	fprintf(f, "%s", head);
	for (size_t l = 0; l < nlabs; l++)
		fprintf(f, ",%s", labs[l]->id);
	fprintf(f, ",Total\r\n");
	for (size_t i = 0; i < n; i++) {
		if (rows[i].roster < 0)
			continue;
		gradebook_csv_field(f, roster_cell(r, rows[i].roster, key));
		for (size_t l = 0; l < nlabs; l++) {
			const cJSON *lab = has_total(rows[i].j) ? lab_of(rows[i].j, labs[l]->id) : NULL;
			if (lab)
				fprintf(f, ",%.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(lab, "score")));
			else
				fprintf(f, has_total(rows[i].j) ? ",0" : ",");
		}
		if (has_total(rows[i].j))
			fprintf(f, ",%.0f\r\n", cJSON_GetNumberValue(cJSON_GetObjectItem(rows[i].j, "score")));
		else
			fprintf(f, ",\r\n");
	}
}

/* ---- the class page ------------------------------------------------------------------ */

/* How a page in folder from links into folder to: "" when they are the same, else a
 * relative path ending in '/' ("../shard1/"); NULL when either cannot be resolved. Relative,
 * so that the folders can be moved or served together. malloc'd. */
static char *rel_dir(const char *from, const char *to)
{
	char a[PATH_MAX], b[PATH_MAX];
	size_t i = 0, common = 0, up = 0;

	if (!realpath(from, a) || !realpath(to, b))
		return NULL;
	if (strcmp(a, "/") == 0)
		a[0] = '\0';
	if (strcmp(b, "/") == 0)
		b[0] = '\0';
	for (; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			common = i;
	if ((a[i] == '\0' || a[i] == '/') && (b[i] == '\0' || b[i] == '/'))
		common = i;
	for (const char *p = a + common; *p; p++)
		up += *p == '/';
	const char *down = b[common] == '/' ? b + common + 1 : b + common;
	char *out = malloc(3 * up + strlen(down) + 2);
	if (!out)
		return NULL;
	out[0] = '\0';
	for (size_t k = 0; k < up; k++)
		strcat(out, "../");
	if (*down) {
		strcat(out, down);
		strcat(out, "/");
	}
	return out;
}

/* A whole number of a report, 0 when missing or out of range. */
static int jint(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v) || !(v->valuedouble > -1e9 && v->valuedouble < 1e9))
		return 0;
	return (int)v->valuedouble;
}

static int status_of(const char *s)
{
	static const char *const names[] = { "pass", "fail", "error", "skip" };

	for (int k = 0; k < 4; k++)
		if (strcmp(s, names[k]) == 0)
			return CHECK_PASS + k;
	return HTML_NONE;
}

/* The grid's columns: every check of the class's labs that some report has, kit order. */
static struct html_column *class_columns(const struct row *rows, size_t n,
					 const struct lab **labs, size_t nlabs, size_t *ncols)
{
	size_t cap = 0;

	for (size_t l = 0; l < nlabs; l++)
		cap += labs[l]->nchecks;
	struct html_column *cols = calloc(cap ? cap : 1, sizeof *cols);
	*ncols = 0;
	for (size_t l = 0; cols && l < nlabs; l++)
		for (size_t k = 0; k < labs[l]->nchecks; k++) {
			bool any = false;
			for (size_t i = 0; i < n && !any; i++) {
				const cJSON *lab = rows[i].j ? lab_of(rows[i].j, labs[l]->id) : NULL;
				any = lab && check_of(lab, labs[l]->checks[k].id);
			}
			if (any)
				cols[(*ncols)++] = (struct html_column){ labs[l], &labs[l]->checks[k] };
		}
	return cols;
}

/* index.html from the rows: what is on disk, so a resumed run or a merge of shards gives
 * the whole class. */
static int write_class(FILE *f, const struct row *rows, size_t n, const struct lab **labs,
		       size_t nlabs, const struct gradebook_opts *o, const char *const *ins,
		       size_t nin)
{
	size_t ncols = 0;
	struct html_column *cols = class_columns(rows, n, labs, nlabs, &ncols);
	struct html_student *st = calloc(n ? n : 1, sizeof *st);
	signed char *marks = calloc(n * ncols + 1, 1);
	char **pre = calloc(nin ? nin : 1, sizeof *pre);
	int rc = -ENOMEM;

	if (!cols || !st || !marks || !pre)
		goto out;
	for (size_t k = 0; k < nin; k++)
		pre[k] = rel_dir(o->out, ins[k]);
	for (size_t i = 0; i < n; i++) {
		const cJSON *j = rows[i].j;
		signed char *m = marks + i * ncols;
		for (size_t k = 0; k < ncols; k++) {
			const cJSON *lab = j ? lab_of(j, cols[k].lab->id) : NULL;
			const cJSON *c = lab ? check_of(lab, cols[k].check->id) : NULL;
			m[k] = (signed char)(c ? status_of(jstr(c, "status")) : HTML_NONE);
		}
		st[i] = (struct html_student){
			.name = rows[i].key, .status = j ? jstr(j, "status") : GRADEBOOK_ABSENT,
			.scored = has_total(j), .marks = m,
			.score = jint(j, "score"), .max_score = jint(j, "max_total"),
		};
		const char *p = j && rows[i].page ? pre[rows[i].in] : NULL;
		size_t len = p ? strlen(p) + strlen(rows[i].key) + sizeof "/report.html" : 0;
		char *link = p ? malloc(len) : NULL;
		if (link)
			snprintf(link, len, "%s%s/report.html", p, rows[i].key);
		st[i].page = link;
	}
	struct html_class c = { .title = o->title ? o->title : o->out, .cols = cols,
				.ncols = ncols, .students = st, .n = n };
	rc = html_class_write(f, &c);
out:
	for (size_t i = 0; st && i < n; i++)
		free((char *)st[i].page);
	for (size_t k = 0; pre && k < nin; k++)
		free(pre[k]);
	free(pre);
	free(marks);
	free(st);
	free(cols);
	return rc;
}

/* Join the rows to the roster by folder name; entries with no submission get a row. */
static int join_roster(struct row **rows, size_t *n, const struct roster *r, bool absent_rows)
{
	for (size_t i = 0; i < r->n; i++) {
		const char *key = r->cells[i][r->folder];
		bool found = false;
		for (size_t k = 0; k < *n && !found; k++)
			if (strcmp((*rows)[k].key, key) == 0) {
				(*rows)[k].roster = (long)i;
				found = true;
			}
		if (found || !absent_rows)
			continue;
		struct row *g = realloc(*rows, (*n + 1) * sizeof **rows);
		if (!g)
			return -ENOMEM;
		*rows = g;
		(*rows)[(*n)++] = (struct row){ .key = strdup(key), .j = NULL, .roster = (long)i };
	}
	qsort(*rows, *n, sizeof **rows, cmp_row);
	return 0;
}

int gradebook_write(const char *const *ins, size_t nin, const struct gradebook_opts *o, char *why,
		    size_t whylen)
{
	struct row *rows = NULL;
	struct roster roster, *r = NULL;
	const struct lab *labs[64];
	size_t n = 0;
	int rc = -1, outfd = -1;

	if (o->roster) {
		if (roster_read(o->roster, &roster, why, whylen) < 0)
			return -1;
		r = &roster;
	}
	if (read_rows(ins, nin, &rows, &n, why, whylen) < 0)
		goto out;
	if (r && join_roster(&rows, &n, r, o->absent_rows) < 0) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	size_t nlabs = class_labs(rows, n, labs);
	if ((mkdir(o->out, 0755) < 0 && errno != EEXIST) ||
	    (outfd = open(o->out, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(why, whylen, "%s: %s", o->out, strerror(errno));
		goto out;
	}
	static const char *const names[] = { "gradebook.csv", "summary.txt", "canvas.csv",
					     "moodle.csv", "index.html" };
	for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
		char tmp[300];
		if ((k == 2 || k == 3) && !r)
			continue;
		if (k == 4 && !o->html)
			break;
		FILE *f = open_at(outfd, names[k], tmp, sizeof tmp);
		int e = 0;
		if (!f) {
			snprintf(why, whylen, "%s/%s: %s", o->out, names[k], strerror(errno));
			goto out;
		}
		switch (k) {
		case 0: write_csv(f, rows, n, labs, nlabs, o, r); break;
		case 1: write_summary(f, rows, n, labs, nlabs); break;
		case 2: write_canvas(f, rows, n, labs, nlabs, r); break;
		case 3: write_moodle(f, rows, n, labs, nlabs, r); break;
		case 4: e = write_class(f, rows, n, labs, nlabs, o, ins, nin); break;
		}
		if (e < 0) {
			fclose(f);
			unlinkat(outfd, tmp, 0);
			snprintf(why, whylen, "%s/%s: %s", o->out, names[k], strerror(-e));
			goto out;
		}
		e = close_at(outfd, f, tmp, names[k]);
		if (e < 0) {
			snprintf(why, whylen, "%s/%s: %s", o->out, names[k], strerror(-e));
			goto out;
		}
	}
	rc = (int)n;
out:
	for (size_t i = 0; i < n; i++) {
		free(rows[i].key);
		cJSON_Delete(rows[i].j);
	}
	free(rows);
	if (r)
		roster_free(r);
	if (outfd >= 0)
		close(outfd);
	return rc;
}

/* ---- the command --------------------------------------------------------------------- */

int gradebook_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "roster", required_argument, NULL, 'R' },
		{ "checks", no_argument, NULL, 'C' },
		{ "html", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	struct gradebook_opts g = { .absent_rows = true };
	char why[1024];
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': g.out = optarg; break;
		case 'R': g.roster = optarg; break;
		case 'C': g.checks = true; break;
		case 'H': g.html = true; break;
		default:
			fprintf(stderr, "usage: wirelab gradebook [merge] OUT... [--out DIR] "
				"[--roster FILE.csv] [--checks] [--html]\n");
			return 2;
		}
	}
	if (optind < argc && strcmp(argv[optind], "merge") == 0)
		optind++;
	if (optind >= argc) {
		fprintf(stderr, "usage: wirelab gradebook [merge] OUT... [--out DIR] "
			"[--roster FILE.csv] [--checks] [--html]\n");
		return 2;
	}
	if (!g.out)
		g.out = argv[optind];
	int rows = gradebook_write((const char *const *)argv + optind, (size_t)(argc - optind), &g,
				   why, sizeof why);
	if (rows < 0) {
		fprintf(stderr, "wirelab: %s\n", why);
		return 2;
	}
	fprintf(stderr, "wirelab: %d rows in %s/gradebook.csv%s%s%s\n", rows, g.out,
		g.html ? "; the class page in " : "", g.html ? g.out : "", g.html ? "/index.html" : "");
	return 0;
}
