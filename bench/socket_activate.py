#!/usr/bin/python3
"""socket_activate.py: a tiny inetd ("nowait", like systemd's cups-lpd.socket with
Accept=yes) for benchmarks. Listens on a loopback port and runs COMMAND once per
connection, the connection on its standard input and output.

    socket_activate.py --port-file FILE [--port N] -- COMMAND [ARGS...]

Writes the bound port to FILE once listening; stops on SIGTERM or SIGINT."""

import argparse
import os
import signal
import socket
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no COMMAND")

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))  # loopback only
    listener.listen(512)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reap themselves
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(listener.getsockname()[1]))
    os.rename(args.port_file + ".tmp", args.port_file)

    while True:
        try:
            conn, _ = listener.accept()
        except InterruptedError:
            continue
        if os.fork() == 0:
            listener.close()
            os.dup2(conn.fileno(), 0)
            os.dup2(conn.fileno(), 1)
            conn.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                os.execv(command[0], command)
            finally:
                os._exit(127)
        conn.close()


if __name__ == "__main__":
    main()
