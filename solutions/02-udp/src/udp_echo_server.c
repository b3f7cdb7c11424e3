/* udp_echo_server.c: sends every datagram back to whoever sent it, unchanged. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

/*
 * The largest UDP payload is 65507 bytes over IPv4 and 65527 over IPv6 (a 16-bit IP length
 * minus the headers). A 64 KiB buffer holds either, so recvfrom() never truncates.
 */
#define DGRAM_MAX 65536

static void usage(void)
{
    fprintf(stderr, "usage: udp_echo_server PORT\n");
    exit(2);
}

/* Returns the port as a number, or 0 when text is not a decimal number in 1..65535. */
static int parse_port(const char *text)
{
    /* Digits only: strtol would also take " 7000", "+7000" and "-0". */
    long port = 0;
    if (*text == '\0')
        return 0;
    for (; *text != '\0'; text++) {
        if (*text < '0' || *text > '9')
            return 0;
        port = port * 10 + (*text - '0');
        if (port > 65535)           /* stop before a long string of digits overflows */
            return 0;
    }
    return (int)port;               /* 0 for "0": not a port either */
}

/*
 * Opens a UDP socket bound to every local address on the port. An IPv6 socket with
 * IPV6_V6ONLY off receives IPv4 datagrams too (the sender shows up as ::ffff:a.b.c.d), so one
 * socket serves both families; a machine without IPv6 gets a plain IPv4 socket instead.
 * Returns the descriptor, or -1 after printing why.
 */
static int open_socket(int port)
{
    int one = 1, off = 0;
    int fd = socket(AF_INET6, SOCK_DGRAM, 0);

    if (fd >= 0) {
        struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT,
                                   .sin6_port = htons((uint16_t)port) };
        if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) < 0) {
            perror("udp_echo_server: setsockopt IPV6_V6ONLY");
            goto fail;
        }
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) {
            perror("udp_echo_server: setsockopt SO_REUSEADDR");
            goto fail;
        }
        if (bind(fd, (struct sockaddr *)&a6, sizeof a6) < 0) {
            fprintf(stderr, "udp_echo_server: bind to port %d: %s\n", port, strerror(errno));
            goto fail;
        }
        return fd;
    }
    if (errno != EAFNOSUPPORT) {
        perror("udp_echo_server: socket");
        return -1;
    }

    fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        perror("udp_echo_server: socket");
        return -1;
    }
    struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY),
                              .sin_port = htons((uint16_t)port) };
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) {
        perror("udp_echo_server: setsockopt SO_REUSEADDR");
        goto fail;
    }
    if (bind(fd, (struct sockaddr *)&a4, sizeof a4) < 0) {
        fprintf(stderr, "udp_echo_server: bind to port %d: %s\n", port, strerror(errno));
        goto fail;
    }
    return fd;

fail:
    close(fd);
    return -1;
}

/*
 * One datagram in, the same datagram out. recvfrom() returns exactly one datagram however
 * many are queued, and sendto() sends its buffer as exactly one datagram: UDP keeps the
 * boundaries for us, so a zero-length datagram is echoed as a zero-length datagram.
 * Nothing a client sends can stop the loop; only a signal ends the server.
 */
static void serve(int fd)
{
    static char buf[DGRAM_MAX];

    for (;;) {
        struct sockaddr_storage peer;
        socklen_t peer_len = sizeof peer;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &peer_len);
        if (n < 0) {
            /* EINTR, or an error queued by an earlier datagram: report it and go on. */
            if (errno != EINTR)
                perror("udp_echo_server: recvfrom");
            continue;
        }
        /* Reply from the socket it came in on, so the source port is the server's port. */
        if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, peer_len) < 0)
            perror("udp_echo_server: sendto");
    }
}

int main(int argc, char *argv[])
{
    if (argc != 2)
        usage();
    int port = parse_port(argv[1]);
    if (port == 0)
        usage();

    /* SIGINT and SIGTERM end the server with their default action (there is no state to
     * save). Set it explicitly: a shell starts background jobs with SIGINT ignored, and an
     * ignored signal stays ignored across exec. */
    struct sigaction dfl = { .sa_handler = SIG_DFL };
    if (sigaction(SIGINT, &dfl, NULL) < 0 || sigaction(SIGTERM, &dfl, NULL) < 0) {
        perror("udp_echo_server: sigaction");
        return 1;
    }

    int fd = open_socket(port);
    if (fd < 0)
        return 1;
    serve(fd);
    return 0;
}
