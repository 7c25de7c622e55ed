#!/usr/bin/env python3
# Black-box tests of 1.5 batches: jobs submitted with a `batch_id`, the
# /api/v1/batches routes and the batch filters of GET /api/v1/jobs, on the
# real `videoannotator server` over HTTP. Helpers come from test_http_api.py.
import json
import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from test_http_api import ApiTest, multipart  # noqa: E402


def submit(server, key, video, batch_id=None, batch_name=None, pipelines="motion_analysis"):
    fields = {"selected_pipelines": pipelines}
    if batch_id is not None:
        fields["batch_id"] = batch_id
    if batch_name is not None:
        fields["batch_name"] = batch_name
    with open(video, "rb") as f:
        ctype, body = multipart(fields, {"video": ("clip.mp4", f.read())})
    return server.request("POST", "/api/v1/jobs", key, body, ctype)


def quote(text):
    return urllib.parse.quote(text, safe="")


class Batches(ApiTest):
    def jobs(self, key, query):
        r = self.server.request("GET", "/api/v1/jobs?per_page=100&" + query, key)
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def test_submit_list_and_filters(self):
        s = self.server
        key = s.key("bat", "read,write")
        other = s.key("bat-other", "read,write")
        admin = s.key("bat-admin", "read,write,admin")
        a = [submit(s, key, self.video, "run-a", "Session A").json() for _ in range(2)]
        b = submit(s, key, self.video, "run b é", None).json()
        loose = submit(s, key, self.video).json()
        theirs = submit(s, other, self.video, "run-a", "Their A").json()
        self.assertEqual((a[0]["batch_id"], a[0]["batch_name"]), ("run-a", "Session A"))
        self.assertEqual((b["batch_id"], b["batch_name"]), ("run b é", None))
        self.assertIsNone(loose["batch_id"])

        listed = self.jobs(key, "batch_id=run-a")
        self.assertEqual([j["id"] for j in listed["jobs"]], [j["id"] for j in a])
        self.assertEqual(listed["total"], 2)
        self.assertEqual([j["id"] for j in self.jobs(key, "batch_id=" + quote("run b é"))["jobs"]],
                         [b["id"]])
        self.assertEqual([j["id"] for j in self.jobs(key, "unbatched_only=true")["jobs"]],
                         [loose["id"]])
        self.assertEqual(self.jobs(key, "batch_id=nothing-here")["total"], 0)
        # an admin sees the other user's job of the same batch id as well
        self.assertEqual(self.jobs(admin, "batch_id=run-a")["total"], 3)
        r = s.request("GET", "/api/v1/jobs?batch_id=run-a&unbatched_only=true", key)
        self.assertEnvelope(r, 400, "INVALID_REQUEST")

        for job in a + [b, loose, theirs]:
            s.wait_for(admin, job["id"], ("completed", "failed"))

        r = s.request("GET", "/api/v1/batches", key)
        self.assertEqual(r.status, 200, r.body)
        body = r.json()
        self.assertEqual((body["total"], body["page"], body["per_page"]), (2, 1, 20))
        # newest first
        self.assertEqual([x["batch_id"] for x in body["batches"]], ["run b é", "run-a"])
        run_a = body["batches"][1]
        self.assertEqual(run_a["batch_name"], "Session A")
        self.assertEqual(run_a["total"], 2)  # the other user's job is not counted
        self.assertEqual(run_a["by_status"], {"pending": 0, "running": 0, "completed": 2,
                                              "failed": 0, "cancelled": 0})
        self.assertEqual(run_a["completion_percentage"], 100.0)
        self.assertIsNone(run_a["estimated_seconds_remaining"])
        self.assertTrue(run_a["created_at"].endswith("Z"))
        self.assertEqual(s.request("GET", "/api/v1/batches?per_page=1&page=2", key)
                         .json()["batches"][0]["batch_id"], "run-a")

        one = s.request("GET", "/api/v1/batches/run-a", key).json()
        self.assertEqual(one, run_a)
        self.assertEqual(s.request("GET", "/api/v1/batches/run-a", admin).json()["total"], 3)
        self.assertEqual(s.request("GET", "/api/v1/batches/run-a", other).json()["total"], 1)
        empty = s.request("GET", "/api/v1/batches/never-used", key).json()
        self.assertEqual((empty["batch_id"], empty["total"], empty["completion_percentage"]),
                         ("never-used", 0, 0.0))
        self.assertEqual(s.request("GET", "/api/v1/batches/" + quote("run b é"), key)
                         .json()["total"], 1)

    def test_refusals(self):
        s = self.server
        key = s.key("bat-ref", "read,write")
        reader = s.key("bat-reader", "read")
        for bad in ("x" * 201, "tab\there", "nl\nx"):
            with self.subTest(bad=bad):
                r = submit(s, key, self.video, batch_id=bad)
                self.assertEnvelope(r, 400, "INVALID_CONFIG")
                self.assertIn("batch_id", r.json()["error"]["message"])
        self.assertEnvelope(submit(s, key, self.video, "ok", batch_name="a\x01b"), 400,
                            "INVALID_CONFIG")
        # nothing was stored by the refusals
        self.assertEqual(self.jobs(key, "")["total"], 0)
        self.assertEnvelope(s.request("GET", "/api/v1/batches"), 401, "UNAUTHORIZED")
        self.assertEnvelope(s.request("POST", "/api/v1/batches/x/cancel", reader), 403,
                            "FORBIDDEN")
        self.assertEnvelope(s.request("POST", "/api/v1/batches/x/retry", reader), 403,
                            "FORBIDDEN")
        self.assertEnvelope(s.request("GET", "/api/v1/batches?per_page=101", key), 400,
                            "INVALID_REQUEST")
        self.assertEnvelope(s.request("GET", "/api/v1/batches?page=0", key), 400,
                            "INVALID_REQUEST")
        self.assertEnvelope(s.request("GET", "/api/v1/batches/" + quote("a\tb"), key), 400,
                            "INVALID_REQUEST")

    def test_cancel_and_retry(self):
        s = self.server
        key = s.key("bat-cr", "read,write")
        other = s.key("bat-cr-other", "read,write")
        done = submit(s, key, self.video, "cr").json()
        s.wait_for(key, done["id"], ("completed",))
        jobs = [submit(s, key, self.video, "cr").json()["id"] for _ in range(3)]
        theirs = submit(s, other, self.video, "cr").json()["id"]

        r = s.request("POST", "/api/v1/batches/cr/cancel", key)
        self.assertEqual(r.status, 200, r.body)
        out = r.json()
        self.assertEqual(out["batch_id"], "cr")
        skipped = {x["job_id"]: x["reason"] for x in out["skipped"]}
        self.assertIn(done["id"], skipped)
        self.assertIn("completed", skipped[done["id"]])
        self.assertNotIn(theirs, out["cancelled"] + list(skipped))
        # a job that finished before the cancel reached it is skipped, never lost
        self.assertEqual(sorted(out["cancelled"] + list(skipped)), sorted(jobs + [done["id"]]))
        cancelled = out["cancelled"]
        self.assertTrue(cancelled, out)
        for job in cancelled:
            self.assertEqual(s.request("GET", f"/api/v1/jobs/{job}", key).json()["status"],
                             "cancelled")
        # the other user's job of the same batch id is untouched
        self.assertNotEqual(s.wait_for(other, theirs, ("completed", "failed", "cancelled"))
                            ["status"], "cancelled")
        again = s.request("POST", "/api/v1/batches/cr/cancel", key).json()
        self.assertEqual(sorted(again["cancelled"]), sorted(cancelled))

        summary = s.request("GET", "/api/v1/batches/cr", key).json()
        self.assertEqual(summary["by_status"]["cancelled"], len(cancelled))

        r = s.request("POST", "/api/v1/batches/cr/retry", key)
        self.assertEqual(r.status, 200, r.body)
        out = r.json()
        self.assertEqual(sorted(out["retried"]), sorted(cancelled))
        reasons = {x["job_id"]: x["reason"] for x in out["skipped"]}
        self.assertIn(done["id"], reasons)
        for job in cancelled:
            finished = s.wait_for(key, job, ("completed", "failed"))
            self.assertEqual(finished["status"], "completed", finished)
            self.assertIsNone(finished["error_message"])
            results = s.request("GET", f"/api/v1/jobs/{job}/results", key).json()
            self.assertEqual(results["pipeline_results"]["motion_analysis"]["status"],
                             "completed")
        # nothing left to retry
        out = s.request("POST", "/api/v1/batches/cr/retry", key).json()
        self.assertEqual(out["retried"], [])
        # unknown batch: nothing to do, not an error
        out = s.request("POST", "/api/v1/batches/none-such/retry", key).json()
        self.assertEqual((out["retried"], out["skipped"]), ([], []))
        with open(os.path.join(s.data, "logs", "audit.log")) as f:
            audit = [json.loads(line) for line in f if line.strip()]
        actions = [e.get("action") for e in audit]
        self.assertIn("batch.cancel", actions)
        self.assertIn("batch.retry", actions)

    def test_retry_failed(self):
        s = self.server
        key = s.key("bat-fail", "read,write")
        # a file that typefinds as MP4 but cannot be decoded: the job fails
        with open(self.video, "rb") as f:
            head = f.read(4096)
        broken = os.path.join(self.tmp, "broken.mp4")
        with open(broken, "wb") as f:
            f.write(head)
        job = submit(s, key, broken, "fails").json()
        failed = s.wait_for(key, job["id"], ("failed", "completed"))
        self.assertEqual(failed["status"], "failed", failed)
        out = s.request("POST", "/api/v1/batches/fails/retry", key).json()
        self.assertEqual(out["retried"], [job["id"]])
        # it runs again (and fails again, for the same reason)
        again = s.wait_for(key, job["id"], ("failed",))
        self.assertTrue(again["error_message"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
