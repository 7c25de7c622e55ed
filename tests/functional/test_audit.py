#!/usr/bin/env python3
# Black-box test of `videoannotator audit list` (on the data directory of
# a running server) and GET /api/v1/audit: "what did this key do".
import json
import os
import subprocess
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_http_api import EXE, ApiTest  # noqa: E402


class Audit(ApiTest):
    def audit_cli(self, *args):
        out = subprocess.run([EXE, "audit", "list", "--data-dir", self.server.data] + list(args),
                             capture_output=True, text=True, timeout=60)
        return out

    def audit_json(self, *args):
        out = self.audit_cli("--json", *args)
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout)

    def test_what_did_this_key_do(self):
        s = self.server
        admin = s.key("auditor", "read,write,admin")
        alice = s.key("alice", "read,write")
        alice_prefix = alice[:11]
        bob = s.key("bob", "read,write")
        r = s.submit(alice, self.video, pipelines="scene_detection")
        self.assertEqual(r.status, 201, r.body)
        job = r.json()["id"]
        s.wait_for(alice, job, ("completed",))
        self.assertEqual(s.request("GET", f"/api/v1/jobs/{job}/results", alice).status, 200)
        r = s.submit(bob, self.video, pipelines="scene_detection")
        self.assertEqual(r.status, 201, r.body)
        bob_job = r.json()["id"]

        # the whole key, the prefix, or the prefix as logs print it
        for query in (alice, alice_prefix, alice_prefix + "…"):
            entries = self.audit_json("--key", query)
            actions = {e["action"] for e in entries}
            self.assertLessEqual({"key.create", "job.submit", "job.results.read"}, actions,
                                 query[:11])
            self.assertNotIn(bob_job, {e["target"] for e in entries})
            self.assertTrue(all(e["user_id"] == "alice" for e in entries))
        entries = self.audit_json("--key", alice_prefix, "--action", "job.submit")
        self.assertEqual([(e["action"], e["target"]) for e in entries], [("job.submit", job)])
        self.assertEqual([e["target"] for e in self.audit_json("--user", "bob", "--action",
                                                               "job.submit")], [bob_job])
        self.assertEqual(self.audit_json("--user", "alice", "--since", "2999-01-01"), [])
        self.assertTrue(self.audit_json("--user", "alice", "--since", "1h"))
        self.assertEqual(len(self.audit_json("--user", "alice", "--limit", "1")), 1)
        # newest first
        times = [e["time"] for e in self.audit_json()]
        self.assertEqual(times, sorted(times, reverse=True))
        text = self.audit_cli("--key", alice_prefix)
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertIn("job.submit", text.stdout)
        self.assertNotIn(alice, text.stdout)
        for bad in (("--since", "yesterday-ish"), ("--limit", "0"), ("extra",)):
            out = self.audit_cli(*bad)
            self.assertEqual(out.returncode, 2, (bad, out.stderr))

        # over REST, admin only
        q = urllib.parse.urlencode({"key_prefix": alice_prefix, "action": "job.submit"})
        r = s.request("GET", f"/api/v1/audit?{q}", admin)
        self.assertEqual(r.status, 200, r.body)
        body = r.json()
        self.assertEqual(body["count"], 1)
        self.assertEqual(body["entries"][0]["target"], job)
        self.assertEnvelope(s.request("GET", "/api/v1/audit", alice), 403, "FORBIDDEN")
        self.assertEnvelope(s.request("GET", "/api/v1/audit?limit=5000", admin), 400,
                            "INVALID_REQUEST")
        self.assertEnvelope(s.request("GET", "/api/v1/audit?since=never", admin), 400,
                            "INVALID_REQUEST")
        # reading the audit trail is audited too
        reads = self.audit_json("--action", "audit.read")
        self.assertTrue(any(e["user_id"] == "auditor" for e in reads))
        self.assertTrue(any(e["user_id"] == "local" for e in reads))


if __name__ == "__main__":
    unittest.main(verbosity=2)
