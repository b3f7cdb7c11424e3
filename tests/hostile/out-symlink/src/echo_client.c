/* echo_client.c - hostile: swap our stdout file for a link to a canary, then exit 0,
 * so the grader quotes "our stdout". */
void swap_outputs(void);

int main(void)
{
	swap_outputs();
	return 0;
}
