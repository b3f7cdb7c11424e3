/* echo_server.c - hostile: hold far more memory than one check should have.
 *
 * Three processes leave the check (double fork, setsid) and each maps and touches 1 GiB (a
 * per-process limit of 4 GiB allows it); the last one to get there leaves the proof.
 * Bounded: 3 GiB, for at most 25 s. */
#include "wlh.h"

#include <sys/mman.h>

#define HOG_BYTES (1024UL << 20)

int main(void)
{
	volatile int *done = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				  -1, 0);
	double end = wlh_now() + 25;

	if (done == MAP_FAILED)
		return 1;
	for (int i = 0; i < 3; i++)
		if (wlh_daemon() == 0) {
			char *p = mmap(NULL, HOG_BYTES, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
			if (p == MAP_FAILED)
				_exit(1);
			for (size_t k = 0; k < HOG_BYTES && wlh_now() < end; k += 4096)
				p[k] = 1;
			if (__atomic_add_fetch(done, 1, __ATOMIC_SEQ_CST) == 3)
				wlh_evidence("memhog", "3 processes of one check hold 3 GiB");
			while (wlh_now() < end)
				wlh_sleep_ms(100);
			_exit(0);
		}
	return 1;
}
