/* labs.h - the lab registry: every lab the grader knows, found by any of its names. */
#ifndef WIRELAB_LABS_H
#define WIRELAB_LABS_H

#include "check.h"

extern const struct lab lab_00_sockets_basics;
extern const struct lab lab_01_tcp_echo;
extern const struct lab lab_02_udp;
extern const struct lab lab_03_threaded_server;
extern const struct lab lab_04_http;
extern const struct lab lab_05_ftp;
extern const struct lab lab_06_websocket;

/* NULL-terminated, in lab order. */
extern const struct lab *const labs_all[];

/* "00", "0", "sockets-basics" and "00-sockets-basics" all name lab 00. NULL if none. */
const struct lab *labs_find(const char *name);

#endif
