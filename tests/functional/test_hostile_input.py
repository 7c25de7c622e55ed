#!/usr/bin/env python3
# Black-box tests of hostile requests against the real `videoannotator
# server`: JSON nested deep enough to overflow a recursive parser's stack,
# JSON over the size limit, and requests with more than one credential.
# After each attack the server must still answer.
import http.client
import itertools
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_http_api import Server, multipart  # noqa: E402

# 80 000 levels, 160 KB: what overflowed json-glib's recursive parser
DEEP = "[" * 80000 + "]" * 80000
# the same nesting with a closer in each json-glib 1.6 comment (from one
# slash to the next): a scan that reads those closers hides the depth
HIDDEN = "[/]/" * 80000


def deep_object(levels):
    return '{"a":' * levels + "1" + "}" * levels


class HostileTest(unittest.TestCase):
    server = None
    extra = ()

    @classmethod
    def setUpClass(cls):
        cls.server = Server(*cls.extra)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def assertAlive(self):
        self.assertEqual(self.server.request("GET", "/health").status, 200)

    def assertEnvelope(self, reply, status, code):
        self.assertEqual(reply.status, status, reply.body[:300])
        err = reply.json()["error"]
        self.assertEqual(err["code"], code)
        return err


class JsonLimits(HostileTest):
    def post_json(self, path, text):
        return self.server.request("POST", path, body=text.encode(),
                                   content_type="application/json")

    def test_deep_json_bodies(self):
        for path in ("/api/v1/config/validate", "/api/v1/pipelines/scene_detection/validate"):
            for body in (DEEP, HIDDEN, '{"config": ' + DEEP + "}",
                         '{"config": {"scene_detection": ' + deep_object(70) + "}}"):
                err = self.assertEnvelope(self.post_json(path, body), 400, "INVALID_REQUEST")
                if body is not HIDDEN:
                    self.assertIn("64 levels", err["message"])
                self.assertAlive()
        # at the limit: parsed and validated as usual
        ok = self.post_json("/api/v1/config/validate", json.dumps(
            {"config": {"x": json.loads(deep_object(60))},
             "selected_pipelines": ["scene_detection"]}))
        self.assertEqual(ok.status, 200, ok.body[:300])

    def test_brackets_in_strings_do_not_count(self):
        body = json.dumps({"config": {"scene_detection": {"note": "[" * 5000 + "}" * 5000}},
                          "selected_pipelines": ["scene_detection"]})
        self.assertEqual(self.post_json("/api/v1/config/validate", body).status, 200)

    def test_large_json_body(self):
        body = '{"config": {}, "selected_pipelines": [], "pad": "' + "x" * (1024 * 1024) + '"}'
        err = self.assertEnvelope(self.post_json("/api/v1/config/validate", body), 413,
                                  "PAYLOAD_TOO_LARGE")
        self.assertIn("1 MiB", err["hint"])
        self.assertAlive()

    def test_deep_form_fields(self):
        s = self.server
        key = s.key("mallory", "read,write")
        for field in ("config", "consent"):
            for value in (DEEP, HIDDEN, deep_object(65)):
                # the field before the video: checked before a byte is stored
                ctype, body = multipart({field: value}, {"video": ("v.mp4", b"\0" * 1024)})
                err = self.assertEnvelope(s.request("POST", "/api/v1/jobs", key, body, ctype),
                                          400, "INVALID_REQUEST")
                if value is not HIDDEN:
                    self.assertIn("64 levels", err["message"])
                self.assertIn(field, err["message"])
                self.assertAlive()
        jobs = s.request("GET", "/api/v1/jobs", key).json()
        self.assertEqual(jobs["total"], 0)
        # nothing was stored for the refused submissions
        storage = os.path.join(s.data, "storage")
        self.assertEqual([f for f in os.listdir(storage) if not f.startswith(".")], [])


class QueryValues(HostileTest):
    def test_numbers_are_digits_only(self):
        s = self.server
        key = s.key("carol", "read")
        self.assertEqual(s.request("GET", "/api/v1/jobs?page=1&per_page=5", key).status, 200)
        # a vertical tab before the digits was skipped by strtoull()
        for query in ("page=%0B1", "per_page=%0B5", "page=+1", "page=%201", "page=1%20",
                      "per_page=1001", "page=0"):
            self.assertEnvelope(s.request("GET", f"/api/v1/jobs?{query}", key), 400,
                                "INVALID_REQUEST")


