#!/usr/bin/env python3
# Black-box tests of `videoannotator job …`: against the real
# `videoannotator server` (keys made with `videoannotator token create`) for
# the whole life of a job and the refusals (no key, read-only key, 404,
# 409, unreachable server); against a small fake server for what the real
# one never does (redirects, non-JSON answers, 1.4-style errors, a body cut
# short, a job that never ends) and to look at the requests themselves.
import email.parser
import email.policy
import http.server
import json
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request
import zipfile
from xml.etree import ElementTree

BUILD = os.environ["VA_BUILD_ROOT"]
EXE = os.path.join(BUILD, "src", "cli", "videoannotator")
ROOT = os.geteuid() == 0
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# exit codes of src/cli/va-cli.h
USAGE, NOT_FOUND, DENIED, CONFLICT, UNAVAILABLE, CANCELLED = 2, 3, 6, 7, 8, 130


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_video(path, frames=25):
    subprocess.run(["gst-launch-1.0", "-q", "videotestsrc", f"num-buffers={frames}", "!",
                    "video/x-raw,width=160,height=120,framerate=25/1", "!", "x264enc",
                    "speed-preset=ultrafast", "!", "mp4mux", "!", "filesink",
                    f"location={path}"], check=True, timeout=60)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("VIDEOANNOTATOR_") and k != "LANGUAGE"}
    env.update(extra)
    return env


