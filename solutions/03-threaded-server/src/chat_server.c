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

/*
 * Threads. Each client gets two threads:
 *   - a reader (detached) that reads the client's lines and acts on them, and owns the
 *     client: it alone frees it, once the writer has finished;
 *   - a writer (joined by the reader) that sends whatever is waiting in the client's output
 *     queue. Other threads never write to a client's socket: they append to its queue, which
 *     never waits on the network (only, when the queue is full, up to PATIENCE_MS for the
 *     writer to make room), so a client that stops reading costs the others that, once.
 *
 * Locks. `list_lock` protects the list of registered clients (and their names). Each client's
 * `out_lock` protects its queue. When both are needed, list_lock is taken first: one order
 * everywhere means no deadlock. Broadcasting under list_lock also gives every recipient the
 * messages of one sender in the order they were sent.
 */

#define OUT_MAX      (64 * 1024)   /* unsent bytes a client may have before it is dropped */
#define PATIENCE_MS  100           /* how long a sender waits for room in a full queue */
#define THREAD_STACK (256 * 1024)  /* the default 8 MiB per thread adds up with 400 threads */
#define DRAIN_MS     2000          /* how long we read a closing peer's leftovers */

struct client {
    int fd;
    char name[CHAT_NAME_MAX + 1];  /* "" until NICK succeeds; then under list_lock */
    struct client *next;           /* in `registered`, under list_lock */

    pthread_t writer;
    pthread_mutex_t out_lock;
    pthread_cond_t out_cond;       /* to the writer: there is output, or closing/broken */
    pthread_cond_t out_room;       /* to senders: the writer has emptied the queue */
    size_t out_len;
    bool closing;                  /* the reader is done: send what is left, then stop */
    bool broken;                   /* overflowed or send failed: output is discarded */
    char out[OUT_MAX];             /* the queue, appended to by any thread */
    char sending[OUT_MAX];         /* the writer's private copy while it sends */
};

static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct client *registered;  /* sorted by name (strcmp), so WHO is a walk */

/* ---- output queue ---- */

/* Sets *ts to PATIENCE_MS from now on the clock out_room waits on (see client_new). */
static void patience_deadline(struct timespec *ts)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_nsec += (long)PATIENCE_MS * 1000000;
    ts->tv_sec += ts->tv_nsec / 1000000000;
    ts->tv_nsec %= 1000000000;
}

/*
 * Waits, with out_lock held, until len more bytes fit in c's queue or PATIENCE_MS pass.
 * A client that reads empties its queue within milliseconds even when a sender floods the
 * chat (its writer only has to be scheduled); one that does not read cannot, and we stop
 * waiting for it. So a stalled client costs the others at most PATIENCE_MS, once.
 */
static bool wait_for_room(struct client *c, size_t len)
{
    struct timespec deadline;
    patience_deadline(&deadline);
    while (!c->broken && c->out_len + len > OUT_MAX) {
        if (pthread_cond_timedwait(&c->out_room, &c->out_lock, &deadline) == ETIMEDOUT)
            return c->out_len + len <= OUT_MAX;
    }
    return true;
}

/*
 * Appends bytes to c's queue and wakes its writer; never blocks on the network. When the
 * queue stays full (see wait_for_room) the client is not reading: we drop it by shutting its
 * socket down, which wakes its reader (recv returns 0) and its writer (send fails); the
 * reader then announces it as left.
 */
static void out_push(struct client *c, const char *data, size_t len)
{
    pthread_mutex_lock(&c->out_lock);
    bool room = c->out_len + len <= OUT_MAX || wait_for_room(c, len);
    if (c->broken) {
        /* Already dropped: its reader is on the way out. */
    } else if (!room) {
        c->broken = true;
        c->out_len = 0;
        shutdown(c->fd, SHUT_RDWR);
        pthread_cond_signal(&c->out_cond);
        pthread_cond_broadcast(&c->out_room);
    } else {
        /* The writer only sleeps on an empty queue, so only the first line needs a wake-up:
         * later ones are picked up with it, and we save a context switch per line. */
        if (c->out_len == 0)
            pthread_cond_signal(&c->out_cond);
        memcpy(c->out + c->out_len, data, len);
        c->out_len += len;
    }
    pthread_mutex_unlock(&c->out_lock);
}

