# src-fifo: the program's source is a FIFO no one ever writes to: a grader that opens it
# to copy it waits forever, and with it a whole class's batch. A header is a device node
# (here /dev/null's numbers), which a grader that opens it lets its driver see.
rm -f "$SUB/src/echo_server.c"
mkfifo -m 644 "$SUB/src/echo_server.c"
mknod -m 644 "$SUB/src/wlh_dev.h" c 1 3
chown -R "$(stat -c %u "$SUB")" "$SUB/src"
