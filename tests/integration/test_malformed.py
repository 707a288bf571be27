"""Malformed and unusual requests: each gets its status and the daemon keeps serving."""

import socket
import struct

import pytest

from ipp_wire import ipp_request, read_response

CHARSET = (0x01, 0x47, "attributes-charset", b"utf-8")
LANG = (0x01, 0x48, "attributes-natural-language", b"en")


def send_raw(daemon, raw, expect_close=False):
    with daemon.connect() as s:
        s.sendall(raw)
        try:
            return read_response(s)
        except ConnectionError:
            if expect_close:
                return None, None
            raise


def post_ipp(daemon, body, resource="/printers/demo"):
    head, resp = send_raw(daemon, f"POST {resource} HTTP/1.1\r\nHost: {daemon.host}\r\nContent-Type: application/ipp\r\n"
                                  f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    return int(head.split(b" ")[1]), resp


def ipp_status(resp):
    return struct.unpack(">H", resp[2:4])[0]


def gpa(uri, **kw):
    attrs = [CHARSET, LANG, (0x01, 0x45, "printer-uri", uri.encode())]
    return ipp_request(0x000B, kw.get("request_id", 1), attrs, kw.get("version", (2, 0)))


def assert_still_serving(daemon):
    code, resp = post_ipp(daemon, gpa(daemon.uri()))
    assert code == 200 and ipp_status(resp) == 0


@pytest.mark.parametrize("version", [(0, 9), (3, 0), (9, 9)])
def test_unsupported_version(daemon, version):
    code, resp = post_ipp(daemon, gpa(daemon.uri(), version=version))
    assert code == 200 and ipp_status(resp) == 0x0503
    assert_still_serving(daemon)


def test_request_id_zero_is_bad_request(daemon):
    assert ipp_status(post_ipp(daemon, gpa(daemon.uri(), request_id=0))[1]) == 0x0400


def test_missing_charset_is_bad_request(daemon):
    body = ipp_request(0x000B, 1, [LANG, (0x01, 0x45, "printer-uri", daemon.uri().encode())])
    assert ipp_status(post_ipp(daemon, body)[1]) == 0x0400


def test_misordered_charset_and_language_is_bad_request(daemon):
    body = ipp_request(0x000B, 1, [LANG, CHARSET, (0x01, 0x45, "printer-uri", daemon.uri().encode())])
    assert ipp_status(post_ipp(daemon, body)[1]) == 0x0400


def test_unsupported_charset(daemon):
    body = ipp_request(0x000B, 1, [(0x01, 0x47, "attributes-charset", b"koi8-r"), LANG,
                                   (0x01, 0x45, "printer-uri", daemon.uri().encode())])
    assert ipp_status(post_ipp(daemon, body)[1]) == 0x040D


def test_missing_printer_uri_is_bad_request(daemon):
    assert ipp_status(post_ipp(daemon, ipp_request(0x000B, 1, [CHARSET, LANG]))[1]) == 0x0400


def test_printer_uri_with_wrong_value_tag_is_bad_request(daemon):
    body = ipp_request(0x000B, 1, [CHARSET, LANG, (0x01, 0x44, "printer-uri", daemon.uri().encode())])
    assert ipp_status(post_ipp(daemon, body)[1]) == 0x0400


def test_unknown_printer_is_not_found(daemon):
    assert ipp_status(post_ipp(daemon, gpa(daemon.uri("nosuch")))[1]) == 0x0406


def test_unknown_operation_is_not_supported(daemon):
    body = ipp_request(0x3FFF, 1, [CHARSET, LANG, (0x01, 0x45, "printer-uri", daemon.uri().encode())])
    assert ipp_status(post_ipp(daemon, body)[1]) == 0x0501


def test_unsupported_document_format(daemon):
    body = ipp_request(0x0002, 1, [CHARSET, LANG, (0x01, 0x45, "printer-uri", daemon.uri().encode()),
                                   (0x01, 0x49, "document-format", b"application/x-nonsense")])
    code, resp = post_ipp(daemon, body + b"data")
    assert ipp_status(resp) == 0x040A
    assert b"application/x-nonsense" in resp  # echoed in the unsupported group


def test_unsupported_attribute_value_is_returned_in_unsupported_group(daemon):
    body = ipp_request(0x0004, 1, [CHARSET, LANG, (0x01, 0x45, "printer-uri", daemon.uri().encode()),
                                   (0x01, 0x22, "ipp-attribute-fidelity", b"\x01"),
                                   (0x02, 0x44, "sides", b"three-sided")])
    resp = post_ipp(daemon, body)[1]
    assert ipp_status(resp) == 0x040B
    assert b"\x05" in resp and b"three-sided" in resp


@pytest.mark.parametrize("garbage", [
    b"\x02",                                            # truncated header
    b"\x02\x00\x00\x0b\x00\x00\x00\x01",               # no attributes, no end tag
    b"\x02\x00\x00\x0b\x00\x00\x00\x01\x01\x47\xff\xff",  # absurd name length
    b"\x02\x00\x00\x0b\x00\x00\x00\x01\x01\x47\x00\x12attributes-charset\xff\xff",  # absurd value length
    b"\x02\x00\x00\x0b\x00\x00\x00\x01\x01\x00\x00\x01a\x00\x00\x03",  # bad value tag 0x00
    bytes(range(256)) * 4,                              # noise
])
def test_garbage_bodies_get_bad_request_and_daemon_survives(daemon, garbage):
    code, resp = post_ipp(daemon, garbage)
    assert code == 400 or (code == 200 and ipp_status(resp) == 0x0400), (code, resp)
    assert_still_serving(daemon)


def test_http_statuses_for_non_ipp(daemon):
    def status(raw):
        head, _ = send_raw(daemon, raw)
        return int(head.split(b" ")[1])

    h = daemon.host
    assert status(f"GET /nonexistent HTTP/1.1\r\nHost: {h}\r\n\r\n".encode()) == 404
    assert status(f"DELETE /printers/demo HTTP/1.1\r\nHost: {h}\r\n\r\n".encode()) in (405, 501)
    assert status(f"POST /printers/demo HTTP/1.1\r\nHost: {h}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi".encode()) in (400, 415)
    huge = "X-Filler: " + "a" * 100_000
    head, _ = send_raw(daemon, f"GET / HTTP/1.1\r\nHost: {h}\r\n{huge}\r\n\r\n".encode(), expect_close=True)
    assert head is None or int(head.split(b" ")[1]) in (400, 413, 431)
    head, _ = send_raw(daemon, b"THIS IS NOT HTTP\r\n\r\n", expect_close=True)
    assert head is None or int(head.split(b" ")[1]) == 400
    assert_still_serving(daemon)


def test_expect_100_continue_and_chunked_body(daemon):
    body = gpa(daemon.uri())
    with daemon.connect() as s:
        s.sendall(f"POST /printers/demo HTTP/1.1\r\nHost: {daemon.host}\r\nContent-Type: application/ipp\r\n"
                  "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n".encode())
        interim = s.recv(1024)
        assert interim.startswith(b"HTTP/1.1 100"), interim
        s.sendall(b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
        head, resp = read_response(s)
        assert head.startswith(b"HTTP/1.1 200") and ipp_status(resp) == 0
