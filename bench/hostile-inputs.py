#!/usr/bin/env python3
"""Sends hostile inputs to a real `videoannotator server` and prints a
Markdown table of what each one got back (docs/reliability.md).

    VA_BUILD_ROOT=build python3 bench/hostile-inputs.py

Every probe is sent over a raw socket or urllib, exactly as a client would;
after each one the server must still answer /health. The table states the
answer, not an expectation: a row whose answer is wrong is a bug to fix.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "functional"))
from test_http_api import Server, make_video, multipart  # noqa: E402


def raw(port, data, read_timeout=15.0, dribble=None):
    """Sends bytes, returns the status line (or what happened instead)."""
    start = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as s:
            if dribble:
                for chunk in data:
                    s.sendall(chunk)
                    time.sleep(dribble)
            else:
                s.sendall(data)
            reply = b""
            while b"\r\n" not in reply:
                piece = s.recv(4096)
                if not piece:
                    break
                reply += piece
            if not reply:
                return f"closed by the server after {time.monotonic() - start:.1f} s, no answer"
            return reply.split(b"\r\n", 1)[0].decode("latin-1")
    except socket.timeout:
        return f"no answer, still open after {time.monotonic() - start:.0f} s"
    except (ConnectionResetError, BrokenPipeError):
        return f"connection reset after {time.monotonic() - start:.1f} s"


def status_of(reply):
    try:
        code = reply.json().get("error", {}).get("code", "")
    except ValueError:
        code = ""
    return f"{reply.status} {code}".strip()


def main():
    server = Server()
    tmp = tempfile.mkdtemp(prefix="va-hostile-")
    key = server.key("hostile", "read,write")
    video = os.path.join(tmp, "clip.mp4")
    make_video(video, scenes=1, seconds=1)
    with open(video, "rb") as f:
        media = f.read()
    port = server.port
    rows = []

    def probe(name, fn):
        try:
            answer = fn()
        except Exception as e:  # the answer is what the client saw
            answer = f"client error: {type(e).__name__}: {e}"
        alive = "yes"
        try:
            if server.request("GET", "/health", timeout=10).status != 200:
                alive = "NO"
        except OSError:
            alive = "NO"
        rows.append((name, answer, alive))

    def submit(fields, files):
        ctype, body = multipart(fields, files)
        return status_of(server.request("POST", "/api/v1/jobs", key, body, ctype))

    get = lambda path, **kw: status_of(server.request("GET", path, key, **kw))  # noqa: E731

    probe("traversal in job id `../../etc/passwd`", lambda: get("/api/v1/jobs/..%2F..%2Fetc%2Fpasswd"))
    probe("traversal in result file name", lambda: get(
        "/api/v1/jobs/00000000-0000-4000-8000-000000000000/results/files/..%2F..%2Fvideoannotator.db"))
    probe("traversal in upload file name `../../x.mp4`",
          lambda: submit({}, {"video": ("../../x.mp4", media)}))
    probe("NUL in upload file name", lambda: submit({}, {"video": ("a\x00b.mp4", media)}))
    probe("NUL in request path", lambda: raw(port, b"GET /api/v1/jobs/a\x00b HTTP/1.1\r\n"
                                                b"Host: x\r\n\r\n"))
    probe("SQL metacharacters in job id", lambda: get("/api/v1/jobs/1'%20OR%20'1'='1"))
    probe("SQL metacharacters in status_filter",
          lambda: get("/api/v1/jobs?status_filter=completed'%3B%20DROP%20TABLE%20jobs%3B--"))
    probe("SQL metacharacters in config", lambda: submit(
        {"config": '{"scene_detection": {"threshold": "0\'; DROP TABLE jobs;--"}}'},
        {"video": ("clip.mp4", media)}))
    probe("64 KiB header", lambda: raw(port, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: "
                                       + b"a" * 65536 + b"\r\n\r\n"))
    probe("1000 headers", lambda: raw(port, b"GET /health HTTP/1.1\r\nHost: x\r\n"
                                      + b"".join(b"X-H%d: v\r\n" % i for i in range(1000))
                                      + b"\r\n"))
    probe("two Authorization headers", lambda: raw(
        port, f"GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
        "Authorization: Bearer va_api_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n\r\n".encode()))
    probe("bad X-API-Key beside a good Bearer key", lambda: status_of(server.request(
        "GET", "/api/v1/jobs", key, headers={"X-API-Key": "va_api_wrong"})))
    probe("malformed request line", lambda: raw(port, b"GARBAGE\r\n\r\n"))
    probe("HTTP/0.9 request", lambda: raw(port, b"GET /health\r\n"))
    probe("slow headers (1 byte per 0.5 s, 12 s)", lambda: raw(
        port, [bytes([b]) for b in b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaa"],
        read_timeout=60, dribble=0.5))
    probe("body shorter than Content-Length, then silence", lambda: raw(
        port, b"POST /api/v1/config/validate HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":", read_timeout=90))
    probe("multipart without boundary", lambda: status_of(server.request(
        "POST", "/api/v1/jobs", key, b"--x\r\n\r\n", "multipart/form-data")))
    probe("multipart never closed", lambda: status_of(server.request(
        "POST", "/api/v1/jobs", key,
        b"--b\r\nContent-Disposition: form-data; name=\"video\"; filename=\"a.mp4\"\r\n\r\n"
        + media, "multipart/form-data; boundary=b")))
    probe("multipart with two video parts", lambda: submit(
        {}, {"video": ("a.mp4", media), "video2": ("b.mp4", media)}))
    probe("deep JSON (80 000 levels) to /config/validate", lambda: status_of(server.request(
        "POST", "/api/v1/config/validate", None, b"[" * 80000 + b"]" * 80000,
        "application/json")))
    probe("deep JSON in an upload's config field", lambda: submit(
        {"config": "[" * 80000 + "]" * 80000}, {"video": ("clip.mp4", media)}))
    probe("deep JSON in an upload's consent field", lambda: submit(
        {"consent": '{"a":' * 80000 + "1" + "}" * 80000}, {"video": ("clip.mp4", media)}))
    probe("JSON that is not an object", lambda: submit({"config": "[1,2]"},
                                                       {"video": ("clip.mp4", media)}))
    probe("invalid UTF-8 in config", lambda: status_of(server.request(
        "POST", "/api/v1/config/validate", None, b'{"a": "\xff\xfe"}', "application/json")))
    probe("non-media upload (text)", lambda: submit({}, {"video": ("clip.mp4", b"hello " * 1000)}))
    probe("zero-length upload", lambda: submit({}, {"video": ("clip.mp4", b"")}))
    probe("truncated MP4 (first 30 %)", lambda: submit(
        {}, {"video": ("clip.mp4", media[: len(media) * 3 // 10])}))
    probe("unknown pipeline", lambda: submit({"selected_pipelines": "nope"},
                                             {"video": ("clip.mp4", media)}))

    server.stop()
    print("| input | answer | server still up |")
    print("|---|---|---|")
    for name, answer, alive in rows:
        print(f"| {name} | {answer} | {alive} |")
    return 0 if all(alive == "yes" for _, _, alive in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