class Credentials(HostileTest):
    """Each request comes from its own address (through a trusted proxy),
    so the 401s do not add up to a block by the failed-authentication
    alert."""

    extra = ("--trusted-proxies=127.0.0.1",)
    clients = (f"198.19.{i // 250}.{i % 250 + 1}" for i in itertools.count())

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.good = cls.server.key("alice", "read")
        cls.other = cls.server.key("bob", "read")

    def raw(self, path, headers):
        """A request with headers as given, repeated names included."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            conn.putrequest("GET", path)
            conn.putheader("X-Forwarded-For", next(self.clients))
            for name, value in headers:
                conn.putheader(name, value)
            conn.endheaders()
            r = conn.getresponse()
            body = r.read()
            self.last_challenge = r.getheader("WWW-Authenticate")
            return r.status, json.loads(body) if body else None
        finally:
            conn.close()

    def assertRefused(self, path, headers, reason):
        status, body = self.raw(path, headers)
        self.assertEqual(status, 401, (headers, body))
        self.assertEqual(body["error"]["code"], "UNAUTHORIZED")
        self.assertEqual(body["error"]["detail"]["reason"], reason)
        self.assertIn("Bearer", self.last_challenge)
        if reason == "ambiguous":
            self.assertIn('error="invalid_request"', self.last_challenge)

    def test_single_keys_work(self):
        for headers in ([("Authorization", f"Bearer {self.good}")],
                        [("X-API-Key", self.good)],
                        # one key in both headers is still one key
                        [("Authorization", f"Bearer {self.good}"), ("X-API-Key", self.good)]):
            status, body = self.raw("/api/v1/jobs", headers)
            self.assertEqual(status, 200, (headers, body))

    def test_two_authorization_headers(self):
        for first, second in ((self.good, self.other), ("va_api_" + "C" * 43, self.good),
                              (self.good, "va_api_" + "D" * 43), (self.good, self.good)):
            for path in ("/api/v1/jobs", "/health"):
                self.assertRefused(path, [("Authorization", f"Bearer {first}"),
                                          ("Authorization", f"Bearer {second}")], "ambiguous")

    def test_two_api_key_headers(self):
        self.assertRefused("/api/v1/jobs", [("X-API-Key", self.good), ("X-API-Key", self.other)],
                           "ambiguous")

    def test_authorization_and_api_key_differ(self):
        self.assertRefused("/api/v1/jobs", [("Authorization", f"Bearer {self.good}"),
                                            ("X-API-Key", self.other)], "ambiguous")
        # a bad X-API-Key beside a good Bearer key is not ignored
        for bad in ("va_api_" + "E" * 43, "garbage", "revoked"):
            self.assertRefused("/api/v1/jobs", [("Authorization", f"Bearer {self.good}"),
                                                ("X-API-Key", bad)], "ambiguous")
            self.assertRefused("/health", [("X-API-Key", bad),
                                           ("Authorization", f"Bearer {self.good}")],
                               "ambiguous")

    def test_key_in_url_refused(self):
        # not a way to authenticate, alone or next to a header
        for param in ("access_token", "api_key", "apikey", "token"):
            self.assertRefused(f"/api/v1/jobs?{param}={self.good}", [], "key_in_query")
            self.assertRefused(f"/api/v1/jobs?{param}=va_api_bad",
                               [("Authorization", f"Bearer {self.good}")], "key_in_query")
        # a whole key under any name is refused; a key prefix (the audit
        # filter's key_prefix) is not a secret and passes
        self.assertRefused(f"/api/v1/jobs?status_filter={self.good}", [], "key_in_query")
        self.assertEqual(self.raw(f"/api/v1/jobs?page=1&x={self.good[:11]}",
                                  [("Authorization", f"Bearer {self.good}")])[0], 200)
        self.assertEqual(self.raw("/api/v1/jobs?page=1",
                                  [("Authorization", f"Bearer {self.good}")])[0], 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
