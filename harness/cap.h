/* cap.h - a libpcap capture on one interface, drained by its own thread into memory from
 * the moment it starts: immediate mode, nanosecond timestamps, a large kernel buffer.
 * Kernel drops are counted with pcap_stats so a lossy capture is reported, never trusted.
 *
 * The capture owns the frames it stored; cap_flows() decodes them (once) into a flow_set
 * that the capture also owns. */
#ifndef WIRELAB_CAP_H
#define WIRELAB_CAP_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "flow.h"

struct cap;

/* Start capturing on dev ("lo") with an optional BPF filter (NULL: everything) and a
 * kernel ring of ring_mib MiB (0: a default for small conversations). A ring that can hold
 * all of a check's traffic never drops, however late the thread gets to run. Returns NULL
 * with a reason. Packets are being recorded when this returns. */
struct cap *cap_start(const char *dev, const char *filter, unsigned ring_mib, char *why,
		      size_t whylen);
/* Stop: drain what the kernel still holds, read the drop counters, join the thread.
 * Idempotent. Returns 0 or -errno with a reason. */
int cap_stop(struct cap *c, char *why, size_t whylen);
/* Packets the capture lost (pcap_stats ps_drop), valid after cap_stop. (ps_ifdrop is not
 * counted: it is the interface's own drops, packets the tap had already seen and TCP
 * sends again.) */
uint64_t cap_drops(const struct cap *c);
/* Frames stored. */
uint64_t cap_count(const struct cap *c);
/* Decode the stored frames (stops the capture first). NULL with errno on failure. */
const struct flow_set *cap_flows(struct cap *c);
/* Write the stored frames to a pcap file with nanosecond timestamps. */
int cap_save(struct cap *c, const char *path, char *why, size_t whylen);
/* (Both write at most 16 MiB: every packet whole when they fit, else every packet cut to its
 * first 160 bytes (headers and the start of its data), else the first and the last packets
 * cut so.) The same into dirfd/name, written to a new file first and renamed over name:
 * nothing that stands at name (a link a student planted) is followed. */
int cap_save_at(struct cap *c, int dirfd, const char *name, char *why, size_t whylen);
/* True when the programs sent more than the capture keeps for one check (256 MiB): the
 * rest was not recorded. */
bool cap_overflowed(const struct cap *c);
void cap_close(struct cap *c);

#endif
