#!/usr/bin/env python3
# deploy/nginx.conf in front of a real server: nginx -t accepts it, and
# running it (with a self-signed certificate, its ports, paths and the
# upstream host moved to this machine's free ones) gives HTTPS with HSTS,
# TLS 1.2 or newer only, the 301 from plain HTTP, a 404 for /metrics and
# 429 past the checklist's rate limit (10 r/s, burst 20).
import http.client
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import time
import unittest

from deploylib import DEPLOY, EXE, ROOT, clean_env, free_port, stop, wait_http

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def localise(conf, tmp, api_port, http_port, https_port):
    """The substitutions that make the file run here; nothing else changes."""
    subs = [
        (r"/etc/nginx/certs", f"{tmp}/certs"),
        (r"/var/cache/nginx", f"{tmp}/cache"),
        (r"/var/run/nginx.pid", f"{tmp}/nginx.pid"),
        (r"server videoannotator:18011;", f"server 127.0.0.1:{api_port};"),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        (r"error_log /dev/stderr warn;", f"error_log {tmp}/error.log warn;"),
        (r"access_log /dev/stdout;", f"access_log {tmp}/access.log;"),
    ]
    for pattern, repl in subs:
        conf, n = re.subn(pattern, repl, conf)
        assert n >= 1, f"nginx.conf no longer has {pattern}"
    return conf


class Nginx(unittest.TestCase):
    def setUp(self):
        if not os.access(NGINX, os.X_OK):
            self.skipTest("nginx is not installed (nginx-light)")
        self.tmp = tempfile.mkdtemp(prefix="va-deploy-nginx-")
        os.chmod(self.tmp, 0o755)
        os.makedirs(os.path.join(self.tmp, "certs"))
        os.makedirs(os.path.join(self.tmp, "cache"))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-keyout", f"{self.tmp}/certs/privkey.pem",
                        "-out", f"{self.tmp}/certs/fullchain.pem"], check=True,
                       capture_output=True)
        self.api_port, self.http_port, self.https_port = free_port(), free_port(), free_port()
        with open(os.path.join(DEPLOY, "nginx.conf")) as f:
            conf = localise(f.read(), self.tmp, self.api_port, self.http_port, self.https_port)
        self.conf = os.path.join(self.tmp, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            stop(p)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def nginx(self, *args):
        return subprocess.run([NGINX, "-p", self.tmp, "-c", self.conf, "-e",
                               f"{self.tmp}/error.log", *args], capture_output=True, text=True)

    def test_config_syntax(self):
        r = self.nginx("-t")
        self.assertEqual(r.returncode, 0, r.stderr)

    def https_connection(self, tls_max=None):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if tls_max is not None:
            ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            ctx.maximum_version = tls_max
            ctx.set_ciphers("ALL:@SECLEVEL=0")
        return http.client.HTTPSConnection("127.0.0.1", self.https_port, context=ctx, timeout=10)

    @staticmethod
    def fetch(connection, path):
        connection.request("GET", path)
        r = connection.getresponse()
        r.read()
        return r

    def https(self, path, tls_max=None):
        c = self.https_connection(tls_max)
        try:
            return self.fetch(c, path)
        finally:
            c.close()

    def test_proxy(self):
        data = os.path.join(self.tmp, "data")
        args = [EXE, "server", "--data-dir", data, f"--port={self.api_port}",
                "--trusted-proxies=127.0.0.1", "--rate-limit=0"]  # 429 from nginx only
        if ROOT:
            args.append("--allow-root")
        server = subprocess.Popen(args, env=clean_env(), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.procs.append(server)
        wait_http(f"http://127.0.0.1:{self.api_port}/health", server)
        ngx = subprocess.Popen([NGINX, "-p", self.tmp, "-c", self.conf, "-e",
                                f"{self.tmp}/error.log", "-g", "daemon off;"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.procs.append(ngx)
        deadline = time.monotonic() + 20
        while True:
            try:
                r = self.https("/health")
                break
            except OSError:
                if time.monotonic() > deadline or ngx.poll() is not None:
                    self.fail(f"nginx did not answer: {open(self.tmp + '/error.log').read()}")
                time.sleep(0.1)
        self.assertEqual(r.status, 200)
        self.assertIn("max-age=", r.getheader("Strict-Transport-Security", ""))
        self.assertEqual(r.getheader("X-Content-Type-Options"), "nosniff")  # from the server

        self.assertEqual(self.https("/metrics").status, 404)

        c = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
        c.request("GET", "/api/v1/jobs")
        r = c.getresponse()
        self.assertEqual(r.status, 301)
        self.assertTrue(r.getheader("Location").startswith("https://"))
        c.close()

        with self.assertRaises(ssl.SSLError):
            self.https("/health", tls_max=ssl.TLSVersion.TLSv1_1)

        # one kept-alive connection, so that handshakes do not pace the
        # requests below the limit on a slow machine
        c = self.https_connection()
        statuses = [self.fetch(c, "/api/v1/health").status for _ in range(60)]
        c.close()
        self.assertIn(429, statuses, statuses)
        self.assertEqual(statuses[:20], [200] * 20, statuses)


if __name__ == "__main__":
    unittest.main()
