#!/usr/bin/env python3
# Black-box tests of `videoannotator server`: start-up checks, the first
# admin key (shown once, on stdout, never written to a file), permissions
# of the data directory, and a clean stop on SIGTERM and SIGINT.
import http.client
import os
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import tempfile
import time
import unittest
import urllib.request

BUILD = os.environ["VA_BUILD_ROOT"]
EXE = os.path.join(BUILD, "src", "cli", "videoannotator")
ROOT = os.geteuid() == 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="va-cli-server-")
        self.data = os.path.join(self.tmp, "data")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def base_args(self, port):
        args = [EXE, "server", "--data-dir", self.data, f"--port={port}"]
        if ROOT:
            args.append("--allow-root")
        return args

    def start(self, *extra):
        port = free_port()
        proc = subprocess.Popen(self.base_args(port) + list(extra), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=self.tmp)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                self.fail(f"server exited early ({proc.returncode}): {proc.stderr.read()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    self.assertEqual(r.status, 200)
                    return proc, port
            except OSError:
                time.sleep(0.1)
        proc.kill()
        self.fail("server did not answer /health")

    def stop(self, proc, sig=signal.SIGTERM):
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0, err)
        return out, err

    def keys_in(self, text):
        return [w for w in text.split() if w.startswith("va_api_")]

    def test_first_key_shown_once_and_never_stored(self):
        proc, _ = self.start()
        out, err = self.stop(proc)
        keys = self.keys_in(out)
        self.assertEqual(len(keys), 1, out)
        key = keys[0]
        self.assertEqual(len(key), 50)
        self.assertNotIn(key, err)
        self.assertIn("Stopped", err)
        # not in the database, the token files or any log
        for dirpath, _, files in os.walk(self.data):
            for name in files:
                with open(os.path.join(dirpath, name), "rb") as f:
                    self.assertNotIn(key.encode(), f.read(), name)
        # only the first start creates one
        proc, _ = self.start()
        out, _ = self.stop(proc, signal.SIGINT)
        self.assertEqual(self.keys_in(out), [])

    def test_data_dir_permissions(self):
        proc, _ = self.start()
        self.stop(proc)

        def mode(*parts):
            return stat.S_IMODE(os.stat(os.path.join(self.data, *parts)).st_mode)

        self.assertEqual(mode("storage"), 0o750)
        self.assertEqual(mode("logs"), 0o750)
        self.assertEqual(mode("tokens"), 0o700)
        self.assertEqual(mode("videoannotator.db"), 0o600)
        for name in os.listdir(os.path.join(self.data, "logs")):
            self.assertEqual(mode("logs", name) & 0o007, 0, name)

    def test_no_key_when_disabled_or_read_only(self):
        proc, _ = self.start("--auto-generate-api-key=false")
        out, _ = self.stop(proc)
        self.assertEqual(self.keys_in(out), [])
        proc, _ = self.start("--read-only")
        out, err = self.stop(proc)
        self.assertEqual(self.keys_in(out), [])
        self.assertIn("Read-only", err)

    def test_dev_mode_warns(self):
        proc, _ = self.start("--dev")
        _, err = self.stop(proc)
        self.assertIn("AUTHENTICATION IS DISABLED", err)
        self.assertIn("Development mode", err)

    def test_refuses_root(self):
        if not ROOT:
            self.skipTest("runs as an unprivileged user: nothing to refuse")
        r = subprocess.run([EXE, "server", "--data-dir", self.data, f"--port={free_port()}"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("refusing to run as root", r.stderr)
        self.assertIn("--allow-root", r.stderr)
        self.assertFalse(os.path.exists(self.data))

    def make_certificate(self):
        cert = os.path.join(self.tmp, "cert.pem")
        key = os.path.join(self.tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"], check=True,
                       capture_output=True, timeout=60)
        return cert, key

    def test_tls_redirect_port(self):
        cert, key = self.make_certificate()
        port, plain = free_port(), free_port()
        args = self.base_args(port) + [f"--tls-certificate={cert}", f"--tls-private-key={key}",
                                       "--tls-redirect-port", str(plain)]
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=self.tmp)
        location = None
        deadline = time.monotonic() + 30
        while location is None and time.monotonic() < deadline:
            if proc.poll() is not None:
                self.fail(f"server exited early ({proc.returncode}): {proc.stderr.read()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", plain, timeout=2)
                conn.request("GET", "/api/v1/health?detailed=false")
                r = conn.getresponse()
                self.assertEqual(r.status, 301)
                location = r.getheader("Location")
                conn.close()
            except OSError:
                time.sleep(0.1)
        if location is None:
            proc.kill()
            self.fail("the redirect port did not answer")
        self.assertEqual(location, f"https://127.0.0.1:{port}/api/v1/health?detailed=false")
        # the redirect target really is the HTTPS API
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with urllib.request.urlopen(location, context=context, timeout=10) as r:
            self.assertEqual(r.status, 200)
        _, err = self.stop(proc)
        self.assertIn(f"Plain HTTP on port {plain} redirects to https://", err)

    def test_tls_redirect_port_errors(self):
        # no TLS to redirect to: refused before anything starts
        r = subprocess.run(self.base_args(free_port()) + ["--tls-redirect-port=8080"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("tls-redirect-port is set (--tls-redirect-port)", r.stderr)
        self.assertFalse(os.path.exists(self.data))
        # the variable is read too, and its name is given
        cert, key = self.make_certificate()
        port = free_port()
        env = dict(os.environ, VIDEOANNOTATOR_TLS_REDIRECT_PORT=str(port))
        r = subprocess.run(self.base_args(port) + [f"--tls-certificate={cert}",
                                                   f"--tls-private-key={key}"],
                           capture_output=True, text=True, timeout=30, env=env)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("VIDEOANNOTATOR_TLS_REDIRECT_PORT", r.stderr)
        self.assertIn("is the HTTPS port itself", r.stderr)

    def test_bad_usage(self):
        r = subprocess.run([EXE, "server", "extra"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("unexpected argument", r.stderr)
        r = subprocess.run([EXE, "server", "--port=99999"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
