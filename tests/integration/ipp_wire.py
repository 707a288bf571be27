"""A minimal IPP encoder/decoder for tests that must send what real clients would not
(malformed requests) or read what ipptool refuses to show (CUPS-Get-Devices' scheme-only
device URIs)."""

import re
import struct


def ipp_request(op, request_id, attrs, version=(2, 0)):
    """Encodes an IPP request: attrs is a list of (group_tag, value_tag, name, bytes)."""
    out = bytes(version) + struct.pack(">HI", op, request_id)
    group = None
    for g, tag, name, value in attrs:
        if g != group:
            out += bytes([g])
            group = g
        out += bytes([tag]) + struct.pack(">H", len(name)) + name.encode() + struct.pack(">H", len(value)) + value
    return out + b"\x03"


def decode_response(body):
    """(status, [(group, name, value_tag, value_bytes)]); additional values repeat the name."""
    status = struct.unpack(">H", body[2:4])[0]
    attrs, pos, group, name = [], 8, None, None
    while pos < len(body):
        tag = body[pos]
        pos += 1
        if tag == 0x03:
            break
        if tag < 0x10:
            group = tag
            continue
        name_len = struct.unpack(">H", body[pos:pos + 2])[0]
        pos += 2
        if name_len:
            name = body[pos:pos + name_len].decode()
        pos += name_len
        value_len = struct.unpack(">H", body[pos:pos + 2])[0]
        pos += 2
        attrs.append((group, name, tag, body[pos:pos + value_len]))
        pos += value_len
    return status, attrs


def post(sock, host, body, resource="/printers/demo", chunked=False):
    head = f"POST {resource} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/ipp\r\n"
    if chunked:
        sock.sendall(head.encode() + b"Transfer-Encoding: chunked\r\n\r\n")
        sock.sendall(b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
    else:
        sock.sendall(head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)


def read_response(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(re.search(rb"Content-Length: (\d+)", head, re.I).group(1))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        body += chunk
    return head, body[:length]


def call(daemon, op, attrs, resource="/"):
    """Sends one request with the standard operation attributes first; returns (status, attrs)."""
    standard = [(0x01, 0x47, "attributes-charset", b"utf-8"), (0x01, 0x48, "attributes-natural-language", b"en")]
    with daemon.connect() as s:
        post(s, daemon.host, ipp_request(op, 1, standard + attrs), resource)
        return decode_response(read_response(s)[1])
