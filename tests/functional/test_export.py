#!/usr/bin/env python3
# Black-box test of `videoannotator export` (data portability) on the data
# directory of a running server: the ZIP's layout, its manifest's sha256
# sums, media only when asked, nothing of other users, no key secrets.
# RestExport: the same export streamed by GET /api/v1/jobs/{id}/export
# (owner or admin) and GET /api/v1/users/{user}/export (admin).
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.request
import uuid
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_http_api import EXE, ApiTest, multipart  # noqa: E402


class ExportHelpers:
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


class Export(ExportHelpers, ApiTest):
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


class RestExport(ExportHelpers, ApiTest):
    def get(self, path, key):
        return self.server.request("GET", path, key, timeout=120)

    def test_rest_export(self):
        s = self.server
        alice = s.key("ann", "read,write")
        bob = s.key("ben", "read,write")
        admin = s.key("root-admin", "read,write,admin")
        a1, a2 = self.submit(alice, "ann-1"), self.submit(alice, "ann-2")
        b1 = self.submit(bob, "ben-1")

        # the owner: streamed (chunked), offered as a file, a valid ZIP
        r = self.get(f"/api/v1/jobs/{a1}/export", alice)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.headers["Content-Type"], "application/zip")
        self.assertEqual(r.headers.get("Transfer-Encoding"), "chunked")
        self.assertEqual(r.headers["Content-Disposition"], f"attachment; filename=job_{a1}_export.zip")
        with zipfile.ZipFile(io.BytesIO(r.body)) as z:
            self.assertIsNone(z.testzip())
            manifest = self.check_manifest(z)
            self.assertEqual(manifest["job_id"], a1)
            self.assertFalse(manifest["media"])
            names = z.namelist()
            self.assertEqual(names[-1], "manifest.json")
            self.assertEqual(json.loads(z.read(f"jobs/{a1}/job.json"))["id"], a1)
            self.assertTrue(any(x.startswith(f"jobs/{a1}/files/") for x in names), names)
            self.assertFalse(any("/media/" in x for x in names), names)
            rest_files = {f["path"]: f["sha256"] for f in manifest["files"]
                          if "/files/" in f["path"]}

        # the command line writes the same members (one engine operation)
        tmp = tempfile.mkdtemp(prefix="va-export-")
        self.addCleanup(shutil.rmtree, tmp, True)
        out = self.export("--job", a1, "-o", os.path.join(tmp, "a1.zip"))
        self.assertEqual(out.returncode, 0, out.stderr)
        with zipfile.ZipFile(os.path.join(tmp, "a1.zip")) as z:
            cli = self.check_manifest(z)
            self.assertEqual({f["path"]: f["sha256"] for f in cli["files"]
                              if "/files/" in f["path"]}, rest_files)

        # with the video: byte for byte what was uploaded
        r = self.get(f"/api/v1/jobs/{a2}/export?with_media=true", alice)
        self.assertEqual(r.status, 200, r.body)
        with zipfile.ZipFile(io.BytesIO(r.body)) as z:
            manifest = self.check_manifest(z)
            self.assertTrue(manifest["media"])
            media = [x for x in z.namelist() if x.startswith(f"jobs/{a2}/media/")]
            self.assertEqual(len(media), 1, z.namelist())
            with open(self.video, "rb") as f:
                self.assertEqual(z.read(media[0]), f.read())

        # another user's job is not found; an admin may export it
        self.assertEnvelope(self.get(f"/api/v1/jobs/{a1}/export", bob), 404, "JOB_NOT_FOUND")
        self.assertEnvelope(self.get("/api/v1/jobs/not-a-job/export", alice), 404,
                            "JOB_NOT_FOUND")
        self.assertEnvelope(self.get(f"/api/v1/jobs/{a1}/export?with_media=maybe", alice), 400,
                            "INVALID_REQUEST")
        self.assertEqual(self.get(f"/api/v1/jobs/{a1}/export", None).status, 401)
        r = self.get(f"/api/v1/jobs/{b1}/export", admin)
        self.assertEqual(r.status, 200, r.body)
        with zipfile.ZipFile(io.BytesIO(r.body)) as z:
            self.check_manifest(z)

        # a user's export: admin only; every job of theirs, none of others
        self.assertEnvelope(self.get("/api/v1/users/ann/export", alice), 403, "FORBIDDEN")
        self.assertEnvelope(self.get("/api/v1/users/nobody-here/export", admin), 404,
                            "USER_NOT_FOUND")
        r = self.get("/api/v1/users/ann/export?with_media=1", admin)
        self.assertEqual(r.status, 200, r.body)
        with zipfile.ZipFile(io.BytesIO(r.body)) as z:
            manifest = self.check_manifest(z)
            self.assertEqual(manifest["user_id"], "ann")
            names = z.namelist()
            self.assertEqual({x.split("/")[1] for x in names if x.startswith("jobs/")}, {a1, a2})
            self.assertEqual(len([x for x in names if "/media/" in x]), 2, names)
            keys = z.read("keys.json")
            self.assertEqual([k["user_id"] for k in json.loads(keys)], ["ann"])
            self.assertNotIn(alice.encode(), keys)

        audit = subprocess.run([EXE, "audit", "list", "--json", "--data-dir", s.data],
                               capture_output=True, text=True)
        actions = [(e["action"], e["target"]) for e in json.loads(audit.stdout)]
        self.assertIn(("job.export", a2), actions)
        self.assertIn(("job.export", b1), actions)
        self.assertIn(("user.export", "ann"), actions)
        self.assertNotIn(("user.export", "nobody-here"), actions)

        # the server is still up and serving
        self.assertEqual(self.get(f"/api/v1/jobs/{a1}", alice).status, 200)

    def test_large_media_is_streamed(self):
        """A 160 MB upload comes back through the export without the
        server holding it: its RSS is sampled while the body is read."""
        s = self.server
        key = s.key("carla", "read,write")
        tmp = tempfile.mkdtemp(prefix="va-export-big-")
        self.addCleanup(shutil.rmtree, tmp, True)
        big = os.path.join(tmp, "big.mp4")
        with open(self.video, "rb") as f:
            head = f.read()
        sha = hashlib.sha256()
        with open(big, "wb") as f:
            # a real clip, then data no decoder tuned for: typefinds as MP4
            f.write(head)
            sha.update(head)
            for _ in range(160):
                block = os.urandom(1024 * 1024)
                f.write(block)
                sha.update(block)
        ctype, body = multipart({"selected_pipelines": "scene_detection"},
                                {"video": ("big.mp4", open(big, "rb").read())})
        r = s.request("POST", "/api/v1/jobs", key, body, ctype, timeout=300)
        del body
        self.assertEqual(r.status, 201, r.body)
        job = r.json()["id"]
        s.wait_for(key, job, ("completed", "failed"), timeout=300)

        req = urllib.request.Request(f"{s.base}/api/v1/jobs/{job}/export?with_media=true")
        req.add_header("Authorization", f"Bearer {key}")
        out = os.path.join(tmp, "export.zip")
        peak = before = rss_kib(s.proc.pid)
        with urllib.request.urlopen(req, timeout=300) as resp, open(out, "wb") as f:
            self.assertEqual(resp.status, 200)
            while True:
                chunk = resp.read(1024 * 1024)
                if not chunk:
                    break
                f.write(chunk)
                peak = max(peak, rss_kib(s.proc.pid))
        self.assertGreater(os.path.getsize(out), 160 * 1024 * 1024)
        # one block at a time: far less than the 160 MB that went through
        self.assertLess(peak - before, 32 * 1024, f"RSS grew from {before} to {peak} KiB")
        with zipfile.ZipFile(out) as z:
            manifest = self.check_manifest(z)
            media = [f for f in manifest["files"] if "/media/" in f["path"]]
            self.assertEqual([m["sha256"] for m in media], [sha.hexdigest()])


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


if __name__ == "__main__":
    unittest.main(verbosity=2)
