/* gradebook.h - a class's grades from the submissions' report.json files (batch.h): one row
 * per student in gradebook.csv, the pass rate of every check in summary.txt, and with a
 * roster the files Canvas and Moodle import. Several output folders (the shards of one
 * class) merge into one gradebook the same way.
 *
 * Every text field in a CSV is quoted, and one that starts like a spreadsheet formula
 * (= + - @, a tab or a carriage return) gets a ' in front: folder names are the students'.
 * Line breaks in a field are written \n and \r, so that every record is one line. */
#ifndef WIRELAB_GRADEBOOK_H
#define WIRELAB_GRADEBOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct gradebook_opts {
	const char *out;           /* where gradebook.csv, summary.txt (canvas.csv, moodle.csv)
				    * are written */
	const char *roster;        /* a CSV with a header: folder (or student), and any of id,
				    * sis_user_id, sis_login_id, name, section, email, username;
				    * NULL: none */
	bool checks;               /* a column per check */
	bool absent_rows;          /* a roster entry with no submission gets a row */
	bool html;                 /* index.html too: the class page (html.h), each student's
				    * name linking to the report.html beside their report.json */
	const char *title;         /* the class page's title; NULL: out */
};

/* Read <in>/<name>/report.json for every folder in ins (n of them; a name seen twice keeps
 * its first) and write the gradebook files (and index.html) into o->out. Returns the number
 * of rows, or -1 with why. */
int gradebook_write(const char *const *ins, size_t n, const struct gradebook_opts *o, char *why,
		    size_t whylen);

/* Whether the roster at path can be used (read before grading a class, not after). 0, or
 * -1 with why. */
int gradebook_check_roster(const char *path, char *why, size_t whylen);

/* One CSV field, quoted, safe for a spreadsheet (see above). */
void gradebook_csv_field(FILE *f, const char *s);

/* The command: `wirelab gradebook [merge] OUT... [--out DIR] [--roster F] [--checks]
 * [--html]` (argv[0] is "gradebook"): the gradebook of one output folder, or of the shards'
 * merged into --out (default: the first). Prints, and returns the exit status. */
int gradebook_cmd(int argc, char **argv);

#define GRADEBOOK_ABSENT "no submission"

#endif
