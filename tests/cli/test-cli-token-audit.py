#!/usr/bin/env python3
# Black-box test: key administration from the command line leaves the same
# audit trail as the server's own acts: rows in the database and sanitized
# lines in logs/audit.log, never the key itself.
import json
import os
import shutil
import subprocess
import tempfile
import unittest

BUILD = os.environ["VA_BUILD_ROOT"]
EXE = os.path.join(BUILD, "src", "cli", "videoannotator")


class TokenAudit(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="va-cli-token-audit-")
        self.data = os.path.join(self.tmp, "data")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def token(self, *args):
        r = subprocess.run([EXE, "token"] + list(args) + ["--data-dir", self.data],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def audit_lines(self):
        with open(os.path.join(self.data, "logs", "audit.log")) as f:
            return [json.loads(line) for line in f]

    def test_cli_key_operations_are_in_audit_log(self):
        made = json.loads(self.token("create", "--json", "--user-id", "alice@lab.example",
                                     "--username", "alice", "--email", "alice@lab.example",
                                     "--scopes", "read,write", "--expires-in-days", "5"))
        key = made["key"]
        second = json.loads(self.token("create", "--json", "--user-id", "bob", "--username",
                                       "bob", "--email", "bob@lab.example", "--scopes", "read",
                                       "--expires-in-days", "5"))["key"]
        self.token("revoke", key)
        self.token("revoke-all")

        lines = self.audit_lines()
        self.assertEqual([r["action"] for r in lines],
                         ["key.create", "key.create", "key.revoke", "key.revoke_all"])
        self.assertEqual(lines[2]["target"], made["id"])
        self.assertEqual(lines[2]["key_prefix"], made["prefix"])
        self.assertEqual(lines[3]["detail"]["revoked"], 1)
        for record in lines:
            self.assertEqual(record["detail"]["source"], "cli")
            self.assertIn("timestamp", record)
        with open(os.path.join(self.data, "logs", "audit.log")) as f:
            text = f.read()
        # sanitized: no key, no e-mail address, no absolute path
        for secret in (key, second, "alice@lab.example", self.data):
            self.assertNotIn(secret, text)
        self.assertIn("a***@lab.example", text)

        # the database has the same acts, unsanitized as its own records
        listing = subprocess.run([EXE, "token", "list", "--json", "--data-dir", self.data],
                                 capture_output=True, text=True, timeout=60)
        self.assertEqual(listing.returncode, 0, listing.stderr)
        self.assertEqual(os.stat(os.path.join(self.data, "logs", "audit.log")).st_mode & 0o007, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
