/* chat_server.c: a line-based chat server, one thread per client (see README.md). */
#define _POSIX_C_SOURCE 200809L

#include "chat_proto.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define OUT_MAX      (64 * 1024)   /* unsent bytes a client may have before it is dropped */
#define THREAD_STACK (256 * 1024)  /* see "One thread per client" */

/* Everything the server knows about one connected client. */
struct client {
    int fd;
    char name[CHAT_NAME_MAX + 1];  /* "" until NICK succeeds */
    struct client *next;           /* in the list of registered clients */
    /* TODO(lab03): the output queue: a mutex, a condition variable, the queued bytes, and
     * flags for "closing" and "dropped" (README.md, "Slow readers and bounded queues"). */
};

/* TODO(lab03): the list of registered clients and the mutex that protects it
 * (README.md, "Shared state and the mutex"). */

/* Queues bytes for a client without ever blocking on the network. */
static void out_push(struct client *c, const char *data, size_t len)
{
    /* TODO(lab03): append under the client's lock, wake its writer, drop the client when the
     * queue would pass OUT_MAX (README.md, "Slow readers and bounded queues"). */
    (void)c;
    (void)data;
    (void)len;
}

/* Acts on one line (its '\n' removed). Returns true when the client asked to quit. */
static bool handle_line(struct client *c, const char *line, size_t len)
{
    struct chat_cmd cmd;
    chat_parse(line, len, &cmd);

    /* TODO(lab03): NICK, MSG, WHO, QUIT and errors, exactly as README.md, "The contract" says;
     * broadcasts happen with the list's mutex held. */
    out_push(c, "ERR unknown command\n", 20);
    return cmd.verb == CHAT_QUIT;
}

/* The thread that serves one client, from its first byte to close(). */
static void *client_main(void *arg)
{
    struct client *c = arg;

    /* TODO(lab03): start the client's writer thread; read lines (they may arrive split or
     * several at once) and hand each to handle_line(); on the way out: announce "left",
     * stop the writer, close with FIN not RST, free everything (README.md, "Reading lines",
     * "Closing cleanly: FIN, not RST" and "Clean exits: no leaks"). */
    handle_line(c, "QUIT", 4);
    free(c);
    return NULL;
}

/* Returns a listening socket on the port, or -1 after printing why. */
static int open_listener(int port)
{
    /* TODO(lab03): socket(AF_INET6, SOCK_STREAM, 0), IPV6_V6ONLY off, SO_REUSEADDR, bind,
     * listen with a deep backlog (README.md, "Step 1"). */
    (void)port;
    return -1;
}

/* Accepts clients forever, one thread each. */
static void accept_loop(int lfd)
{
    /* TODO(lab03): accept(), allocate a struct client, start a detached thread running
     * client_main(); a failure with one client never stops the server
     * (README.md, "One thread per client"). */
    (void)lfd;
    client_main(calloc(1, sizeof(struct client)));
}

int main(int argc, char *argv[])
{
    /* Step 1 starts here: delete these two lines. */
    fprintf(stderr, "chat_server: not implemented yet (see README.md, Step 1)\n");
    return 1;

    /* TODO(lab03): check the argument (usage line, exit 2), ignore SIGPIPE
     * (README.md, "The contract" and "Pitfalls"). */
    int port = argc == 2 ? atoi(argv[1]) : 0;
    int lfd = open_listener(port);
    if (lfd < 0)
        return 1;
    accept_loop(lfd);
    return 0;
}
