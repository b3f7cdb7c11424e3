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

/* Milliseconds on a clock that never jumps (see "Timeouts and backoff"). */
static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Returns a UDP socket connected to host and port, or -1 after printing why. */
static int open_connected(const char *host, const char *port)
{
    /* TODO(lab02): getaddrinfo() with SOCK_DGRAM, then socket() and connect() on each address
     * until one works (README.md, "Step 3" and "ICMP errors on connected sockets"). */
    (void)host;
    (void)port;
    return -1;
}

/*
 * Waits until `deadline` (a now_ms() value) for a datagram whose payload is exactly
 * msg[0..len). Returns 1 on a match, 0 at the deadline, -1 on an error.
 */
static int wait_reply(int fd, const char *msg, size_t len, int64_t deadline)
{
    /* TODO(lab02): poll() for the time that is left, recv(), ignore datagrams that do not
     * match without moving the deadline, treat ECONNREFUSED like silence
     * (README.md, "Step 4", "Stale replies and duplicates"). */
    (void)fd;
    (void)msg;
    (void)len;
    (void)deadline;
    return -1;
}

/* Sends msg up to `tries` times, doubling the timeout each time. 1 answered, 0 not, -1 error. */
static int exchange(int fd, const char *msg, size_t len, int timeout_ms, int tries)
{
    /* TODO(lab02): send, wait_reply(), double the timeout, try again
     * (README.md, "Step 5" and "Timeouts and backoff"). */
    (void)fd;
    (void)msg;
    (void)len;
    (void)timeout_ms;
    (void)tries;
    return wait_reply(fd, msg, len, now_ms());
}

/* Reads stdin line by line, one exchange per line. Returns the exit status. */
static int run(int fd, int timeout_ms, int tries)
{
    /* TODO(lab02): getline(), drop the newline, reject lines over LINE_MAX_BYTES, build
     * "<SEQ> <line>", exchange(), print the line or the error line
     * (README.md, "Step 3" and "The contract"). This sends one fixed message. */
    const char msg[] = "1 hello";
    return exchange(fd, msg, sizeof msg - 1, timeout_ms, tries) == 1 ? 0 : 1;
}

int main(int argc, char *argv[])
{
    /* Step 1 starts here: delete these two lines. */
    fprintf(stderr, "udp_client: not implemented yet (see README.md, Step 1)\n");
    return 1;

    int timeout_ms = DEFAULT_MS, tries = DEFAULT_TRIES;

    /* TODO(lab02): getopt() for -t MS and -r TRIES (both positive), then exactly HOST and
     * PORT; anything else is a usage error: usage line, exit 2 (README.md, "The contract"). */
    if (argc < 3)
        return 2;
    const char *host = argv[argc - 2], *port = argv[argc - 1];

    int fd = open_connected(host, port);
    if (fd < 0)
        return 1;
    int status = run(fd, timeout_ms, tries);
    close(fd);
    return status;
}
