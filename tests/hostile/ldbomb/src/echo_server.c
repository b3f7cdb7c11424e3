/* echo_server.c - hostile: a program of over 1 GiB. A section's alignment is a property of
 * the object file, a few bytes; the linker pads the program's file up to it, into the build
 * folder on the host's disk, where nothing bounded the size of what the compiler writes. */
__asm__(".section .data.wlh1,\"aw\"\n.balign 0x20000000\n.byte 1\n.previous\n"
	".section .data.wlh2,\"aw\"\n.balign 0x40000000\n.byte 1\n.previous\n");

int main(void)
{
	return 1;
}
