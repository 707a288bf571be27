"""A scripted IPP printer on loopback for the ipp backend's error mapping: what a CUPS
cupsd cannot be made to do on demand (answer server-error-busy, lack Create-Job, abort
a job). Minimal HTTP/1.1 (Content-Length and chunked bodies) and IPP encoding."""

import socket
import struct
import threading

OP_PRINT_JOB, OP_VALIDATE_JOB, OP_CREATE_JOB, OP_SEND_DOCUMENT = 0x02, 0x04, 0x05, 0x06
OP_CANCEL_JOB, OP_GET_JOB_ATTRIBUTES, OP_GET_PRINTER_ATTRIBUTES = 0x08, 0x09, 0x0B
STATUS = {"successful-ok": 0x0000, "client-error-not-possible": 0x0404,
          "client-error-not-found": 0x0406, "server-error-busy": 0x0507,
          "server-error-internal-error": 0x0500, "client-error-document-format-not-supported": 0x040A,
          "server-error-not-accepting-jobs": 0x0506}
JOB_STATES = {"pending": 3, "processing": 5, "canceled": 7, "aborted": 8, "completed": 9}
TAG_OPERATION, TAG_JOB, TAG_END, TAG_PRINTER = 0x01, 0x02, 0x03, 0x04
T_INTEGER, T_BOOLEAN, T_ENUM, T_RANGE = 0x21, 0x22, 0x23, 0x33
T_TEXT, T_NAME, T_KEYWORD, T_URI, T_CHARSET, T_LANG, T_MIME = 0x41, 0x42, 0x44, 0x45, 0x47, 0x48, 0x49


def _attr(tag, name, value):
    if tag in (T_INTEGER, T_ENUM):
        value = struct.pack(">i", value)
    elif tag == T_BOOLEAN:
        value = bytes([1 if value else 0])
    elif tag == T_RANGE:
        value = struct.pack(">ii", *value)
    else:
        value = value.encode()
    return bytes([tag]) + struct.pack(">H", len(name)) + name.encode() + struct.pack(">H", len(value)) + value


def _attrs(tag, name, values):
    out = _attr(tag, name, values[0])
    for v in values[1:]:
        out += _attr(tag, "", v)
    return out


def parse_ipp(body):
    """Returns (operation, request_id, {name: [raw values]}, document bytes)."""
    op, request_id = struct.unpack(">HI", body[2:8])
    pos, attrs, name = 8, {}, None
    while True:
        tag = body[pos]
        pos += 1
        if tag == TAG_END:
            break
        if tag < 0x10:
            continue
        nlen = struct.unpack(">H", body[pos:pos + 2])[0]
        pos += 2
        if nlen:
            name = body[pos:pos + nlen].decode()
        pos += nlen
        vlen = struct.unpack(">H", body[pos:pos + 2])[0]
        pos += 2
        attrs.setdefault(name, []).append((tag, body[pos:pos + vlen]))
        pos += vlen
    return op, request_id, attrs, body[pos:]


class FakeIppPrinter:
    """create_job: whether operations-supported lists Create-Job/Send-Document.
    busy: how many job-creating requests get `busy_status` before one succeeds.
    final_state: the state Get-Job-Attributes reports once the job has been polled
    `polls_until_final` times."""

    def __init__(self, create_job=True, busy=0, busy_status="server-error-busy",
                 final_state="completed", polls_until_final=1, accepting=True):
        self.create_job, self.busy, self.busy_status = create_job, busy, busy_status
        self.final_state, self.polls_until_final, self.accepting = final_state, polls_until_final, accepting
        self.operations = []       # operation ids received, in order
        self.documents = {}        # job id → bytes
        self.job_attributes = {}   # job id → {name: [raw values]}
        self.canceled = set()
        self.polls = 0
        self.next_job = 100
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sock.listen(8)
        self.uri = f"ipp://127.0.0.1:{self.port}/ipp/print"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        f = conn.makefile("rb")
        try:
            while True:
                body = self._read_http_request(f, conn)
                if body is None:
                    return
                reply = self._handle(body)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(reply) + reply)
        except (OSError, ValueError, IndexError, struct.error):
            pass
        finally:
            conn.close()

    @staticmethod
    def _read_http_request(f, conn):
        line = f.readline()
        if not line:
            return None
        headers = {}
        while True:
            h = f.readline().decode().strip()
            if not h:
                break
            k, v = h.split(":", 1)
            headers[k.strip().lower()] = v.strip()
        if headers.get("expect", "").lower() == "100-continue":
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(f.readline().split(b";")[0], 16)
                if size == 0:
                    f.readline()
                    return body
                body += f.read(size)
                f.readline()
        return f.read(int(headers.get("content-length", "0")))

    def _response(self, status, request_id, groups=b""):
        head = struct.pack(">BBHI", 2, 0, STATUS[status], request_id)
        op = bytes([TAG_OPERATION]) + _attr(T_CHARSET, "attributes-charset", "utf-8") + \
            _attr(T_LANG, "attributes-natural-language", "en")
        return head + op + groups + bytes([TAG_END])

    def _printer_attributes(self):
        ops = [OP_PRINT_JOB, OP_VALIDATE_JOB, OP_CANCEL_JOB, OP_GET_JOB_ATTRIBUTES, OP_GET_PRINTER_ATTRIBUTES]
        if self.create_job:
            ops += [OP_CREATE_JOB, OP_SEND_DOCUMENT]
        return (bytes([TAG_PRINTER]) + _attrs(T_ENUM, "operations-supported", ops) +
                _attr(T_BOOLEAN, "printer-is-accepting-jobs", self.accepting) +
                _attr(T_ENUM, "printer-state", 3) +
                _attr(T_KEYWORD, "printer-state-reasons", "none") +
                _attrs(T_MIME, "document-format-supported", ["application/octet-stream", "application/pdf"]) +
                _attr(T_RANGE, "copies-supported", (1, 1)))

    def _job_group(self, job_id, state):
        return (bytes([TAG_JOB]) + _attr(T_INTEGER, "job-id", job_id) +
                _attr(T_ENUM, "job-state", JOB_STATES[state]) +
                _attr(T_KEYWORD, "job-state-reasons", "none"))

    def _handle(self, body):
        op, rid, attrs, document = parse_ipp(body)
        self.operations.append(op)
        if op == OP_GET_PRINTER_ATTRIBUTES:
            return self._response("successful-ok", rid, self._printer_attributes())
        if op == OP_VALIDATE_JOB:
            return self._response("successful-ok", rid)
        if op in (OP_PRINT_JOB, OP_CREATE_JOB):
            if self.busy > 0:
                self.busy -= 1
                return self._response(self.busy_status, rid)
            job_id = self.next_job
            self.next_job += 1
            self.job_attributes[job_id] = attrs
            if op == OP_PRINT_JOB:
                self.documents[job_id] = document
            return self._response("successful-ok", rid, self._job_group(job_id, "pending"))
        job_id = struct.unpack(">i", attrs["job-id"][0][1])[0]
        if op == OP_SEND_DOCUMENT:
            self.documents[job_id] = document
            return self._response("successful-ok", rid, self._job_group(job_id, "pending"))
        if op == OP_CANCEL_JOB:
            self.canceled.add(job_id)
            return self._response("successful-ok", rid)
        if op == OP_GET_JOB_ATTRIBUTES:
            self.polls += 1
            state = "canceled" if job_id in self.canceled else (
                self.final_state if self.polls >= self.polls_until_final else "processing")
            return self._response("successful-ok", rid, self._job_group(job_id, state))
        return self._response("client-error-not-possible", rid)

    def close(self):
        self.sock.close()
