#!/usr/bin/env python3
# Black-box test of `videoannotator export` (data portability) on the data
# directory of a running server: the ZIP's layout, its manifest's sha256
# sums, media only when asked, nothing of other users, no key secrets.
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import uuid
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_http_api import EXE, ApiTest, multipart  # noqa: E402


class Export(ApiTest):
    def export(self, *args):
        return subprocess.run([EXE, "export", "--data-dir", self.server.data] + list(args),
                              capture_output=True, text=True, timeout=120)

    def submit(self, key, reference):
        with open(self.video, "rb") as f:
            video = f.read()
        ctype, body = multipart({"selected_pipelines": "scene_detection",
                                 "consent": json.dumps({"granted": True,
                                                        "reference": reference})},
                                {"video": ("clip.mp4", video)})
        r = self.server.request("POST", "/api/v1/jobs", key, body, ctype)
        self.assertEqual(r.status, 201, r.body)
        job = r.json()["id"]
        self.server.wait_for(key, job, ("completed",))
        return job

    def check_manifest(self, z):
        manifest = json.loads(z.read("manifest.json"))
        self.assertEqual(manifest["format"], "videoannotator-export")
        names = set(z.namelist()) - {"manifest.json"}
        self.assertEqual({f["path"] for f in manifest["files"]}, names)
        for f in manifest["files"]:
            data = z.read(f["path"])
            self.assertEqual(len(data), f["size"], f["path"])
            self.assertEqual(hashlib.sha256(data).hexdigest(), f["sha256"], f["path"])
        return manifest

    def test_export(self):
        s = self.server
        tmp = tempfile.mkdtemp(prefix="va-export-")
        self.addCleanup(shutil.rmtree, tmp, True)
        alice = s.key("alice", "read,write")
        bob = s.key("bob", "read,write")
        ref = f"consent-{uuid.uuid4().hex}"
        a1, a2 = self.submit(alice, ref + "-1"), self.submit(alice, ref + "-2")
        b1 = self.submit(bob, "bob-consent")

        out_zip = os.path.join(tmp, "alice.zip")
        out = self.export("--user", "alice", "-o", out_zip)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("2 job", out.stdout)
        self.assertEqual(oct(os.stat(out_zip).st_mode & 0o777), "0o600")
        with zipfile.ZipFile(out_zip) as z:
            self.assertIsNone(z.testzip())
            self.check_manifest(z)
            names = z.namelist()
            self.assertEqual(names[-1], "manifest.json")
            for job, n in ((a1, "1"), (a2, "2")):
                meta = json.loads(z.read(f"jobs/{job}/job.json"))
                self.assertEqual(meta["id"], job)
                self.assertEqual(meta["consent"]["reference"], f"{ref}-{n}")
                results = json.loads(z.read(f"jobs/{job}/results.json"))
                self.assertTrue(results)
                files = [x for x in names if x.startswith(f"jobs/{job}/files/")]
                self.assertTrue(any(x.endswith(".json") for x in files), files)
                self.assertFalse(any(f"jobs/{job}/media/" in x for x in names))
                for f in files:
                    json.loads(z.read(f))  # scene results are JSON
            self.assertFalse(any(b1 in x for x in names))
            keys = json.loads(z.read("keys.json"))
            self.assertEqual([k["user_id"] for k in keys], ["alice"])
            self.assertNotIn(alice.encode(), z.read("keys.json"))
            self.assertNotIn(b"digest", z.read("keys.json"))

        one = os.path.join(tmp, "one.zip")
        out = self.export("--job", b1, "-o", one, "--with-media")
        self.assertEqual(out.returncode, 0, out.stderr)
        with zipfile.ZipFile(one) as z:
            self.check_manifest(z)
            media = [x for x in z.namelist() if x.startswith(f"jobs/{b1}/media/")]
            self.assertEqual(len(media), 1, z.namelist())
            with open(self.video, "rb") as f:
                self.assertEqual(z.read(media[0]), f.read())

        missing = os.path.join(tmp, "missing.zip")
        out = self.export("--job", "00000000-0000-4000-8000-000000000000", "-o", missing)
        self.assertEqual(out.returncode, 3, out.stderr)
        self.assertFalse(os.path.exists(missing))
        self.assertEqual(sorted(os.listdir(tmp)), ["alice.zip", "one.zip"])
        out = self.export("--job", b1, "--user", "bob", "-o", missing)
        self.assertEqual(out.returncode, 2, out.stderr)
        audit = subprocess.run([EXE, "audit", "list", "--json", "--action", "user.export",
                                "--data-dir", s.data], capture_output=True, text=True)
        self.assertEqual([e["target"] for e in json.loads(audit.stdout)], ["alice"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
