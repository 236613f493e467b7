#!/usr/bin/env python3
"""The part of systemd a Type=notify service with a file descriptor store sees,
for tests on machines where PID 1 is not systemd: a notify socket (READY=1,
FDSTORE=1 with FDNAME=, FDSTOREREMOVE=1), and a restart that passes the stored
fds back as LISTEN_FDS/LISTEN_FDNAMES starting at fd 3 (sd_listen_fds(3)).

    fake-systemd.py NOTIFY_PATH -- COMMAND...

Reads commands on stdin, one per line, answers one line each on stdout:
    start      starts COMMAND with the stored fds     -> started PID
    ready      waits for READY=1 from it (10 s)       -> ready | timeout
    kill       SIGKILLs it and reaps it               -> killed STATUS
    stop       SIGTERMs it and reaps it (the stop half
               of systemctl restart; the store stays) -> stopped STATUS
    stored     names of the stored fds, sorted        -> stored NAME...
    sync       handles every pending notification     -> synced
"""
import array
import os
import select
import signal
import socket
import sys
import time

notify_path = sys.argv[1]
command = sys.argv[sys.argv.index("--") + 1:]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(notify_path)
store = {}  # name -> fd (the store keeps its own copy, like PID 1)
child = None
ready = False


def handle(timeout):
    global ready
    while select.select([sock], [], [], timeout)[0]:
        timeout = 0
        msg, anc, _flags, _addr = sock.recvmsg(4096, socket.CMSG_SPACE(4 * 16))
        fds = array.array("i")
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
        fields = dict(line.split("=", 1) for line in msg.decode().split("\n") if "=" in line)
        if fields.get("READY") == "1":
            ready = True
        name = fields.get("FDNAME", "stored")
        if fields.get("FDSTORE") == "1":
            for fd in fds:
                if name in store:
                    os.close(store[name])
                store[name] = fd
        else:
            for fd in fds:
                os.close(fd)
        if fields.get("FDSTOREREMOVE") == "1" and name in store:
            os.close(store.pop(name))


def start():
    global child, ready
    ready = False
    names = sorted(store)
    pid = os.fork()
    if pid == 0:
        for i, name in enumerate(names):
            os.dup2(store[name], 3 + i)  # dup2 clears close-on-exec
        os.closerange(3 + len(names), 65536)
        env = dict(os.environ, NOTIFY_SOCKET=notify_path, LISTEN_PID=str(os.getpid()),
                   LISTEN_FDS=str(len(names)), LISTEN_FDNAMES=":".join(names))
        os.execvpe(command[0], command, env)
    child = pid
    return pid


for line in sys.stdin:
    word = line.strip()
    if word == "start":
        print("started", start(), flush=True)
    elif word == "ready":
        end = time.monotonic() + 10
        while not ready and time.monotonic() < end:
            handle(0.05)
        print("ready" if ready else "timeout", flush=True)
    elif word == "kill":
        os.kill(child, signal.SIGKILL)
        _, status = os.waitpid(child, 0)
        handle(0)
        print("killed", status, flush=True)
    elif word == "stop":
        os.kill(child, signal.SIGTERM)
        _, status = os.waitpid(child, 0)
        handle(0)  # what it sent before it died (an FDSTOREREMOVE would show in `stored`)
        print("stopped", status, flush=True)
    elif word == "stored":
        handle(0)
        print(" ".join(["stored"] + sorted(store)), flush=True)
    elif word == "sync":
        handle(0.2)
        print("synced", flush=True)
