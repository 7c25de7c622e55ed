#!/usr/bin/env python3
# Black-box test of the ELAN export (GET /api/v1/jobs/{id}/results/eaf) on
# the real `videoannotator server`: a job on generated media (three scenes
# with hard cuts, a two-voice espeak-ng dialogue) exported and checked
# against the EAF 3.0 structure. Helpers come from test_http_api.py and
# tests/web/make_media.py.
import os
import shutil
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "web"))

from test_http_api import Server, multipart  # noqa: E402
import make_media  # noqa: E402

PIPELINES = "scene_detection,voice_activity,speech_recognition,speaker_diarization"


def submit(server, key, path, pipelines):
    with open(path, "rb") as f:
        ctype, body = multipart({"selected_pipelines": pipelines},
                                {"video": (os.path.basename(path), f.read())})
    r = server.request("POST", "/api/v1/jobs", key, body, ctype)
    assert r.status == 201, r.body
    return r.json()["id"]


class Eaf(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="va-eaf-")
        cls.video = os.path.join(cls.tmp, "dialogue & cuts.webm")
        with open(os.devnull, "w") as null:
            old = sys.stdout
            sys.stdout = null
            try:
                make_media.main(cls.video)
            finally:
                sys.stdout = old
        cls.server = Server()
        cls.key = cls.server.key("eaf", "read,write")
        cls.job = submit(cls.server, cls.key, cls.video, PIPELINES)
        done = cls.server.wait_for(cls.key, cls.job, ("completed", "failed"), timeout=300)
        assert done["status"] == "completed", done

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_structure(self):
        r = self.server.request("GET", f"/api/v1/jobs/{self.job}/results/eaf", self.key)
        self.assertEqual(r.status, 200, r.body[:300])
        self.assertEqual(r.headers.get_content_type(), "application/xml")
        self.assertIn("dialogue & cuts.eaf", r.headers["Content-Disposition"])
        root = ET.fromstring(r.body)  # well formed
        self.assertEqual(root.tag, "ANNOTATION_DOCUMENT")
        self.assertEqual(root.get("FORMAT"), "3.0")
        self.assertEqual(root.get("VERSION"), "3.0")
        self.assertTrue(root.get("AUTHOR"))
        self.assertRegex(root.get("DATE"), r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
        # children in the schema's order
        order = ["HEADER", "TIME_ORDER", "TIER", "LINGUISTIC_TYPE", "CONSTRAINT"]
        tags = [c.tag for c in root]
        self.assertEqual(sorted(tags, key=order.index), tags)
        header = root.find("HEADER")
        self.assertEqual(header.get("TIME_UNITS"), "milliseconds")
        media = header.find("MEDIA_DESCRIPTOR")
        self.assertIsNotNone(media)
        self.assertTrue(media.get("MEDIA_URL").startswith("file:///"))
        slots = {}
        last = -1
        for slot in root.find("TIME_ORDER"):
            value = int(slot.get("TIME_VALUE"))
            self.assertGreater(value, last)
            last = value
            slots[slot.get("TIME_SLOT_ID")] = value
        types = {lt.get("LINGUISTIC_TYPE_ID"): lt for lt in root.findall("LINGUISTIC_TYPE")}
        self.assertTrue(types)
        stereotypes = {c.get("STEREOTYPE") for c in root.findall("CONSTRAINT")}
        self.assertEqual(stereotypes, {"Time_Subdivision", "Symbolic_Subdivision",
                                       "Symbolic_Association", "Included_In"})
        tiers = {}
        ids = set()
        for tier in root.findall("TIER"):
            self.assertIn(tier.get("LINGUISTIC_TYPE_REF"), types)
            self.assertEqual(types[tier.get("LINGUISTIC_TYPE_REF")].get("TIME_ALIGNABLE"), "true")
            spans = []
            for ann in tier.findall("ANNOTATION"):
                al = ann.find("ALIGNABLE_ANNOTATION")
                self.assertNotIn(al.get("ANNOTATION_ID"), ids)
                ids.add(al.get("ANNOTATION_ID"))
                start, end = slots[al.get("TIME_SLOT_REF1")], slots[al.get("TIME_SLOT_REF2")]
                self.assertLess(start, end)
                spans.append((start, end, al.findtext("ANNOTATION_VALUE")))
            tiers[tier.get("TIER_ID")] = spans
        # what the media holds: three scenes cut at 3 s and 6 s, speech, two voices
        self.assertIn("Scenes", tiers)
        self.assertEqual(len(tiers["Scenes"]), 3, tiers["Scenes"])
        for (start, _, _), expected in zip(tiers["Scenes"], (0, 3000, 6000)):
            self.assertLess(abs(start - expected), 250)
        self.assertTrue(tiers.get("Voice activity"))
        self.assertTrue(tiers.get("Speech"))
        self.assertTrue(any(text.strip() for _, _, text in tiers["Speech"]))
        speakers = [t for t in tiers if t.startswith("Speaker ")]
        self.assertGreaterEqual(len(speakers), 1, tiers.keys())
        for name in speakers:
            self.assertTrue(tiers[name])
            self.assertTrue(all(v == name[len("Speaker "):] for _, _, v in tiers[name]))
        # the transcript and turns lie within the media
        duration_ms = 9000
        for spans in tiers.values():
            for start, end, _ in spans:
                self.assertLessEqual(end, duration_ms + 500)

    def test_refusals(self):
        s = self.server
        r = s.request("GET", "/api/v1/jobs/00000000-0000-4000-8000-000000000000/results/eaf",
                      self.key)
        self.assertEqual((r.status, r.json()["error"]["code"]), (404, "JOB_NOT_FOUND"))
        other = s.key("eaf-other", "read,write")
        r = s.request("GET", f"/api/v1/jobs/{self.job}/results/eaf", other)
        self.assertEqual((r.status, r.json()["error"]["code"]), (404, "JOB_NOT_FOUND"))
        self.assertEqual(s.request("GET", f"/api/v1/jobs/{self.job}/results/eaf").status, 401)
        motion = submit(s, self.key, self.video, "motion_analysis")
        r = s.request("GET", f"/api/v1/jobs/{motion}/results/eaf", self.key)
        # still pending or running: 409; already done: nothing to export
        self.assertIn((r.status, r.json()["error"]["code"]),
                      ((409, "JOB_NOT_COMPLETED"), (404, "NO_EXPORTABLE_RESULTS")))
        s.wait_for(self.key, motion, ("completed",))
        r = s.request("GET", f"/api/v1/jobs/{motion}/results/eaf", self.key)
        self.assertEqual((r.status, r.json()["error"]["code"]), (404, "NO_EXPORTABLE_RESULTS"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
