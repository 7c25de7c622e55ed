#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Black-box: every `--json` of `videoannotator` prints one format (docs/cli.md,
"JSON output"): each command's stdout is byte for byte what the one printer
makes of it (va-json-reformat applies it to the parsed output), so pretty
with two spaces, members in their order, one newline at the end; and text
is UTF-8 as it is even under LC_ALL=C. Runs under dbus-run-session for the
`job --dbus` commands.
Usage: test-cli-json.py /path/to/va-json-reformat"""

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

REFORMAT = sys.argv.pop(1)


def run(*args, env=None):
    full = dict(os.environ)
    full.update(env or {})
    return subprocess.run([EXE] + list(args), capture_output=True, timeout=300, env=full)


class JsonOutput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="va-cli-json-")
        cls.data = os.path.join(cls.tmp, "data")
        cls.video = os.path.join(cls.tmp, "cuts.mp4")
        make_video(cls.video, scenes=2, seconds=1)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def assertOneFormat(self, out, what, status=0):
        """stdout is a JSON document exactly as the one printer prints it."""
        self.assertEqual(out.returncode, status, f"{what}: {out.stderr.decode()}")
        canonical = subprocess.run([REFORMAT], input=out.stdout, capture_output=True, timeout=60)
        self.assertEqual(canonical.returncode, 0,
                         f"{what}: not one JSON document: {out.stdout[:200]!r}")
        self.assertEqual(out.stdout.decode(), canonical.stdout.decode(), what)
        return json.loads(out.stdout)

    def test_local_commands(self):
        d = ["--data-dir", self.data]
        created = self.assertOneFormat(
            run("token", "create", "--json", "--user-id", "u1", "--username", "Zoe",
                "--email", "z@lab.example", "--scopes", "read,write,admin", *d), "token create")
        self.assertTrue(created["key"].startswith("va_api_"))
        self.assertOneFormat(run("token", "list", "--json", *d), "token list")
        self.assertOneFormat(run("config", "show", "--json", *d), "config show")
        self.assertOneFormat(run("pipelines", "--json", *d), "pipelines")
        self.assertOneFormat(run("pipelines", "--json", "--include-unavailable", *d),
                             "pipelines --include-unavailable")
        out = run("diagnose", "--json", *d)
        self.assertOneFormat(out, "diagnose", status=out.returncode)
        self.assertOneFormat(run("audit", "list", "--json", *d), "audit list")
        archive = os.path.join(self.tmp, "backup.tar.gz")
        self.assertOneFormat(run("backup", "-o", archive, "--json", *d), "backup")
        self.assertOneFormat(run("restore", archive, "--json", "--data-dir",
                                 os.path.join(self.tmp, "restored")), "restore")
        self.assertOneFormat(run("user", "delete", "u1", "--purge", "--json", *d), "user delete")

    def test_annotate(self):
        out_dir = os.path.join(self.tmp, "annotate")
        result = self.assertOneFormat(
            run("annotate", self.video, "-p", "scene_detection", "-o", out_dir, "--json"),
            "annotate")
        self.assertTrue(result)
        error = self.assertOneFormat(run("annotate", os.path.join(self.tmp, "none.mp4"), "--json"),
                                     "annotate error", status=3)
        self.assertEqual(error["error"]["code"], "NotFound")

    def test_utf8_whatever_the_locale(self):
        # a locale without UTF-8 (cron, containers): the JSON stays UTF-8,
        # where g_print() would have written "Zo?"
        data = os.path.join(self.tmp, "Zoë-data")
        out = run("config", "show", "--json", env={"LC_ALL": "C", "LANG": "C",
                                                   "VIDEOANNOTATOR_DATA_DIR": data})
        doc = self.assertOneFormat(out, "config show under LC_ALL=C")
        self.assertEqual(doc["settings"]["data-dir"]["value"], data)
        self.assertIn("Zoë".encode(), out.stdout)


class JobCommands(unittest.TestCase):
    """`job …` over REST and over D-Bus, answers and errors."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="va-cli-json-job-")
        cls.video = os.path.join(cls.tmp, "cuts.mp4")
        make_video(cls.video, scenes=2, seconds=1)
        cls.server = Server("--dbus=session")
        wait_for_name(["--session"])
        cls.key = cls.server.key("json", "read,write,admin")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    assertOneFormat = JsonOutput.assertOneFormat

    def job(self, *args):
        return run("job", *args, "--server", self.server.base,
                   env={"VIDEOANNOTATOR_API_KEY": self.key})

    def test_rest(self):
        job = self.assertOneFormat(self.job("submit", self.video, "-p", "scene_detection",
                                            "--wait", "--json", "-q"), "job submit --wait")
        self.assertEqual(job["status"], "completed")
        self.assertOneFormat(self.job("status", job["id"], "--json"), "job status")
        self.assertOneFormat(self.job("results", job["id"], "--json"), "job results")
        self.assertOneFormat(self.job("list", "--json"), "job list")
        self.assertOneFormat(self.job("cancel", job["id"], "--json"), "job cancel error",
                             status=7)
        self.assertOneFormat(self.job("status", UNKNOWN_JOB, "--json"), "job status error",
                             status=3)
        self.assertOneFormat(run("job", "list", "--json", "--server", "http://127.0.0.1:1"),
                             "unreachable", status=8)

    def test_dbus(self):
        job = self.assertOneFormat(run("job", "--dbus", "submit", self.video, "--pipelines",
                                       "scene_detection", "--json"), "job --dbus submit")
        self.assertOneFormat(run("job", "--dbus", "get", job["id"], "--json"), "job --dbus get")
        self.assertOneFormat(run("job", "--dbus", "list", "--json"), "job --dbus list")
        self.assertOneFormat(run("job", "--dbus", "get", UNKNOWN_JOB, "--json"),
                             "job --dbus get error", status=3)
        # the erasure goes through the server that holds the data directory
        purge = run("job", "delete", job["id"], "--purge", "--json", "--server", self.server.base,
                    "--data-dir", self.server.data, env={"VIDEOANNOTATOR_API_KEY": self.key})
        self.assertEqual(self.assertOneFormat(purge, "job delete --purge"),
                         {"job_id": job["id"], "purged": True})

if __name__ == "__main__":
    unittest.main(verbosity=2)
