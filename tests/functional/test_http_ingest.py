#!/usr/bin/env python3
# Black-box tests of 1.5 server-side folder ingest (POST /api/v1/ingest) on
# the real `videoannotator server`: what it creates, and every way out of
# the allowed folders refused with its own error. Helpers come from
# test_http_api.py.
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from test_http_api import Server, make_video  # noqa: E402


class Ingest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="va-ingest-")
        cls.root = os.path.join(cls.tmp, "corpus")
        cls.outside = os.path.join(cls.tmp, "private")
        os.makedirs(os.path.join(cls.root, "session 1", "deeper"))
        os.makedirs(os.path.join(cls.root, "nothing"))
        os.makedirs(cls.outside)
        video = os.path.join(cls.tmp, "clip.mp4")
        make_video(video, scenes=2, seconds=1)
        for name in ("session 1/a.mp4", "session 1/b.MKV", "session 1/deeper/c.mp4",
                     "private-copy.mp4"):
            shutil.copy(video, os.path.join(cls.root, name))
        shutil.copy(video, os.path.join(cls.outside, "secret.mp4"))
        open(os.path.join(cls.root, "session 1", "empty.mp4"), "w").close()
        with open(os.path.join(cls.root, "session 1", "notes.txt"), "w") as f:
            f.write("not a video")
        with open(os.path.join(cls.root, "nothing", "readme.txt"), "w") as f:
            f.write("no videos here")
        # a symlink inside the root that leads out of it, and one in a folder
        os.symlink(cls.outside, os.path.join(cls.root, "escape"))
        os.symlink(os.path.join(cls.outside, "secret.mp4"),
                   os.path.join(cls.root, "session 1", "linked.mp4"))
        cls.server = Server(f"--ingest-roots={cls.root}")
        cls.admin = cls.server.key("ing-admin", "read,write,admin")
        cls.writer = cls.server.key("ing-writer", "read,write")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def ingest(self, body, key=None, server=None, headers=None):
        return (server or self.server).request(
            "POST", "/api/v1/ingest", key or self.admin, json.dumps(body).encode(),
            "application/json", headers=headers)

    def refused(self, reply, status, code):
        self.assertEqual(reply.status, status, reply.body)
        self.assertEqual(reply.json()["error"]["code"], code, reply.body)

    def test_folder_becomes_a_batch(self):
        s = self.server
        folder = os.path.join(self.root, "session 1")
        r = self.ingest({"path": folder, "selected_pipelines": ["motion_analysis"]})
        self.assertEqual(r.status, 201, r.body)
        out = r.json()
        self.assertEqual(out["batch_name"], "session 1")
        self.assertEqual(out["path"], os.path.realpath(folder))
        self.assertEqual(out["total"], 2)
        self.assertEqual(len(out["created"]), 2)
        self.assertEqual(out["skipped"], [{"filename": "empty.mp4", "reason": "file is empty"}])
        jobs = [s.request("GET", f"/api/v1/jobs/{j}", self.admin).json() for j in out["created"]]
        # sorted by path; the symlink and the text file are not taken
        self.assertEqual([j["video_filename"] for j in jobs], ["a.mp4", "b.MKV"])
        for job in jobs:
            self.assertEqual(job["batch_id"], out["batch_id"])
            self.assertEqual(job["selected_pipelines"], ["motion_analysis"])
            self.assertEqual(s.wait_for(self.admin, job["id"], ("completed", "failed"))["status"],
                             "completed")
        summary = s.request("GET", f"/api/v1/batches/{out['batch_id']}", self.admin).json()
        self.assertEqual((summary["total"], summary["by_status"]["completed"]), (2, 2))
        # deleting a job never touches the original video
        self.assertEqual(s.request("DELETE", f"/api/v1/jobs/{jobs[0]['id']}", self.admin).status,
                         204)
        self.assertTrue(os.path.getsize(os.path.join(folder, "a.mp4")) > 0)

        r = self.ingest({"path": folder + "/", "recursive": True, "batch_id": "mine",
                         "batch_name": "All of it", "selected_pipelines": "scene_detection"})
        self.assertEqual(r.status, 201, r.body)
        out = r.json()
        self.assertEqual((out["batch_id"], out["batch_name"], out["total"]),
                         ("mine", "All of it", 3))
        names = sorted(s.request("GET", f"/api/v1/jobs/{j}", self.admin).json()["video_filename"]
                       for j in out["created"])
        self.assertEqual(names, ["a.mp4", "b.MKV", "c.mp4"])

    def test_escapes_refused(self):
        cases = {
            "dotdot": os.path.join(self.root, "..", "private"),
            "dotdot inside": os.path.join(self.root, "session 1", "..", "..", "private"),
            "symlink": os.path.join(self.root, "escape"),
            "absolute outside": self.outside,
            "file system root": "/",
            "missing outside": "/no/such/folder/anywhere",
        }
        for name, path in cases.items():
            with self.subTest(name):
                self.refused(self.ingest({"path": path}), 403, "INGEST_PATH_NOT_ALLOWED")
        # nothing was created by the refusals, and the private video stays private
        jobs = self.server.request("GET", "/api/v1/jobs?per_page=1000", self.admin).json()["jobs"]
        self.assertNotIn("secret.mp4", [j["video_filename"] for j in jobs])

    def test_bad_paths(self):
        self.refused(self.ingest({"path": ""}), 422, "INGEST_PATH_REQUIRED")
        self.refused(self.ingest({}), 422, "INGEST_PATH_REQUIRED")
        self.refused(self.ingest({"path": "corpus/session 1"}), 422, "INGEST_PATH_INVALID")
        self.refused(self.ingest({"path": os.path.join(self.root, "gone")}), 404,
                     "INGEST_PATH_NOT_FOUND")
        self.refused(self.ingest({"path": os.path.join(self.root, "private-copy.mp4")}), 422,
                     "INGEST_PATH_NOT_A_FOLDER")
        self.refused(self.ingest({"path": os.path.join(self.root, "nothing")}), 422,
                     "INGEST_NO_VIDEOS")
        self.refused(self.ingest({"path": 7}), 422, "VALIDATION_ERROR")
        self.refused(self.ingest({"path": self.root, "recursive": "yes"}), 422,
                     "VALIDATION_ERROR")
        self.refused(self.ingest({"path": self.root, "selected_pipelines": ["no_such"]}), 400,
                     "INVALID_CONFIG")
        r = self.server.request("POST", "/api/v1/ingest", self.admin, b"{nope",
                                "application/json")
        self.assertEqual(r.status, 400, r.body)

    def test_callers_refused(self):
        folder = os.path.join(self.root, "session 1")
        self.refused(self.ingest({"path": folder}, key=self.writer), 403, "FORBIDDEN")
        reader = self.server.key("ing-reader", "read")
        self.refused(self.ingest({"path": folder}, key=reader), 403, "FORBIDDEN")
        r = self.server.request("POST", "/api/v1/ingest", None, b'{"path":"/"}',
                                "application/json")
        self.assertEqual(r.status, 401, r.body)

    def test_remote_caller_refused(self):
        # behind a trusted proxy on this machine, the client is who the proxy names
        other = Server(f"--ingest-roots={self.root}", "--trusted-proxies=127.0.0.1")
        try:
            admin = other.key("ing-admin2", "read,write,admin")
            folder = os.path.join(self.root, "session 1")
            r = self.ingest({"path": folder}, key=admin, server=other,
                            headers={"X-Forwarded-For": "203.0.113.7"})
            self.refused(r, 403, "INGEST_REMOTE_CALLER")
            r = self.ingest({"path": folder}, key=admin, server=other,
                            headers={"X-Forwarded-For": "127.0.0.1"})
            self.assertEqual(r.status, 201, r.body)
        finally:
            other.stop()

    def test_not_configured(self):
        other = Server()
        try:
            admin = other.key("ing-admin3", "read,write,admin")
            r = self.ingest({"path": os.path.join(self.root, "session 1")}, key=admin,
                            server=other)
            self.refused(r, 403, "INGEST_DISABLED")
        finally:
            other.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
