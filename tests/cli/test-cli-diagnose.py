#!/usr/bin/env python3
# Black-box tests of `videoannotator diagnose`: a data directory left by a
# real server is healthy (exit 0); each kind of damage gives its finding,
# its hint and exit 1 (warnings) or 2 (errors); --json parses; and the
# check changes nothing on disk.
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

BUILD = os.environ["VA_BUILD_ROOT"]
EXE = os.path.join(BUILD, "src", "cli", "videoannotator")
ROOT = os.geteuid() == 0
# the machine's free space must not decide the outcome
COMMON = ["--min-free-space=1M"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def snapshot(top):
    out = {}
    for dirpath, dirs, files in os.walk(top):
        for name in dirs + files:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            out[path] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


class Diagnose(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        """One data directory made by a real server, copied per test."""
        cls.tmp = tempfile.mkdtemp(prefix="va-cli-diagnose-")
        cls.pristine = os.path.join(cls.tmp, "pristine")
        port = free_port()
        args = [EXE, "server", "--data-dir", cls.pristine, f"--port={port}"]
        if ROOT:
            args.append("--allow-root")
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    proc.kill()
                    raise AssertionError("server did not start: " + proc.communicate()[1])
                time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="data-", dir=self.tmp)
        shutil.rmtree(self.data)
        shutil.copytree(self.pristine, self.data, symlinks=True)
        os.chmod(self.data, 0o750)

    def tearDown(self):
        shutil.rmtree(self.data, ignore_errors=True)

    def diagnose(self, *extra, data=None):
        return subprocess.run([EXE, "diagnose", "--data-dir", data or self.data, *COMMON, *extra],
                              capture_output=True, text=True, timeout=120)

    def findings(self, *extra, data=None):
        r = self.diagnose("--json", *extra, data=data)
        doc = json.loads(r.stdout)
        return r.returncode, doc

    def codes(self, doc, severity):
        return [f["code"] for f in doc["findings"] if f["severity"] == severity]

    def test_healthy(self):
        before = snapshot(self.data)
        r = self.diagnose()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Errors: 0, warnings: 0", r.stdout)
        for area in ("database", "storage", "permissions", "pipelines", "models", "settings"):
            self.assertIn(area, r.stdout)
        self.assertIn("schema version", r.stdout)
        self.assertIn("vafacedetect loads its models", r.stdout)
        self.assertEqual(snapshot(self.data), before, "diagnose changed the data directory")

    def test_json(self):
        code, doc = self.findings()
        self.assertEqual(code, 0)
        self.assertEqual(doc["status"], "ok")
        self.assertGreater(len(doc["findings"]), 5)
        for f in doc["findings"]:
            self.assertEqual(set(f), {"severity", "area", "code", "message", "hint"})
            self.assertIn(f["severity"], ("ok", "warning", "error"))
        self.assertIn("DATABASE_INTEGRITY", self.codes(doc, "ok"))

    def test_world_readable_tokens(self):
        keys = os.path.join(self.data, "tokens", "tokens.json")
        os.chmod(keys, 0o644)
        r = self.diagnose()
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn(f"chmod 600 {keys}", r.stdout.replace("'", ""))
        code, doc = self.findings()
        self.assertEqual((code, doc["status"]), (2, "error"))
        (f,) = [f for f in doc["findings"] if f["code"] == "TOKENS_PERMISSIONS"]
        self.assertEqual(f["hint"].replace("'", ""), f"chmod 600 {keys}")
        # and the server agrees: it refuses to start
        args = [EXE, "server", "--data-dir", self.data, f"--port={free_port()}"]
        if ROOT:
            args.append("--allow-root")
        s = subprocess.run(args, capture_output=True, text=True, timeout=60)
        self.assertNotEqual(s.returncode, 0)
        self.assertIn("chmod 600", s.stderr)

    def test_open_token_dir_and_storage(self):
        os.chmod(os.path.join(self.data, "tokens"), 0o755)
        os.chmod(os.path.join(self.data, "storage"), 0o755)
        code, doc = self.findings()
        self.assertEqual(code, 2)
        errors = self.codes(doc, "error")
        self.assertIn("TOKENS_PERMISSIONS", errors)
        self.assertIn("STORAGE_PERMISSIONS", errors)

    def test_missing_data_dir_warns_and_creates_nothing(self):
        missing = os.path.join(self.tmp, "nowhere")
        code, doc = self.findings(data=missing)
        self.assertEqual(code, 1, doc)
        self.assertEqual(doc["status"], "warning")
        warnings = self.codes(doc, "warning")
        self.assertIn("DATA_DIR_MISSING", warnings)
        self.assertIn("DATABASE_MISSING", warnings)
        self.assertFalse(os.path.exists(missing))

    def test_corrupt_database(self):
        db = os.path.join(self.data, "videoannotator.db")
        size = os.path.getsize(db)
        with open(db, "r+b") as f:  # wreck every page after the header page
            f.seek(4096)
            f.write(os.urandom(size - 4096))
        code, doc = self.findings()
        self.assertEqual(code, 2, doc)
        errors = self.codes(doc, "error")
        self.assertTrue({"DATABASE_CORRUPT", "DATABASE_UNREADABLE", "DATABASE_FOREIGN"}
                        & set(errors), errors)

    def test_not_a_database(self):
        with open(os.path.join(self.data, "videoannotator.db"), "wb") as f:
            f.write(b"this is not sqlite\n" * 100)
        code, doc = self.findings()
        self.assertEqual(code, 2)
        self.assertIn("DATABASE_UNREADABLE", self.codes(doc, "error"))

    def test_missing_and_broken_models(self):
        empty = os.path.join(self.tmp, "empty-models")
        os.makedirs(empty, exist_ok=True)
        code, doc = self.findings("--speech-dictionary=/nonexistent/dict",
                                  f"--face-model-dir={empty}")
        self.assertEqual(code, 2)
        messages = [f["message"] for f in doc["findings"] if f["severity"] == "error"]
        self.assertTrue(any("speech-dictionary" in m and "/nonexistent/dict" in m
                            for m in messages), messages)
        self.assertTrue(any("vafacedetect cannot load" in m for m in messages), messages)

    def test_risky_settings(self):
        code, doc = self.findings("--auth-required=false", "--bind-address=0.0.0.0",
                                  "--rate-limit=0")
        self.assertEqual(code, 1, doc)
        warnings = self.codes(doc, "warning")
        for c in ("AUTH_DISABLED", "PLAIN_HTTP_EXPOSED", "RATE_LIMIT_OFF"):
            self.assertIn(c, warnings)
        code, doc = self.findings("--cors-origins=*")
        self.assertEqual(code, 2)
        self.assertIn("CORS_WILDCARD", self.codes(doc, "error"))

    def make_cert(self, name, days=30 * 12):
        cert, key = (os.path.join(self.tmp, f"{name}.{x}") for x in ("crt", "key"))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                        str(days), "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
        os.chmod(key, 0o600)
        return cert, key

    def test_tls(self):
        cert, key = self.make_cert("good")
        code, doc = self.findings(f"--tls-certificate={cert}", f"--tls-private-key={key}",
                                  "--bind-address=0.0.0.0")
        self.assertEqual(code, 0, doc)
        self.assertIn("TLS", self.codes(doc, "ok"))
        # a key that does not belong to the certificate
        _, other_key = self.make_cert("other")
        code, doc = self.findings(f"--tls-certificate={cert}", f"--tls-private-key={other_key}")
        self.assertEqual(code, 2)
        self.assertIn("TLS_INVALID", self.codes(doc, "error"))
        # a private key others can read
        os.chmod(key, 0o644)
        code, doc = self.findings(f"--tls-certificate={cert}", f"--tls-private-key={key}")
        self.assertEqual(code, 2)
        self.assertIn("TLS_KEY_PERMISSIONS", self.codes(doc, "error"))
        # soon to expire
        cert, key = self.make_cert("short", days=3)
        code, doc = self.findings(f"--tls-certificate={cert}", f"--tls-private-key={key}")
        self.assertEqual(code, 1)
        self.assertIn("TLS_EXPIRING", self.codes(doc, "warning"))

    def test_usage(self):
        r = subprocess.run([EXE, "diagnose", "extra"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("unexpected argument", r.stderr)


if __name__ == "__main__":
    unittest.main()
