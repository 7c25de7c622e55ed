#!/usr/bin/env python3
# Black-box test: the JSON files of `videoannotator annotate` are recognised
# by the clients of the 1.4 service, which tell a file's kind from its first
# few kilobytes, in this order: faces ("face_id", "attributes" or "emotions"
# in the first 8000 bytes), persons ("keypoints" and "bbox" in the first
# 10000), scenes ("scene_type", "start_time" or "end_time" in the first
# 5000). A long video has hundreds of COCO image entries; written first,
# they pushed the identifying keys out of reach and the file was dropped as
# unknown.
import json
import os
import shutil
import subprocess
import tempfile
import unittest

BUILD = os.environ["VA_BUILD_ROOT"]
EXE = os.path.join(BUILD, "src", "cli", "videoannotator")
MAKE_FACES = os.path.join(BUILD, "bench", "va-detect-eval")
# people walking (opencv-doc)
PEOPLE = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"


def sniff(data):
    """The kind the 1.4 service's web client gives a JSON file."""
    head = lambda n: data[:n].decode("utf-8", "replace")
    if any(k in head(8000) for k in ('"face_id"', '"attributes"', '"emotions"')):
        return "face_analysis"
    if '"keypoints"' in head(10000) and '"bbox"' in head(10000):
        return "person_tracking"
    if any(k in head(5000) for k in ('"scene_type"', '"start_time"', '"end_time"')):
        return "scene_detection"
    return "unknown"


class OutputKinds(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="va-cli-kinds-")
        cls.faces = os.path.join(cls.tmp, "faces.mp4")
        subprocess.run([MAKE_FACES, "make-faces", cls.faces, os.path.join(cls.tmp, "truth.txt"),
                        "6", "640", "360", "3"], check=True, capture_output=True, timeout=120)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def annotate(self, video, pipelines, report="-q"):
        out = os.path.join(self.tmp, pipelines.replace(",", "-"))
        r = subprocess.run([EXE, "annotate", report, "-p", pipelines, "-o", out, video],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.report = r.stdout
        return out

    def check(self, path, kind, long=True):
        with open(path, "rb") as f:
            data = f.read()
        doc = json.loads(data)
        if long:
            # long enough that a file starting with its images would not be recognised
            images = json.dumps(doc["images"], indent=2).encode()
            self.assertGreater(len(images), 10000, path)
        self.assertGreater(len(doc["annotations"]), 0, path)
        self.assertLess(data.index(b'"annotations"'), data.index(b'"images"'), path)
        self.assertEqual(sniff(data), kind, path)
        return doc

    def test_face_file(self):
        out = self.annotate(self.faces, "face_analysis,scene_detection")
        self.check(os.path.join(out, "faces_face_detections.json"), "face_analysis")
        with open(os.path.join(out, "faces_scene_detection.json"), "rb") as f:
            self.assertEqual(sniff(f.read()), "scene_detection")

    def test_person_files(self):
        out = self.annotate(PEOPLE, "person_tracking", "--json")
        # --json lists both files of the pipeline; `file` is the main one
        entry = json.loads(self.report)["outputs"]["person_tracking"]
        files = [os.path.join(out, "vtest_person_tracking.json"),
                 os.path.join(out, "vtest_person_tracks.json")]
        self.assertEqual(sorted(entry["files"]), sorted(files), entry)
        self.assertEqual(entry["file"], files[0], entry)
        self.assertEqual(entry["files"][0], files[0], entry)
        self.assertGreater(entry["annotation_count"], 0, entry)
        # one frame per second is written (see below): fewer images than faces
        doc = self.check(os.path.join(out, "vtest_person_tracking.json"), "person_tracking",
                         long=False)
        # As the 1.4 service samples persons (its server passes pps 1): the
        # boxes of every int(fps)-th frame only (vtest.avi: 10 fps), so a
        # client drawing the boxes around a moment shows one per person.
        frames = sorted({a["frame_number"] for a in doc["annotations"]})
        self.assertGreater(len(frames), 3, frames)
        self.assertTrue(all(f % 10 == 0 for f in frames), frames)
        per_second = {}
        for a in doc["annotations"]:
            key = (a["track_id"], int(a["timestamp"]))
            per_second[key] = per_second.get(key, 0) + 1
        self.assertEqual(set(per_second.values()), {1}, per_second)
        self.assertEqual(len(doc["images"]), len(frames))

        with open(os.path.join(out, "vtest_person_tracks.json")) as f:
            tracks = json.load(f)
        ids = {a["track_id"] for a in doc["annotations"]}
        self.assertEqual({t["track_id"] for t in tracks["person_tracks"]}, ids)
        for t in tracks["person_tracks"]:
            # the reference's per-track label fields, for an unlabelled person
            self.assertEqual((t["label"], t["confidence"], t["method"]),
                             ("unknown", 0.0, "none"), t)
        summary = tracks["labeling_metadata"]["detections_summary"]
        self.assertEqual(summary["total_detections"], len(doc["annotations"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
