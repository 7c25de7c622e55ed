#!/usr/bin/env python3
# Black-box tests of GET /api/v1/security/alerts: the real `videoannotator
# server`, urllib only. Failed logins from one client raise an alert that
# an administrator then finds in the listing (newest first, with since and
# limit); the listing survives a restart (it is read from
# logs/security.log); other keys get 403 with the envelope; `token
# --server` administers keys over REST with the local command's output.
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from test_http_api import EXE, Server  # noqa: E402

ATTACKER = "203.0.113.50"


class Alerts(unittest.TestCase):
    def setUp(self):
        # the attacker comes through a trusted proxy, so that the block it
        # earns does not also block the administrator on 127.0.0.1
        # a data directory of our own, to restart a server on it
        self.tmp = tempfile.mkdtemp(prefix="va-alerts-")
        self.server = Server("--trusted-proxies=127.0.0.1", data=os.path.join(self.tmp, "data"))
        self.admin = self.server.key("root", "read,write,admin")
        self.user = self.server.key("alice", "read,write")

    def tearDown(self):
        self.server.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def alerts(self, query="", key=None):
        r = self.server.request("GET", "/api/v1/security/alerts" + query, key or self.admin)
        self.assertEqual(r.status, 200, r.body)
        body = r.json()
        self.assertEqual(body["count"], len(body["alerts"]))
        return body["alerts"]

    def attack(self, client=ATTACKER):
        for _ in range(11):
            r = self.server.request("GET", "/api/v1/jobs", "va_api_" + "Z" * 43,
                                    headers={"X-Forwarded-For": client})
            self.assertEqual(r.status, 401, r.body)

    def wait_for_alerts(self, n):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            found = self.alerts()
            if len(found) >= n:
                return found
            time.sleep(0.1)
        self.fail(f"fewer than {n} alerts listed within 10 s")

    def test_failed_logins_listed(self):
        self.assertEqual(self.alerts(), [])
        self.attack()
        alert = self.wait_for_alerts(1)[0]
        self.assertEqual(alert["alert"], "auth_failures")
        self.assertEqual(alert["client"], ATTACKER)
        self.assertEqual(alert["count"], 11)
        self.assertEqual(alert["blocked_seconds"], 900)
        self.assertIn(ATTACKER, alert["message"])
        self.assertIn("timestamp", alert)
        # the attacker is blocked, the administrator is not
        blocked = self.server.request("GET", "/health", headers={"X-Forwarded-For": ATTACKER})
        self.assertEqual(blocked.status, 403)
        # newest first; limit and since filter
        self.attack("198.51.100.23")
        both = self.wait_for_alerts(2)
        self.assertEqual([a["client"] for a in both], ["198.51.100.23", ATTACKER])
        self.assertEqual([a["client"] for a in self.alerts("?limit=1")], ["198.51.100.23"])
        self.assertEqual(len(self.alerts("?since=1h")), 2)
        self.assertEqual(self.alerts("?since=2099-01-01T00:00:00Z"), [])
        # kept across a restart: the listing reads logs/security.log
        self.server.stop()
        self.server = Server("--trusted-proxies=127.0.0.1", data=self.server.data)
        self.assertEqual([a["client"] for a in self.alerts()], ["198.51.100.23", ATTACKER])

    def test_admin_only_and_bad_filters(self):
        for key in (self.user, None):
            r = self.server.request("GET", "/api/v1/security/alerts", key)
            self.assertEqual(r.status, 403 if key else 401, r.body)
            self.assertIn("error", r.json())
        for query in ("?limit=0", "?limit=1001", "?limit=x", "?since=yesterday"):
            r = self.server.request("GET", "/api/v1/security/alerts" + query, self.admin)
            self.assertEqual(r.status, 400, (query, r.body))
            self.assertEqual(r.json()["error"]["code"], "INVALID_REQUEST")

    def test_openapi_lists_route(self):
        spec = self.server.request("GET", "/openapi.json").json()
        op = spec["paths"]["/api/v1/security/alerts"]["get"]
        self.assertEqual(op["operationId"], "listSecurityAlerts")
        self.assertEqual({p["name"] for p in op["parameters"]}, {"since", "limit"})


class TokenOverRest(unittest.TestCase):
    """`videoannotator token --server URL list|create|revoke|revoke-all`."""

    def setUp(self):
        self.server = Server()
        self.admin = self.server.key("root", "read,write,admin")

    def tearDown(self):
        self.server.stop()

    def token(self, *args, key=None, check=True):
        env = dict(os.environ, VIDEOANNOTATOR_API_KEY=key or self.admin)
        out = subprocess.run([EXE, "token", "--server", self.server.base] + list(args),
                             capture_output=True, text=True, timeout=60, env=env)
        if check:
            self.assertEqual(out.returncode, 0, out.stderr)
        return out

    def local(self, *args):
        return self.server.cli("token", *args)

    def test_create_list_revoke(self):
        made = self.token("create", "--user-id", "dave", "--username", "Dave", "--email",
                          "dave@lab.example", "--scopes", "read,write").stdout.splitlines()
        key = made[-1]
        self.assertTrue(key.startswith("va_api_"), made)
        me = self.server.request("GET", "/api/v1/auth/me", key)
        self.assertEqual(me.json()["user_id"], "dave")
        # the same table as the local command (the last-used column moves
        # with our own requests, so compare rows without it)
        remote = self.token("list").stdout.splitlines()
        here = self.local("list").splitlines()
        self.assertEqual(remote[0], here[0])
        self.assertEqual(len(remote), len(here))
        cut = here[0].index(" LAST USED") if " LAST USED" in here[0] else None
        if cut is not None:
            self.assertEqual(sorted(r[:cut] for r in remote), sorted(h[:cut] for h in here))
        self.assertNotIn(key, "\n".join(remote))
        listed = json.loads(self.token("list", "--json").stdout)
        dave = [k for k in listed["keys"] if k["user_id"] == "dave"][0]
        out = self.token("revoke", dave["prefix"]).stdout
        self.assertIn(f"Revoked API key {dave['id']}", out)
        self.assertEqual(self.server.request("GET", "/api/v1/auth/me", key).status, 401)
        again = self.token("revoke", dave["id"]).stdout
        self.assertIn("was already revoked", again)
        missing = self.token("revoke", "va_api_nope", check=False)
        self.assertEqual(missing.returncode, 3, missing.stderr)

    def test_created_json_and_revoke_all(self):
        made = json.loads(self.token("create", "--json", "--user-id", "erin", "--username",
                                     "Erin", "--email", "erin@lab.example", "--scopes",
                                     "read").stdout)
        self.assertTrue(made["key"].startswith("va_api_"))
        self.assertEqual(made["scopes"], ["read"])
        out = self.token("revoke-all").stdout
        self.assertRegex(out.strip(), r"^Revoked [2-9] API keys\.$")
        # the admin key is gone too
        refused = self.token("list", check=False)
        self.assertEqual(refused.returncode, 6, refused.stderr)

    def test_refusals(self):
        reader = self.server.key("frank", "read")
        denied = self.token("list", key=reader, check=False)
        self.assertEqual(denied.returncode, 6, denied.stderr)
        usage = self.token("create", "--user-id", "x", check=False)
        self.assertEqual(usage.returncode, 2, usage.stderr)
        self.server.stop()
        down = self.token("list", check=False)
        self.assertEqual(down.returncode, 8, down.stderr)
        self.server = Server()


if __name__ == "__main__":
    unittest.main(verbosity=2)
