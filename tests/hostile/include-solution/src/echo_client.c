/* echo_client.c - hostile: #include the kit's reference solution at compile time. */
#include "@KIT@/solutions/01-tcp-echo/src/echo_client.c"
