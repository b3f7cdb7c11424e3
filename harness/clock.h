/* clock.h - monotonic and wall time in nanoseconds, deadlines and short sleeps. */
#ifndef WIRELAB_CLOCK_H
#define WIRELAB_CLOCK_H

#include <stdint.h>

int64_t clock_mono_ns(void);
int64_t clock_wall_ns(void);
/* Milliseconds left until the monotonic deadline (never negative). */
int clock_left_ms(int64_t deadline_ns);
/* A deadline timeout_ms from now. */
int64_t clock_deadline(int timeout_ms);
void clock_sleep_ms(int ms);

#endif
