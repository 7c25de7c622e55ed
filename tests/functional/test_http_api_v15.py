#!/usr/bin/env python3
# Black-box tests of what 1.5 and 1.6 clients (the web viewer, scripts)
# call beyond the 1.4 contract: the real `videoannotator server`, driven
# over HTTP with the standard library only. Helpers come from
# test_http_api.py.
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from test_http_api import ApiTest, UNKNOWN_JOB  # noqa: E402


def audit_log(server):
    path = os.path.join(server.data, "logs", "audit.log")
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class Identity(ApiTest):
    def test_me(self):
        s = self.server
        reader = s.key("ida", "read")
        admin = s.key("root", "read,write,admin")
        me = s.request("GET", "/api/v1/auth/me", reader)
        self.assertEqual(me.status, 200, me.body)
        body = me.json()
        self.assertEqual(body["id"], "ida")
        self.assertEqual(body["user_id"], "ida")
        self.assertEqual(body["username"], "ida")
        self.assertEqual(body["email"], "ida@lab.example")
        self.assertEqual(body["scopes"], ["read"])
        self.assertIs(body["is_admin"], False)
        self.assertIs(body["anonymous"], False)
        self.assertTrue(reader.startswith(body["key_prefix"]))
        self.assertLess(len(body["key_prefix"]), len(reader))
        self.assertNotIn(reader, me.body.decode())
        root = s.request("GET", "/api/v1/auth/me", admin).json()
        self.assertIs(root["is_admin"], True)
        self.assertEqual(sorted(root["scopes"]), ["admin", "read", "write"])
        self.assertEnvelope(s.request("GET", "/api/v1/auth/me"), 401, "UNAUTHORIZED")
        self.assertEnvelope(s.request("GET", "/api/v1/auth/me", "va_api_" + "B" * 43), 401,
                            "UNAUTHORIZED")


class Video(ApiTest):
    """GET /api/v1/jobs/{id}/video: whole, one range, unsatisfiable, audit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = cls.server.key("vid", "read,write")
        r = cls.server.submit(cls.key, cls.video, pipelines="motion_analysis")
        assert r.status == 201, r.body
        cls.job = r.json()["id"]
        with open(cls.video, "rb") as f:
            cls.bytes = f.read()

    def get(self, headers=None, key=None, job=None):
        return self.server.request("GET", f"/api/v1/jobs/{job or self.job}/video",
                                   key or self.key, headers=headers)

    def test_whole(self):
        r = self.get()
        self.assertEqual(r.status, 200, r.body[:200])
        self.assertEqual(r.body, self.bytes)
        self.assertEqual(r.headers["Accept-Ranges"], "bytes")
        self.assertEqual(r.headers.get_content_type(), "video/mp4")
        self.assertEqual(int(r.headers["Content-Length"]), len(self.bytes))
        self.assertIn("inline", r.headers["Content-Disposition"])

    def test_ranges(self):
        n = len(self.bytes)
        cases = {
            "bytes=0-99": (0, 100),
            "bytes=100-": (100, n - 100),
            "bytes=-50": (n - 50, 50),
            f"bytes={n - 1}-{n + 1000}": (n - 1, 1),
            "bytes=-999999999999": (0, n),
        }
        for header, (start, length) in cases.items():
            with self.subTest(header):
                r = self.get({"Range": header})
                self.assertEqual(r.status, 206, r.body[:200])
                self.assertEqual(r.body, self.bytes[start:start + length])
                self.assertEqual(r.headers["Content-Range"],
                                 f"bytes {start}-{start + length - 1}/{n}")
                self.assertEqual(int(r.headers["Content-Length"]), length)
                self.assertEqual(r.headers["Accept-Ranges"], "bytes")

    def test_unsatisfiable_and_ignored(self):
        n = len(self.bytes)
        for header in (f"bytes={n}-", "bytes=99999999999999999999999-", "bytes=-0"):
            with self.subTest(header):
                r = self.get({"Range": header})
                self.assertEnvelope(r, 416, "RANGE_NOT_SATISFIABLE")
                self.assertEqual(r.headers["Content-Range"], f"bytes */{n}")
        # malformed, several ranges, another unit, If-Range: the whole video
        for headers in ({"Range": "bytes=9-3"}, {"Range": "bytes=0-1,5-9"},
                        {"Range": "pages=1-2"}, {"Range": "bytes=0-9", "If-Range": '"x"'}):
            with self.subTest(headers):
                r = self.get(headers)
                self.assertEqual(r.status, 200)
                self.assertEqual(r.body, self.bytes)

    def test_access(self):
        other = self.server.key("nosy", "read,write")
        self.assertEnvelope(self.get(key=other), 404, "JOB_NOT_FOUND")
        self.assertEnvelope(self.get(job=UNKNOWN_JOB), 404, "JOB_NOT_FOUND")
        self.assertEnvelope(self.get(job="not-a-job-%27%3B--"), 404, "JOB_NOT_FOUND")
        r = self.server.request("GET", f"/api/v1/jobs/{self.job}/video")
        self.assertEnvelope(r, 401, "UNAUTHORIZED")

    def test_audited(self):
        self.get({"Range": "bytes=10-19"})
        entries = [e for e in audit_log(self.server) if e["action"] == "job.video.read"
                   and e["target"] == self.job]
        self.assertTrue(entries)
        detail = entries[-1]["detail"]
        self.assertEqual(detail["range_start"], 10)
        self.assertEqual(detail["range_length"], 10)


if __name__ == "__main__":
    unittest.main(verbosity=2)
