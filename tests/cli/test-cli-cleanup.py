#!/usr/bin/env python3
# Black-box test of `videoannotator cleanup`: jobs made by the real server,
# then aged in its database (nothing else can make a job 100 days old), then
# expired by hand while the server is stopped and while it runs.
import os
import socket
import sqlite3
import subprocess
import tempfile
import shutil
import time
import unittest
import urllib.request

BUILD = os.environ["VA_BUILD_ROOT"]
EXE = os.path.join(BUILD, "src", "cli", "videoannotator")
ROOT = os.geteuid() == 0
USAGE, UNAVAILABLE = 2, 8
DAY_USEC = 86400 * 1000000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("VIDEOANNOTATOR_") and k != "LANGUAGE"}
    env.update(extra)
    return env


class Cleanup(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="va-cli-cleanup-")
        self.data = os.path.join(self.tmp, "data")
        self.video = os.path.join(self.tmp, "clip.mp4")
        subprocess.run(["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=10", "!",
                        "video/x-raw,width=160,height=120,framerate=25/1", "!", "x264enc",
                        "speed-preset=ultrafast", "!", "mp4mux", "!", "filesink",
                        f"location={self.video}"], check=True, timeout=60)
        r = subprocess.run([EXE, "token", "create", "--data-dir", self.data, "--user-id", "alice",
                            "--username", "alice", "--email", "alice@lab.example", "--scopes",
                            "read,write"], capture_output=True, text=True, timeout=60,
                           env=clean_env())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.key = r.stdout.splitlines()[-1]
        self.server = None

    def tearDown(self):
        self.stop_server()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_server(self):
        self.port = free_port()
        args = [EXE, "server", "--data-dir", self.data, f"--port={self.port}",
                "--auto-generate-api-key=false", "--rate-limit=0"]
        if ROOT:
            args.append("--allow-root")
        self.server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                       text=True, cwd=self.tmp, env=clean_env())
        deadline = time.monotonic() + 30
        while True:
            self.assertIsNone(self.server.poll(), "the server exited")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2):
                    return
            except OSError:
                self.assertLess(time.monotonic(), deadline, "the server did not come up")
                time.sleep(0.1)

    def stop_server(self):
        if self.server is not None:
            self.server.terminate()
            self.server.communicate(timeout=60)
            self.server = None

    def submit(self):
        env = clean_env(VIDEOANNOTATOR_SERVER_URL=f"http://127.0.0.1:{self.port}",
                        VIDEOANNOTATOR_API_KEY=self.key)
        r = subprocess.run([EXE, "job", "submit", self.video, "-p", "scene_detection", "--wait",
                            "-q"], capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.splitlines()[-1]

    def cleanup(self, *args):
        return subprocess.run([EXE, "cleanup", "--data-dir", self.data, *args],
                              capture_output=True, text=True, timeout=60, env=clean_env())

    def age(self, job_id, days, status=None):
        """Moves the job's times @days into the past (and sets its status)."""
        db = sqlite3.connect(os.path.join(self.data, "videoannotator.db"))
        with db:
            shift = days * DAY_USEC
            db.execute("UPDATE jobs SET created_at = created_at - ?, started_at = started_at - ?,"
                       " completed_at = completed_at - ? WHERE id = ?",
                       (shift, shift, shift, job_id))
            if status is not None:
                db.execute("UPDATE jobs SET status = ?, completed_at = NULL WHERE id = ?",
                           (status, job_id))
        db.close()

    def exists(self, job_id):
        return os.path.isdir(os.path.join(self.data, "storage", job_id))

    def test_expires_only_old_finished_jobs(self):
        self.start_server()
        old, recent, stuck = self.submit(), self.submit(), self.submit()
        self.stop_server()
        self.age(old, 100)
        self.age(stuck, 100, status="pending")  # pending however old: never deleted

        r = self.cleanup("--dry-run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"would delete {old}", r.stdout)
        self.assertNotIn(recent, r.stdout)
        self.assertNotIn(stuck, r.stdout)
        self.assertIn("1 job finished more than 90 days ago", r.stdout)
        self.assertTrue(self.exists(old))

        r = self.cleanup()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"deleted {old}", r.stdout)
        self.assertFalse(self.exists(old))
        self.assertTrue(self.exists(recent))
        self.assertTrue(self.exists(stuck))

        # audited as the retention's doing
        db = sqlite3.connect(os.path.join(self.data, "videoannotator.db"))
        rows = db.execute("SELECT user_id, target FROM audit WHERE action = 'job.delete'"
                          ).fetchall()
        db.close()
        self.assertEqual(rows, [("retention", old)])

        # --older-than overrides retention-days; nothing is that young here
        r = self.cleanup("--older-than", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Deleted 0 jobs", r.stdout)

    def test_beside_a_running_server(self):
        self.start_server()
        old = self.submit()
        self.age(old, 100)
        r = self.cleanup()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(self.exists(old))
        env = clean_env(VIDEOANNOTATOR_SERVER_URL=f"http://127.0.0.1:{self.port}",
                        VIDEOANNOTATOR_API_KEY=self.key)
        r = subprocess.run([EXE, "job", "status", old], capture_output=True, text=True,
                           timeout=60, env=env)
        self.assertEqual(r.returncode, 3, r.stderr)  # not found

    def test_refusals(self):
        r = self.cleanup("--older-than", "0")
        self.assertEqual(r.returncode, USAGE)
        self.assertIn("at least 1 day", r.stderr)
        r = self.cleanup("--retention-days=0")
        self.assertEqual(r.returncode, USAGE)
        self.assertIn("keep jobs forever", r.stderr)
        r = self.cleanup("--read-only=true")
        self.assertEqual(r.returncode, UNAVAILABLE)
        self.assertIn("read-only", r.stderr)
        r = self.cleanup("extra")
        self.assertEqual(r.returncode, USAGE)
        r = self.cleanup("--cleanup-schedule=nightly")
        self.assertEqual(r.returncode, USAGE)
        self.assertIn("cleanup-schedule", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
