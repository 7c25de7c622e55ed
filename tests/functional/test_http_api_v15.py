#!/usr/bin/env python3
# Black-box tests of what 1.5 and 1.6 clients (the web viewer, scripts)
# call beyond the 1.4 contract: the real `videoannotator server`, driven
# over HTTP with the standard library only. Helpers come from
# test_http_api.py.
import hashlib
import json
import os
import shutil
import sys
import tempfile
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from test_http_api import ApiTest, BUILD, UNKNOWN_JOB  # noqa: E402


def audit_log(server):
    path = os.path.join(server.data, "logs", "audit.log")
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class BootId(ApiTest):
    def test_boot_id_changes_with_restart(self):
        from test_http_api import Server
        first = self.server.request("GET", "/health").json()["boot_id"]
        self.assertEqual(self.server.request("GET", "/health").json()["boot_id"], first)
        self.assertRegex(first, r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                r"[0-9a-f]{12}$")
        other = Server()
        try:
            self.assertNotEqual(other.request("GET", "/health").json()["boot_id"], first)
        finally:
            other.stop()


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


class Pipelines(ApiTest):
    def test_available_and_schema(self):
        s = self.server
        listed = s.request("GET", "/api/v1/pipelines").json()
        self.assertIs(listed["restart_required"], False)
        self.assertEqual(listed["total"], len(listed["pipelines"]))
        for p in listed["pipelines"]:
            self.assertIs(p["available"], True, p["name"])
            self.assertEqual(p["readiness"], "ready")
            self.assertIsNone(p["install_hint"])
        everything = s.request("GET", "/api/v1/pipelines?include_unavailable=true").json()
        self.assertEqual(everything["total"], listed["total"])
        self.assertEnvelope(s.request("GET", "/api/v1/pipelines?include_unavailable=perhaps"),
                            400, "INVALID_REQUEST")

        r = s.request("GET", "/api/v1/pipelines/scene_detection/schema")
        self.assertEqual(r.status, 200, r.body)
        schema = r.json()
        self.assertEqual(schema["pipeline"]["id"], "scene_detection")
        params = {p["name"]: p for p in schema["parameters"]}
        self.assertEqual(set(params), set(schema["config_schema"]))
        self.assertIn("threshold", params)
        threshold = params["threshold"]
        self.assertIn(threshold["type"], ("number", "integer"))
        self.assertIn("default", threshold)
        self.assertLessEqual(threshold["min"], threshold["default"])
        self.assertGreaterEqual(threshold["max"], threshold["default"])
        # the schema's default is accepted by validation
        ok = s.request("POST", "/api/v1/pipelines/scene_detection/validate",
                       body=json.dumps({"config": {"scene_detection": {
                           "threshold": threshold["default"]}}}).encode(),
                       content_type="application/json").json()
        self.assertIs(ok["valid"], True, ok)
        self.assertEnvelope(s.request("GET", "/api/v1/pipelines/nope/schema"), 404,
                            "PIPELINE_NOT_FOUND")


