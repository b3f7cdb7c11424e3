/* clock.c - monotonic and wall time in nanoseconds, deadlines and short sleeps. */
#include "clock.h"

#include <errno.h>
#include <time.h>

static int64_t ts_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t clock_mono_ns(void) { return ts_ns(CLOCK_MONOTONIC); }
int64_t clock_wall_ns(void) { return ts_ns(CLOCK_REALTIME); }

int clock_left_ms(int64_t deadline_ns)
{
	int64_t left = deadline_ns - clock_mono_ns();

	if (left <= 0)
		return 0;
	return (int)((left + 999999) / 1000000);
}

int64_t clock_deadline(int timeout_ms)
{
	return clock_mono_ns() + (int64_t)timeout_ms * 1000000;
}

void clock_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
