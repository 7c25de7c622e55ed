#!/usr/bin/env python3
# The web UI end to end: the real server on loopback, Debian's headless
# Chromium driven by playwright-core (e2e.mjs, pinned in package-lock.json)
# through sign-in, submission of a generated clip (cuts, a face, two
# voices), live progress, the results page (overlay boxes and scene marks
# at the right times, transcript, speakers, downloads), the jobs list at
# 360 px, the admin pages, a one-time login link, an administrator in a
# second browser creating a key and revoking the user's (whose open session
# ends), the audit and security alert pages, and the French and German
# catalogues. Screenshots go to <build>/tests/web/screenshots.
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "functional"))
from test_http_api import EXE, Server  # noqa: E402

BUILD = os.environ["VA_BUILD_ROOT"]
SHOTS = os.path.join(BUILD, "tests", "web", "screenshots")


def ensure_playwright():
    if not os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")):
        subprocess.run("npm ci --offline --no-audit --no-fund >/dev/null 2>&1 || "
                       "npm ci --no-audit --no-fund", shell=True, cwd=HERE, check=True)


class WebUi(unittest.TestCase):
    def test_end_to_end(self):
        ensure_playwright()
        os.makedirs(SHOTS, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix="va-web-e2e-")
        # X-Forwarded-For from loopback is honoured: the alerts page gets a
        # brute force from a made-up address without blocking the browser
        server = Server("--trusted-proxies=127.0.0.1")
        try:
            video = os.path.join(tmp, "interview.webm")
            media = subprocess.run([sys.executable, os.path.join(HERE, "make_media.py"), video],
                                   check=True, capture_output=True, text=True).stdout
            admin = server.key("webadmin", "read,write,admin")
            user = server.key("webuser", "read,write")
            env = dict(os.environ)
            # Chromium and node are not instrumented: no sanitizer runtime
            env.pop("LD_PRELOAD", None)
            env.update({
                "VA_BASE": server.base, "VA_ADMIN_KEY": admin, "VA_USER_KEY": user,
                "VA_VIDEO": video, "VA_MEDIA": media, "VA_SHOTS": SHOTS,
                "VA_LINK_CMD": json.dumps([EXE, "web-link", "--data-dir", server.data,
                                           f"--port={server.port}"]),
                "VA_USER_NAME": "webuser",
            })
            run = subprocess.run(["node", os.path.join(HERE, "e2e.mjs")], env=env, timeout=480,
                                 capture_output=True, text=True)
            print(run.stdout)
            print(run.stderr, file=sys.stderr)
            self.assertEqual(run.returncode, 0, run.stderr + "\n" + server.logs()[-3000:])
            for name in ("signin", "submit", "results", "jobs", "jobs-360", "admin-health",
                         "admin-keys-created", "admin-keys", "admin-audit", "admin-alerts",
                         "signin-fr", "signin-de"):
                self.assertGreater(os.path.getsize(os.path.join(SHOTS, f"{name}.png")), 1000)
        finally:
            server.stop()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
