/* check.h - what a lab's checks are written with: the check table, and the context a check
 * runs in (its ports, programs, capture and result). A check runs in its own worker
 * process, inside its own network namespace; it uses no globals. It records a failure with
 * ctx_fail() in wire terms (expected, then seen), attaches the relevant conversation with
 * ctx_ladder_*(), and returns; the runner stops what it started and saves the pcap. */
#ifndef WIRELAB_CHECK_H
#define WIRELAB_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cap.h"
#include "jail.h"
#include "flow.h"
#include "netstat.h"
#include "peer.h"
#include "proc.h"
#include "sandbox.h"

enum check_status { CHECK_PASS, CHECK_FAIL, CHECK_ERROR, CHECK_SKIP };

/* Flags of a check. */
enum {
	CHECK_WIRE = 1 << 0,      /* reads the capture: without one only its behaviour is judged */
	CHECK_IDLE = 1 << 1,      /* mostly waits out a protocol timer (a client's 5 s timeout):
				   * runs beside the -j busy checks instead of taking a slot */
};

struct ctx;

/* What a failure showed, for a hint that fits it (check_hint.key, ctx_hint()). The ctx_
 * expectations set the first three themselves; checks may set any key of their own. */
#define HINT_NUL   "nul"     /* the bytes go wrong at a NUL byte: strlen, printf("%s"), fputs */
#define HINT_SHORT "short"   /* the first bytes right, the rest missing: the send loop */
#define HINT_RST   "rst"     /* RST where FIN belonged: close() with unread bytes */
#define HINT_ADDR  "addr"    /* no connection over IPv6 (::1) or to a name's other address */

/* A check's hint for one symptom, and the handout section that explains it. A lab lists
 * them in one table (struct lab's .hints), so the check tables stay as they are. */
struct check_hint {
	const char *check;        /* the check's id; NULL ends the table */
	const char *key;          /* HINT_NUL... */
	const char *section;
	const char *hint;
};

struct check {
	const char *id;           /* "echo.server-half-close" */
	const char *title;        /* one line */
	int points;
	const char *section;      /* handout section the hint points at ("Half-close") */
	const char *hint;         /* one or two sentences */
	unsigned flags;
	int timeout_ms;           /* hard cap of the whole check; 0: the default (20 s) */
	void (*run)(struct ctx *ctx);
	unsigned ring_mib;        /* capture ring for the check's traffic; 0: 32 MiB */
};

struct lab {
	const char *id;           /* "01-tcp-echo" */
	const char *title;
	const char *const *programs;   /* NULL-terminated */
	const char *ldlibs;       /* extra link flags of the recipe ("-lcrypto"), or NULL */
	const struct check *checks;
	size_t nchecks;
	const struct check_hint *hints;  /* hints keyed on the symptom, or NULL: when a failure
					  * set a check's key, that hint replaces the check's own */
};

/* The grader's own waits, named once: every message that quotes one is built from it. */
#define CHECK_READY_MS 3000      /* a server listens (or is bound) this soon after it starts */
#define CHECK_STEP_MS  2000      /* one step of a conversation a correct program answers at once */
#define CHECK_EXIT_MS  5000      /* a program that ends by itself (a usage or runtime error) */
#define CHECK_CONNECT_MS 3000    /* a client connects to the grader's server this soon */

/* The .checks and .nchecks of a struct lab, from its table. */
#define LAB_CHECKS(table) .checks = (table), .nchecks = sizeof(table) / sizeof((table)[0])

#define CTX_MAX_PROCS 16
#define CTX_MAX_PORTS 8

struct check_result {
	enum check_status status;
	int score;
	char message[6144];       /* expected and seen, in wire terms */
	char ladder[8192];
	char pcap[1400];          /* saved capture, "" when none */
	char log[2048];           /* seeds, timings: printed on failure and with -v */
	int64_t duration_ms;
	uint64_t drops;
	uint64_t packets;
	char hint_key[16];        /* the symptom seen (ctx_hint), "" when none */
	int runs, runs_passed;    /* --repeat: how many times it ran and passed (0: once) */
	int runs_failed;          /* --repeat: how many of the runs failed (not error or skip) */
	unsigned programs;        /* bit i: the check ran (or tried to run) lab->programs[i] */
};