static void out_str(struct client *c, const char *s)
{
    out_push(c, s, strlen(s));
}

/* send() until every byte is gone. MSG_NOSIGNAL: a closed peer is an error, not SIGPIPE. */
static bool send_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* The writer thread: takes the whole queue at once, sends it without holding the lock. */
static void *writer_main(void *arg)
{
    struct client *c = arg;

    pthread_mutex_lock(&c->out_lock);
    for (;;) {
        while (c->out_len == 0 && !c->closing && !c->broken)
            pthread_cond_wait(&c->out_cond, &c->out_lock);
        if (c->broken || c->out_len == 0)
            break;                  /* dropped, or closing with nothing left to send */
        size_t n = c->out_len;
        memcpy(c->sending, c->out, n);
        c->out_len = 0;
        pthread_cond_broadcast(&c->out_room);
        pthread_mutex_unlock(&c->out_lock);

        bool ok = send_all(c->fd, c->sending, n);

        pthread_mutex_lock(&c->out_lock);
        if (!ok) {
            c->broken = true;       /* the peer is gone; its reader will notice too */
            c->out_len = 0;
            pthread_cond_broadcast(&c->out_room);
        }
    }
    pthread_mutex_unlock(&c->out_lock);
    return NULL;
}

/* ---- registered clients (call with list_lock held) ---- */

/* Sends data to every registered client except `from`. */
static void broadcast(const struct client *from, const char *data, size_t len)
{
    for (struct client *o = registered; o != NULL; o = o->next)
        if (o != from)
            out_push(o, data, len);
}

static bool name_taken(const char *name)
{
    for (const struct client *o = registered; o != NULL; o = o->next)
        if (strcmp(o->name, name) == 0)
            return true;
    return false;
}

static void list_insert_sorted(struct client *c)
{
    struct client **pp = &registered;
    while (*pp != NULL && strcmp((*pp)->name, c->name) < 0)
        pp = &(*pp)->next;
    c->next = *pp;
    *pp = c;
}

static void list_remove(struct client *c)
{
    for (struct client **pp = &registered; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            return;
        }
    }
}

/* ---- commands ---- */

static void do_nick(struct client *c, const char *name, size_t len)
{
    char line[CHAT_NAME_MAX + 16];

    if (c->name[0] != '\0') {
        out_str(c, "ERR already registered\n");
        return;
    }
    if (!chat_is_valid_name(name, len)) {
        out_str(c, "ERR invalid name\n");
        return;
    }
    char wanted[CHAT_NAME_MAX + 1];
    memcpy(wanted, name, len);
    wanted[len] = '\0';

    pthread_mutex_lock(&list_lock);
    if (name_taken(wanted)) {
        pthread_mutex_unlock(&list_lock);
        out_str(c, "ERR name taken\n");
        return;
    }
    memcpy(c->name, wanted, len + 1);
    list_insert_sorted(c);
    snprintf(line, sizeof line, "OK %s\n", c->name);
    out_str(c, line);
    snprintf(line, sizeof line, "* %s joined\n", c->name);
    broadcast(c, line, strlen(line));
    pthread_mutex_unlock(&list_lock);
}

static void do_msg(struct client *c, const char *text, size_t len)
{
    char line[CHAT_NAME_MAX + 2 + CHAT_LINE_MAX + 1];

    if (c->name[0] == '\0') {
        out_str(c, "ERR register first\n");
        return;
    }
    /* "<name>: <text>\n", built with memcpy: the text is bytes, not a C string. */
    size_t n = strlen(c->name);
    memcpy(line, c->name, n);
    memcpy(line + n, ": ", 2);
    memcpy(line + n + 2, text, len);
    line[n + 2 + len] = '\n';

    pthread_mutex_lock(&list_lock);
    broadcast(c, line, n + 3 + len);
    pthread_mutex_unlock(&list_lock);
}

