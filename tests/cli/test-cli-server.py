#!/usr/bin/env python3
# Black-box tests of `videoannotator server`: start-up checks (a refused
# start leaves nothing behind), the first admin key (handed over in a 0600
# file of the data directory, on the terminal only when stdout is one),
# permissions of the data directory, and a clean stop on SIGTERM and SIGINT.
import http.client
import os
import pty
import select
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
DENIED = 6  # docs/cli.md, "Exit codes": a permission refused


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

    def key_file(self):
        return os.path.join(self.data, "initial-admin-key")

    def wait_for_key_file(self):
        # written right after the port is bound, so /health may answer first
        deadline = time.monotonic() + 10
        while not os.path.exists(self.key_file()):
            self.assertLess(time.monotonic(), deadline, "no initial-admin-key file")
            time.sleep(0.05)

    def test_first_key_handed_over_in_a_file(self):
        proc, port = self.start()
        self.wait_for_key_file()
        path = self.key_file()
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path) as f:
            key = f.read().strip()
        self.assertTrue(key.startswith("va_api_"), key)
        self.assertEqual(len(key), 50)
        # the key in the file is a working admin key
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/system/database",
                                     headers={"Authorization": f"Bearer {key}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertEqual(r.status, 200)
        out, err = self.stop(proc)
        # stdout is not a terminal (under systemd it is the journal): the
        # path is printed, the key is not
        self.assertEqual(self.keys_in(out), [])
        self.assertIn(path, out)
        self.assertNotIn(key, err)
        self.assertIn("Stopped", err)
        # nowhere else: not in the database, the token files or any log
        for dirpath, _, files in os.walk(self.data):
            for name in files:
                if os.path.join(dirpath, name) == path:
                    continue
                with open(os.path.join(dirpath, name), "rb") as f:
                    self.assertNotIn(key.encode(), f.read(), name)
        # only the first start creates one
        os.unlink(path)
        proc, _ = self.start()
        out, _ = self.stop(proc, signal.SIGINT)
        self.assertEqual(self.keys_in(out), [])
        self.assertFalse(os.path.exists(path))

    def test_first_key_shown_on_a_terminal(self):
        port = free_port()
        master, slave = pty.openpty()
        proc = subprocess.Popen(self.base_args(port), stdout=slave, stderr=subprocess.PIPE,
                                text=True, cwd=self.tmp)
        os.close(slave)
        shown = b""
        deadline = time.monotonic() + 30
        try:
            # the key, alone on its line, then an empty line
            while not (b"va_api_" in shown and shown.endswith(b"\r\n\r\n")):
                self.assertIsNone(proc.poll(), shown)
                self.assertLess(time.monotonic(), deadline, shown)
                ready, _, _ = select.select([master], [], [], 0.5)
                if ready:
                    shown += os.read(master, 4096)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=30)
            os.close(master)
        with open(self.key_file()) as f:
            key = f.read().strip()
        self.assertIn(key, shown.decode())
        self.assertIn(self.key_file(), shown.decode())

    def refused(self, *extra, code=2):
        r = subprocess.run(self.base_args(free_port()) + list(extra), capture_output=True,
                           text=True, timeout=30, cwd=self.tmp)
        self.assertEqual(r.returncode, code, r.stderr)
        self.assertEqual(self.keys_in(r.stdout + r.stderr), [])
        return r.stderr

    def test_refused_start_has_no_side_effects(self):
        cert = os.path.join(self.tmp, "not-a-certificate.pem")
        with open(cert, "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
        cases = [
            (("--cors-origins=*",), "cors-origins"),
            (("--cors-origins=https://ok.example,ftp://bad",), "Invalid value"),
            (("--bind-address=not-an-address",), "Invalid value"),
            ((f"--tls-certificate={cert}", f"--tls-private-key={cert}"),
             "Cannot load the TLS certificate"),
        ]
        for extra, message in cases:
            self.assertIn(message, self.refused(*extra))
            # nothing was created: no data directory, so no key, no database
            self.assertFalse(os.path.exists(self.data), extra)
        # an existing, empty data directory stays empty
        os.mkdir(self.data, 0o700)
        self.assertIn("cors-origins", self.refused("--cors-origins=*"))
        self.assertEqual(os.listdir(self.data), [])
        # port in use: refused after the checks, still without a key
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            r = subprocess.run([EXE, "server", "--data-dir", self.data,
                                f"--port={busy.getsockname()[1]}"] +
                               (["--allow-root"] if ROOT else []),
                               capture_output=True, text=True, timeout=30, cwd=self.tmp)
        self.assertNotEqual(r.returncode, 0)
        self.assertFalse(os.path.exists(self.key_file()))
        listing = subprocess.run([EXE, "token", "list", "--json", "--data-dir", self.data],
                                 capture_output=True, text=True, timeout=30)
        self.assertEqual(listing.returncode, 0, listing.stderr)
        self.assertNotIn('"id"', listing.stdout)

    def test_open_data_dir_refused(self):
        storage = os.path.join(self.data, "storage")
        os.makedirs(storage)
        os.chmod(self.data, 0o755)
        os.chmod(storage, 0o777)
        # a permission refused: the same exit code as a key a server refuses
        err = self.refused(code=DENIED)
        self.assertIn(f"Refusing to use {self.data}:", err)
        self.assertIn("mode 0755", err)
        self.assertIn(f"chmod g-w,o-rwx '{self.data}'", err)
        self.assertEqual(os.listdir(self.data), ["storage"])
        os.chmod(self.data, 0o750)
        err = self.refused(code=DENIED)
        self.assertIn(f"Refusing to use {storage}: it is writable by others (mode 0777)", err)
        self.assertEqual(os.listdir(self.data), ["storage"])
        # as the message says, and the server starts
        subprocess.run(["chmod", "g-w,o-rwx", storage], check=True)
        proc, _ = self.start()
        self.wait_for_key_file()
        self.stop(proc)
        # group-writable is refused too; group-readable (0750) is what the server makes
        os.chmod(os.path.join(self.data, "logs"), 0o770)
        self.assertIn("writable by its group", self.refused(code=DENIED))

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
