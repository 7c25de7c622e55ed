#!/usr/bin/env python3
# Black-box test of the right to erasure: `job delete ID --purge` and
# `user delete USER --purge`, through a running server (REST and the CLI
# going through it) and on a stopped server's data directory. After each
# erasure, every byte of every file of the data directory (database,
# -wal, -shm, tokens, storage, logs) is searched for the strings only the
# erased data had: upload file names, consent text, configuration
# strings, usernames and e-mail addresses.
import json
import os
import subprocess
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_http_api import EXE, ApiTest, multipart  # noqa: E402


class Erasure(ApiTest):
    def find(self, text):
        """Files of the data directory that contain @text."""
        hits = []
        for dirpath, _, files in os.walk(self.server.data):
            for name in files:
                path = os.path.join(dirpath, name)
                try:
                    with open(path, "rb") as f:
                        if text.encode() in f.read():
                            hits.append(os.path.relpath(path, self.server.data))
                except FileNotFoundError:
                    pass
        return hits

    def key_for(self, user, scopes, marker):
        out = self.server.cli("token", "create", "--json", "--user-id", user, "--username",
                              f"{marker}-username", "--email", f"{marker}@erase.example",
                              "--scopes", scopes, "--expires-in-days", "30")
        return json.loads(out)["key"]

    def submit_marked(self, key, wait=True, pipelines="scene_detection"):
        marker = f"m{uuid.uuid4().hex}"
        with open(self.video, "rb") as f:
            video = f.read()
        ctype, body = multipart(
            {"selected_pipelines": pipelines,
             "config": json.dumps({"note": f"{marker}-config"}),
             "consent": json.dumps({"granted": True, "reference": f"{marker}-consent"})},
            {"video": (f"{marker}-name.mp4", video)})
        r = self.server.request("POST", "/api/v1/jobs", key, body, ctype)
        self.assertEqual(r.status, 201, r.body)
        job_id = r.json()["id"]
        if wait:
            self.server.wait_for(key, job_id, ("completed",))
            # read its results and artifacts: reads are audited and logged
            self.assertEqual(
                self.server.request("GET", f"/api/v1/jobs/{job_id}/results", key).status, 200)
            self.assertEqual(
                self.server.request("GET", f"/api/v1/jobs/{job_id}/artifacts", key).status, 200)
        self.assertTrue(self.find(f"{marker}-name"))
        return job_id, marker

    def assertErased(self, marker):
        for suffix in ("-name", "-config", "-consent", "-username", "@erase.example"):
            self.assertEqual(self.find(marker + suffix), [], marker + suffix)

    def cli(self, *args, key=None):
        env = dict(os.environ)
        env.pop("VIDEOANNOTATOR_API_KEY", None)
        if key is not None:
            env["VIDEOANNOTATOR_API_KEY"] = key
        return subprocess.run([EXE] + list(args) + ["--data-dir", self.server.data,
                                                    "--server", self.server.base],
                              capture_output=True, text=True, timeout=120, env=env)

    def audit(self, action):
        import sqlite3
        db = sqlite3.connect(os.path.join(self.server.data, "videoannotator.db"))
        try:
            return db.execute("SELECT user_id, target, detail FROM audit WHERE action = ?",
                              (action,)).fetchall()
        finally:
            db.close()

    def test_erasure(self):
        s = self.server
        admin = s.key("eraser", "read,write,admin")
        alice = s.key("alice", "read,write")
        kept, kept_marker = self.submit_marked(alice)
        purged, marker = self.submit_marked(alice)

        # only admins purge
        r = s.request("POST", f"/api/v1/jobs/{purged}/purge", alice)
        self.assertEnvelope(r, 403, "FORBIDDEN")
        r = s.request("POST", "/api/v1/users/alice/purge", alice)
        self.assertEnvelope(r, 403, "FORBIDDEN")

        # the CLI cannot stop the server's run: without a key it refuses
        out = self.cli("job", "delete", purged, "--purge")
        self.assertEqual(out.returncode, 8, out.stderr)
        self.assertIn("server is running", out.stderr)
        self.assertEqual(s.request("GET", f"/api/v1/jobs/{purged}", alice).status, 200)
        # without --purge, a confirmation is asked for
        out = self.cli("user", "delete", "alice")
        self.assertEqual(out.returncode, 2, out.stderr)
        self.assertIn("--purge", out.stderr)

        # with an admin key it goes through the server
        out = self.cli("job", "delete", purged, "--purge", key=admin)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(purged, out.stdout)
        self.assertEqual(s.request("GET", f"/api/v1/jobs/{purged}", admin).status, 404)
        self.assertFalse(os.path.exists(os.path.join(s.data, "storage", purged)))
        self.assertErased(marker)
        self.assertTrue(self.find(f"{kept_marker}-name"))
        records = self.audit("job.purge")
        self.assertEqual([(u, t) for u, t, _ in records], [("eraser", purged)])
        out = self.cli("job", "delete", purged, "--purge", key=admin)
        self.assertEqual(out.returncode, 3, out.stderr)

        # a user: keys, every job (one still running), the user record
        carol_marker = f"m{uuid.uuid4().hex}"
        carol = self.key_for("carol", "read,write", carol_marker)
        carol2 = self.key_for("carol", "read", carol_marker)
        done, m1 = self.submit_marked(carol)
        busy, m2 = self.submit_marked(carol, wait=False,
                                      pipelines="scene_detection,motion_analysis")
        self.assertTrue(self.find(f"{carol_marker}-username"))
        out = self.cli("user", "delete", "carol", "--purge", "--json", key=admin)
        self.assertEqual(out.returncode, 0, out.stderr)
        report = json.loads(out.stdout)
        self.assertEqual(report["jobs_deleted"], 2, report)
        self.assertEqual(report["keys_removed"], 2, report)
        for key in (carol, carol2):
            self.assertEqual(s.request("GET", "/api/v1/jobs", key).status, 401)
        for job in (done, busy):
            self.assertEqual(s.request("GET", f"/api/v1/jobs/{job}", admin).status, 404)
        self.assertErased(m1)
        self.assertErased(m2)
        self.assertErased(carol_marker)
        (user, target, detail), = self.audit("user.purge")
        self.assertEqual((user, target), ("eraser", "carol"))
        self.assertEqual(json.loads(detail)["jobs"], 2)
        # nothing left to erase
        r = s.request("POST", "/api/v1/users/carol/purge", admin)
        self.assertEnvelope(r, 404, "USER_NOT_FOUND")

        # over REST directly
        r = s.request("POST", f"/api/v1/jobs/{kept}/purge", admin)
        self.assertEqual(r.status, 204, r.body)
        self.assertErased(kept_marker)

        # on the data directory of a stopped server
        dave_marker = f"m{uuid.uuid4().hex}"
        dave = self.key_for("dave", "read,write", dave_marker)
        d1, dm1 = self.submit_marked(dave)
        d2, dm2 = self.submit_marked(dave)
        s.proc.terminate()
        s.proc.wait(timeout=60)
        out = self.cli("job", "delete", d1, "--purge")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertErased(dm1)
        self.assertTrue(self.find(f"{dm2}-name"))
        out = self.cli("user", "delete", "dave", "--purge")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("1 job", out.stdout)
        self.assertErased(dm2)
        self.assertErased(dave_marker)
        out = self.cli("user", "delete", "nobody", "--purge")
        self.assertEqual(out.returncode, 3, out.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
