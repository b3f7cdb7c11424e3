/* table.c - the checks of 05-ftp, in the order the handout's "What is graded" lists them. */
#include "lab05.h"
#include "labs.h"

#define HINT_FIN "Read what the peer sent before close(); shutdown(SHUT_WR) then close() sends FIN."

static const struct check checks[] = {
	{ .id = "ftp.server-usage", .title = "server: usage errors exit 2, a bad ROOT exits 1",
	  .points = 2, .section = "The contract", .run = check_ftp_server_usage,
	  .hint = "Check the options and the port (digits, 1..65535) first: usage line, exit(2). "
		  "A ROOT that is not a directory is a runtime error: one line, exit(1)." },
	{ .id = "ftp.greeting", .title = "220 over IPv4 and IPv6", .points = 2,
	  .section = "Step 1: greeting and login", .run = check_ftp_greeting,
	  .hint = "Listen on an AF_INET6 socket bound to :: with IPV6_V6ONLY off, and send "
		  "\"220 ...\\r\\n\" as soon as a client connects." },
	{ .id = "ftp.login", .title = "anonymous and -u logins, 530 and 503", .points = 4,
	  .section = "Step 1: greeting and login", .run = check_ftp_login,
	  .hint = "USER always gets 331; PASS decides: anonymous/ftp with any password, or the -u "
		  "user with its password, is 230; anything else 530; PASS without USER 503." },
	{ .id = "ftp.before-login", .title = "before login: 530, except USER PASS QUIT NOOP FEAT "
		  "SYST OPTS", .points = 3, .section = "Step 1: greeting and login",
	  .run = check_ftp_before_login,
	  .hint = "Test logged_in before dispatching any command but the seven allowed ones, "
		  "unknown commands included." },
	{ .id = "ftp.commands", .title = "FEAT, SYST, OPTS, SIZE, 502 and 501", .points = 4,
	  .section = "Step 2: commands and replies", .run = check_ftp_commands,
	  .hint = "FEAT is a multi-line 211 (\"211-\", \" EPSV\", ..., \"211 End\"); compare verbs "
		  "ignoring case; an unknown verb is 502, a bad argument 501." },
	{ .id = "ftp.type", .title = "TYPE, MODE and STRU", .points = 2,
	  .section = "Step 2: commands and replies", .run = check_ftp_type,
	  .hint = "TYPE A, A N, I and L 8 are 200 (bytes unchanged), other types 504, no argument "
		  "501; MODE S and STRU F 200, others 504." },
	{ .id = "ftp.directories", .title = "PWD, CWD, CDUP: never above ROOT", .points = 4,
	  .section = "Step 3: paths under ROOT", .run = check_ftp_directories,
	  .hint = "Keep the current directory as a virtual path; resolve \"..\" on it (stopping "
		  "at /) before touching the disk; double a '\"' in PWD's reply." },
	{ .id = "ftp.pasv", .title = "PASV: 227 with the control address, one connection",
	  .points = 4, .section = "Step 4: the data connection", .flags = CHECK_WIRE,
	  .run = check_ftp_pasv,
	  .hint = "Listen on getsockname() of the control connection with port 0, answer "
		  "(h1,h2,h3,h4,p1,p2), accept exactly one connection, then close the listener." },
	{ .id = "ftp.epsv", .title = "EPSV over IPv4 and IPv6", .points = 3,
	  .section = "IPv6 and EPSV", .run = check_ftp_epsv,
	  .hint = "EPSV is PASV for any family: \"229 Entering Extended Passive Mode (|||port|)\"." },
	{ .id = "ftp.active", .title = "PORT and EPRT: the server connects", .points = 4,
	  .section = "Step 4: the data connection", .flags = CHECK_WIRE, .run = check_ftp_active,
	  .hint = "Remember the address of PORT/EPRT; for the transfer, connect() to it after the "
		  "150, and close with FIN when done." },
	{ .id = "ftp.list", .title = "LIST: ls -l lines, links as links", .points = 3,
	  .section = "Step 5: LIST and NLST", .run = check_ftp_list,
	  .hint = "lstat() each entry: 'd' for a directory, 'l' for a link, the size for a file, "
		  "the name last, \\r\\n after each line; skip arguments starting with '-'." },
	{ .id = "ftp.nlst", .title = "NLST: names, CRLF, empty directory", .points = 3,
	  .section = "Step 5: LIST and NLST", .run = check_ftp_nlst,
	  .hint = "One name and \\r\\n per entry (not . and ..); an empty directory is 150, no "
		  "data, 226." },
	{ .id = "ftp.binary", .title = "RETR and STOR of 16 MiB, intact", .points = 5,
	  .section = "Step 6: RETR and STOR", .flags = CHECK_WIRE, .run = check_ftp_binary,
	  .ring_mib = 160, .timeout_ms = 40000,
	  .hint = "read()/send() and recv()/write() with byte counts in a loop; STOR's file ends "
		  "when recv() returns 0." },
	{ .id = "ftp.write", .title = "-u user: STOR overwrites, SIZE, DELE, MKD", .points = 4,
	  .section = "Step 6: RETR and STOR", .run = check_ftp_write,
	  .hint = "O_TRUNC on STOR; DELE with unlink() (a link goes, never its target; a "
		  "directory is 550); MKD answers 257 with the absolute path, 550 if it exists." },
	{ .id = "ftp.read-only", .title = "anonymous cannot write: 550 before any 150",
	  .points = 3, .section = "Step 6: RETR and STOR",
	  .run = check_ftp_read_only,
	  .hint = "Check the session's write right first in STOR, DELE and MKD, before the data "
		  "connection." },
	{ .id = "ftp.no-data", .title = "550 before 425; a set-up serves one transfer",
	  .points = 3, .section = "Step 4: the data connection",
	  .run = check_ftp_no_data,
	  .hint = "Check the path (550), then whether PASV/EPSV/PORT/EPRT came (425); forget the "
		  "set-up after every transfer command, refused or not." },
	{ .id = "ftp.traversal", .title = "no path or link leaves ROOT", .points = 5,
	  .section = "Step 3: paths under ROOT", .run = check_ftp_traversal,
	  .hint = "realpath() the file (for STOR: its directory, and the link if the name is one) "
		  "and refuse anything that is not ROOT or under ROOT/." },
	{ .id = "ftp.long-line", .title = "a line over 512 bytes: 500, then go on", .points = 2,
	  .section = "Step 2: commands and replies", .run = check_ftp_long_line,
	  .hint = "Count bytes up to the LF: over 512 (CRLF not counted) answer 500 and discard "
		  "to the end of the line." },
	{ .id = "ftp.segments", .title = "commands split or glued in segments", .points = 3,
	  .section = "Step 2: commands and replies", .run = check_ftp_segments,
	  .hint = "Keep a buffer per session: take every whole line out of it, keep the rest "
		  "for the next recv()." },
	{ .id = "ftp.concurrency", .title = "many sessions at once, one idle", .points = 3,
	  .section = "The contract", .run = check_ftp_concurrency,
	  .hint = "fork() (or a thread) per session right after accept()." },
	{ .id = "ftp.bounce", .title = "PORT/EPRT to another host refused", .points = 4,
	  .section = "Step 7: security: bounce and hijack",
	  .run = check_ftp_bounce,
	  .hint = "Compare PORT/EPRT's address with getpeername() of the control connection; any "
		  "other is 501 and never connected to (RFC 2577)." },
	{ .id = "ftp.pasv-hijack", .title = "data connections from other hosts refused",
	  .points = 4, .section = "Step 7: security: bounce and hijack",
	  .run = check_ftp_pasv_hijack,
	  .hint = "After accept() on the passive socket, compare the peer's address with the "
		  "control connection's client; close a stranger at once and keep waiting." },
	{ .id = "ftp.epsv-all", .title = "EPSV ALL: then only EPSV", .points = 2,
	  .section = "IPv6 and EPSV", .run = check_ftp_epsv_all,
	  .hint = "Remember EPSV ALL in the session; PASV, PORT and EPRT get 5xx afterwards." },
	{ .id = "ftp.family", .title = "522 for the other address family", .points = 3,
	  .section = "IPv6 and EPSV", .run = check_ftp_family,
	  .hint = "Unwrap ::ffff:a.b.c.d to IPv4 first; over IPv6, PASV and PORT are 522; EPSV "
		  "and EPRT name a family (1 or 2) that must be the connection's." },
	{ .id = "ftp.quit", .title = "QUIT: 221 and FIN; FIN on every data connection",
	  .points = 3, .section = "Closing cleanly: FIN, not RST", .flags = CHECK_WIRE,
	  .run = check_ftp_quit, .hint = HINT_FIN },
	{ .id = "ftp.fin-226", .title = "data FIN and 226 without waiting for the client",
	  .points = 3, .section = "Closing cleanly: FIN, not RST",
	  .run = check_ftp_fin_226,
	  .hint = "After the last byte: shutdown(SHUT_WR) and close() the data socket, then send "
		  "226; never wait for the client's FIN first." },
	{ .id = "ftp.curl", .title = "curl: get, put, list; EPSV, PASV, EPRT, PORT", .points = 5,
	  .section = "Step 8: real clients", .run = check_ftp_curl,
	  .timeout_ms = 40000,
	  .hint = "curl sends EPSV, PASV, EPRT or PORT, then SIZE, RETR or STOR, LIST: each must "
		  "follow the contract exactly." },
	{ .id = "ftp.ftplib", .title = "python3 ftplib's classic session", .points = 3,
	  .section = "Step 8: real clients", .run = check_ftp_ftplib,
	  .hint = "ftplib sends TYPE I, PASV, CWD, RETR, NLST, STOR and QUIT, and reads every "
		  "reply to its end." },
	{ .id = "ftp.lftp", .title = "lftp in passive and active mode", .points = 3,
	  .section = "Step 8: real clients", .run = check_ftp_lftp,
	  .timeout_ms = 40000,
	  .hint = "lftp sends FEAT, PWD, EPSV/PASV or PORT, and LIST/NLST: answer each as the "
		  "contract says." },
	{ .id = "ftp.client-usage", .title = "client: usage errors exit 2", .points = 2,
	  .section = "Step 9: the client", .run = check_ftp_client_usage,
	  .hint = "Check the options, the port, the command and its arguments (a REMOTE ending "
		  "in '/' too) before connecting: usage line, exit(2)." },
	{ .id = "ftp.client-get", .title = "client: get in passive mode, -u, the file intact",
	  .points = 4, .section = "Step 9: the client",
	  .run = check_ftp_client_get,
	  .hint = "USER, PASS, TYPE I, PASV, RETR, then the data to its end and 226, QUIT and 221; "
		  "write() the bytes with their count." },
	{ .id = "ftp.client-ipv6", .title = "client: EPSV over IPv6, any delimiter", .points = 2,
	  .section = "Step 9: the client", .run = check_ftp_client_ipv6,
	  .hint = "Over an IPv6 control connection use EPSV and connect to the control "
		  "connection's peer address with the port of the 229, whatever its delimiter "
		  "('|', '!', ...)." },
	{ .id = "ftp.client-active", .title = "client: -a with PORT and EPRT", .points = 3,
	  .section = "Step 9: the client", .run = check_ftp_client_active,
	  .hint = "Listen on getsockname() of the control connection, port 0; announce it with "
		  "PORT (IPv4) or EPRT |2| (IPv6); accept only from the server's address." },
	{ .id = "ftp.client-put", .title = "client: put, the file, then FIN", .points = 3,
	  .section = "Step 9: the client", .run = check_ftp_client_put,
	  .hint = "Send the whole file on the data connection, then shutdown(SHUT_WR) or close(): "
		  "the FIN ends the file; then read 226." },
	{ .id = "ftp.client-ls", .title = "client: ls prints NLST's names with \\n", .points = 2,
	  .section = "Step 9: the client", .run = check_ftp_client_ls,
	  .hint = "Send NLST [PATH], copy the data to stdout with each \\r\\n turned into \\n." },
	{ .id = "ftp.client-replies", .title = "client: multi-line, split and glued replies",
	  .points = 4, .section = "Replies that span lines",
	  .run = check_ftp_client_replies,
	  .hint = "Buffer the control connection; a reply \"ddd-\" ends only at a line starting "
		  "\"ddd \"; bytes after a reply belong to the next one." },
	{ .id = "ftp.client-227", .title = "client: 227 without parentheses or naming another host",
	  .points = 3, .section = "Step 9: the client",
	  .run = check_ftp_client_227,
	  .hint = "Find the six numbers anywhere in the 227; connect to the control connection's "
		  "peer address, never the one the 227 names." },
	{ .id = "ftp.client-order", .title = "client: 226 before the data, or after its FIN",
	  .points = 3, .section = "Closing cleanly: FIN, not RST",
	  .run = check_ftp_client_order,
	  .hint = "poll() the data and control connections together; close the data socket as "
		  "soon as recv() returns 0 there, and never wait for 226 first." },
	{ .id = "ftp.client-refused", .title = "client: 550 exits 3, local files untouched",
	  .points = 3, .section = "Step 9: the client",
	  .run = check_ftp_client_refused,
	  .hint = "Write a temporary file beside LOCAL and rename it only after the 226: a "
		  "refusal, or a failure after the 150, leaves LOCAL as it was; print the server's "
		  "reply line and exit(3) on 4xx/5xx." },
	{ .id = "ftp.client-timeout", .title = "client: a silent server, exit 1 after 5 s",
	  .points = 1, .section = "Step 9: the client", .flags = CHECK_IDLE,
	  .run = check_ftp_client_timeout,
	  .hint = "poll() with a 5 s timeout before every recv(), on the data connection too; on "
		  "timeout, one error line and exit(1)." },
	{ .id = "ftp.client-stall", .title = "client: a stalled transfer, exit 1 after 5 s",
	  .points = 1, .section = "Step 9: the client", .flags = CHECK_IDLE,
	  .run = check_ftp_client_stall,
	  .hint = "poll() with a 5 s timeout before every recv() of the data connection too, not "
		  "only of the control connection; on timeout, one error line and exit(1)." },
	{ .id = "ftp.client-errors", .title = "client: unreadable file, refused, unknown host",
	  .points = 2, .section = "Step 9: the client", .flags = CHECK_WIRE,
	  .run = check_ftp_client_errors,
	  .hint = "open() LOCAL before connecting; report connect and getaddrinfo errors in one "
		  "line and exit(1)." },
};

/* Hints for what a failure showed (ctx_hint), where it differs from a check's own. */
#define LATE_150 "Data went out before the 150: send the 150 reply first, then the data on the " \
		 "data connection, then close it and send 226."
static const struct check_hint hints[] = {
	{ "ftp.pasv", L5_HINT_150, "Two connections", LATE_150 },
	{ "ftp.active", L5_HINT_150, "Two connections", LATE_150 },
	{ "ftp.binary", L5_HINT_150, "Two connections", LATE_150 },
	{ "ftp.quit", L5_HINT_150, "Two connections", LATE_150 },
	{ NULL, NULL, NULL, NULL },
};

const struct lab lab_05_ftp = {
	.id = "05-ftp",
	.title = "FTP: a file server and a client over two connections",
	.programs = (const char *const[]){ "ftp_server", "ftp_client", NULL },
	LAB_CHECKS(checks),
	.hints = hints,
};
