/* chat_load.c: load generator for the lab 03 chat server: latency and throughput of delivery.
 *
 * Connects CLIENTS clients, registers them (NICK bNNN), waits until every join announcement
 * has arrived, then has every client send MESSAGES messages. Each message carries its sender,
 * its sequence number and the time it was sent:  MSG <sender> <seq> <ns>
 * Every other client must receive it (as  bNNN: <sender> <seq> <ns>)  exactly once and in
 * per-sender order; the receipt time minus the send time is that delivery's latency.
 *
 * Two ways to send:
 *   -r RATE   open loop: messages go out at RATE per second in all (round-robin over the
 *             clients), whatever the server does; for latency at a known load;
 *   -w WINDOW closed loop (when RATE is 0): at most WINDOW messages may be in flight (sent
 *             but not yet received by every other client); for throughput.
 * Bounded: it stops after -T SECONDS at the latest, and reports what was missing.
 * One thread, poll() over every socket; the server runs in another process.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define RBUF 65536

struct cl {
    int fd;
    char buf[RBUF];
    size_t len;
    bool ok;              /* got "OK bNNN" */
    bool eof;
};

static int nclients = 200, nmsgs = 10, window = 200;
static double rate = 0, max_seconds = 30;
static struct cl *cls;
static int *last_seq;             /* [receiver * nclients + sender]: last seq seen, -1 none */
static int *remaining;            /* [sender * nmsgs + seq]: deliveries still to come */
static uint32_t *lat_us;          /* one latency per delivery */
static long ndeliv, ndup, nreorder, nbad, ndropped_clients, joins, oks;
static long inflight;
static int64_t first_send, last_recv;
static bool quitting;             /* after the run: BYE and left lines are expected */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "chat_load: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int connect_to(const char *host, const char *port)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "chat_load: %s: %s\n", host, gai_strerror(rc));
        exit(1);
    }
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {   /* up to 5 s for startup */
        for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
            fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
            if (fd < 0)
                die("socket");
            if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
                break;
            close(fd);
            fd = -1;
        }
        if (fd < 0)
            nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
    }
    freeaddrinfo(res);
    if (fd < 0)
        die("connect");
    return fd;
}

static void send_str(int i, const char *s)
{
    size_t len = strlen(s);
    while (len > 0) {
        ssize_t n = send(cls[i].fd, s, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("send");
        }
        s += n;
        len -= (size_t)n;
    }
}

static void on_line(int r, char *line, int64_t t)
{
    int sender, seq;
    int64_t sent;

    if (line[0] == '*') {
        if (strstr(line, " joined") != NULL)
            joins++;
        else if (strstr(line, " left") != NULL && !quitting)
            ndropped_clients++;
        return;
    }
    if (strcmp(line, "BYE") == 0)
        return;
    if (strncmp(line, "OK ", 3) == 0) {
        cls[r].ok = true;
        oks++;
        return;
    }
    char *colon = strstr(line, ": ");
    if (colon == NULL || sscanf(colon + 2, "%d %d %" SCNd64, &sender, &seq, &sent) != 3 ||
        sender < 0 || sender >= nclients || seq < 0 || seq >= nmsgs || sender == r) {
        nbad++;
        return;
    }
    int *last = &last_seq[(size_t)r * nclients + sender];
    if (seq <= *last) {
        ndup++;
        return;
    }
    if (seq != *last + 1)
        nreorder++;
    *last = seq;
    int64_t us = (t - sent) / 1000;
    lat_us[ndeliv++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
    last_recv = t;
    if (--remaining[(size_t)sender * nmsgs + seq] == 0)
        inflight--;
}

static void read_client(int i)
{
    struct cl *c = &cls[i];
    ssize_t n = recv(c->fd, c->buf + c->len, RBUF - 1 - c->len, MSG_DONTWAIT);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        c->eof = true;
        return;
    }
    int64_t t = now_ns();
    c->len += (size_t)n;
    char *start = c->buf, *nl;
    while ((nl = memchr(start, '\n', c->len - (size_t)(start - c->buf))) != NULL) {
        *nl = '\0';
        on_line(i, start, t);
        start = nl + 1;
    }
    c->len -= (size_t)(start - c->buf);
    memmove(c->buf, start, c->len);
}

