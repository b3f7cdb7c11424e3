/* echo_server.c - hostile: includes canary.h, a hard link to a file of the grading user's;
 * the compiler's errors quote its line. */
#include "canary.h"

int main(void)
{
	return 1;
}
