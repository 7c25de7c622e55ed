#!/usr/bin/env python3
# /metrics of a running server passes `promtool check metrics` (Prometheus'
# own linter of the text exposition format), before and after traffic.
import os
import shutil
import subprocess
import tempfile
import unittest

from deploylib import EXE, ROOT, clean_env, free_port, get, stop, wait_http

PROMTOOL = shutil.which("promtool")


class Metrics(unittest.TestCase):
    def setUp(self):
        if PROMTOOL is None:
            self.fail("promtool is missing: build-aux/install-deps.sh installs prometheus")
        self.tmp = tempfile.mkdtemp(prefix="va-deploy-metrics-")
        self.port = free_port()
        args = [EXE, "server", "--data-dir", os.path.join(self.tmp, "data"),
                f"--port={self.port}", "--rate-limit=0"]
        if ROOT:
            args.append("--allow-root")
        self.proc = subprocess.Popen(args, env=clean_env(), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        wait_http(f"http://127.0.0.1:{self.port}/health", self.proc)

    def tearDown(self):
        stop(self.proc)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def check(self):
        status, headers, body = get(f"http://127.0.0.1:{self.port}/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/plain"), headers)
        r = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True)
        self.assertEqual(r.returncode, 0, (r.stdout + r.stderr).decode())
        self.assertEqual((r.stdout + r.stderr).strip(), b"", "promtool reported problems")
        return body.decode()

    def test_promtool(self):
        first = self.check()
        self.assertIn("videoannotator_jobs{", first)
        for path in ("/api/v1/jobs", "/nope", "/api/v1/health"):
            get(f"http://127.0.0.1:{self.port}{path}")
        after = self.check()
        self.assertIn('videoannotator_http_requests_total{class="4xx"}', after)


if __name__ == "__main__":
    unittest.main()
