#!/usr/bin/env python3
# Black-box test: a deleted job leaves no copy of its data in the database
# files. The raw bytes of videoannotator.db, -wal and -shm are searched for
# strings only that job had (its file name, its consent reference), after a
# DELETE over HTTP and after the retention cleanup.
import os
import sqlite3
import subprocess
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_http_api import EXE, ApiTest, multipart  # noqa: E402

DAY_USEC = 86400 * 1000000


class SecureDelete(ApiTest):
    def db_path(self):
        return os.path.join(self.server.data, "videoannotator.db")

    def copies(self, text):
        n = 0
        for suffix in ("", "-wal", "-shm"):
            try:
                with open(self.db_path() + suffix, "rb") as f:
                    n += f.read().count(text.encode())
            except FileNotFoundError:
                pass
        return n

    def submit_marked(self, key):
        marker = f"secret-{uuid.uuid4().hex}"
        with open(self.video, "rb") as f:
            video = f.read()
        ctype, body = multipart(
            {"selected_pipelines": "scene_detection",
             "consent": f'{{"granted": true, "reference": "{marker}-consent"}}'},
            {"video": (f"{marker}.mp4", video)})
        r = self.server.request("POST", "/api/v1/jobs", key, body, ctype)
        self.assertEqual(r.status, 201, r.body)
        job_id = r.json()["id"]
        self.server.wait_for(key, job_id, ("completed",))
        # written many times over (pending, running, progress, completed)
        self.assertGreater(self.copies(marker), 0)
        return job_id, marker

    def test_delete_and_retention(self):
        s = self.server
        key = s.key("secure", "read,write")
        deleted, deleted_marker = self.submit_marked(key)
        expired, expired_marker = self.submit_marked(key)
        kept, kept_marker = self.submit_marked(key)

        r = s.request("DELETE", f"/api/v1/jobs/{deleted}", key)
        self.assertEqual(r.status, 204, r.body)
        self.assertEqual(self.copies(deleted_marker), 0)
        self.assertEqual(self.copies(kept_marker + "-consent"), 1)

        # the retention cleanup deletes too (here from the CLI, in its own
        # process, with the server stopped)
        s.proc.terminate()
        s.proc.wait(timeout=60)
        db = sqlite3.connect(self.db_path())
        db.execute("PRAGMA secure_delete = ON")
        with db:
            db.execute("UPDATE jobs SET created_at = created_at - ?1, "
                       "completed_at = completed_at - ?1 WHERE id = ?2",
                       (100 * DAY_USEC, expired))
        db.close()
        out = subprocess.run([EXE, "cleanup", "--data-dir", s.data], capture_output=True,
                             text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(expired, out.stdout)
        self.assertEqual(self.copies(expired_marker), 0)
        self.assertEqual(self.copies(deleted_marker), 0)
        self.assertGreater(self.copies(kept_marker), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
