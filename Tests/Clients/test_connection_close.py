"""Connections that the client does not keep alive are closed right after the answer (HTTP/1.0 clients such as
ApacheBench, `Connection: close` in HTTP/1.1), on the normal path and on the tile fast path."""
import socket
import time
import urllib.parse

from conftest import BASE

HOST, PORT = urllib.parse.urlsplit(BASE).hostname, urllib.parse.urlsplit(BASE).port


def exchange(raw, wait=3.0):
    """Sends `raw`, reads until the server closes or `wait` seconds pass; (bytes, closed, seconds)."""
    s = socket.create_connection((HOST, PORT))
    start = time.time()
    s.sendall(raw.encode())
    s.settimeout(wait)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data, True, time.time() - start
            data += chunk
    except socket.timeout:
        return data, False, time.time() - start
    finally:
        s.close()


TILE = "/tms/1.0.0/france_relief/3/4/5.jpeg"


def test_http10_without_keep_alive_is_closed_after_the_answer():
    for path in ("/health", "/wfs?SERVICE=WFS&REQUEST=GetCapabilities", TILE, TILE):   # the second tile: fast path
        data, closed, seconds = exchange(f"GET {path} HTTP/1.0\r\nHost: x\r\n\r\n")
        assert data.startswith(b"HTTP/1.1 200") and closed and seconds < 2, (path, data[:80], seconds)
        assert b"\r\nconnection: close\r\n" in data.lower()


def test_http11_connection_close_is_honoured_and_keep_alive_kept():
    data, closed, _ = exchange("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 200") and closed
    data, closed, _ = exchange("GET /health HTTP/1.1\r\nHost: x\r\n\r\n" * 2, wait=1.0)
    assert data.count(b"HTTP/1.1 200") == 2 and not closed
    data, closed, _ = exchange("GET /health HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n", wait=1.0)
    assert data.startswith(b"HTTP/1.1 200") and not closed