class ResultFiles(ApiTest):
    """1.6: jobs' warnings, every file of a pipeline (`files`, `?name=`),
    the artifacts archive without the video unless include_video=true."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = cls.server.key("files", "read,write")
        r = cls.server.submit(cls.key, cls.video, pipelines="person_tracking,scene_detection")
        assert r.status == 201, r.body
        cls.job = r.json()["id"]
        cls.done = cls.server.wait_for(cls.key, cls.job, ("completed", "failed"))
        cls.results = cls.server.request("GET", f"/api/v1/jobs/{cls.job}/results",
                                         cls.key).json()

    def test_warnings(self):
        self.assertEqual(self.done["status"], "completed", self.done)
        warnings = self.done["warnings"]
        self.assertIsInstance(warnings, list)
        # the same list in the job list and on a fresh read
        listed = self.server.request("GET", "/api/v1/jobs?per_page=100", self.key).json()
        self.assertEqual([j["warnings"] for j in listed["jobs"] if j["id"] == self.job],
                         [warnings])
        for name, result in self.results["pipeline_results"].items():
            nothing = [w for w in warnings if w.startswith(f"{name} found nothing")]
            self.assertEqual(len(nothing), 1 if result["annotation_count"] == 0 else 0,
                             (name, result, warnings))
        # no person model is installed in this data directory: the detector
        # fell back to HOG, and the job says so
        self.assertTrue(any("person model" in w.lower() or "hog" in w.lower()
                            for w in warnings), warnings)
        # a new job has an empty list
        r = self.server.submit(self.key, self.video, pipelines="motion_analysis")
        self.assertEqual(r.json()["warnings"], [])

    def test_files_by_name(self):
        person = self.results["pipeline_results"]["person_tracking"]
        names = [f["name"] for f in person["files"]]
        self.assertEqual(names, ["clip_person_tracking.json", "clip_person_tracks.json"])
        listing = os.listdir(os.path.join(self.server.data, "storage", self.job))
        for f in person["files"]:
            self.assertIn(f["name"], listing)
            r = self.server.request("GET", f["download_url"], self.key)
            self.assertEqual(r.status, 200, r.body[:200])
            self.assertIn(f["name"], r.headers["Content-Disposition"])
            with open(os.path.join(self.server.data, "storage", self.job, f["name"]), "rb") as g:
                self.assertEqual(r.body, g.read())
        # the two files are different documents
        a, b = (json.loads(self.server.request("GET", f["download_url"], self.key).body)
                for f in person["files"])
        self.assertNotEqual(a, b)
        scene = self.results["pipeline_results"]["scene_detection"]
        self.assertEqual([f["name"] for f in scene["files"]], ["clip_scene_detection.json"])

    def test_files_refusals(self):
        base = f"/api/v1/jobs/{self.job}/results/files/person_tracking?name="
        for name in ("clip_scene_detection.json", "input.mp4", "../../tokens.json",
                     "%2Fetc%2Fpasswd", "nothing.json", "clip_person_tracking"):
            with self.subTest(name):
                self.assertEnvelope(self.server.request("GET", base + name, self.key), 404,
                                    "FILE_NOT_FOUND")
        other = self.server.key("files-other", "read,write")
        self.assertEnvelope(self.server.request(
            "GET", base + "clip_person_tracking.json", other), 404, "JOB_NOT_FOUND")

    def test_artifacts_video_only_when_asked(self):
        import io
        import zipfile
        base = f"/api/v1/jobs/{self.job}/artifacts"
        with open(self.video, "rb") as f:
            video = f.read()
        for query, with_video in (("", False), ("?include_video=false", False),
                                  ("?include_video=true", True), ("?include_video=1", True)):
            with self.subTest(query):
                r = self.server.request("GET", base + query, self.key)
                self.assertEqual(r.status, 200)
                with zipfile.ZipFile(io.BytesIO(r.body)) as z:
                    names = z.namelist()
                    self.assertIn("clip_person_tracks.json", names)
                    self.assertEqual("input.mp4" in names, with_video, names)
                    if with_video:
                        self.assertEqual(z.read("input.mp4"), video)
        self.assertEnvelope(self.server.request("GET", base + "?include_video=maybe", self.key),
                            400, "INVALID_REQUEST")


class Rerun(ApiTest):
    """1.6 POST /api/v1/jobs/{id}/rerun: a new job on the same video, in its
    own folder; deleting either job leaves the other whole."""

    def rerun(self, key, job, body=None):
        data = json.dumps(body).encode() if body is not None else None
        return self.server.request("POST", f"/api/v1/jobs/{job}/rerun", key, data,
                                   "application/json" if data is not None else None)

    def test_rerun(self):
        s = self.server
        key = s.key("again", "read,write")
        first = s.submit(key, self.video, pipelines="scene_detection").json()
        # still pending or running: refused
        r = self.rerun(key, first["id"])
        if r.status != 201:
            self.assertEnvelope(r, 409, "JOB_NOT_FINISHED")
        s.wait_for(key, first["id"], ("completed",))
        storage = os.path.join(s.data, "storage")
        with open(self.video, "rb") as f:
            original = f.read()

        # same settings
        r = self.rerun(key, first["id"])
        self.assertEqual(r.status, 201, r.body)
        same = r.json()
        self.assertNotEqual(same["id"], first["id"])
        self.assertEqual(same["rerun_of"], first["id"])
        self.assertEqual(same["selected_pipelines"], ["scene_detection"])
        self.assertEqual(same["video_filename"], "clip.mp4")
        self.assertEqual(same["video_size_bytes"], len(original))
        # new settings: other pipelines, a config
        r = self.rerun(key, first["id"], {"selected_pipelines": "motion_analysis",
                                          "config": {"motion_analysis": {"interval": 2}}})
        self.assertEqual(r.status, 201, r.body)
        edited = r.json()
        self.assertEqual(edited["selected_pipelines"], ["motion_analysis"])
        self.assertEqual(edited["config"], {"motion_analysis": {"interval": 2}})
        for job in (same, edited):
            done = s.wait_for(key, job["id"], ("completed", "failed"))
            self.assertEqual(done["status"], "completed", done)
            with open(os.path.join(storage, job["id"], "input.mp4"), "rb") as f:
                self.assertEqual(f.read(), original)
        listing = os.listdir(os.path.join(storage, edited["id"]))
        self.assertIn("clip_motion_analysis.csv", listing)
        self.assertNotIn("clip_scene_detection.json", listing)
        # the provenance of the rerun names the same input
        res = s.request("GET", f"/api/v1/jobs/{same['id']}/results/files/scene_detection", key)
        self.assertEqual(json.loads(res.body)["provenance"]["input_sha256"],
                         hashlib.sha256(original).hexdigest())

        # deleting the original leaves the reruns whole, and the other way round
        self.assertEqual(s.request("DELETE", f"/api/v1/jobs/{first['id']}", key).status, 204)
        self.assertFalse(os.path.exists(os.path.join(storage, first["id"])))
        r = s.request("GET", f"/api/v1/jobs/{same['id']}/video", key)
        self.assertEqual((r.status, r.body), (200, original))
        self.assertEqual(s.request("DELETE", f"/api/v1/jobs/{same['id']}", key).status, 204)
        r = s.request("GET", f"/api/v1/jobs/{edited['id']}/video", key)
        self.assertEqual((r.status, r.body), (200, original))
        # a rerun of a rerun
        r = self.rerun(key, edited["id"])
        self.assertEqual((r.status, r.json()["rerun_of"]), (201, edited["id"]))

    def test_refusals(self):
        s = self.server
        key = s.key("again2", "read,write")
        job = s.submit(key, self.video, pipelines="motion_analysis").json()["id"]
        s.wait_for(key, job, ("completed",))
        self.assertEnvelope(self.rerun(key, job, {"selected_pipelines": ["no_such"]}), 400,
                            "INVALID_CONFIG")
        self.assertEnvelope(self.rerun(key, job, {"config": [1]}), 422, "VALIDATION_ERROR")
        self.assertEnvelope(self.rerun(key, job, {"selected_pipelines": [3]}), 422,
                            "VALIDATION_ERROR")
        r = s.request("POST", f"/api/v1/jobs/{job}/rerun", key, b"{nope", "application/json")
        self.assertEnvelope(r, 400, "INVALID_REQUEST")
        self.assertEnvelope(self.rerun(key, UNKNOWN_JOB), 404, "JOB_NOT_FOUND")
        self.assertEnvelope(self.rerun(s.key("again3", "read,write"), job), 404, "JOB_NOT_FOUND")
        self.assertEnvelope(self.rerun(s.key("again4", "read"), job), 403, "FORBIDDEN")
        # nothing was created by the refusals
        jobs = s.request("GET", "/api/v1/jobs?per_page=100", key).json()["jobs"]
        self.assertEqual([j["id"] for j in jobs], [job])


class PipelinesMissingPlugins(ApiTest):
    """Only the plugin module without OpenCV and PocketSphinx is installed:
    the face, person and speech pipelines are unavailable."""

    @classmethod
    def setUpClass(cls):
        cls.plugins = tempfile.mkdtemp(prefix="va-plugins-")
        os.symlink(os.path.join(BUILD, "plugins", "annotate", "libgstvideoannotator.so"),
                   os.path.join(cls.plugins, "libgstvideoannotator.so"))
        saved = {k: os.environ.get(k) for k in ("GST_PLUGIN_PATH", "GST_REGISTRY")}
        os.environ["GST_PLUGIN_PATH"] = cls.plugins
        os.environ["GST_REGISTRY"] = os.path.join(cls.plugins, "registry.bin")
        try:
            super().setUpClass()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.plugins, ignore_errors=True)

    def test_unavailable(self):
        s = self.server
        shown = {p["name"] for p in s.request("GET", "/api/v1/pipelines").json()["pipelines"]}
        self.assertIn("scene_detection", shown)
        self.assertNotIn("speech_recognition", shown)
        self.assertNotIn("face_analysis", shown)
        every = s.request("GET", "/api/v1/pipelines?include_unavailable=1").json()
        by_name = {p["name"]: p for p in every["pipelines"]}
        self.assertEqual(every["total"], len(by_name))
        speech = by_name["speech_recognition"]
        self.assertIs(speech["available"], False)
        self.assertEqual(speech["readiness"], "unavailable")
        self.assertIn("GST_PLUGIN_PATH", speech["install_hint"])
        self.assertIn("vaspeech", speech["install_hint"] + speech["unavailable_reason"])
        self.assertIs(by_name["scene_detection"]["available"], True)


class EventTickets(ApiTest):
    # each refusal comes from an address of its own (X-Forwarded-For from a
    # trusted proxy): a dozen 401s from one would get it blocked
    extra = ("--trusted-proxies=127.0.0.1",)

    def ticket(self, key):
        r = self.server.request("POST", "/api/v1/events/ticket", key)
        self.assertEqual(r.status, 201, r.body)
        return r.json()

    def test_browser_stream_with_ticket(self):
        s = self.server
        key = s.key("eve", "read,write")
        t = self.ticket(key)
        self.assertTrue(t["ticket"].startswith("va_evt_"))
        self.assertEqual(t["expires_in"], 60)
        self.assertTrue(t["expires_at"].endswith("Z"))
        self.assertEqual(t["stream_url"], "/api/v1/events/stream?ticket=" + t["ticket"])
        # as an EventSource does: no header at all
        events = urllib.request.urlopen(s.base + t["stream_url"], timeout=120)
        self.assertEqual(events.headers.get_content_type(), "text/event-stream")
        self.assertEqual(events.readline(), b"retry: 5000\n")
        job = s.submit(key, self.video, pipelines="motion_analysis").json()
        seen, changes = [], []
        name = None
        while "job.complete" not in seen or not any(
                c["status"] == "completed" for c in changes):
            line = events.readline()
            self.assertTrue(line, "event stream ended")
            line = line.decode().rstrip("\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                if name is None:
                    self.assertEqual(data["type"], "job_status_changed")
                    self.assertEqual(data["job_id"], job["id"])
                    self.assertIn("progress_percentage", data)
                    self.assertIn("batch_id", data)
                    changes.append(data)
                else:
                    seen.append(name)
                    if name.startswith("job."):
                        self.assertEqual(data["job_id"], job["id"])
            elif line == "":
                name = None
        events.close()
        self.assertIn("job.completed", seen)
        self.assertIn("job.update", seen)
        # single use
        again = s.request("GET", t["stream_url"])
        err = self.assertEnvelope(again, 401, "UNAUTHORIZED")
        self.assertIn("already used", err["message"])

    def test_refusals(self):
        s = self.server
        key = s.key("mallory", "read,write")
        clients = (f"198.18.7.{i}" for i in range(1, 250))
        plain = s.request

        def request(method, path, key=None, body=None, content_type=None, headers=None):
            headers = dict(headers or {}, **{"X-Forwarded-For": next(clients)})
            return plain(method, path, key, body, content_type, headers)

        s.request = request
        self.addCleanup(setattr, s, "request", plain)
        # a key in the URL: refused, pointing at the ticket route, never logged
        for param in ("token", "api_key", "access_token", "whatever"):
            with self.subTest(param):
                r = s.request("GET", f"/api/v1/events/stream?{param}={key}")
                err = self.assertEnvelope(r, 401, "UNAUTHORIZED")
                self.assertIn("/api/v1/events/ticket", err["hint"])
        r = s.request("GET", f"/api/v1/jobs?token={key}", key)
        self.assertEnvelope(r, 401, "UNAUTHORIZED")
        # a ticket is for the stream only, and not beside a key
        t = self.ticket(key)["ticket"]
        self.assertEnvelope(s.request("GET", f"/api/v1/jobs?ticket={t}"), 401, "UNAUTHORIZED")
        t = self.ticket(key)["ticket"]
        self.assertEnvelope(s.request("GET", f"/api/v1/events/stream?ticket={t}", key), 401,
                            "UNAUTHORIZED")
        for bad in ("va_evt_" + "A" * 43, "nonsense", ""):
            self.assertEnvelope(s.request("GET", f"/api/v1/events/stream?ticket={bad}"), 401,
                                "UNAUTHORIZED")
        # a ticket needs a key
        self.assertEnvelope(s.request("POST", "/api/v1/events/ticket"), 401, "UNAUTHORIZED")
        for dirpath, _, files in os.walk(os.path.join(s.data, "logs")):
            for name in files:
                with open(os.path.join(dirpath, name), "rb") as f:
                    self.assertNotIn(key.encode(), f.read(), name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
