#!/usr/bin/env python3
# The web UI's files over the wire, from the real server: types, the
# Content-Security-Policy, ETag revalidation, 404 for what is not in the
# bundle (traversal attempts included), the web-ui switch, API routes left
# as they were; and one-time login links: minted by `videoannotator
# web-link`, exchanged once for a working session key, refused when used,
# expired, malformed or missing.
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "functional"))
from test_http_api import EXE, Server, make_video  # noqa: E402

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
       "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
       "form-action 'self'")


def raw_get(port, target):
    """A GET with the request target sent exactly as given (urllib would
    normalise dot segments); returns (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                  .encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


class StaticFiles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_page_and_assets(self):
        expected = {
            "/": "text/html; charset=utf-8",
            "/ui/app.js": "text/javascript; charset=utf-8",
            "/ui/results.js": "text/javascript; charset=utf-8",
            "/ui/app.css": "text/css; charset=utf-8",
            "/ui/messages-fr.json": "application/json; charset=utf-8",
            "/ui/strings.js": "text/javascript; charset=utf-8",
            "/ui/icon.svg": "image/svg+xml",
        }
        for path, ctype in expected.items():
            r = self.server.request("GET", path)
            self.assertEqual(r.status, 200, path)
            self.assertEqual(r.headers["Content-Type"], ctype, path)
            self.assertEqual(r.headers["Content-Security-Policy"], CSP, path)
            self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff")
            self.assertEqual(r.headers["X-Frame-Options"], "DENY")
            self.assertEqual(r.headers["Cache-Control"], "no-cache")
            self.assertRegex(r.headers["ETag"], r'^"[0-9a-f]{32}"$')
            self.assertEqual(int(r.headers["Content-Length"]), len(r.body))
        page = self.server.request("GET", "/").body.decode()
        # no inline script or style anywhere in the page
        self.assertNotRegex(page, r"<script(?![^>]*\bsrc=)")
        self.assertNotIn("<style", page)
        self.assertNotIn("style=", page)
        self.assertIn('<script type="module" src="/ui/app.js">', page)

    def test_catalogues_cover_the_page(self):
        # the web UI's English texts (data/web/strings.js, as served) each
        # have a translation in the catalogues built from po/<lang>.po
        source = self.server.request("GET", "/ui/strings.js").body.decode()
        english = {key: re.sub(r"\\(.)", r"\1", text[1:-1]) for key, text in
                   re.findall(r"^\s*'([\w.]+)': N_\(('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\),$",
                              source, re.M)}
        self.assertGreater(len(english), 50)
        self.assertEqual(english["signin.title"], "Sign in")
        for lang in ("fr", "de"):
            catalogue = json.loads(self.server.request("GET", f"/ui/messages-{lang}.json").body)
            self.assertEqual(catalogue["language"], lang)
            messages = catalogue["messages"]
            missing = [text for text in english.values() if not messages.get(text)]
            self.assertEqual(missing, [], lang)
        fr = json.loads(self.server.request("GET", "/ui/messages-fr.json").body)["messages"]
        de = json.loads(self.server.request("GET", "/ui/messages-de.json").body)["messages"]
        self.assertEqual(fr["Sign in"], "Connexion")
        self.assertEqual(de["Sign in"], "Anmelden")
        self.assertEqual(self.server.request("GET", "/ui/messages-xx.json").status, 404)

    def test_languages_match_linguas(self):
        # the page offers exactly the languages po/LINGUAS builds
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        with open(os.path.join(root, "po", "LINGUAS"), encoding="utf-8") as f:
            linguas = [line.strip() for line in f if line.strip() and not line.startswith("#")]
        script = self.server.request("GET", "/ui/i18n.js").body.decode()
        available = re.search(r"const AVAILABLE = \[([^\]]*)\]", script).group(1)
        self.assertEqual(re.findall(r"'(\w+)'", available), ["en"] + linguas)
        for lang in linguas:
            self.assertEqual(self.server.request("GET", f"/ui/messages-{lang}.json").status, 200)

    def test_etag_revalidation(self):
        first = self.server.request("GET", "/ui/app.js")
        etag = first.headers["ETag"]
        again = self.server.request("GET", "/ui/app.js", headers={"If-None-Match": etag})
        self.assertEqual(again.status, 304)
        self.assertEqual(again.body, b"")
        other = self.server.request("GET", "/ui/app.js", headers={"If-None-Match": '"0000"'})
        self.assertEqual(other.status, 200)
        self.assertNotEqual(self.server.request("GET", "/ui/api.js").headers["ETag"], etag)

    def test_unknown_and_traversal(self):
        for path in ("/ui/nope.js", "/ui/index.htm", "/ui/.hidden.js", "/ui/web.gresource.xml",
                     "/ui/app.js.map", "/ui/..%2Fapp.js", "/ui/%2e%2e%2fapp.js",
                     "/ui/..%2F..%2F..%2Fetc%2Fpasswd", "/ui/app.js%00.css", "/ui/",
                     "/ui/sub/app.js", "/index.html", "/ui/app..js"):
            status, body = raw_get(self.server.port, path)
            self.assertIn(status, (400, 404), path)
            self.assertNotIn(b"root:", body)
            # the CSP comes with every answer of the asset route (the others
            # are unrouted paths: the API's plain 404)
            if status == 404 and path.count("/") == 2 and path != "/ui/":
                r = self.server.request("GET", path)
                self.assertEqual(r.headers["Content-Security-Policy"], CSP, path)
                self.assertEqual(r.json()["error"]["code"], "NOT_FOUND", path)
        for path in ("/ui/../../../../etc/passwd", "/../../etc/passwd", "/ui/./app.js/../x"):
            status, body = raw_get(self.server.port, path)
            self.assertNotEqual(status, 200, path)
            self.assertNotIn(b"root:", body)
        r = self.server.request("POST", "/ui/app.js", body=b"")
        self.assertEqual(r.status, 405)

    def test_api_headers_unchanged(self):
        r = self.server.request("GET", "/api/v1/health")
        self.assertEqual(r.headers["Cache-Control"], "no-store")
        self.assertIsNone(r.headers["Content-Security-Policy"])
        doc = self.server.request("GET", "/openapi.json").json()
        self.assertNotIn("/", doc["paths"])
        self.assertNotIn("/ui/{asset}", doc["paths"])
        self.assertIn("/api/v1/auth/login-link", doc["paths"])


class SwitchedOff(unittest.TestCase):
    def test_web_ui_false(self):
        server = Server("--web-ui=false")
        try:
            for path in ("/", "/ui/app.js"):
                r = server.request("GET", path)
                self.assertEqual(r.status, 404, path)
                self.assertIn("switched off", r.json()["error"]["message"])
            self.assertEqual(server.request("GET", "/api/v1/health").status, 200)
        finally:
            server.stop()


class LoginLinks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def link(self, *extra, faketime=None):
        out = self.server.cli("web-link", f"--port={self.server.port}", *extra, faketime=faketime)
        url = out.strip()
        self.assertRegex(url, r"^http://127\.0\.0\.1:\d+/#login=va_login_[A-Za-z0-9_-]{43}$")
        return urllib.parse.urlsplit(url).fragment.split("=", 1)[1]

    def redeem(self, token):
        return self.server.request("POST", "/api/v1/auth/login-link",
                                   body=json.dumps({"token": token}).encode(),
                                   content_type="application/json")

    def test_single_use_session(self):
        token = self.link("--user-id", "alice", "--scopes", "read")
        r = self.redeem(token)
        self.assertEqual(r.status, 201, r.body)
        body = r.json()
        self.assertRegex(body["api_key"], r"^va_api_")
        self.assertEqual(body["scopes"], ["read"])
        me = self.server.request("GET", "/api/v1/auth/me", body["api_key"]).json()
        self.assertEqual(me["user_id"], "alice")
        self.assertFalse(me["is_admin"])
        # read scope only: submitting is refused
        self.assertEqual(self.server.submit(body["api_key"]).status, 403)
        # the session key is an ordinary key: listed and revocable
        listed = self.server.cli("token", "list", "--json")
        self.assertIn("web UI session (login link)", listed)
        # the session key's creation is audited, with where it came from
        audit = self.audit_lines()
        created = [a for a in audit if a.get("action") == "key.create"
                   and a.get("user_id") == "alice"]
        self.assertEqual(len(created), 1, audit)
        self.assertIn("login_link", json.dumps(created[0]))
        again = self.redeem(token)
        self.assertEqual(again.status, 401)
        self.assertEqual(again.json()["error"]["code"], "UNAUTHORIZED")
        self.server.cli("token", "revoke", body["api_key"])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.server.request("GET", "/api/v1/auth/me", body["api_key"]).status == 401:
                break
            time.sleep(0.2)
        self.assertEqual(self.server.request("GET", "/api/v1/auth/me", body["api_key"]).status, 401)

    def audit_lines(self):
        path = os.path.join(self.server.data, "logs", "audit.log")
        deadline = time.monotonic() + 5
        while not os.path.exists(path) and time.monotonic() < deadline:
            time.sleep(0.1)
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def test_expired(self):
        token = self.link(faketime="-3m")
        self.assertEqual(self.redeem(token).status, 401)

    def test_bad_requests(self):
        for token in ("", "va_login_short", "va_api_" + "A" * 43, "va_login_" + "A" * 43,
                      "va_login_" + "../" * 14 + "a"):
            self.assertEqual(self.redeem(token).status, 401, token)
        for body in (b"", b"not json", b"[]", b'{"token": 5}'):
            r = self.server.request("POST", "/api/v1/auth/login-link", body=body,
                                    content_type="application/json")
            self.assertEqual(r.status, 422, body)
        # no token in the URL is accepted in place of a key
        r = self.server.request("GET", "/api/v1/jobs?token=va_login_" + "A" * 43)
        self.assertEqual(r.status, 401)

    def test_admin_scope_and_bad_scope(self):
        token = self.link("--scopes", "read,write,admin", "--user-id", "root-admin")
        key = self.redeem(token).json()["api_key"]
        self.assertTrue(self.server.request("GET", "/api/v1/auth/me", key).json()["is_admin"])
        out = subprocess.run([EXE, "web-link", "--scopes", "everything", "--data-dir",
                              self.server.data], capture_output=True, text=True)
        self.assertEqual(out.returncode, 2, out.stderr)


class VideoTickets(unittest.TestCase):
    """The <video> element's ticket: one job, many Range requests."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.tmp = tempfile.mkdtemp(prefix="va-web-video-")
        video = os.path.join(cls.tmp, "clip.mp4")
        make_video(video, scenes=1, seconds=1)
        cls.key = cls.server.key("viewer", "read,write")
        cls.other = cls.server.key("stranger", "read,write")
        cls.job = cls.server.submit(cls.key, video, pipelines="scene_detection").json()["id"]
        cls.job2 = cls.server.submit(cls.key, video, pipelines="scene_detection").json()["id"]
        with open(video, "rb") as f:
            cls.bytes = f.read()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def ticket(self, job, key):
        return self.server.request("POST", f"/api/v1/jobs/{job}/video/ticket", key)

    def test_ranges_with_ticket(self):
        r = self.ticket(self.job, self.key)
        self.assertEqual(r.status, 201, r.body)
        body = r.json()
        self.assertRegex(body["ticket"], r"^va_med_[A-Za-z0-9_-]{43}$")
        self.assertEqual(body["expires_in"], 600)
        url = body["video_url"]
        self.assertEqual(url, f"/api/v1/jobs/{self.job}/video?ticket={body['ticket']}")
        # reusable: a player reads the file in several ranges
        with open(os.path.join(self.server.data, "logs", "audit.log")) as f:
            self.assertIn("job.video.ticket", f.read())
        whole = self.server.request("GET", url)
        self.assertEqual(whole.status, 200)
        self.assertEqual(whole.body, self.bytes)
        part = self.server.request("GET", url, headers={"Range": "bytes=100-199"})
        self.assertEqual(part.status, 206)
        self.assertEqual(part.body, self.bytes[100:200])
        self.assertEqual(self.server.request("GET", url, headers={"Range": "bytes=-10"}).body,
                         self.bytes[-10:])

    def test_refusals(self):
        t = self.ticket(self.job, self.key).json()["ticket"]
        # another job, another route, beside a key, unknown, malformed
        for path, key in ((f"/api/v1/jobs/{self.job2}/video?ticket={t}", None),
                          (f"/api/v1/jobs/{self.job}?ticket={t}", None),
                          (f"/api/v1/jobs/{self.job}/results?ticket={t}", None),
                          (f"/api/v1/events/stream?ticket={t}", None),
                          (f"/api/v1/jobs/{self.job}/video?ticket={t}", self.key),
                          (f"/api/v1/jobs/{self.job}/video?ticket=va_med_" + "A" * 43, None),
                          (f"/api/v1/jobs/{self.job}/video?ticket=nonsense", None)):
            r = self.server.request("GET", path, key)
            self.assertEqual(r.status, 401, path)
            self.assertEqual(r.json()["error"]["code"], "UNAUTHORIZED", path)
        # only who may read the job gets a ticket; no key, no ticket
        self.assertEqual(self.ticket(self.job, self.other).status, 404)
        self.assertEqual(self.ticket("00000000-0000-4000-8000-000000000000", self.key).status,
                         404)
        self.assertEqual(self.ticket(self.job, None).status, 401)


if __name__ == "__main__":
    unittest.main(verbosity=2)