struct ctx {
	const struct lab *lab;
	const struct check *check;
	const struct sb_info *sb;
	const char *bindir;       /* the built programs */
	unsigned unbuilt;         /* bit i: lab->programs[i] did not build */
	const char *build_log;    /* what the build said */
	const char *tmpdir;       /* this check's scratch directory (the programs' cwd): theirs
				   * to write, so the grader opens nothing there by a path that
				   * could hold a link (ctx_write_file, proc_read_file) */
	const char *iodir;        /* the programs' stdout and stderr: the grader's alone */
	const struct jail *jail;  /* where the programs run (jail.h), NULL without namespaces */
	uint16_t ports[CTX_MAX_PORTS];
	struct cap *cap;          /* NULL when there is no capture */
	struct proc procs[CTX_MAX_PROCS];
	size_t nprocs;
	struct check_result *res;
	bool verbose;
	bool wire_skipped;        /* ctx_flows found no capture */
	bool wire_read;           /* ctx_flows was asked for the capture: the verdict may rest on it */
};

/* The runner's last step, once the check's function returned: stop its programs, turn a
 * pass whose wire could not be read into a skip, read the capture's counters (kernel drops
 * make a failure an error, unless the programs flooded past what a check keeps), and save
 * the capture of a failure or error as pcap_dir/<id>.pcap through pcap_fd (or log
 * pcap_why). The one owner of a check's verdict after ch->run. */
void ctx_finish(struct ctx *c, int pcap_fd, const char *pcap_dir, const char *pcap_why);

/* The i-th port of this check (fixed in a namespace, free ports on the host); as a decimal
 * string in buf (returned), for a command line. */
uint16_t ctx_port(struct ctx *c, int i);
const char *ctx_port_str(struct ctx *c, int i, char *buf, size_t bufsz);
/* The path of name inside the check's scratch directory, written into buf; returns buf. */
const char *ctx_path(struct ctx *c, const char *name, char *buf, size_t bufsz);
/* Write a new file into the scratch directory (name may hold folders the check made; no
 * link is followed, an existing file is replaced); returns its path in buf, NULL after
 * recording an error. */
const char *ctx_write_file(struct ctx *c, const char *name, const void *data, size_t len,
			   char *buf, size_t bufsz);

/* A folder in the scratch directory (mode 0755, made before any program runs), given to
 * the programs' user when theirs (a folder they write in); false after recording an error. */
bool ctx_mkdir(struct ctx *c, const char *name, bool theirs);

/* Start a lab program: argv after the program name, NULL-terminated. stdin_path may be
 * NULL (/dev/null). Returns NULL (and records an error) if it could not start. */
struct proc *ctx_start(struct ctx *c, const char *stdin_path, const char *prog, ...);
struct proc *ctx_startv(struct ctx *c, const char *stdin_path, const char *prog,
			const char *const *args);
/* Start a real peer program from the system (socat, curl...): argv[0] is looked up in
 * PATH. Same rules as for lab programs. */
struct proc *ctx_start_tool(struct ctx *c, const char *stdin_path, const char *const *argv);
/* Start a server and wait until it listens (TCP) or is bound (UDP) on port. On failure the
 * check fails with what was seen (exit status, stderr) and NULL is returned. */
struct proc *ctx_server(struct ctx *c, enum netstat_proto proto, uint16_t port,
			const char *prog, ...);
/* ctx_server for `prog PORT`, PORT being ctx_port(c, 0): a lab's usual server. */
struct proc *ctx_start_server(struct ctx *c, enum netstat_proto proto, const char *prog);
/* Stop a server with SIGTERM: it must end within grace_ms (then SIGKILL ends it, and the
 * check fails). */