static void do_who(struct client *c)
{
    if (c->name[0] == '\0') {
        out_str(c, "ERR register first\n");
        return;
    }
    /* The line is pushed in pieces; nothing can come between them, because every other
     * thread that writes to our queue does so while holding list_lock, which we hold. */
    pthread_mutex_lock(&list_lock);
    out_str(c, "USERS");
    for (const struct client *o = registered; o != NULL; o = o->next) {
        out_str(c, " ");
        out_str(c, o->name);
    }
    out_str(c, "\n");
    pthread_mutex_unlock(&list_lock);
}

/* Removes c from the registered clients and tells the others. */
static void leave(struct client *c)
{
    char line[CHAT_NAME_MAX + 16];

    if (c->name[0] == '\0')
        return;
    snprintf(line, sizeof line, "* %s left\n", c->name);
    pthread_mutex_lock(&list_lock);
    list_remove(c);
    broadcast(c, line, strlen(line));
    pthread_mutex_unlock(&list_lock);
}

/* ---- one client's life ---- */

enum ending { END_EOF, END_ERROR, END_QUIT, END_TOO_LONG };

/* Acts on one line (its '\n' removed). Returns true when the client asked to quit. */
static bool handle_line(struct client *c, const char *line, size_t len)
{
    struct chat_cmd cmd;
    chat_parse(line, len, &cmd);

    switch (cmd.verb) {
    case CHAT_NICK:
        do_nick(c, cmd.arg, cmd.arg_len);
        return false;
    case CHAT_MSG:
        do_msg(c, cmd.arg, cmd.arg_len);
        return false;
    case CHAT_WHO:
        do_who(c);
        return false;
    case CHAT_QUIT:
        out_str(c, "BYE\n");
        return true;
    case CHAT_UNKNOWN:
        break;
    }
    out_str(c, "ERR unknown command\n");
    return false;
}

/*
 * Reads lines until the client quits, closes, resets or breaks the line limit. TCP is a
 * byte stream: one recv() may hold half a line or several lines, so bytes collect in buf
 * and each complete line is cut off the front.
 */
static enum ending read_lines(struct client *c)
{
    char buf[CHAT_LINE_MAX];
    size_t len = 0;

    for (;;) {
        ssize_t n = recv(c->fd, buf + len, sizeof buf - len, 0);
        if (n == 0)
            return END_EOF;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return END_ERROR;       /* ECONNRESET and friends: the client is gone */
        }
        len += (size_t)n;

        size_t line_len;
        enum chat_split s;
        while ((s = chat_split(buf, len, &line_len)) == CHAT_LINE) {
            if (handle_line(c, buf, line_len - 1))
                return END_QUIT;
            len -= line_len;
            memmove(buf, buf + line_len, len);
        }
        if (s == CHAT_TOO_LONG) {
            out_str(c, "ERR line too long\n");
            return END_TOO_LONG;
        }
    }
}

/*
 * We are closing while the peer may still be sending (the rest of a long line, or lines
 * after QUIT). close() with unread bytes makes the kernel send RST, so: send our FIN with
 * shutdown(), then read and discard until the peer closes too, for at most DRAIN_MS.
 */
static void drain(int fd)
{
    char scrap[4096];
    struct timespec start, now;

    if (shutdown(fd, SHUT_WR) < 0)
        return;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (spent >= DRAIN_MS)
            return;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r = poll(&p, 1, (int)(DRAIN_MS - spent));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
        ssize_t n = recv(fd, scrap, sizeof scrap, 0);
        if (n == 0 || (n < 0 && errno != EINTR))
            return;
    }
}

/* Tells the writer to finish (it sends what is queued first) and waits for it. */
static void stop_writer(struct client *c)
{
    pthread_mutex_lock(&c->out_lock);
    c->closing = true;
    pthread_cond_signal(&c->out_cond);
    pthread_mutex_unlock(&c->out_lock);
    pthread_join(c->writer, NULL);
}

static void client_free(struct client *c)
{
    pthread_cond_destroy(&c->out_room);
    pthread_cond_destroy(&c->out_cond);
    pthread_mutex_destroy(&c->out_lock);
    free(c);
}

/* The reader thread: the whole life of one connection. */
static void *client_main(void *arg)
{
    struct client *c = arg;

    enum ending how = read_lines(c);
    leave(c);
    stop_writer(c);
    if (how == END_QUIT || how == END_TOO_LONG)
        drain(c->fd);
    /* After EOF everything the peer sent has been read, so close() sends FIN. */
    if (close(c->fd) < 0)
        perror("chat_server: close");
    client_free(c);
    return NULL;
}

