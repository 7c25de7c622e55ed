#!/usr/bin/env python3
# Black-box tests of the connection layer: the real `videoannotator server`
# under hostile clients. Descriptors of client-closed keep-alive
# connections are given back, refused request bodies are neither kept nor
# read, slow clients are cut off, oversized and malformed requests get an
# answer with the error envelope, and TLS below 1.2 is refused by the
# server.
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_http_api import Reply, Server  # noqa: E402

SECURITY_HEADERS = ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
                    "Cache-Control", "X-Request-ID")


def descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def raw_exchange(port, data, timeout=10):
    """Sends @data, returns everything the server sends until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except OSError:
            pass  # the server may answer and close before taking it all
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except OSError:
            pass
    return out


def parse(response):
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


class ConnectionTest(unittest.TestCase):
    extra = ()

    @classmethod
    def setUpClass(cls):
        cls.server = Server(*cls.extra)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    @property
    def pid(self):
        return self.server.proc.pid

    def assertEnvelope(self, status, headers, body, expected, code):
        self.assertEqual(status, expected, body)
        for name in SECURITY_HEADERS:
            self.assertIn(name.lower(), headers, f"{name} missing on {status}")
        error = json.loads(body)["error"]
        self.assertEqual(error["code"], code)
        self.assertTrue(error["message"])


class Descriptors(ConnectionTest):
    def test_client_closed_keepalive_connections_are_closed(self):
        # a low descriptor limit: libsoup 3.2 alone stops answering after
        # ~240 such requests
        subprocess.run(["prlimit", f"--pid={self.pid}", "--nofile=256:256"], check=True)
        baseline = descriptors(self.pid)
        for i in range(2000):
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
            conn.request("GET", "/health")  # HTTP/1.1: kept alive by the server
            self.assertEqual(conn.getresponse().read() and 200, 200)
            conn.close()  # the client closes between two requests
        deadline = time.monotonic() + 10
        while descriptors(self.pid) > baseline + 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertLessEqual(descriptors(self.pid), baseline + 4)
        self.assertEqual(self.server.request("GET", "/health").status, 200)


class Bodies(ConnectionTest):
    def big_request(self, request_line, length, extra_headers=""):
        """Headers announcing @length bytes and 100 MiB actually sent (or
        as much as the server takes before answering)."""
        head = (f"{request_line}\r\nHost: x\r\nContent-Length: {length}\r\n"
                f"Content-Type: application/json\r\n{extra_headers}\r\n").encode()
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=30) as s:
            s.sendall(head)
            chunk = b"x" * (1 << 20)
            sent = 0
            try:
                while sent < 100 * (1 << 20):
                    s.sendall(chunk)
                    sent += len(chunk)
            except OSError:
                pass  # answered and closed: what we want
            s.settimeout(10)
            out = b""
            try:
                while True:
                    data = s.recv(65536)
                    if not data:
                        break
                    out += data
            except OSError:
                pass
        return parse(out) if out else (0, {}, b"")

    def test_refused_bodies_are_not_kept(self):
        key = self.server.key("bodies", "read,write")
        before = rss_kib(self.pid)
        cases = [
            ("POST /no/such/route HTTP/1.1", 404, "NOT_FOUND", ""),
            ("POST /api/v1/jobs/ HTTP/1.1", 401, None, ""),
            ("DELETE /api/v1/system/config HTTP/1.1", None, None, f"X-API-Key: {key}\r\n"),
            ("PUT /health HTTP/1.1", 405, "METHOD_NOT_ALLOWED", ""),
        ]
        for line, status, code, extra in cases:
            for length in (100 * (1 << 20), 1 << 30):
                got, headers, body = self.big_request(line, length, extra)
                self.assertGreaterEqual(got, 400, line)
                if status is not None:
                    self.assertEqual(got, status, line)
                if code is not None:
                    self.assertEqual(json.loads(body)["error"]["code"], code)
        # a JSON body over its 1 MiB limit, sent without Content-Length
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=30) as s:
            s.sendall(f"POST /api/v1/jobs/00000000-0000-4000-8000-000000000000/cancel "
                      f"HTTP/1.1\r\nHost: x\r\nX-API-Key: {key}\r\n"
                      f"Transfer-Encoding: chunked\r\n\r\n".encode())
            try:
                for _ in range(100):
                    s.sendall(b"100000\r\n" + b"x" * 0x100000 + b"\r\n")
            except OSError:
                pass
            s.settimeout(10)
            out = b""
            try:
                while True:
                    data = s.recv(65536)
                    if not data:
                        break
                    out += data
            except OSError:
                pass
        if out:
            status, headers, body = parse(out)
            self.assertIn(status, (404, 405, 413), body)
        growth = rss_kib(self.pid) - before
        # each body above was 100 MiB or more; none may stay in memory
        self.assertLess(growth, 40 * 1024, f"RSS grew by {growth} KiB")
        self.assertEqual(self.server.request("GET", "/health").status, 200)


class Malformed(ConnectionTest):
    def test_large_header_gets_431(self):
        status, headers, body = parse(raw_exchange(
            self.server.port,
            b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n"))
        self.assertEnvelope(status, headers, body, 431, "HEADERS_TOO_LARGE")

    def test_bad_request_line_gets_400_envelope(self):
        for request, expected, code in (
                (b"GARBAGE\r\n\r\n", 400, "INVALID_REQUEST"),
                (b"POST /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: bogus\r\n\r\n", 501,
                 "HTTP_ERROR"),
                (b"GET / HTTP/9.9\r\n\r\n", 505, "HTTP_ERROR")):
            status, headers, body = parse(raw_exchange(self.server.port, request))
            self.assertEnvelope(status, headers, body, expected, code)

    def test_server_still_answers(self):
        self.assertEqual(self.server.request("GET", "/health").status, 200)


class SlowClients(ConnectionTest):
    extra = ("--header-timeout=3", "--body-idle-timeout=3", "--max-connections-per-client=0")

    def test_slow_clients_are_cut_off(self):
        socks = []
        stop = threading.Event()
        for i in range(40):
            s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
            s.sendall(b"G")
            socks.append(s)
        # stalled uploads: headers complete, then the body stops
        key = self.server.key("slow", "read,write")
        stalled = []
        for i in range(10):
            s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
            s.sendall(f"POST /api/v1/jobs/ HTTP/1.1\r\nHost: x\r\nX-API-Key: {key}\r\n"
                      "Content-Type: multipart/form-data; boundary=b\r\n"
                      "Content-Length: 100000\r\n\r\n--b\r\n".encode())
            stalled.append(s)
        dribblers = list(socks)
        socks += stalled

        # the header dribblers send one byte every 2 s (each within the timeout)
        def dribble():
            while not stop.is_set():
                for s in dribblers:
                    try:
                        s.send(b"x")
                    except OSError:
                        pass
                stop.wait(2)
        t = threading.Thread(target=dribble, daemon=True)
        t.start()
        start = time.monotonic()
        latencies = []
        while time.monotonic() - start < 8:
            t0 = time.monotonic()
            self.assertEqual(self.server.request("GET", "/health").status, 200)
            latencies.append(time.monotonic() - t0)
            time.sleep(0.2)
        stop.set()
        t.join()
        closed = 0
        answers = []
        for s in socks:
            s.settimeout(1)
            try:
                data = s.recv(65536)
                while data and b"\r\n\r\n" not in data:
                    data += s.recv(65536)
                if data:
                    answers.append(data)
                    closed += 1
                elif data == b"":
                    closed += 1
            except socket.timeout:
                pass
            except OSError:
                closed += 1
            s.close()
        self.assertEqual(closed, len(socks), "slow connections still open after 8 s")
        for data in answers:
            status, headers, body = parse(data)
            self.assertEnvelope(status, headers, body, 408, "REQUEST_TIMEOUT")
        latencies.sort()
        self.assertLess(latencies[len(latencies) // 2], 0.5, latencies)


class PerClientCap(ConnectionTest):
    extra = ("--max-connections-per-client=5",)

    def test_cap(self):
        socks = [socket.create_connection(("127.0.0.1", self.server.port)) for _ in range(5)]
        time.sleep(1)  # accepted by whichever serving thread
        try:
            status, headers, body = parse(raw_exchange(self.server.port, b""))
            self.assertEnvelope(status, headers, body, 429, "TOO_MANY_CONNECTIONS")
        finally:
            for s in socks:
                s.close()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                if self.server.request("GET", "/health").status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        self.assertEqual(self.server.request("GET", "/health").status, 200)


class TlsServer(Server):
    def request(self, method, path, **kwargs):
        import ssl
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=10,
                                           context=ssl._create_unverified_context())
        conn.request(method, path)
        r = conn.getresponse()
        return Reply(r.status, r.headers, r.read())


class Tls(unittest.TestCase):
    def test_old_versions_refused_by_server(self):
        import tempfile
        tmp = tempfile.mkdtemp(prefix="va-tls-")
        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1"], check=True,
                       capture_output=True)
        server = TlsServer(f"--tls-certificate={cert}", f"--tls-private-key={key}")
        try:
            port = server.port

            def handshake(*flags):
                # SECLEVEL=0 so that the *client* offers the old versions
                p = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}",
                                    "-cipher", "DEFAULT:@SECLEVEL=0", *flags],
                                   input=b"", capture_output=True, timeout=30)
                return p.returncode, p.stdout.decode(errors="replace") + \
                    p.stderr.decode(errors="replace")

            for flags in (["-tls1"], ["-tls1_1"]):
                rc, out = handshake(*flags)
                self.assertNotEqual(rc, 0, out)
                # the server's refusal, not a client-side "no protocols
                # available": the hello went out and no session came back
                self.assertNotIn("no protocols available", out)
                self.assertRegex(out, r"written [1-9][0-9]* bytes", out)
                self.assertIn("Cipher is (NONE)", out)
            for flags in (["-tls1_2"], ["-tls1_3"]):
                rc, out = handshake(*flags)
                self.assertEqual(rc, 0, out)
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
