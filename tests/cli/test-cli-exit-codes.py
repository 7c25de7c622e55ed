#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Black-box: a failure of one kind gives one exit code, whether the
command met it on this machine's data directory, from a server over REST, or
from the service over D-Bus (docs/cli.md, "Exit codes"). Runs under
dbus-run-session; the servers are real `videoannotator server --dbus=session`."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "functional"))
# (test_dbus_e2e keeps the key pepper in a file: no Secret Service on this bus)
from test_dbus_e2e import wait_for_name  # noqa: E402
from test_http_api import EXE, UNKNOWN_JOB, Server, make_video  # noqa: E402

NOT_FOUND, DENIED, CONFLICT, UNAVAILABLE = 3, 6, 7, 8


def run(*args, env=None):
    full = dict(os.environ)
    full.update(env or {})
    return subprocess.run([EXE] + list(args), capture_output=True, text=True, timeout=120,
                          env=full)


class ExitCodes(unittest.TestCase):
    def assertExit(self, out, code, where):
        self.assertEqual(out.returncode, code, f"{where}: {out.stderr}")

    def assertJsonError(self, out, where):
        """--json puts the error object on stdout, in the one format."""
        doc = json.loads(out.stdout)
        self.assertIn("code", doc["error"], where)
        self.assertIn("message", doc["error"], where)
        self.assertTrue(out.stdout.endswith("}\n"), where)


class Running(ExitCodes):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="va-cli-exit-")
        cls.video = os.path.join(cls.tmp, "cuts.mp4")
        make_video(cls.video, scenes=2, seconds=1)
        cls.server = Server("--dbus=session")
        wait_for_name(["--session"])
        cls.admin = cls.server.key("admin", "read,write,admin")
        cls.reader = cls.server.key("reader", "read")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def rest(self, *args, key=None):
        return run("job", *args, "--server", self.server.base,
                   env={"VIDEOANNOTATOR_API_KEY": key or self.admin})

    def test_not_found(self):
        out = run("export", "--job", UNKNOWN_JOB, "-o", os.path.join(self.tmp, "x.zip"),
                  "--data-dir", self.server.data)
        self.assertExit(out, NOT_FOUND, "local export")
        out = self.rest("status", UNKNOWN_JOB, "--json")
        self.assertExit(out, NOT_FOUND, "REST status")
        self.assertJsonError(out, "REST status")
        out = run("job", "--dbus", "get", UNKNOWN_JOB, "--json")
        self.assertExit(out, NOT_FOUND, "D-Bus get")
        self.assertJsonError(out, "D-Bus get")
        self.assertEqual(json.loads(out.stdout)["error"]["code"], "NotFound")

    def test_conflict(self):
        out = run("job", "--dbus", "submit", self.video, "--pipelines", "scene_detection")
        self.assertExit(out, 0, "D-Bus submit")
        job_id = out.stdout.strip().splitlines()[-1]
        self.server.wait_for(self.admin, job_id, ("completed",))
        out = self.rest("cancel", job_id)
        self.assertExit(out, CONFLICT, "REST cancel of a completed job")
        out = run("job", "--dbus", "cancel", job_id)
        self.assertExit(out, CONFLICT, "D-Bus cancel of a completed job")
        # a restore never merges into data that is there
        archive = os.path.join(self.tmp, "backup.tar.gz")
        self.assertExit(run("backup", "-o", archive, "--data-dir", self.server.data), 0,
                        "backup")
        busy = os.path.join(self.tmp, "busy")
        os.makedirs(os.path.join(busy, "storage"))
        open(os.path.join(busy, "storage", "x"), "w").close()
        out = run("restore", archive, "--data-dir", busy)
        self.assertExit(out, CONFLICT, "local restore into a data directory with data")

    def test_denied(self):
        out = self.rest("submit", self.video, key=self.reader)
        self.assertExit(out, DENIED, "REST submit with a read-only key")
        out = self.rest("list", key="va_api_" + "x" * 43)
        self.assertExit(out, DENIED, "REST with an unknown key")

    def test_unreachable(self):
        out = run("job", "status", UNKNOWN_JOB, "--server", "http://127.0.0.1:1", "--json")
        self.assertExit(out, UNAVAILABLE, "REST, nobody listening")
        self.assertEqual(json.loads(out.stdout)["error"]["code"], "SERVER_UNREACHABLE")
        out = run("job", "--dbus", "get", UNKNOWN_JOB,
                  env={"DBUS_SESSION_BUS_ADDRESS": "unix:path=" + os.path.join(self.tmp, "none")})
        self.assertExit(out, UNAVAILABLE, "D-Bus, no bus")


class ReadOnly(ExitCodes):
    """A read-only server refuses writes the same way on every door."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="va-cli-exit-ro-")
        cls.video = os.path.join(cls.tmp, "cuts.mp4")
        make_video(cls.video, scenes=1, seconds=1)
        cls.server = Server("--dbus=session", "--read-only")
        wait_for_name(["--session"])
        cls.admin = cls.server.key("admin", "read,write,admin")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_read_only(self):
        out = run("job", "submit", self.video, "--server", self.server.base,
                  env={"VIDEOANNOTATOR_API_KEY": self.admin})
        self.assertExit(out, UNAVAILABLE, "REST submit")
        out = run("job", "--dbus", "submit", self.video)
        self.assertExit(out, UNAVAILABLE, "D-Bus submit")
        out = run("cleanup", "--read-only", "--older-than", "1", "--data-dir", self.server.data)
        self.assertExit(out, UNAVAILABLE, "local cleanup")


if __name__ == "__main__":
    unittest.main(verbosity=2)