class ServerCase(unittest.TestCase):
    """Starts a real `videoannotator server` of its own for the class."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="va-cli-job-")
        cls.data = os.path.join(cls.tmp, "data")
        cls.video = os.path.join(cls.tmp, "clip.mp4")
        make_video(cls.video)
        # keys first: the server then starts with them in its store
        cls.key = cls.token("alice", "read,write")
        cls.read_key = cls.token("bob", "read")
        cls.port = free_port()
        cls.url = f"http://127.0.0.1:{cls.port}"
        args = [EXE, "server", "--data-dir", cls.data, f"--port={cls.port}",
                "--auto-generate-api-key=false", "--rate-limit=0"]
        if ROOT:
            args.append("--allow-root")
        cls.server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      text=True, cwd=cls.tmp, env=clean_env())
        deadline = time.monotonic() + 30
        while True:
            if cls.server.poll() is not None:
                raise RuntimeError(f"server exited: {cls.server.stderr.read()}")
            try:
                with urllib.request.urlopen(f"{cls.url}/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    cls.server.kill()
                    raise
                time.sleep(0.1)

    @classmethod
    def tearDownClass(cls):
        cls.server.send_signal(signal.SIGTERM)
        try:
            cls.server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            cls.server.kill()
            cls.server.communicate()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def token(cls, user, scopes):
        r = subprocess.run([EXE, "token", "create", "--data-dir", cls.data, "--user-id", user,
                            "--username", user, "--email", f"{user}@lab.example", "--scopes",
                            scopes], capture_output=True, text=True, timeout=60, env=clean_env())
        assert r.returncode == 0, r.stderr
        return r.stdout.splitlines()[-1]

    def job(self, *args, key="default", server=None, timeout=120, **kwargs):
        env = clean_env(VIDEOANNOTATOR_SERVER_URL=server or self.url)
        if key == "default":
            key = self.key
        if key is not None:
            env["VIDEOANNOTATOR_API_KEY"] = key
        return subprocess.run([EXE, "job", *args], capture_output=True, text=True,
                              timeout=timeout, cwd=self.tmp, env=env, **kwargs)

    def submit_and_wait(self):
        r = self.job("submit", self.video, "-p", "scene_detection,motion_analysis", "--wait")
        self.assertEqual(r.returncode, 0, r.stderr)
        job_id = r.stdout.splitlines()[-1]
        self.assertRegex(job_id, UUID)
        return job_id, r


# Every command, each error a user meets, against a real server (its own,
# so that its failed logins do not add up with RealServer's: more than 10
# in 5 minutes block the address).
class CommandErrors(ServerCase):
    UNKNOWN = "0b5a5c1e-6f0e-4a43-9d2c-3f8a1f0e9b7d"

    def commands(self, job_id):
        out = os.path.join(self.tmp, "out")
        return [
            ("submit", self.video),
            ("list",),
            ("status", job_id),
            ("results", job_id),
            ("download", job_id, "-o", out),
            ("cancel", job_id),
            ("delete", job_id),
        ]

    def test_no_key(self):
        for args in self.commands(self.UNKNOWN):
            with self.subTest(command=args[0]):
                r = self.job(*args, key=None)
                self.assertEqual(r.returncode, DENIED, r.stderr)
                self.assertIn("(UNAUTHORIZED)", r.stderr)
                # and how to give one
                self.assertIn("VIDEOANNOTATOR_API_KEY", r.stderr)
                self.assertEqual(r.stdout, "")

    def test_unknown_job(self):
        for args in self.commands(self.UNKNOWN)[2:]:
            with self.subTest(command=args[0]):
                r = self.job(*args)
                self.assertEqual(r.returncode, NOT_FOUND, r.stderr)
                self.assertIn(f"videoannotator: Job {self.UNKNOWN} not found (JOB_NOT_FOUND)",
                              r.stderr)
                self.assertEqual(r.stdout, "")
        for command in ("status", "results", "cancel"):
            with self.subTest(command=command, json=True):
                r = self.job(command, self.UNKNOWN, "--json")
                self.assertEqual(r.returncode, NOT_FOUND, r.stderr)
                self.assertEqual(json.loads(r.stdout)["error"]["code"], "JOB_NOT_FOUND")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "out", "job_" + self.UNKNOWN
                                                     + "_artifacts.zip")))

    def test_server_down(self):
        url = f"http://127.0.0.1:{free_port()}"
        for args in self.commands(self.UNKNOWN):
            with self.subTest(command=args[0]):
                r = self.job(*args, server=url, timeout=60)
                self.assertEqual(r.returncode, UNAVAILABLE, r.stderr)
                self.assertIn(f"videoannotator: cannot reach the server at {url}", r.stderr)
                self.assertIn("is the server running?", r.stderr)
                self.assertEqual(r.stdout, "")

    def test_names_of_1_4(self):
        # VideoAnnotator 1.4's spellings: `list --status-filter`,
        # `download-annotations`
        job_id, _ = self.submit_and_wait()
        r = self.job("list", "--status-filter", "completed", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(job_id, [j["id"] for j in json.loads(r.stdout)["jobs"]])
        r = self.job("list", "--status-filter", "failed", "--json")
        self.assertNotIn(job_id, [j["id"] for j in json.loads(r.stdout)["jobs"]])
        out = os.path.join(self.tmp, "annotations")
        r = self.job("download-annotations", job_id, "--output", out, "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[-1],
                         os.path.join(out, f"job_{job_id}_artifacts.zip"))
        with zipfile.ZipFile(r.stdout.splitlines()[-1]) as z:
            self.assertIsNone(z.testzip())
        self.assertEqual(self.job("delete", job_id).returncode, 0)


class RealServer(ServerCase):
    def test_job_life(self):
        job_id, r = self.submit_and_wait()
        self.assertIn(f"Job {job_id} completed.", r.stdout)
        self.assertIn("job: ", r.stderr)  # progress lines (stderr is not a terminal)
        self.assertIn("upload: 100%", r.stderr)

        r = self.job("status", job_id)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"Status:\s+completed")
        self.assertIn("clip.mp4", r.stdout)
        r = self.job("status", job_id, "--json")
        job = json.loads(r.stdout)
        self.assertEqual(job["id"], job_id)
        self.assertEqual(job["status"], "completed")
        self.assertEqual(job["selected_pipelines"], ["scene_detection", "motion_analysis"])

        r = self.job("list")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(job_id, r.stdout)
        listing = json.loads(self.job("list", "--json", "--per-page", "1000").stdout)
        self.assertIn(job_id, [j["id"] for j in listing["jobs"]])
        self.assertGreaterEqual(listing["total"], 1)
        self.assertEqual(listing["per_page"], 1000)
        done = json.loads(self.job("list", "--json", "--status", "completed").stdout)
        self.assertIn(job_id, [j["id"] for j in done["jobs"]])
        failed = json.loads(self.job("list", "--json", "--status", "failed").stdout)
        self.assertNotIn(job_id, [j["id"] for j in failed["jobs"]])

        r = self.job("results", job_id)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"scene_detection\s+completed\s+\d+")
        self.assertIn("clip_motion_analysis.csv", r.stdout)
        results = json.loads(self.job("results", job_id, "--json").stdout)
        scene = results["pipeline_results"]["scene_detection"]
        self.assertGreaterEqual(scene["annotation_count"], 1)

        out = os.path.join(self.tmp, "downloads", "nested")
        r = self.job("download", job_id, "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        archive = r.stdout.splitlines()[-1]
        self.assertEqual(archive, os.path.join(out, f"job_{job_id}_artifacts.zip"))
        with zipfile.ZipFile(archive) as z:
            self.assertIsNone(z.testzip())
            names = z.namelist()
            # the results only: the video stays out of the archive (1.6)
            self.assertEqual([n for n in names if n.startswith("input.")], [], names)
            self.assertTrue(any(n.endswith("clip_scene_detection.json") for n in names), names)
        r = self.job("download", job_id, "-o", out, "--pipeline", "scene_detection", "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        coco_path = r.stdout.splitlines()[-1]
        self.assertEqual(os.path.basename(coco_path), "clip_scene_detection.json")
        with open(coco_path) as f:
            self.assertGreaterEqual(len(json.load(f)["annotations"]), 1)
        # written by rename: no temporary file is left
        # the results as an ELAN document
        # written by rename: no temporary file is left
        self.assertEqual(sorted(os.listdir(out)),
                         sorted([os.path.basename(archive), "clip_scene_detection.json"]))
        r = self.job("download", job_id, "-o", out, "--eaf", "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        eaf_path = r.stdout.splitlines()[-1]
        self.assertEqual(os.path.basename(eaf_path), "clip.eaf")
        root = ElementTree.parse(eaf_path).getroot()
        self.assertEqual((root.tag, root.get("FORMAT")), ("ANNOTATION_DOCUMENT", "3.0"))
        self.assertEqual([t.get("TIER_ID") for t in root.findall("TIER")], ["Scenes"])
        r = self.job("download", job_id, "--eaf", "--pipeline", "scene_detection")
        self.assertEqual(r.returncode, USAGE, r.stderr)
        r = self.job("download", job_id, "-o", out, "--pipeline", "face_analysis")
        self.assertEqual(r.returncode, USAGE, r.stderr)
        self.assertIn("(INVALID_REQUEST)", r.stderr)

        r = self.job("cancel", job_id)
        self.assertEqual(r.returncode, CONFLICT, r.stderr)
        self.assertRegex(r.stderr, r"^videoannotator: .*completed.* \(JOB_ALREADY_COMPLETED\)$")
        r = self.job("cancel", job_id, "--json")
        self.assertEqual(json.loads(r.stdout)["error"]["code"], "JOB_ALREADY_COMPLETED")

        r = self.job("delete", job_id)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"Deleted job {job_id}.", r.stdout)
        r = self.job("status", job_id)
        self.assertEqual(r.returncode, NOT_FOUND)
        self.assertIn(f"videoannotator: Job {job_id} not found (JOB_NOT_FOUND)", r.stderr)
        self.assertIn("job list", r.stderr)
        r = self.job("status", job_id, "--json")
        self.assertEqual(json.loads(r.stdout)["error"]["code"], "JOB_NOT_FOUND")
        r = self.job("download", job_id, "-o", out)
        self.assertEqual(r.returncode, NOT_FOUND)
        # the three files downloaded before, nothing more
        self.assertEqual(len(os.listdir(out)), 3)

    def test_submit_then_cancel(self):
        r = self.job("submit", self.video, "-p", "scene_detection", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        job = json.loads(r.stdout)
        self.assertIn(job["status"], ("pending", "running"))
        r = self.job("cancel", job["id"])
        # the queue may have finished the job first: both outcomes must agree
        # with the job's state afterwards
        status = json.loads(self.job("status", job["id"], "--json").stdout)["status"]
        if r.returncode == 0:
            self.assertIn(f"Cancelled job {job['id']}.", r.stdout)
            self.assertEqual(status, "cancelled")
            again = self.job("cancel", job["id"])  # idempotent
            self.assertEqual(again.returncode, 0, again.stderr)
        else:
            self.assertEqual(r.returncode, CONFLICT, r.stderr)
            self.assertEqual(status, "completed")
        self.assertEqual(self.job("delete", job["id"]).returncode, 0)

    def test_failed_job(self):
        audio = os.path.join(self.tmp, "tone.ogg")
        subprocess.run(["gst-launch-1.0", "-q", "audiotestsrc", "num-buffers=10", "!",
                        "audioconvert", "!", "vorbisenc", "!", "oggmux", "!", "filesink",
                        f"location={audio}"], check=True, timeout=60)
        r = self.job("submit", audio, "-p", "scene_detection", "--wait")
        self.assertEqual(r.returncode, 1, r.stderr)
        job_id = r.stdout.splitlines()[-1]
        self.assertIn(f"Job {job_id} failed.", r.stdout)
        self.assertIn(f"videoannotator: job {job_id} failed: ", r.stderr)
        self.assertIn("no video stream", r.stderr)

    def test_refusals(self):
        r = self.job("list", key=None)
        self.assertEqual(r.returncode, DENIED, r.stderr)
        self.assertIn("(UNAUTHORIZED)", r.stderr)
        self.assertIn("VIDEOANNOTATOR_API_KEY", r.stderr)  # the hint
        r = self.job("list", key="va_api_" + "x" * 43)
        self.assertEqual(r.returncode, DENIED, r.stderr)
        self.assertIn("(UNAUTHORIZED)", r.stderr)
        self.assertNotIn("hint", r.stderr)

        # refused on the headers: repeated, because with Expect:
        # 100-continue libsoup crashed or hung one refusal in three. Few
        # 401s: the server blocks an address after more than 10 in 5 minutes.
        for i in range(12):
            r = self.job("submit", self.video, "--wait", key=self.read_key, timeout=30)
            self.assertEqual(r.returncode, DENIED, r.stderr)
            self.assertIn("write", r.stderr)
            self.assertIn("(FORBIDDEN)", r.stderr)
            self.assertEqual(r.stdout, "")
            if i < 5:
                r = self.job("submit", self.video, key=None, timeout=30)
                self.assertEqual(r.returncode, DENIED, r.stderr)
                self.assertIn("(UNAUTHORIZED)", r.stderr)
        r = self.job("list", key=self.read_key)  # reading is allowed
        self.assertEqual(r.returncode, 0, r.stderr)

        r = self.job("submit", self.video, "-p", "no_such_pipeline")
        self.assertEqual(r.returncode, USAGE, r.stderr)
        self.assertIn("no_such_pipeline", r.stderr)
        self.assertIn("(INVALID_CONFIG)", r.stderr)
        r = self.job("list", "--per-page", "0")
        self.assertEqual(r.returncode, USAGE, r.stderr)
        self.assertIn("(INVALID_REQUEST)", r.stderr)

    def test_unreachable(self):
        url = f"http://127.0.0.1:{free_port()}"
        r = self.job("list", server=url)
        self.assertEqual(r.returncode, UNAVAILABLE, r.stderr)
        self.assertIn(f"videoannotator: cannot reach the server at {url}", r.stderr)
        self.assertIn("--server", r.stderr)
        r = self.job("status", "x", "--json", server=url)
        self.assertEqual(json.loads(r.stdout)["error"]["code"], "SERVER_UNREACHABLE")

    def test_api_key_file(self):
        path = os.path.join(self.tmp, "key.txt")
        with open(path, "w") as f:
            f.write(self.key + "\n")
        os.chmod(path, 0o600)
        r = self.job("list", "--api-key-file", path, key=None)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        os.chmod(path, 0o644)
        r = self.job("list", "--api-key-file", path, key=None)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("chmod 600", r.stderr)
        # the file wins over the variable
        r = self.job("list", "--api-key-file", path, key=self.read_key + "broken")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.job("list", "--api-key-file", "-", key=None, input=self.key + "\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.job("list", "--api-key-file", os.path.join(self.tmp, "missing"), key=None)
        self.assertEqual(r.returncode, NOT_FOUND, r.stderr)
        empty = os.path.join(self.tmp, "empty.txt")
        with open(empty, "w") as f:
            f.write("\n")
        r = self.job("list", "--api-key-file", empty, key=None)
        self.assertEqual(r.returncode, USAGE, r.stderr)
        self.assertIn("holds no API key", r.stderr)

    def test_usage(self):
        cases = [
            (["submit"], USAGE, "Usage: videoannotator job submit"),
            (["submit", os.path.join(self.tmp, "missing.mp4")], NOT_FOUND, "no such file"),
            (["submit", self.tmp], USAGE, "is a directory"),
            (["status"], USAGE, "Usage: videoannotator job status ID"),
            (["status", "a", "b"], USAGE, "Usage"),
            (["frobnicate"], USAGE, "unknown command"),
            (["list", "--server", "ftp://example.org"], USAGE, "Invalid server address"),
            (["list", "--server", "http://user:pw@example.org"], USAGE, "credentials"),
            (["list", "--no-such-flag"], USAGE, "no-such-flag"),
        ]
        for args, code, text in cases:
            with self.subTest(args=args):
                r = self.job(*args)
                self.assertEqual(r.returncode, code, r.stderr)
                self.assertIn(text, r.stderr)
        bad = os.path.join(self.tmp, "bad.json")
        with open(bad, "w") as f:
            f.write("[1, 2]")
        r = self.job("submit", self.video, "--config", bad)
        self.assertEqual(r.returncode, USAGE, r.stderr)
        self.assertIn("expected a JSON object", r.stderr)
        r = self.job("--help")
        self.assertEqual(r.returncode, 0)
        for command in ("submit", "list", "status", "results", "download", "cancel", "delete"):
            self.assertIn(command, r.stdout)

    def run_on_terminal(self, *args):
        env = clean_env(VIDEOANNOTATOR_SERVER_URL=self.url, VIDEOANNOTATOR_API_KEY=self.key)
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(self.tmp)
            os.execve(EXE, [EXE, "job", *args], env)
        output = b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 1)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, output)
        return output.decode()

    def test_progress_bar_on_a_terminal(self):
        text = self.run_on_terminal("submit", self.video, "-p", "scene_detection", "--wait")
        self.assertRegex(text, r"\rupload \[#+-*\] +\d+%")
        self.assertRegex(text, r"\rjob \[#{30}\] 100%  completed")
        job_id = text.strip().splitlines()[-1].strip()
        self.assertRegex(job_id, UUID)
        # the ZIP is streamed without a length: a byte count, no bar
        text = self.run_on_terminal("download", job_id, "-o", os.path.join(self.tmp, "tty"))
        self.assertRegex(text, r"\rdownload \d+(\.\d)?\s(bytes|kB|MB)  ")
        self.assertNotIn("download [", text)
        self.assertEqual(self.job("delete", job_id).returncode, 0)


# The client sends Accept-Language from the user's locale (libsoup's
# accept-language-auto), so the server's refusals come back in that language;
# the code stays English. A server of its own: its failed logins count alone.
class Languages(ServerCase):
    def refusal(self, language, *extra):
        env = clean_env(VIDEOANNOTATOR_SERVER_URL=self.url,
                        VIDEOANNOTATOR_API_KEY="va_api_" + "A" * 43,
                        VA_LOCALEDIR=os.path.join(BUILD, "po"), LC_ALL="C.UTF-8")
        if language is not None:
            env["LANGUAGE"] = language
        r = subprocess.run([EXE, "job", "list", *extra], capture_output=True, text=True,
                           timeout=60, cwd=self.tmp, env=env)
        self.assertEqual(r.returncode, DENIED, r.stderr)
        return r

    def test_server_messages_follow_the_locale(self):
        self.assertIn("videoannotator: Invalid API key (UNAUTHORIZED)", self.refusal(None).stderr)
        self.assertIn("videoannotator: Clé d’API non valable (UNAUTHORIZED)",
                      self.refusal("fr").stderr)
        self.assertIn("videoannotator: Ungültiger API-Schlüssel (UNAUTHORIZED)",
                      self.refusal("de").stderr)
        # --json prints the server's envelope as it came: translated by the server
        for language, message in ((None, "Invalid API key"), ("fr", "Clé d’API non valable"),
                                  ("de", "Ungültiger API-Schlüssel")):
            error = json.loads(self.refusal(language, "--json").stdout)["error"]
            self.assertEqual((error["code"], error["message"]), ("UNAUTHORIZED", message))


class FakeHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    requests = []

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", content_type="application/json", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        FakeHandler.requests.append((self.command, self.path, dict(self.headers), body))
        if self.path == "/api/v1/jobs":
            self.reply(201, {"id": "fake-1", "status": "pending", "queue_position": 3})
        else:
            self.reply(404, {"error": {"code": "NOT_FOUND", "message": "no"}})

    def do_GET(self):
        FakeHandler.requests.append((self.command, self.path, dict(self.headers), b""))
        if self.path == "/api/v1/jobs/fake-1":
            self.reply(200, {"id": "fake-1", "status": "running", "progress": 42.0})
        elif self.path == "/api/v1/jobs/moved":
            self.reply(301, b"", headers=[("Location", "http://elsewhere.example/api/v1/jobs")])
        elif self.path == "/api/v1/jobs/html":
            self.reply(200, b"<html>hello</html>", "text/html")
        elif self.path == "/api/v1/jobs/busy":
            self.reply(503, {"error": {"code": "READ_ONLY", "message": "Server is read-only"},
                             "detail": "Server is read-only"})
        elif self.path == "/api/v1/jobs/limited":
            self.reply(429, {"error": {"code": "RATE_LIMITED", "message": "Slow down"}},
                       headers=[("Retry-After", "1")])
        elif self.path == "/api/v1/jobs/legacy":
            self.reply(404, {"detail": "Job legacy not found"})
        elif self.path == "/api/v1/jobs/slow":
            time.sleep(20)
        elif self.path == "/api/v1/jobs/cut/artifacts":
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", "100000")
            self.send_header("Content-Disposition", 'attachment; filename="cut.zip"')
            self.end_headers()
            self.wfile.write(b"PK" * 100)
            self.wfile.flush()
            self.close_connection = True
        elif self.path == "/api/v1/jobs/evil/artifacts":
            self.reply(200, b"data", "application/zip",
                       headers=[("Content-Disposition", 'attachment; filename="../../evil.zip"')])
        elif self.path == "/api/v1/jobs/hidden/artifacts":
            self.reply(200, b"data", "application/zip",
                       headers=[("Content-Disposition", 'attachment; filename=".bashrc"')])
        else:
            self.reply(404, {"error": {"code": "JOB_NOT_FOUND", "message": "Job not found"}})


class FakeServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="va-cli-job-fake-")
        cls.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeHandler)
        cls.httpd.daemon_threads = True
        cls.thread = threading.Thread(target=cls.httpd.serve_forever, daemon=True)
        cls.thread.start()
        cls.url = f"http://127.0.0.1:{cls.httpd.server_address[1]}"

    @classmethod
    def tearDownClass(cls):
        cls.httpd.shutdown()
        cls.httpd.server_close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        FakeHandler.requests.clear()

    def env(self):
        return clean_env(VIDEOANNOTATOR_SERVER_URL=self.url, VIDEOANNOTATOR_API_KEY="va_api_k3y")

    def job(self, *args):
        return subprocess.run([EXE, "job", *args], capture_output=True, text=True, timeout=60,
                              cwd=self.tmp, env=self.env())

    def test_upload_request(self):
        video = os.path.join(self.tmp, 'my "odd" clip.mp4')
        payload = bytes(range(256)) * 4096 + b"\r\n--not-a-boundary\r\n"
        with open(video, "wb") as f:
            f.write(payload)
        config = os.path.join(self.tmp, "config.json")
        with open(config, "w") as f:
            json.dump({"scene_detection": {"threshold": 20}}, f)
        consent = os.path.join(self.tmp, "consent.json")
        with open(consent, "w") as f:
            json.dump({"granted": True, "reference": "study-42"}, f)
        r = self.job("submit", video, "-p", "scene_detection", "--config", config,
                     "--consent", consent)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[-1], "fake-1")
        self.assertIn("position 3", r.stdout)

        method, path, headers, body = FakeHandler.requests[0]
        self.assertEqual((method, path), ("POST", "/api/v1/jobs"))
        self.assertEqual(headers["Authorization"], "Bearer va_api_k3y")
        self.assertNotIn("Expect", headers)  # see va_remote_client_submit_async()
        self.assertEqual(int(headers["Content-Length"]), len(body))
        self.assertTrue(headers["Content-Type"].startswith("multipart/form-data; boundary="))
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + headers["Content-Type"].encode() + b"\r\n\r\n" + body)
        parts = list(message.iter_parts())
        # the fields come first, so the server checks them before storing
        self.assertEqual([p.get_param("name", header="content-disposition") for p in parts],
                         ["selected_pipelines", "config", "consent", "video"])
        self.assertEqual(parts[0].get_content(), "scene_detection")
        self.assertEqual(json.loads(parts[1].get_content()),
                         {"scene_detection": {"threshold": 20}})
        self.assertEqual(json.loads(parts[2].get_content()),
                         {"granted": True, "reference": "study-42"})
        self.assertEqual(parts[3].get_filename(), 'my "odd" clip.mp4')
        self.assertEqual(parts[3].get_payload(decode=True), payload)

    def test_wait_interrupted(self):
        video = os.path.join(self.tmp, "v.mp4")
        with open(video, "wb") as f:
            f.write(b"\0" * 1000)
        proc = subprocess.Popen([EXE, "job", "submit", video, "--wait"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=self.tmp, env=self.env())
        deadline = time.monotonic() + 30
        while sum(1 for r in FakeHandler.requests if r[1] == "/api/v1/jobs/fake-1") < 2:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, CANCELLED, err)
        self.assertIn("stopped waiting; job fake-1 goes on", err)
        self.assertIn("progress:  40%", err)

    def test_request_interrupted(self):
        proc = subprocess.Popen([EXE, "job", "status", "slow"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=self.tmp, env=self.env())
        deadline = time.monotonic() + 30
        while not any(r[1] == "/api/v1/jobs/slow" for r in FakeHandler.requests):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, CANCELLED, err)
        self.assertIn("interrupted", err)

    def test_answers(self):
        cases = [
            ("moved", USAGE, "redirects to http://elsewhere.example/api/v1/jobs"),
            ("html", 1, "not JSON"),
            ("busy", UNAVAILABLE, "videoannotator: Server is read-only (READ_ONLY)"),
            ("limited", UNAVAILABLE, "(RATE_LIMITED)"),
            ("legacy", NOT_FOUND, "videoannotator: Job legacy not found\n"),
        ]
        for job_id, code, text in cases:
            with self.subTest(job_id=job_id):
                r = self.job("status", job_id)
                self.assertEqual(r.returncode, code, r.stderr)
                self.assertIn(text, r.stderr)
        # the redirect was reported, not followed
        self.assertEqual([r[1] for r in FakeHandler.requests if "elsewhere" in r[1]], [])

    def test_downloads(self):
        out = os.path.join(self.tmp, "dl")
        r = self.job("download", "cut", "-o", out)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(os.listdir(out), [])
        # a proposed name never leads out of the directory, nor to a dot file
        r = self.job("download", "evil", "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.listdir(out), ["evil.zip"])
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "evil.zip")))
        r = self.job("download", "hidden", "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(os.listdir(out)), ["evil.zip", "job_hidden_artifacts.zip"])

    def test_plain_http_warning(self):
        r = self.job("status", "fake-1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("unencrypted", r.stderr)  # loopback
        # 0.0.0.0 is not a loopback address, yet connecting to it reaches
        # this machine, where nothing listens on that port
        env = dict(self.env(), VIDEOANNOTATOR_SERVER_URL=f"http://0.0.0.0:{free_port()}")
        r = subprocess.run([EXE, "job", "list"], capture_output=True, text=True, timeout=60,
                           env=env)
        self.assertEqual(r.returncode, UNAVAILABLE, r.stderr)
        self.assertIn("the API key is sent unencrypted", r.stderr)

if __name__ == "__main__":
    unittest.main(verbosity=2)
