/* udp_client.c: sends stdin line by line over UDP, stop-and-wait, retransmitting with backoff. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
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

#define LINE_MAX_BYTES 1000        /* the longest line we send, newline not counted */
#define DGRAM_MAX      65536       /* receive buffer: larger than any reply we could match */
#define DEFAULT_MS     200
#define DEFAULT_TRIES  5

static void usage(void)
{
    fprintf(stderr, "usage: udp_client [-t MS] [-r TRIES] HOST PORT\n");
    exit(2);
}

/* Returns text as a positive int, or 0 when it is not a decimal number in 1..INT_MAX
 * (digits only: strtol would also take " 50", "+50" and "-0"). */
static int parse_positive(const char *text)
{
    long v = 0;
    if (*text == '\0')
        return 0;
    for (; *text != '\0'; text++) {
        if (*text < '0' || *text > '9')
            return 0;
        v = v * 10 + (*text - '0');
        if (v > INT_MAX)            /* stop before a long string of digits overflows */
            return 0;
    }
    return (int)v;
}

/* Milliseconds on a clock that never jumps (wall-clock time may be changed under us). */
static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Resolves host and port and returns a UDP socket connected to the first address that
 * accepts a connect(). connect() on UDP sends nothing: it only fixes the peer, so that
 * send() needs no address, datagrams from any other address are filtered out by the kernel,
 * and an ICMP port unreachable for our datagrams is reported to us as ECONNREFUSED.
 * Returns -1 after printing why.
 */
static int open_connected(const char *host, const char *port)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM };
    struct addrinfo *list;
    int rc = getaddrinfo(host, port, &hints, &list);
    if (rc != 0) {
        fprintf(stderr, "udp_client: %s: %s\n", host, gai_strerror(rc));
        return -1;
    }

    int fd = -1, saved = 0;
    for (struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(list);
    if (fd < 0)
        fprintf(stderr, "udp_client: connect to %s port %s: %s\n", host, port, strerror(saved));
    return fd;
}

/*
 * Sends one datagram. A pending ICMP error from an earlier try can be reported by send()
 * instead of recv(); reading it clears it, so we simply send again once.
 * Returns 0, or -1 after printing why.
 */
static int send_try(int fd, const char *msg, size_t len)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (send(fd, msg, len, 0) == (ssize_t)len)
            return 0;
        if (errno != ECONNREFUSED && errno != EINTR)
            break;
    }
    perror("udp_client: send");
    return -1;
}

/*
 * Waits until `deadline` for a datagram whose payload is exactly msg[0..len).
 * Anything else (a duplicate or stale reply to an earlier line, garbage) is dropped and we
 * wait again for the time that is left, so a stream of wrong datagrams cannot keep us
 * waiting past the deadline. ECONNREFUSED (an ICMP port unreachable) means this try got no
 * answer: we treat it exactly like silence and wait out the rest of the timeout.
 * Returns 1 on a match, 0 at the deadline, -1 after printing an error.
 */
static int wait_reply(int fd, const char *msg, size_t len, int64_t deadline)
{
    static char buf[DGRAM_MAX];

    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("udp_client: poll");
            return -1;
        }
        if (n == 0)
            continue;               /* loop to check the deadline again */

        ssize_t got = recv(fd, buf, sizeof buf, 0);
        if (got < 0) {
            if (errno == ECONNREFUSED || errno == EINTR)
                continue;
            perror("udp_client: recv");
            return -1;
        }
        if ((size_t)got == len && memcmp(buf, msg, len) == 0)
            return 1;
        /* Not ours: ignore it, keep the same deadline. */
    }
}

/*
 * Stop-and-wait for one message: send, wait up to the timeout, and on silence send again
 * with the timeout doubled, up to `tries` sends. Returns 1 when answered, 0 when every try
 * went unanswered, -1 after printing an error.
 */
static int exchange(int fd, const char *msg, size_t len, int timeout_ms, int tries)
{
    int64_t timeout = timeout_ms;

    for (int try = 1; try <= tries; try++) {
        if (send_try(fd, msg, len) < 0)
            return -1;
        int rc = wait_reply(fd, msg, len, now_ms() + timeout);
        if (rc != 0)
            return rc;
        if (timeout < INT64_MAX / 4)
            timeout *= 2;
    }
    return 0;
}

/* Reads lines from stdin and runs one exchange per line. Returns the exit status. */
static int run(int fd, int timeout_ms, int tries)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long seq = 0;
    char msg[32 + LINE_MAX_BYTES];
    int status = 0;

    while ((n = getline(&line, &cap, stdin)) > 0) {
        seq++;
        size_t len = (size_t)n;
        if (line[len - 1] == '\n')
            len--;                  /* a last line without a newline still counts */
        if (len > LINE_MAX_BYTES) {
            fprintf(stderr, "udp_client: line %lu is longer than %d bytes\n", seq,
                    LINE_MAX_BYTES);
            status = 1;
            break;
        }

        int head = snprintf(msg, sizeof msg, "%lu ", seq);
        memcpy(msg + head, line, len);
        int rc = exchange(fd, msg, (size_t)head + len, timeout_ms, tries);
        if (rc < 0) {
            status = 1;
            break;
        }
        if (rc == 0) {
            fprintf(stderr, "udp_client: no reply for message %lu after %d tries\n", seq, tries);
            status = 1;
            break;
        }
        /* Print the line only now that it was answered, and flush so a reader sees it. */
        if (fwrite(line, 1, len, stdout) != len || putchar('\n') == EOF || fflush(stdout) == EOF) {
            perror("udp_client: write to stdout");
            status = 1;
            break;
        }
    }
    if (status == 0 && ferror(stdin)) {
        perror("udp_client: read from stdin");
        status = 1;
    }
    free(line);
    return status;
}

int main(int argc, char *argv[])
{
    int timeout_ms = DEFAULT_MS, tries = DEFAULT_TRIES;
    int opt;

    opterr = 0;     /* we print our own usage line */
    while ((opt = getopt(argc, argv, "t:r:")) != -1) {
        switch (opt) {
        case 't':
            if ((timeout_ms = parse_positive(optarg)) == 0)
                usage();
            break;
        case 'r':
            if ((tries = parse_positive(optarg)) == 0)
                usage();
            break;
        default:
            usage();
        }
    }
    if (argc - optind != 2)
        usage();
    const char *host = argv[optind], *port = argv[optind + 1];
    int portnum = parse_positive(port);
    if (portnum == 0 || portnum > 65535)
        usage();

    int fd = open_connected(host, port);
    if (fd < 0)
        return 1;
    int status = run(fd, timeout_ms, tries);
    close(fd);
    return status;
}
