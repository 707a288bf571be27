"""Stand-in network printers on loopback: an AppSocket sink with the failure modes the
tests need, driven by events (connection accepted, data received, peer closed)."""

import socket
import struct
import threading


class TcpSink:
    """A loopback TCP printer.

    mode "normal": read until the client half-closes, optionally send `reply`, close.
    mode "stall":  accept, never read (tiny receive window), keep the socket open.
    mode "reset":  read `reset_after` bytes, then abort the connection (RST).
    listen=False:  the port is bound but not listening, so connects are refused until
                   start_listening() is called (a busy JetDirect port).
    """

    def __init__(self, mode="normal", reply=b"", reset_after=65536, listen=True,
                 hold_until_released=False):
        self.mode, self.reply, self.reset_after = mode, reply, reset_after
        self.received = bytearray()
        self.accepted = threading.Event()
        self.got_eof = threading.Event()
        self.closed = threading.Event()
        self.release = threading.Event()
        if not hold_until_released:
            self.release.set()
        self.connections = 0
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if mode == "stall":
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self._client = None
        self._thread = None
        if listen:
            self.start_listening()

    def start_listening(self):
        self.sock.listen(4)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        self.connections += 1
        self._client = conn
        self.accepted.set()
        try:
            getattr(self, "_serve_" + self.mode)(conn)
        except OSError:
            pass
        finally:
            self.closed.set()

    def _serve_normal(self, conn):
        while True:
            data = conn.recv(65536)
            if not data:
                break
            self.received += data
        self.got_eof.set()
        self.release.wait(30)
        if self.reply:
            conn.sendall(self.reply)
        conn.close()

    def _serve_stall(self, conn):
        self.release.clear()
        self.release.wait(60)  # until the test ends
        conn.close()

    def _serve_reset(self, conn):
        while len(self.received) < self.reset_after:
            data = conn.recv(65536)
            if not data:
                break
            self.received += data
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    def close(self):
        self.release.set()
        try:
            self.sock.close()
        except OSError:
            pass
        if self._client:
            try:
                self._client.close()
            except OSError:
                pass
