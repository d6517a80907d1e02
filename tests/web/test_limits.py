"""Body limits on a real socket: a streamed (chunked) upload over the cap is answered 413
while the client is still sending, so the server never waits for, or holds, the whole body."""

from __future__ import annotations

import socket

from tests.web.conftest import serving

from genlab.web import create_app


def test_streamed_body_over_the_limit_gets_413_before_it_ends(models_dir):
    with serving(create_app(models_dir, bootstrap=False, max_body=10_000)) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(
                b"POST /api/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            for _ in range(12):  # 12 kB sent, the body never finished (no final 0-chunk)
                s.sendall(b"3e8\r\n" + b"x" * 1000 + b"\r\n")
            answer = b""
            while b"}" not in answer:  # the JSON error ends the response
                part = s.recv(4096)
                if not part:
                    break
                answer += part
    assert answer.startswith(b"HTTP/1.1 413"), answer[:100]
    assert b"over the limit" in answer
