#!/usr/bin/env python3
# Black-box tests of the REST API: the real `videoannotator server` on a
# temporary data directory, driven with urllib only. Ports the HTTP
# behaviours the 1.4 service's own tests check (health, submission
# validation, cancellation, error envelope, pagination, delete), adds an
# authorization matrix (every route x every kind of key) and an end-to-end
# run: a generated video with cuts is submitted, processed, and its results
# and artifacts downloaded and checked.
import hashlib
import http.client
import io
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import uuid
import zipfile

BUILD = os.environ["VA_BUILD_ROOT"]
EXE = os.path.join(BUILD, "src", "cli", "videoannotator")
ROOT = os.geteuid() == 0
UNKNOWN_JOB = "00000000-0000-4000-8000-000000000000"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_video(path, scenes=3, seconds=2, fps=10):
    """A small MP4 with hard cuts between different test patterns."""
    patterns = ["pattern=ball motion=sweep", "pattern=smpte horizontal-speed=4",
                "pattern=checkers-8 horizontal-speed=2", "pattern=pinwheel"]
    caps = f"video/x-raw,width=320,height=240,framerate={fps}/1,format=I420"
    args = ["gst-launch-1.0", "-q", "concat", "name=cat", "!", "identity", "single-segment=true",
            "!", "videoconvert", "!", "x264enc", "speed-preset=ultrafast", "!", "h264parse", "!",
            "mp4mux", "!", "filesink", f"location={path}"]
    for i in range(scenes):
        args += ["videotestsrc", f"num-buffers={seconds * fps}"]
        args += patterns[i % len(patterns)].split()
        args += ["!", caps, "!", "cat."]
    subprocess.run(args, check=True, timeout=120)


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                  .encode())
        out.write(value.encode() + b"\r\n")
    for name, (filename, data) in files.items():
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                  f"filename=\"{filename}\"\r\nContent-Type: video/mp4\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", out.getvalue()


