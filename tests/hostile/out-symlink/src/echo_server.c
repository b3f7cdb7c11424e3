/* echo_server.c - hostile: swap our stderr file for a link to a canary, then fail to start,
 * so the grader quotes "our stderr". */
void swap_outputs(void);

int main(void)
{
	swap_outputs();
	return 1;
}
