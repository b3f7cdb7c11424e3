#!/usr/bin/env python3
"""onpty.py - run a command on a fresh terminal, as an instructor's shell would; log the screen.

    onpty.py LOG CMD...

After CMD ends, the shell on that terminal reads one more line for up to 2 s, as the next
command of an interactive session would: anything a program pushed into the terminal's input
(TIOCSTI) shows up in LOG as "typed[...]". Exit status: CMD's."""
import os
import pty
import select
import sys

log, cmd = sys.argv[1], sys.argv[2:]
script = '"$@"; st=$?; IFS= read -t 2 -r line; printf "typed[%s]\\n" "$line"; exit $st'
pid, fd = pty.fork()
if pid == 0:
    os.execvp("bash", ["bash", "-c", script, "bash"] + cmd)
out = bytearray()
st = None
while True:
    r, _, _ = select.select([fd], [], [], 1.0)
    if not r:
        done, s = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            st = s
            break
        continue
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    out += data
if st is None:
    _, st = os.waitpid(pid, 0)
with open(log, "wb") as f:
    f.write(out)
code = os.waitstatus_to_exitcode(st)
sys.exit(code if code >= 0 else 128 - code)