bool ctx_expect_stop(struct ctx *c, struct proc *p, int grace_ms);
/* Wait for exit; on timeout the check fails ("did not exit within") and false returns. */
bool ctx_wait(struct ctx *c, struct proc *p, int timeout_ms);
void ctx_stop(struct ctx *c, struct proc *p);
/* The program's stdout / stderr so far (malloc'd, NUL-terminated, owned by the caller). */
char *ctx_stdout(struct ctx *c, struct proc *p, size_t *len);
char *ctx_stderr(struct ctx *c, struct proc *p, size_t *len);

/* Results. The first ctx_fail decides the status; later calls add lines. */
void ctx_fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A grader fault: the check is an error, never the student's failure. */
void ctx_error(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ctx_skip(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line for the log (seeds, timings): shown on failure and with -v. */
void ctx_log(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* ctx_fail unless holds; returns holds (ok = ok && ctx_require(c, fin_off == len, ...)). */
bool ctx_require(struct ctx *c, bool holds, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool ctx_failed(const struct ctx *c);
/* Name the symptom a failure showed (HINT_NUL...), so the report gives the check's hint for
 * it. The first key set stays. */
void ctx_hint(struct ctx *c, const char *key);
/* Name the symptom of bytes got where want was due: the first wrong or missing byte is a
 * NUL of want (HINT_NUL: a string function on binary data), or got is want cut short
 * (HINT_SHORT). ctx_expect_bytes does this itself; for bytes judged another way. */
void ctx_hint_bytes(struct ctx *c, const void *want, size_t nwant, const void *got, size_t ngot);
/* The hint and handout section that fit result r of check ch: the one keyed on r's symptom,
 * else the check's own. */
void check_hint_for(const struct lab *lab, const struct check *ch, const struct check_result *r,
		    const char **hint, const char **section);

/* The capture decoded into flows. The first call ends the capture, so make it once all the
 * traffic to judge has happened. NULL when there is nothing to judge: dropped packets (an
 * error is recorded) or no capture at all (the check then ends as a skip if its behaviour
 * passed). The check should return. Programs keep running. */
const struct flow_set *ctx_flows(struct ctx *c);
/* The i-th TCP connection to port (flow_tcp_nth of ctx_flows); NULL when there is nothing to
 * judge, or after an error: the grader made that connection, so the capture must hold it
 * ("<fmt...> is not in the capture"). */
const struct flow_tcp *ctx_tcp_nth(struct ctx *c, uint16_t port, size_t i, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void ctx_ladder_tcp(struct ctx *c, const struct flow_tcp *f);
void ctx_ladder_udp(struct ctx *c, uint16_t port);
/* The ladder of the last TCP connection to port, when the capture has one (for failures
 * found before the wire is read). */
void ctx_ladder_last(struct ctx *c, uint16_t port);

/* Common expectations; each records a failure in wire terms and returns false. */
bool ctx_expect_bytes(struct ctx *c, const char *what, const void *want, size_t nwant,
		      const void *got, size_t ngot);
bool ctx_expect_exit(struct ctx *c, struct proc *p, int code);
/* The side (FLOW_C2S / FLOW_S2C) closed with FIN and sent no RST. */
bool ctx_expect_fin(struct ctx *c, const struct flow_tcp *f, int dir, const char *who);
/* The same for the grader's own side, which answers for the program only while the program
 * could still cause it: a RST the grader's kernel sends after the grader's FIN, once the
 * program has sent its own FIN and no data after the grader's, is logged, not held against
 * the program (a closing socket the kernel resets under memory or orphan pressure). */
bool ctx_expect_grader_fin(struct ctx *c, const struct flow_tcp *f, int dir, const char *who);

/* "prog a b" for messages, as typed (args NULL-terminated, may be NULL); returns buf. */
const char *ctx_command(const char *prog, const char *const *args, char *buf, size_t bufsz);
/* p, started as cmd, exited with status code and wrote exactly want to stdout (want NULL:
 * stdout is not judged); a failure names the command. */
bool ctx_expect_run(struct ctx *c, struct proc *p, const char *cmd, int code, const void *want,
		    size_t n);

/* Run prog with args (NULL-terminated) and expect a usage error: exit status 2 within 5 s
 * and exactly one line on stderr. */
bool ctx_expect_usage(struct ctx *c, const char *prog, ...);
bool ctx_expect_usagev(struct ctx *c, const char *prog, const char *const *args);
/* argv (the program's name first, NULL-terminated) with each of the bad ports every lab
 * rejects ("0", "70000", "7x", "+7000", "-1", "") in argv[port_idx]: a usage error each. */
bool ctx_expect_bad_ports(struct ctx *c, const char *const *argv, size_t port_idx);
/* A runtime error as the conventions say: exit status 1 and exactly one line on stderr
 * that starts with "<name>:". */
bool ctx_expect_error_line(struct ctx *c, struct proc *p, const char *what);

/* The server conventions. A TCP server on port listens on one IPv6 socket on [::] with
 * IPV6_V6ONLY off (read from /proc/net, before any connection). */
bool ctx_expect_dual_stack(struct ctx *c, uint16_t port);
/* A second `prog PORT` on the port the first one holds: a runtime error (exit 1, one line). */
void ctx_check_second_server(struct ctx *c, const char *prog);
/* Stop server p with SIGTERM while the grader's connection fd to it is open (the server's
 * side then closes first and sits in TIME_WAIT), read what is left on fd and close it, then
 * start the same program again at once (ctx_start_server): it binds only with SO_REUSEADDR.
 * The new server, or NULL after a failure. */
struct proc *ctx_restart_server(struct ctx *c, struct proc *p, int fd, int grace_ms);

/* A listening TCP socket of the grader's on addr:port ("::" is both families); -1 after
 * recording an error. */
int ctx_listen(struct ctx *c, const char *addr, uint16_t port);
/* Accept a connection on the grader's listening socket lfd from program p; gives up early
 * (-ECHILD) when p exits first, else the fd or -ETIMEDOUT. */
int ctx_accept(struct ctx *c, int lfd, struct proc *p, int timeout_ms);
/* Fail for a program that did not connect: rc is what ctx_accept returned. */
void ctx_no_connection(struct ctx *c, struct proc *p, int rc);
/* The client error conventions. refused (argv, the program's name first) points at
 * ctx_port(c, 1), where nothing listens: a connection attempt on the wire, then exit 1 with
 * one line. Then, in a namespace, unresolvable (argv naming no-such-host.invalid): exit 1
 * with one line. */
void ctx_check_client_errors(struct ctx *c, const char *const *refused,
			     const char *const *unresolvable);
/* ctx_check_client_errors for a client whose one argument is a URL, "scheme://host:port/". */
void ctx_check_url_client_errors(struct ctx *c, const char *prog, const char *scheme);
/* A server on ctx_port(c, 0) that accepts, reads up to delim, then says nothing: the client
 * (argv, the program's name first) must give up after about secs seconds (not before
 * 90% of it, at most max_s) with one error line and exit 1. */
void ctx_check_client_timeout(struct ctx *c, const char *const *argv, const char *delim,
			      double secs, double max_s);

/* n deterministic bytes (xorshift32 from seed), so a failure can be replayed from the seed
 * in the log; with every_byte_first the first 256 are 0..255. malloc'd; NULL on failure. */
uint8_t *ctx_pattern(size_t n, uint32_t seed, bool every_byte_first);

/* The family getaddrinfo lists second for "localhost" (AF_INET or AF_INET6), or 0 when it
 * lists only one: a server there only is refused at the first address a client tries. */
int ctx_localhost_second_family(void);

/* The numeric loopback address to use for a family: "127.0.0.1" or "::1". */
const char *ctx_loopback(int family);

#endif
