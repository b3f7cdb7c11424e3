/* echo_server.c - hostile: a compiler bomb. Tenfold macros make two million
 * initializers: about 10 s of compiler time and 600 MiB of memory for one build. Bounded
 * here; each level more would be ten times worse. */
#define A0 1,
#define A1 A0 A0 A0 A0 A0 A0 A0 A0 A0 A0
#define A2 A1 A1 A1 A1 A1 A1 A1 A1 A1 A1
#define A3 A2 A2 A2 A2 A2 A2 A2 A2 A2 A2
#define A4 A3 A3 A3 A3 A3 A3 A3 A3 A3 A3
#define A5 A4 A4 A4 A4 A4 A4 A4 A4 A4 A4
#define A6 A5 A5 A5 A5 A5 A5 A5 A5 A5 A5
const char bomb[] = { A6 A6 };
int main(void)
{
	return bomb[0] - 1;
}
