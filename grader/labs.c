/* labs.c - the lab registry. */
#include "labs.h"

#include <stdlib.h>
#include <string.h>

const struct lab *const labs_all[] = {
	&lab_00_sockets_basics,
	&lab_01_tcp_echo,
	&lab_02_udp,
	&lab_03_threaded_server,
	&lab_04_http,
	&lab_05_ftp,
	&lab_06_websocket,
	NULL,
};

const struct lab *labs_find(const char *name)
{
	char *end;
	long num = strtol(name, &end, 10);
	bool numeric = *name && *end == '\0';

	for (size_t i = 0; labs_all[i]; i++) {
		const char *id = labs_all[i]->id;     /* "NN-name" */
		if (strcmp(name, id) == 0 || strcmp(name, id + 3) == 0)
			return labs_all[i];
		if (numeric && num == strtol(id, NULL, 10))
			return labs_all[i];
	}
	return NULL;
}
