# Runs a command on a new pseudo-terminal (80x24) and plays a script against it, as a user at a
# terminal would: wait for some output, then type. Used by TerminalIT.
#
#   python3 pty_driver.py STEPS_JSON COMMAND [ARG ...]
#
# STEPS_JSON is a list of ["expect", "text"] (wait up to 30 s for the text to appear after what the
# last expect matched) and ["send", "text"] (type it; \r is Enter, \x03 Ctrl-C, \x04 Ctrl-D).
# Afterwards the output is read to its end; a command still running 30 s after the last step is
# killed (a step failure then). Everything the command wrote to the terminal goes to
# standard output, unchanged. Standard error gets one line "lflag icanon=N echo=N" with the
# terminal's local modes after the command ended, and, if a step failed, a line saying why.
# The exit status is the command's (128+N if signal N killed it), or 99 if a step failed.
import fcntl
import json
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

steps = json.loads(sys.argv[1])
command = sys.argv[2:]

pid, fd = pty.fork()
if pid == 0:
    # As a shell does for a job in the foreground: Ctrl-C and Ctrl-\ act on the command even when
    # this driver was started with them ignored (a build run in the background, under nohup), and
    # the JVM only handles SIGINT when it does not start with it ignored.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    os.execvp(command[0], command)

fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
output = bytearray()
matched = 0


def read_some(timeout):
    """Reads what is there: True if something came, False on timeout, None at the end."""
    ready, _, _ = select.select([fd], [], [], max(0.0, timeout))
    if not ready:
        return False
    try:
        data = os.read(fd, 65536)
    except OSError:
        return None
    if not data:
        return None
    output.extend(data)
    return True


failure = None
for kind, text in steps:
    if kind == "send":
        os.write(fd, text.encode("utf-8"))
        continue
    needle = text.encode("utf-8")
    deadline = time.time() + 30
    while True:
        at = output.find(needle, matched)
        if at >= 0:
            matched = at + len(needle)
            break
        left = deadline - time.time()
        if left <= 0:
            failure = "timed out waiting for %r" % text
            break
        if read_some(left) is None:
            failure = "the output ended before %r" % text
            break
    if failure:
        break

if failure:
    os.kill(pid, 9)
deadline = time.time() + 30
ended = False
while time.time() < deadline:
    if read_some(deadline - time.time()) is None:
        ended = True
        break
reaped = None
if not ended:
    reaped = os.waitpid(pid, os.WNOHANG)
    if reaped == (0, 0):
        # still running: waiting for it without reading would leave it blocked on a full terminal
        # and this driver blocked on it, for ever
        reaped = None
        os.kill(pid, 9)
        failure = failure or "the command was still running 30 s after the last step"

lflag = termios.tcgetattr(fd)[3]
_, status = reaped if reaped else os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
if code < 0:
    code = 128 - code
sys.stdout.buffer.write(bytes(output))
sys.stdout.flush()
sys.stderr.write("lflag icanon=%d echo=%d\n" % (1 if lflag & termios.ICANON else 0, 1 if lflag & termios.ECHO else 0))
if failure:
    sys.stderr.write(failure + "\n")
    sys.exit(99)
sys.exit(code)
