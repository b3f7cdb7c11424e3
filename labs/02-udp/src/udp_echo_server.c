/* udp_echo_server.c: sends every datagram back to whoever sent it, unchanged. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

/* Large enough for any UDP payload (65507 bytes over IPv4): see "Datagram boundaries". */
#define DGRAM_MAX 65536

/* Returns the port as a number, or 0 when text is not a decimal number in 1..65535. */
static int parse_port(const char *text)
{
    /* TODO(lab02): strtol() with a check of errno, of the end pointer and of the range
     * (README.md, "The contract"). */
    (void)text;
    return 0;
}

/* Returns a UDP socket bound to the port on every local address, or -1 after printing why. */
static int open_socket(int port)
{
    /* TODO(lab02): socket(AF_INET6, SOCK_DGRAM, 0), IPV6_V6ONLY off, SO_REUSEADDR, bind to
     * :: and the port (README.md, "Step 1"). */
    (void)port;
    return -1;
}

/* Receives datagrams forever and sends each one back to its sender. */
static void serve(int fd)
{
    /* TODO(lab02): recvfrom() one datagram with the sender's address, sendto() the same
     * bytes back, from this socket; never let one bad datagram end the loop
     * (README.md, "Step 2" and "Datagram boundaries"). */
    (void)fd;
}

int main(int argc, char *argv[])
{
    /* Step 1 starts here: delete these two lines. */
    fprintf(stderr, "udp_echo_server: not implemented yet (see README.md, Step 1)\n");
    return 1;

    /* TODO(lab02): a usage line on stderr and exit status 2 for a wrong argument count or a
     * bad port (README.md, "The contract"). */
    if (argc != 2)
        return 2;
    int port = parse_port(argv[1]);
    if (port == 0)
        return 2;

    int fd = open_socket(port);
    if (fd < 0)
        return 1;
    serve(fd);
    return 0;
}
