#!/usr/bin/env python3
# Black-box tests of key and audit administration over REST: the real
# `videoannotator server`, urllib only. A key made over REST works at once
# and stops working in the same second it is revoked; only administrators
# reach the routes (403 with the envelope otherwise); the secret is shown
# in the creation's answer and nowhere else; the audit trail records the
# acts and answers its filters.
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from test_http_api import Server  # noqa: E402


class Keys(unittest.TestCase):
    def setUp(self):
        self.server = Server()
        self.admin = self.server.key("root", "read,write,admin")

    def tearDown(self):
        self.server.stop()

    def assertEnvelope(self, reply, status, code):
        self.assertEqual(reply.status, status, reply.body)
        self.assertEqual(reply.json()["error"]["code"], code)

    def post(self, path, body, key=None):
        return self.server.request("POST", path, key or self.admin, json.dumps(body).encode(),
                                   "application/json")

    def create(self, user, scopes, **extra):
        body = dict({"user_id": user, "username": user, "email": f"{user}@lab.example",
                     "scopes": scopes}, **extra)
        r = self.post("/api/v1/keys", body)
        self.assertEqual(r.status, 201, r.body)
        return r.json()

    def test_create_use_revoke(self):
        s = self.server
        made = self.create("carol", ["read", "write"], expires_in_days=7)
        key = made["key"]
        self.assertTrue(key.startswith("va_api_") and len(key) == 50, made)
        self.assertEqual(made["prefix"], key[:11])
        self.assertEqual(sorted(made["scopes"]), ["read", "write"])
        self.assertEqual(made["state"], "active")
        # the new key works at once
        me = s.request("GET", "/api/v1/auth/me", key)
        self.assertEqual(me.status, 200, me.body)
        self.assertEqual(me.json()["user_id"], "carol")
        # listed, with its use counted, never with its secret
        listing = s.request("GET", "/api/v1/keys", self.admin)
        self.assertEqual(listing.status, 200, listing.body)
        self.assertNotIn(key.encode(), listing.body)
        self.assertNotIn(b"digest", listing.body)
        rows = {k["id"]: k for k in listing.json()["keys"]}
        self.assertEqual(listing.json()["count"], len(rows))
        row = rows[made["id"]]
        for field in ("prefix", "user_id", "scopes", "created_at", "expires_at", "last_used_at",
                      "revoked", "state", "request_count"):
            self.assertIn(field, row)
        self.assertNotIn("key", row)
        self.assertGreaterEqual(row["request_count"], 1)
        self.assertIsNotNone(row["last_used_at"])
        # revoked, then refused within the same second
        start = time.monotonic()
        r = s.request("DELETE", f"/api/v1/keys/{made['id']}", self.admin)
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(r.json()["revoked"])
        self.assertTrue(r.json()["newly_revoked"])
        refused = s.request("GET", "/api/v1/auth/me", key)
        self.assertLess(time.monotonic() - start, 1.0)
        self.assertEnvelope(refused, 401, "UNAUTHORIZED")
        self.assertIn("revoked", refused.json()["error"]["message"])
        # again: not an error, but not newly revoked
        again = s.request("DELETE", f"/api/v1/keys/{made['id']}", self.admin)
        self.assertEqual(again.status, 200, again.body)
        self.assertFalse(again.json()["newly_revoked"])
        self.assertEnvelope(s.request("DELETE", "/api/v1/keys/no-such-key", self.admin), 404,
                            "KEY_NOT_FOUND")
        # the secret appeared in the creation's answer only: not in the
        # logs, the audit trail or any listing
        audit = s.request("GET", "/api/v1/audit?limit=1000", self.admin)
        self.assertNotIn(key.encode(), audit.body)
        logs = os.path.join(s.data, "logs")
        for name in os.listdir(logs):
            with open(os.path.join(logs, name), "rb") as f:
                self.assertNotIn(key.encode(), f.read(), name)

    def test_revoke_all(self):
        s = self.server
        users = [self.create(f"u{i}", ["read"])["key"] for i in range(3)]
        for key in users:
            self.assertEqual(s.request("GET", "/api/v1/jobs", key).status, 200)
        r = self.post("/api/v1/keys/revoke-all", {})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["revoked"], 4)  # the three and the admin's own
        for key in users + [self.admin]:
            self.assertEnvelope(s.request("GET", "/api/v1/jobs", key), 401, "UNAUTHORIZED")

    def test_non_admin_forbidden(self):
        s = self.server
        writer = self.create("dave", ["read", "write"])["key"]
        before = s.request("GET", "/api/v1/keys", self.admin).json()["count"]
        body = json.dumps({"user_id": "x", "username": "x", "email": "x@lab.example",
                           "scopes": ["admin"]}).encode()
        for method, path, data in (("GET", "/api/v1/keys", None),
                                   ("POST", "/api/v1/keys", body),
                                   ("DELETE", f"/api/v1/keys/{self.admin[:11]}", None),
                                   ("POST", "/api/v1/keys/revoke-all", b"{}"),
                                   ("GET", "/api/v1/audit", None)):
            r = s.request(method, path, writer, data, "application/json" if data else None)
            self.assertEnvelope(r, 403, "FORBIDDEN")
            self.assertEnvelope(s.request(method, path, None, data,
                                          "application/json" if data else None),
                                401, "UNAUTHORIZED")
        # nothing was created or revoked
        self.assertEqual(s.request("GET", "/api/v1/keys", self.admin).json()["count"], before)
        self.assertEqual(s.request("GET", "/api/v1/auth/me", self.admin).status, 200)

    def test_bad_requests(self):
        for body, status in (({"user_id": "e", "username": "e", "email": "e@lab.example"}, 422),
                             ({"user_id": "e", "username": "e", "email": "e@lab.example",
                               "scopes": ["root"]}, 422),
                             ({"user_id": 5, "username": "e", "email": "e@lab.example",
                               "scopes": ["read"]}, 422),
                             ({"user_id": "e", "username": "e", "email": "e@lab.example",
                               "scopes": ["read"], "expires_in_days": -1}, 422),
                             ({"user_id": "e", "username": "e", "email": "e@lab.example",
                               "scopes": ["read"], "expires_in_days": 100000}, 400)):
            r = self.post("/api/v1/keys", body)
            self.assertEqual(r.status, status, (body, r.body))
            self.assertIn("error", r.json())
        r = self.server.request("POST", "/api/v1/keys", self.admin, b"{not json",
                                "application/json")
        self.assertEqual(r.status, 400, r.body)

    def test_audit_filters(self):
        s = self.server
        made = self.create("erin", ["read"])
        s.request("DELETE", f"/api/v1/keys/{made['id']}", self.admin)
        prefix = self.admin[:11]

        def audit(query):
            r = s.request("GET", "/api/v1/audit?" + query, self.admin)
            self.assertEqual(r.status, 200, r.body)
            return r.json()["entries"]

        created = audit("action=key.create")
        self.assertIn(made["id"], [e["target"] for e in created])
        revoked = audit(f"action=key.revoke&key_prefix={prefix}")
        self.assertEqual([e["target"] for e in revoked], [made["id"]])
        self.assertEqual(revoked[0]["detail"]["source"], "http")
        self.assertEqual(revoked[0]["detail"]["key_prefix"], made["prefix"])
        self.assertEqual(audit("action=key.revoke&since=1h")[0]["target"], made["id"])
        self.assertEqual(audit("action=key.revoke&until=2000-01-01"), [])
        self.assertEqual(audit("user_id=nobody-at-all"), [])
        self.assertEqual(len(audit("limit=1")), 1)
        self.assertEnvelope(s.request("GET", "/api/v1/audit?limit=0", self.admin), 400,
                            "INVALID_REQUEST")


class ReadOnlyKeys(unittest.TestCase):
    """Read-only mode: no new keys, revocations still allowed."""

    def test_read_only(self):
        plain = Server()
        admin = plain.key("root", "read,write,admin")
        other = plain.key("frank", "read")
        data = plain.data
        plain.proc.terminate()
        plain.proc.wait(timeout=30)
        s = Server("--read-only", data=data)
        try:
            body = json.dumps({"user_id": "g", "username": "g", "email": "g@lab.example",
                               "scopes": ["read"]}).encode()
            r = s.request("POST", "/api/v1/keys", admin, body, "application/json")
            self.assertEqual(r.status, 503, r.body)
            self.assertEqual(r.json()["error"]["code"], "READ_ONLY")
            r = s.request("DELETE", f"/api/v1/keys/{other[:11]}", admin)
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(s.request("GET", "/api/v1/jobs", other).status, 401)
        finally:
            s.stop()
            plain.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
