/* echo_client.c - the default half of a hostile submission: does nothing, exits 1. */
int main(void)
{
	return 1;
}
