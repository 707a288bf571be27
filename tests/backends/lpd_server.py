"""A small loopback RFC 1179 server for the lpd backend tests: accepts "receive job"
(02) with control (02) and data (03) subcommands, checks the sizes and trailing NULs,
and records every job. Failure modes: refuse a queue, refuse a step, stop answering."""

import socket
import threading


class LpdJob:
    def __init__(self, queue, source_port):
        self.queue = queue
        self.source_port = source_port
        self.control = b""
        self.control_name = ""
        self.data = b""
        self.data_name = ""
        self.data_size_field = ""
        self.order = []          # "control" / "data", in arrival order
        self.aborted = False
        self.complete = False
        self.protocol_error = None

    def control_lines(self):
        return self.control.decode().splitlines()


class LpdServer:
    """queues: accepted queue names. nak_step: "receive", "control" or "data" gets a
    non-zero ack. silent_step: that step gets no ack at all (the server hangs)."""

    def __init__(self, queues=("lp",), nak_step=None, silent_step=None, port=0, listen=True):
        self.queues, self.nak_step, self.silent_step = set(queues), nak_step, silent_step
        self.jobs = []
        self.job_done = threading.Event()
        self.connected = threading.Event()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._conns = []
        if listen:
            self.start_listening()

    def start_listening(self):
        """Until this is called the port is bound but refuses connections."""
        self.sock.listen(4)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, peer = self.sock.accept()
            except OSError:
                return
            self._conns.append(conn)
            self.connected.set()
            threading.Thread(target=self._session, args=(conn, peer[1]), daemon=True).start()

    def _ack(self, conn, step):
        if step == self.silent_step:
            self._stop.wait(60)
            return False
        conn.sendall(b"\x01" if step == self.nak_step else b"\x00")
        return step != self.nak_step

    def _session(self, conn, source_port):
        f = conn.makefile("rb")
        try:
            line = f.readline()
            if not line.startswith(b"\x02"):
                return
            queue = line[1:].rstrip(b"\n").decode()
            job = LpdJob(queue, source_port)
            self.jobs.append(job)
            if queue not in self.queues:
                conn.sendall(b"\x01")
                return
            if not self._ack(conn, "receive"):
                return
            self._subcommands(conn, f, job)
        except (OSError, ValueError):
            pass
        finally:
            conn.close()
            self.job_done.set()

    def _subcommands(self, conn, f, job):
        while True:
            line = f.readline()
            if not line:
                job.complete = bool(job.control and job.data_name)
                return
            if line.startswith(b"\x01"):
                job.aborted = True
                return
            kind = {2: "control", 3: "data"}[line[0]]
            size_field, name = line[1:].rstrip(b"\n").decode().split(" ", 1)
            if not self._ack(conn, kind):
                return
            job.order.append(kind)
            if kind == "control":
                job.control_name, job.control = name, f.read(int(size_field))
                if not self._trailing_nul(f, job):
                    return
            elif int(size_field) >= 999999999999:
                job.data_name, job.data_size_field = name, size_field
                job.data = f.read()  # streamed: until the client closes
                job.complete = bool(job.control)
                return
            else:
                job.data_name, job.data_size_field = name, size_field
                job.data = f.read(int(size_field))
                if not self._trailing_nul(f, job):
                    return
            if not self._ack(conn, kind + "-end"):
                return

    @staticmethod
    def _trailing_nul(f, job):
        """Each file ends in a NUL; an abort (01) here means the client gave up."""
        byte = f.read(1)
        if byte == b"\x01":
            job.aborted = True
        elif byte != b"\x00":
            job.protocol_error = f"expected NUL after file, got {byte!r}"
        return byte == b"\x00"

    def close(self):
        self._stop.set()
        self.sock.close()
        for c in self._conns:
            try:
                c.close()
            except OSError:
                pass