/* ---- accepting ---- */

static struct client *client_new(int fd)
{
    struct client *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->fd = fd;
    if (pthread_mutex_init(&c->out_lock, NULL) != 0) {
        free(c);
        return NULL;
    }
    if (pthread_cond_init(&c->out_cond, NULL) != 0)
        goto undo_lock;
    /* Timed waits measure time on the monotonic clock, which no one can set back. */
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        goto undo_cond;
    int rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(&c->out_room, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0)
        goto undo_cond;
    return c;

undo_cond:
    pthread_cond_destroy(&c->out_cond);
undo_lock:
    pthread_mutex_destroy(&c->out_lock);
    free(c);
    return NULL;
}

/*
 * Starts the writer (joinable: the reader waits for it) and the reader (detached: nobody
 * waits for it, so its resources go back to the system the moment it returns).
 * Returns 0, or an error number from pthread_create.
 */
static int start_threads(struct client *c)
{
    pthread_attr_t attr;
    pthread_t reader;
    int rc = pthread_attr_init(&attr);
    if (rc != 0)
        return rc;
    pthread_attr_setstacksize(&attr, THREAD_STACK);

    rc = pthread_create(&c->writer, &attr, writer_main, c);
    if (rc == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        rc = pthread_create(&reader, &attr, client_main, c);
        if (rc != 0)
            stop_writer(c);
    }
    pthread_attr_destroy(&attr);
    return rc;
}

/* Returns a listening socket on the port, IPv4 and IPv6 alike, or -1 after printing why. */
static int open_listener(int port)
{
    int one = 1, off = 0;
    struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT,
                              .sin6_port = htons((uint16_t)port) };

    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("chat_server: socket");
        return -1;
    }
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) < 0) {
        perror("chat_server: setsockopt IPV6_V6ONLY");
        goto fail;
    }
    /* Lets us bind again at once after a restart, while old connections sit in TIME_WAIT. */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) {
        perror("chat_server: setsockopt SO_REUSEADDR");
        goto fail;
    }
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        fprintf(stderr, "chat_server: bind to port %d: %s\n", port, strerror(errno));
        goto fail;
    }
    /* A deep backlog: 200 clients may connect in the same millisecond. */
    if (listen(fd, SOMAXCONN) < 0) {
        perror("chat_server: listen");
        goto fail;
    }
    return fd;

fail:
    close(fd);
    return -1;
}

/* Accepts forever; a failure with one connection never stops the server. */
static void accept_loop(int lfd)
{
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("chat_server: accept");
            /* Out of descriptors or memory: wait for clients to leave instead of spinning. */
            nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
            continue;
        }
        struct client *c = client_new(fd);
        if (c == NULL) {
            fprintf(stderr, "chat_server: no memory for a new client\n");
            close(fd);
            continue;
        }
        int rc = start_threads(c);
        if (rc != 0) {
            fprintf(stderr, "chat_server: pthread_create: %s\n", strerror(rc));
            close(fd);
            client_free(c);
        }
    }
}

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

int main(int argc, char *argv[])
{
    int port = argc == 2 ? parse_port(argv[1]) : 0;
    if (port == 0) {
        fprintf(stderr, "usage: chat_server PORT\n");
        return 2;
    }

    /* A write to a client that has gone would otherwise kill the whole process. */
    struct sigaction ign = { .sa_handler = SIG_IGN }, dfl = { .sa_handler = SIG_DFL };
    if (sigaction(SIGPIPE, &ign, NULL) < 0) {
        perror("chat_server: sigaction");
        return 1;
    }
    /* SIGINT and SIGTERM end the server with their default action: the kernel closes every
     * socket. Set it explicitly: a shell starts background jobs with SIGINT ignored, and an
     * ignored signal stays ignored across exec. */
    if (sigaction(SIGINT, &dfl, NULL) < 0 || sigaction(SIGTERM, &dfl, NULL) < 0) {
        perror("chat_server: sigaction");
        return 1;
    }

    int lfd = open_listener(port);
    if (lfd < 0)
        return 1;
    accept_loop(lfd);
    return 0;
}
