#!/usr/bin/env python3
# Black-box test of `videoannotator backup` and `restore`: a backup taken
# while jobs are being submitted to the running server, restored into an
# empty directory, and a server started on the copy: every job the server
# acknowledged before the backup began is there with its files, and the
# API keys still work. Then damaged and hostile archives, which a restore
# must refuse without leaving anything behind.
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_http_api import EXE, ApiTest, Server  # noqa: E402


def run(*args):
    return subprocess.run([EXE] + list(args), capture_output=True, text=True, timeout=300)


class Backup(ApiTest):
    def setUp(self):
        self.out = tempfile.mkdtemp(prefix="va-backup-")

    def tearDown(self):
        shutil.rmtree(self.out, ignore_errors=True)

    def submit_ok(self, key):
        r = self.server.submit(key, self.video, pipelines="scene_detection")
        self.assertEqual(r.status, 201, r.body)
        return r.json()["id"]

    def rewrite(self, archive, target, change):
        """A copy of @archive with its members passed through @change."""
        with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
            for member in src.getmembers():
                data = src.extractfile(member).read() if member.isfile() else None
                for m, d in change(member, data):
                    dst.addfile(m, io.BytesIO(d) if d is not None else None)

    def test_backup_while_submitting_then_restore(self):
        s = self.server
        admin = s.key("backup-admin", "read,write,admin")
        user = s.key("backup-user", "read,write")
        done = [self.submit_ok(user) for _ in range(3)]
        for job in done:
            s.wait_for(user, job, ("completed",))

        acked = []  # (time of the 201, job id)
        stop = threading.Event()

        def submitter():
            while not stop.is_set():
                job = self.submit_ok(user)
                acked.append((time.monotonic(), job))

        thread = threading.Thread(target=submitter)
        thread.start()
        try:
            time.sleep(1.0)
            began = time.monotonic()
            archive = os.path.join(self.out, "va.tar.gz")
            out = run("backup", "-o", archive, "--json", "--data-dir", s.data)
            time.sleep(0.5)
        finally:
            stop.set()
            thread.join()
        self.assertEqual(out.returncode, 0, out.stderr)
        report = json.loads(out.stdout)
        before = [job for t, job in acked if t < began]
        self.assertGreater(len(before), 0)
        self.assertGreater(len(acked), len(before), "no submission overlapped the backup")
        self.assertEqual(oct(os.stat(archive).st_mode & 0o777), "0o600")
        with tarfile.open(archive, "r:gz") as tar:
            names = tar.getnames()
            manifest = json.load(tar.extractfile("manifest.json"))
        self.assertEqual(names[-1], "manifest.json")
        self.assertIn("videoannotator.db", names)
        self.assertIn("tokens/tokens.json", names)
        self.assertEqual(len(manifest["files"]), len(names) - 1)
        self.assertEqual(report["files"], len(manifest["files"]))

        target = os.path.join(self.out, "restored")
        out = run("restore", archive, "--data-dir", target)
        self.assertEqual(out.returncode, 0, out.stderr)
        copy = Server(data=target)
        try:
            for key in (admin, user):
                self.assertEqual(copy.request("GET", "/api/v1/jobs", key).status, 200)
            for job in done:
                r = copy.request("GET", f"/api/v1/jobs/{job}", user)
                self.assertEqual(r.status, 200, r.body)
                self.assertEqual(r.json()["status"], "completed")
                r = copy.request("GET", f"/api/v1/jobs/{job}/results/files/scene_detection",
                                 user)
                self.assertEqual(r.status, 200, r.body)
                self.assertEqual(copy.request("GET", f"/api/v1/jobs/{job}/artifacts",
                                              user).status, 200)
            # every job acknowledged before the backup began is there and
            # (if it was still pending or running then) runs to completion
            for job in before:
                job_state = copy.wait_for(user, job, ("completed",), timeout=300)
                self.assertEqual(job_state["status"], "completed", job)
                r = copy.request("GET", f"/api/v1/jobs/{job}/results/files/scene_detection",
                                 user)
                self.assertEqual(r.status, 200, r.body)
        finally:
            copy.stop()

        # a restore never merges into existing data
        os.makedirs(os.path.join(self.out, "busy", "storage"))
        open(os.path.join(self.out, "busy", "storage", "x"), "w").close()
        out = run("restore", archive, "--data-dir", os.path.join(self.out, "busy"))
        self.assertEqual(out.returncode, 7, out.stderr)
        self.assertIn("not empty", out.stderr)

        def refused(name, change, message):
            bad = os.path.join(self.out, name + ".tar.gz")
            self.rewrite(archive, bad, change)
            dest = os.path.join(self.out, name)
            out = run("restore", bad, "--data-dir", dest)
            self.assertEqual(out.returncode, 2, out.stderr)  # invalid input
            self.assertIn(message, out.stderr)
            left = [os.path.join(d, f) for d, _, fs in os.walk(dest) for f in fs]
            self.assertEqual(left, [], name)

        def flip(member, data):
            if member.name.startswith("storage/") and data:
                data = bytes([data[0] ^ 1]) + data[1:]
            yield member, data
        refused("flipped", flip, "does not match")

        def drop_db(member, data):
            if member.name != "videoannotator.db":
                yield member, data
        refused("no-db", drop_db, "not in the archive")

        def traversal(member, data):
            yield member, data
            if member.name == "tokens/tokens.json":
                evil = tarfile.TarInfo("storage/../../evil")
                evil.size = 4
                yield evil, b"evil"
        refused("traversal", traversal, "unexpected member")
        self.assertFalse(os.path.exists(os.path.join(self.out, "evil")))

        def link(member, data):
            yield member, data
            if member.name == "tokens/tokens.json":
                ln = tarfile.TarInfo("storage/x/y")
                ln.type = tarfile.SYMTYPE
                ln.linkname = "/etc/passwd"
                yield ln, None
        refused("symlink", link, "not a regular file")

        def corrupt_db(member, data):
            if member.name == "videoannotator.db":
                data = data[:4096] + b"\xff" * 4096 + data[8192:]
            yield member, data
        refused("corrupt-db", corrupt_db, "does not match")

        with open(os.path.join(self.out, "junk.tar.gz"), "wb") as f:
            f.write(gzip.compress(b"not a tar file" * 100))
        out = run("restore", os.path.join(self.out, "junk.tar.gz"), "--data-dir",
                  os.path.join(self.out, "junk"))
        self.assertEqual(out.returncode, 2, out.stderr)
        out = run("restore", os.path.join(self.out, "missing.tar.gz"), "--data-dir",
                  os.path.join(self.out, "missing"))
        self.assertEqual(out.returncode, 3, out.stderr)

        # without the videos
        small = os.path.join(self.out, "small.tar.gz")
        out = run("backup", "-o", small, "--no-media", "--data-dir", s.data)
        self.assertEqual(out.returncode, 0, out.stderr)
        with tarfile.open(small, "r:gz") as tar:
            storage = [n for n in tar.getnames() if n.startswith("storage/")]
        self.assertTrue(storage)
        for name in storage:
            self.assertNotIn("input", os.path.basename(name), name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