class Server:
    """One `videoannotator server` on a temporary data directory."""

    def __init__(self, *extra, data=None):
        self.tmp = tempfile.mkdtemp(prefix="va-http-functional-")
        self.data = data or os.path.join(self.tmp, "data")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        args = [EXE, "server", "--data-dir", self.data, f"--port={self.port}",
                "--auto-generate-api-key=false", "--rate-limit=0"] + list(extra)
        if ROOT:
            args.append("--allow-root")
        self.log = open(os.path.join(self.tmp, "server.log"), "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                     cwd=self.tmp)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}): {self.logs()}")
            try:
                if self.request("GET", "/health").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("server did not answer /health")
            time.sleep(0.1)

    def logs(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def cli(self, *args, faketime=None):
        cmd = [EXE] + list(args) + ["--data-dir", self.data]
        env = dict(os.environ)
        if faketime is not None:
            cmd = ["faketime", "-f", faketime] + cmd
            # libfaketime is preloaded; a sanitizer runtime must not insist on coming first
            env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=60, env=env)
        return out.stdout

    def key(self, user, scopes, days=30, faketime=None):
        out = self.cli("token", "create", "--json", "--user-id", user, "--username", user,
                       "--email", f"{user}@lab.example", "--scopes", scopes,
                       "--expires-in-days", str(days), faketime=faketime)
        return json.loads(out)["key"]

    def request(self, method, path, key=None, body=None, content_type=None, headers=None,
                timeout=60):
        req = urllib.request.Request(self.base + path, data=body, method=method)
        if key is not None:
            req.add_header("Authorization", f"Bearer {key}")
        if content_type is not None:
            req.add_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            req.add_header(name, value)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return Reply(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Reply(e.code, e.headers, e.read())

    def submit(self, key, video=None, config=None, pipelines=None):
        fields = {}
        if config is not None:
            fields["config"] = config
        if pipelines is not None:
            fields["selected_pipelines"] = pipelines
        files = {}
        if video is not None:
            with open(video, "rb") as f:
                files["video"] = ("clip.mp4", f.read())
        ctype, body = multipart(fields, files)
        return self.request("POST", "/api/v1/jobs", key, body, ctype)

    def wait_for(self, key, job_id, states, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.request("GET", f"/api/v1/jobs/{job_id}", key).json()
            if job["status"] in states:
                return job
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} never reached {states}")


class ApiTest(unittest.TestCase):
    """Shares one server per class; each test uses users of its own."""

    server = None
    extra = ()

    @classmethod
    def setUpClass(cls):
        cls.server = Server(*cls.extra)
        cls.tmp = tempfile.mkdtemp(prefix="va-http-media-")
        cls.video = os.path.join(cls.tmp, "clip.mp4")
        make_video(cls.video)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def assertEnvelope(self, reply, status, code):
        self.assertEqual(reply.status, status, reply.body)
        body = reply.json()
        err = body["error"]
        self.assertEqual(err["code"], code)
        self.assertEqual(body["detail"], err["message"])
        self.assertIn("T", err["timestamp"])
        self.assertTrue(err["timestamp"].endswith("Z"))
        return err


class Health(ApiTest):
    def test_health(self):
        s = self.server
        start = time.monotonic()
        r = s.request("GET", "/api/v1/health")
        self.assertLess(time.monotonic() - start, 1.0)
        body = r.json()
        self.assertEqual(r.status, 200)
        self.assertEqual(body["status"], "ok")
        self.assertIsInstance(body["version"], str)
        self.assertTrue(body["timestamp"].endswith("Z"))
        self.assertNotIn("details", body)
        for name in ("X-Request-ID", "X-Content-Type-Options", "X-Frame-Options",
                     "Referrer-Policy", "Cache-Control"):
            self.assertIn(name, r.headers)

    def test_health_detailed(self):
        r = self.server.request("GET", "/api/v1/health?detailed=true")
        self.assertEqual(r.status, 200)
        details = r.json()["details"]
        self.assertIn(details["database"]["status"], ("ok", "error"))
        for k in ("total_gb", "used_gb", "free_gb", "percent_used"):
            self.assertIn(k, details["storage"])
        self.assertIn("available", details["gpu"])
        self.assertGreater(details["registry"]["pipelines_loaded"], 0)
        self.assertIn("scene_detection", details["registry"]["pipeline_names"])

    def test_legacy_and_system(self):
        s = self.server
        legacy = s.request("GET", "/health").json()
        self.assertEqual(legacy["status"], "healthy")
        for k in ("api_version", "videoannotator_version", "message"):
            self.assertIn(k, legacy)
        system = s.request("GET", "/api/v1/system/health").json()
        self.assertIn("platform", system["system"])
        self.assertIn(system["workers"]["status"], ("running", "stopped"))
        self.assertEqual(system["services"]["database"]["status"], "healthy")
        metrics = s.request("GET", "/api/v1/system/metrics").json()["metrics"]
        for k in ("jobs_total", "jobs_pending", "api_requests_total", "response_time_avg",
                  "uptime_seconds"):
            self.assertIn(k, metrics)
        self.assertGreater(metrics["api_requests_total"], 0)

    def test_unknown_route_and_method(self):
        s = self.server
        self.assertEnvelope(s.request("GET", "/api/v1/nope"), 404, "NOT_FOUND")
        r = s.request("DELETE", "/health")
        self.assertEnvelope(r, 405, "METHOD_NOT_ALLOWED")
        self.assertIn("GET", r.headers["Allow"])
        self.assertIn("HEAD", r.headers["Allow"])

    def head(self, path, key=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            conn.request("HEAD", path,
                         headers={"Authorization": f"Bearer {key}"} if key is not None else {})
            r = conn.getresponse()
            # a HEAD answer has no body, whatever its Content-Length says
            return r.status, r.headers, r.read()
        finally:
            conn.close()

    def test_head_wherever_get(self):
        s = self.server
        key = s.key("header", "read,write")
        job = s.submit(key, self.video, pipelines="scene_detection").json()
        s.wait_for(key, job["id"], ("completed", "failed"))
        for path in ["/openapi.json", "/api/v1/pipelines", "/", f"/api/v1/jobs/{job['id']}",
                     f"/api/v1/jobs/{job['id']}/video",
                     f"/api/v1/jobs/{job['id']}/results/files/scene_detection"]:
            with self.subTest(path=path):
                got = s.request("GET", path, key)
                status, headers, body = self.head(path, key)
                self.assertEqual((status, body), (200, b""))
                for name in ("Content-Type", "Content-Length", "Content-Disposition"):
                    self.assertEqual(headers[name], got.headers[name], name)
                self.assertEqual(int(headers["Content-Length"]), len(got.body))
        # streamed answers: headers, then the answer ends (no event stream left open)
        for path in ["/api/v1/events/stream", f"/api/v1/jobs/{job['id']}/artifacts"]:
            with self.subTest(path=path):
                status, headers, body = self.head(path, key)
                self.assertEqual((status, body), (200, b""))
        # the same rules as GET: no key, no job
        status, headers, body = self.head(f"/api/v1/jobs/{job['id']}")
        self.assertEqual((status, body), (401, b""))
        # only where GET is: a POST-only route says which methods it takes
        status, headers, body = self.head(f"/api/v1/jobs/{job['id']}/cancel", key)
        self.assertEqual(status, 405)
        self.assertNotIn("HEAD", headers["Allow"])
        self.assertEqual(s.request("GET", "/health").status, 200)

    def test_openapi(self):
        doc = self.server.request("GET", "/openapi.json").json()
        self.assertTrue(doc["openapi"].startswith("3."))
        for path in ("/api/v1/jobs", "/api/v1/jobs/{job_id}", "/api/v1/events/stream"):
            self.assertIn(path, doc["paths"])


class Jobs(ApiTest):
    def test_submission_and_validation(self):
        s = self.server
        key = s.key("subm", "read,write")
        r = s.submit(key, self.video, config='{"scene_detection":{"threshold":20}}',
                     pipelines="scene_detection")
        self.assertEqual(r.status, 201, r.body)
        job = r.json()
        self.assertIn(job["status"], ("pending", "running"))
        self.assertEqual(job["config"], {"scene_detection": {"threshold": 20}})
        self.assertEqual(job["selected_pipelines"], ["scene_detection"])
        got = s.request("GET", f"/api/v1/jobs/{job['id']}", key).json()
        self.assertEqual(got["id"], job["id"])
        self.assertEqual(got["video_filename"], "clip.mp4")
        # no config → {}; empty selected_pipelines → defaults
        r = s.submit(key, self.video, pipelines="")
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json()["config"], {})
        err = self.assertEnvelope(s.submit(key, self.video, config="{bad json"), 400,
                                  "INVALID_REQUEST")
        self.assertIn("hint", err)
        self.assertEnvelope(s.submit(key, None, config="{}"), 422, "VALIDATION_ERROR")
        err = self.assertEnvelope(s.submit(key, self.video, pipelines="no_such_pipeline"), 400,
                                  "INVALID_CONFIG")
        self.assertIn("no_such_pipeline", err["message"])
        bad = self.assertEnvelope(
            s.submit(key, self.video, config='{"scene_detection":{"threshold":"high"}}',
                     pipelines="scene_detection"), 400, "INVALID_CONFIG")
        self.assertIn("threshold", bad["message"])

    def test_not_media(self):
        s = self.server
        key = s.key("notmedia", "read,write")
        text = os.path.join(self.tmp, "notes.txt")
        with open(text, "w") as f:
            f.write("not a video\n" * 100)
        self.assertEnvelope(s.submit(key, text), 415, "UNSUPPORTED_MEDIA_TYPE")

    def test_truncated_media(self):
        # Typefinding sees an MP4, so the submission is accepted (nothing
        # decodes it before the answer); the job's run then fails it with
        # the decoder's reason, without waiting for any timeout.
        s = self.server
        key = s.key("truncated", "read,write")
        half = os.path.join(self.tmp, "half.mp4")
        with open(self.video, "rb") as f:
            data = f.read()
        with open(half, "wb") as f:
            f.write(data[: len(data) // 2])
        for _ in range(3):
            start = time.monotonic()
            r = s.submit(key, half, pipelines="scene_detection")
            self.assertEqual(r.status, 201, r.body)
            self.assertLess(time.monotonic() - start, 5)
            job = r.json()
            self.assertIsNone(job["video_duration_seconds"])
            done = s.wait_for(key, job["id"], ("completed", "failed"), timeout=60)
            self.assertEqual(done["status"], "failed", done)
            self.assertIn("truncated or corrupt", done["error_message"])

    def test_error_envelope(self):
        s = self.server
        key = s.key("envelope", "read")
        err = self.assertEnvelope(s.request("GET", f"/api/v1/jobs/{UNKNOWN_JOB}", key), 404,
                                  "JOB_NOT_FOUND")
        self.assertIn(UNKNOWN_JOB, err["message"])
        self.assertIn("not found", err["message"])
        self.assertIn("hint", err)
        err = self.assertEnvelope(s.request("GET", "/api/v1/pipelines/nonexistent"), 404,
                                  "PIPELINE_NOT_FOUND")
        self.assertIn("nonexistent", err["message"])
        self.assertIn("videoannotator pipelines", err["hint"])

    def test_pagination(self):
        s = self.server
        key = s.key("pager", "read,write")
        empty = s.request("GET", "/api/v1/jobs", key).json()
        self.assertEqual(empty, {"jobs": [], "total": 0, "page": 1, "per_page": 10})
        for _ in range(5):
            self.assertEqual(s.submit(key, self.video, pipelines="motion_analysis").status, 201)
        p1 = s.request("GET", "/api/v1/jobs?page=1&per_page=3", key).json()
        p2 = s.request("GET", "/api/v1/jobs/?page=2&per_page=3", key).json()
        self.assertEqual(len(p1["jobs"]), 3)
        self.assertEqual(len(p2["jobs"]), 2)
        self.assertEqual(p1["total"], 5)
        ids = [j["id"] for j in p1["jobs"] + p2["jobs"]]
        self.assertEqual(len(set(ids)), 5)
        for q in ("page=0", "per_page=0", "per_page=5000", "page=x", "status_filter=bogus"):
            self.assertEnvelope(s.request("GET", f"/api/v1/jobs?{q}", key), 400,
                                "INVALID_REQUEST")

    def test_cancel_and_delete(self):
        s = self.server
        key = s.key("canceller", "read,write")
        job = s.submit(key, self.video, pipelines="scene_detection").json()
        r = s.request("POST", f"/api/v1/jobs/{job['id']}/cancel", key)
        if r.status == 409:
            # it finished first: then a cancel must say so
            self.assertEnvelope(r, 409, "JOB_ALREADY_COMPLETED")
        else:
            self.assertEqual(r.status, 200, r.body)
            body = r.json()
            self.assertEqual(body["status"], "cancelled")
            self.assertEqual(body["error_message"], "Job cancelled by user request")
            self.assertIsNotNone(body["completed_at"])
            again = s.request("POST", f"/api/v1/jobs/{job['id']}/cancel", key)
            self.assertEqual(again.status, 200)
            self.assertEqual(s.request("GET", f"/api/v1/jobs/{job['id']}", key).json()["status"],
                             "cancelled")
        self.assertEnvelope(s.request("POST", f"/api/v1/jobs/{UNKNOWN_JOB}/cancel", key), 404,
                            "JOB_NOT_FOUND")
        r = s.request("DELETE", f"/api/v1/jobs/{job['id']}", key)
        self.assertEqual(r.status, 204)
        self.assertEqual(r.body, b"")
        self.assertEnvelope(s.request("GET", f"/api/v1/jobs/{job['id']}", key), 404,
                            "JOB_NOT_FOUND")
        self.assertEnvelope(s.request("DELETE", f"/api/v1/jobs/{job['id']}", key), 404,
                            "JOB_NOT_FOUND")
        self.assertFalse(os.path.exists(os.path.join(s.data, "storage", job["id"])))

    def test_completed_cannot_be_cancelled(self):
        s = self.server
        key = s.key("finisher", "read,write")
        job = s.submit(key, self.video, pipelines="motion_analysis").json()
        done = s.wait_for(key, job["id"], ("completed", "failed"))
        err = self.assertEnvelope(s.request("POST", f"/api/v1/jobs/{job['id']}/cancel", key),
                                  409, "JOB_ALREADY_COMPLETED")
        self.assertIn("cannot cancel", err["message"].lower())
        self.assertEqual(err["detail"]["status"], done["status"])


class EndToEnd(ApiTest):
    def test_submit_process_download(self):
        s = self.server
        key = s.key("e2e", "read,write")
        # the event stream sees the job finish
        events = urllib.request.urlopen(urllib.request.Request(
            s.base + "/api/v1/events/stream", headers={"Authorization": f"Bearer {key}"}),
            timeout=120)
        self.assertEqual(events.headers.get_content_type(), "text/event-stream")
        self.assertEqual(events.readline(), b"retry: 5000\n")
        job = s.submit(key, self.video, pipelines="scene_detection,motion_analysis").json()
        # not decoded before the answer: the run reads the duration
        self.assertIsNone(job["video_duration_seconds"])
        done = s.wait_for(key, job["id"], ("completed", "failed"))
        self.assertEqual(done["status"], "completed", done)
        self.assertEqual(done["video_duration_seconds"], 6)
        # As the 1.4 service lays a job out: the result files straight in
        # storage/<job_id>/ (its clients list that folder without
        # recursing), beside the upload, which is stored with the extension
        # of its real container (an MP4, not ".mov"); the client's name is
        # kept in video_filename.
        self.assertEqual(done["video_filename"], "clip.mp4")
        self.assertTrue(done["video_path"].endswith(f"{job['id']}/input.mp4"), done)
        listing = sorted(os.listdir(os.path.join(s.data, "storage", job["id"])))
        self.assertEqual(listing, ["clip_motion_analysis.csv", "clip_scene_detection.json",
                                   "input.mp4"])
        seen = b""
        while b"event: job.completed" not in seen:
            line = events.readline()
            self.assertTrue(line, "event stream ended")
            seen += line
        self.assertIn(job["id"].encode(), seen)
        events.close()

        results = s.request("GET", f"/api/v1/jobs/{job['id']}/results", key).json()
        scene = results["pipeline_results"]["scene_detection"]
        self.assertEqual(scene["status"], "completed")
        self.assertGreaterEqual(scene["annotation_count"], 3)
        r = s.request("GET", scene["download_url"], key)
        self.assertEqual(r.status, 200)
        self.assertIn("attachment", r.headers["Content-Disposition"])
        coco = json.loads(r.body)
        # provenance: tool, pipeline, its analysers and settings, the job's
        # options, the input's digest, when
        with open(self.video, "rb") as f:
            sha256 = hashlib.sha256(f.read()).hexdigest()
        p = coco["provenance"]
        self.assertEqual((p["tool"], p["pipeline"], p["input_sha256"]),
                         ("videoannotator", "scene_detection", sha256), p)
        self.assertEqual(p["model"]["elements"][0]["element"], "vascenedetect")
        self.assertIn("threshold", p["model"]["elements"][0]["settings"])
        self.assertIsInstance(p["config"], dict)
        self.assertLessEqual(done["started_at"][:19], p["started_at"][:19])
        self.assertLessEqual(p["started_at"], p["finished_at"])
        # three scenes: the two cuts were found
        self.assertGreaterEqual(len(coco["annotations"]), 3)
        motion = s.request(
            "GET", f"/api/v1/jobs/{job['id']}/results/files/motion_analysis", key)
        self.assertEqual(motion.status, 200)
        self.assertGreater(len(motion.body.splitlines()), 2)

        r = s.request("GET", f"/api/v1/jobs/{job['id']}/artifacts?include_video=true", key)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers.get_content_type(), "application/zip")
        with zipfile.ZipFile(io.BytesIO(r.body)) as z:
            self.assertIsNone(z.testzip())
            names = z.namelist()
            self.assertEqual(sorted(names), listing)
            self.assertTrue(any(n.endswith("_motion_analysis.csv") for n in names), names)
            video = [n for n in names if n.startswith("input.")]
            self.assertEqual(len(video), 1, names)
            with open(self.video, "rb") as f:
                self.assertEqual(z.read(video[0]), f.read())
            scene_name = [n for n in names if n.endswith("_scene_detection.json")][0]
            self.assertEqual(json.loads(z.read(scene_name)), coco)


class AuthMatrix(ApiTest):
    """Every route x {no key, unknown, expired, revoked, read, write, admin,
    another user's key}. The server sits "behind" a trusted proxy so each
    request can come from its own client address: dozens of 401s from one
    address would (rightly) get it blocked by the failed-authentication
    alert rule, which is tested separately."""

    extra = ("--trusted-proxies=127.0.0.1",)

    def test_matrix(self):
        s = self.server
        clients = (f"198.18.{i // 250}.{i % 250 + 1}" for i in range(100000))
        plain = s.request

        def request(method, path, key=None, body=None, content_type=None, headers=None):
            headers = dict(headers or {}, **{"X-Forwarded-For": next(clients)})
            return plain(method, path, key, body, content_type, headers)

        s.request = request
        alice_rw = s.key("alice", "read,write")
        keys = {
            "none": None,
            "unknown": "va_api_" + "A" * 43,
            "expired": s.key("old", "read,write,admin", days=1, faketime="-3d"),
            "revoked": s.key("gone", "read,write,admin"),
            "read": s.key("alice", "read"),
            "write": alice_rw,
            "admin": s.key("root", "read,write,admin"),
            "other": s.key("bob", "read,write"),
        }
        s.cli("token", "revoke", keys["revoked"])
        time.sleep(1.1)  # revocation reaches a running server within 1 s

        def job():
            r = s.submit(alice_rw, self.video, pipelines="motion_analysis")
            self.assertEqual(r.status, 201, r.body)
            return r.json()["id"]

        finished = job()
        s.wait_for(alice_rw, finished, ("completed",))
        # (method, path template, scope, owned by alice?)
        routes = [
            ("GET", "/health", "public", False),
            ("GET", "/api/v1/health", "public", False),
            ("GET", "/openapi.json", "public", False),
            ("GET", "/api/v1/pipelines", "public", False),
            ("GET", "/api/v1/pipelines/scene_detection", "public", False),
            ("GET", "/api/v1/system/health", "public", False),
            ("GET", "/api/v1/system/metrics", "public", False),
            ("GET", "/api/v1/system/database", "admin", False),
            ("GET", "/api/v1/audit", "admin", False),
            ("GET", "/api/v1/jobs", "read", False),
            ("POST", "/api/v1/jobs", "write", False),
            ("GET", "/api/v1/jobs/{done}", "read", True),
            ("GET", "/api/v1/jobs/{done}/results", "read", True),
            ("GET", "/api/v1/jobs/{done}/results/files/motion_analysis", "read", True),
            ("GET", "/api/v1/jobs/{done}/artifacts", "read", True),
            ("GET", "/api/v1/jobs/{done}/artifacts?include_video=true", "read", True),
            ("GET", "/api/v1/jobs/{done}/results/files/motion_analysis"
             "?name=clip_motion_analysis.csv", "read", True),
            ("GET", "/api/v1/jobs/{done}/video", "read", True),
            ("GET", "/api/v1/auth/me", "read", False),
            ("POST", "/api/v1/events/ticket", "read", False),
            ("GET", "/api/v1/pipelines/scene_detection/schema", "public", False),
            ("POST", "/api/v1/jobs/{fresh}/cancel", "write", True),
            ("POST", "/api/v1/jobs/{done}/rerun", "write", True),
            ("DELETE", "/api/v1/jobs/{fresh}", "write", True),
            ("POST", "/api/v1/jobs/{fresh}/purge", "admin", True),
            ("POST", "/api/v1/users/{user}/purge", "admin", False),
        ]
        granted = {"read": {"read"}, "write": {"read", "write"}, "other": {"read", "write"},
                   "admin": {"read", "write", "admin"}}
        failures = []
        for method, template, scope, owned in routes:
            for kind, key in keys.items():
                path = template.replace("{done}", finished)
                if "{fresh}" in template:
                    path = template.replace("{fresh}", job())
                if "{user}" in template:
                    user = f"erased-{uuid.uuid4().hex[:8]}"
                    s.key(user, "read")
                    path = template.replace("{user}", user)
                if kind in ("unknown", "expired", "revoked"):
                    expected = 401
                elif scope == "public":
                    expected = 200
                elif kind == "none":
                    expected = 401
                elif scope not in granted[kind]:
                    expected = 403
                elif owned and kind == "other":
                    expected = 404
                else:
                    expected = {"POST /api/v1/jobs": 201, "POST /api/v1/events/ticket": 201,
                                "POST /api/v1/jobs/{fresh}/purge": 204,
                                "POST /api/v1/jobs/{done}/rerun": 201}.get(
                        f"{method} {template}", {"DELETE": 204}.get(method, 200))
                if method == "POST" and template == "/api/v1/jobs":
                    ctype, body = multipart({"selected_pipelines": "motion_analysis"},
                                            {"video": ("c.mp4", open(self.video, "rb").read())})
                    r = s.request(method, path, key, body, ctype)
                elif template.endswith("/cancel") and expected == 200:
                    r = s.request(method, path, key)
                    if r.status == 409:  # finished before the cancel: still authorized
                        r.status = 200
                else:
                    r = s.request(method, path, key)
                if r.status != expected:
                    failures.append(f"{method} {template} with {kind} key: {r.status}, "
                                    f"expected {expected}: {r.body[:200]!r}")
                if expected == 401:
                    self.assertEqual(r.json()["error"]["code"], "UNAUTHORIZED")
                    if kind == "expired":
                        self.assertIn("expired", r.json()["error"]["message"])
                    if kind == "revoked":
                        self.assertIn("revoked", r.json()["error"]["message"])
        self.assertEqual(failures, [], "\n".join(failures))
        s.request = plain
        # the raw keys never reached a log file
        for dirpath, _, files in os.walk(os.path.join(s.data, "logs")):
            for name in files:
                with open(os.path.join(dirpath, name), "rb") as f:
                    text = f.read()
                for key in keys.values():
                    if key is not None:
                        self.assertNotIn(key.encode(), text, name)


class AuthDisabled(ApiTest):
    extra = ("--auth-required=false",)

    def test_anonymous_allowed_bad_key_refused(self):
        s = self.server
        self.assertEqual(s.request("GET", "/api/v1/jobs").status, 200)
        self.assertEqual(s.submit(None, self.video, pipelines="motion_analysis").status, 201)
        self.assertEnvelope(s.request("GET", "/api/v1/jobs", "va_invalid_key_12345"), 401,
                            "UNAUTHORIZED")
        health = s.request("GET", "/api/v1/health?detailed=true").json()
        self.assertTrue(health["details"]["security"]["warnings"])


class Alerts(ApiTest):
    def test_failed_auth_blocks_address(self):
        s = self.server
        for _ in range(11):
            self.assertEqual(s.request("GET", "/api/v1/jobs", "va_api_" + "B" * 43).status, 401)
        blocked = s.request("GET", "/health")
        self.assertEnvelope(blocked, 403, "CLIENT_BLOCKED")
        self.assertGreater(int(blocked.headers["Retry-After"]), 60)
        # the block is in force at once; the log record is written by the
        # main loop after the answer (and the log is buffered): wait for it
        path = os.path.join(s.data, "logs", "security.log")
        records = []
        deadline = time.monotonic() + 10
        while not records and time.monotonic() < deadline:
            if os.path.exists(path):
                with open(path) as f:
                    records = [json.loads(line) for line in f if line.strip()]
            if not records:
                time.sleep(0.1)
        self.assertTrue(records, "no security.log record within 10 s")
        self.assertEqual(records[-1]["alert"], "auth_failures")
        self.assertEqual(records[-1]["client"], "127.0.0.1")


class RateLimit(ApiTest):
    extra = ("--rate-limit=2", "--rate-limit-burst=3")

    def test_429(self):
        statuses = [self.server.request("GET", "/health") for _ in range(8)]
        limited = [r for r in statuses if r.status == 429]
        self.assertTrue(limited)
        self.assertEnvelope(limited[0], 429, "RATE_LIMITED")
        self.assertGreaterEqual(int(limited[0].headers["Retry-After"]), 1)


class Cors(ApiTest):
    extra = ("--cors-origins=https://app.example.org",)

    def test_cors(self):
        s = self.server
        ok = s.request("GET", "/health", headers={"Origin": "https://app.example.org"})
        self.assertEqual(ok.headers["Access-Control-Allow-Origin"], "https://app.example.org")
        self.assertIn("Origin", ok.headers["Vary"])
        evil = s.request("GET", "/health", headers={"Origin": "https://evil.example"})
        self.assertIsNone(evil.headers["Access-Control-Allow-Origin"])
        pre = s.request("OPTIONS", "/api/v1/jobs", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        self.assertEnvelope(pre, 403, "CORS_ORIGIN_NOT_ALLOWED")


if __name__ == "__main__":
    unittest.main(verbosity=2)