/* Polls every socket once for up to timeout_ms and reads what arrived. */
static void pump(struct pollfd *pfds, int timeout_ms)
{
    int n = poll(pfds, (nfds_t)nclients, timeout_ms);
    if (n < 0 && errno != EINTR)
        die("poll");
    for (int i = 0; i < nclients && n > 0; i++) {
        if (pfds[i].revents != 0) {
            n--;
            read_client(i);
            if (cls[i].eof)
                pfds[i].fd = -1;
        }
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void usage(void)
{
    fprintf(stderr, "usage: chat_load [-c CLIENTS] [-m MESSAGES] [-r RATE | -w WINDOW] "
                    "[-T SECONDS] HOST PORT\n");
    exit(2);
}

int main(int argc, char *argv[])
{
    int opt;
    while ((opt = getopt(argc, argv, "c:m:r:w:T:")) != -1) {
        switch (opt) {
        case 'c': nclients = atoi(optarg); break;
        case 'm': nmsgs = atoi(optarg); break;
        case 'r': rate = atof(optarg); break;
        case 'w': window = atoi(optarg); break;
        case 'T': max_seconds = atof(optarg); break;
        default: usage();
        }
    }
    if (argc - optind != 2 || nclients < 2 || nmsgs < 1 || window < 1 || max_seconds <= 0)
        usage();

    size_t total = (size_t)nclients * nmsgs;
    cls = calloc((size_t)nclients, sizeof *cls);
    last_seq = malloc((size_t)nclients * nclients * sizeof *last_seq);
    remaining = malloc(total * sizeof *remaining);
    lat_us = malloc(total * (nclients - 1) * sizeof *lat_us);
    struct pollfd *pfds = calloc((size_t)nclients, sizeof *pfds);
    if (!cls || !last_seq || !remaining || !lat_us || !pfds)
        die("malloc");
    memset(last_seq, 0xff, (size_t)nclients * nclients * sizeof *last_seq);   /* all -1 */
    for (size_t k = 0; k < total; k++)
        remaining[k] = nclients - 1;

    int64_t deadline = now_ns() + (int64_t)(max_seconds * 1e9);
    char line[128];

    /* Connect and register everyone, then wait for every OK and every join announcement. */
    for (int i = 0; i < nclients; i++) {
        cls[i].fd = connect_to(argv[optind], argv[optind + 1]);
        pfds[i] = (struct pollfd){ .fd = cls[i].fd, .events = POLLIN };
        snprintf(line, sizeof line, "NICK b%03d\n", i);
        send_str(i, line);
    }
    long want_joins = (long)nclients * (nclients - 1) / 2;
    while ((oks < nclients || joins < want_joins) && now_ns() < deadline)
        pump(pfds, 100);
    if (oks < nclients || joins < want_joins) {
        fprintf(stderr, "chat_load: registration incomplete: %ld OK of %d, %ld joins of %ld\n",
                oks, nclients, joins, want_joins);
        return 1;
    }

    /* Send and receive. */
    size_t next = 0;
    first_send = now_ns();
    int64_t gap = rate > 0 ? (int64_t)(1e9 / rate) : 0;
    while ((next < total || inflight > 0) && now_ns() < deadline) {
        int64_t t = now_ns();
        while (next < total) {
            if (rate > 0 ? first_send + (int64_t)next * gap > t : inflight >= window)
                break;
            int sender = (int)(next % (size_t)nclients), seq = (int)(next / (size_t)nclients);
            snprintf(line, sizeof line, "MSG %d %d %" PRId64 "\n", sender, seq, now_ns());
            send_str(sender, line);
            inflight++;
            next++;
        }
        int wait_ms = 50;
        if (rate > 0 && next < total) {
            int64_t due = first_send + (int64_t)next * gap - now_ns();
            wait_ms = due <= 0 ? 0 : (int)((due + 999999) / 1000000);
        }
        pump(pfds, wait_ms);
    }
    int64_t end = now_ns();

    /* Leave politely: QUIT, and read until the server closes (bounded by the deadline). */
    quitting = true;
    for (int i = 0; i < nclients; i++)
        if (!cls[i].eof)
            send(cls[i].fd, "QUIT\n", 5, MSG_NOSIGNAL);
    int64_t quit_deadline = now_ns() + 3000000000LL;
    for (;;) {
        bool open = false;
        for (int i = 0; i < nclients; i++)
            open |= !cls[i].eof;
        if (!open || now_ns() > quit_deadline)
            break;
        pump(pfds, 100);
    }
    for (int i = 0; i < nclients; i++)
        close(cls[i].fd);

    /* Report. */
    long expected = (long)total * (nclients - 1);
    qsort(lat_us, (size_t)ndeliv, sizeof *lat_us, cmp_u32);
    double span = (double)((ndeliv > 0 ? last_recv : end) - first_send) / 1e9;
    printf("clients %d, messages %zu (%d each), mode %s\n", nclients, total, nmsgs,
           rate > 0 ? "open loop" : "closed loop");
    if (rate > 0)
        printf("offered load: %.0f messages/s = %.0f deliveries/s\n", rate, rate * (nclients - 1));
    else
        printf("window: %d messages in flight\n", window);
    printf("deliveries: %ld of %ld expected; duplicates %ld, out of order %ld, malformed %ld, "
           "clients dropped %ld\n", ndeliv, expected, ndup, nreorder, nbad, ndropped_clients);
    if (ndeliv > 0) {
        printf("latency (send to receipt): p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
               lat_us[ndeliv / 2] / 1000.0, lat_us[(size_t)(ndeliv * 0.99)] / 1000.0,
               lat_us[ndeliv - 1] / 1000.0);
        printf("throughput: %.0f deliveries/s (%.0f messages/s fanned out) over %.3f s\n",
               ndeliv / span, ndeliv / span / (nclients - 1), span);
    }
    return ndeliv == expected && ndup == 0 && nreorder == 0 ? 0 : 1;
}
