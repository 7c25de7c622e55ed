#!/usr/bin/env python3
# Black-box test of the demo that `build-aux/bootstrap.sh run` runs
# (build-aux/demo.py): it composes the sample video from Debian's media,
# annotates it with every pipeline and prints what each found. The files
# are read here on their own and checked against the sample's description:
# every pipeline found something, and where the sample says it is.
import csv
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

BUILD = os.environ["VA_BUILD_ROOT"]
DEMO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build-aux",
                    "demo.py")
# words of the two readers (pocketsphinx-testdata's LibriVox transcription
# and the synthetic voice's lines) that the recognizer gets right
SPOKEN = {"john", "leisure", "consider", "power", "young", "man", "married", "amiable",
          "woman", "respectable", "people", "walking", "across", "street", "every", "word",
          "box"}


def overlap(a0, a1, b0, b1):
    return max(0.0, min(a1, b1) - max(a0, b0))


class Demo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="va-cli-demo-")
        cls.out = os.path.join(cls.tmp, "demo")
        env = dict(os.environ, VIDEOANNOTATOR_DATA_DIR=os.path.join(cls.tmp, "data"),
                   # the neural models the plugin tests install once
                   VIDEOANNOTATOR_MODELS_DIR=os.path.join(BUILD, "test-models"))
        cls.demo = subprocess.run(["python3", DEMO, "--build", BUILD, "--output", cls.out],
                                 capture_output=True, text=True, timeout=600, env=env)
        with open(os.path.join(cls.out, "sample.json")) as f:
            cls.sample = json.load(f)
        cls.files = os.path.join(cls.out, "annotations")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def path(self, suffix):
        return os.path.join(self.files, "sample_" + suffix)

    def coco(self, suffix):
        with open(self.path(suffix)) as f:
            return json.load(f)

    def scene_of(self, t):
        starts = [s["start"] for s in self.sample["scenes"]]
        return max(i for i, s in enumerate(starts) if s <= t)

    def test_summary(self):
        self.assertEqual(self.demo.returncode, 0, self.demo.stderr)
        lines = self.demo.stdout.splitlines()
        for name, suffix in [("scene_detection", "scene_detection.json"),
                             ("motion_analysis", "motion_analysis.csv"),
                             ("face_analysis", "face_detections.json"),
                             ("person_tracking", "person_tracking.json"),
                             ("voice_activity", "voice_activity.csv"),
                             ("speech_recognition", "speech_recognition.vtt"),
                             ("speaker_diarization", "speaker_diarization.rttm")]:
            row = [line for line in lines if line.startswith(name + " ")
                   and line.endswith("sample_" + suffix)]
            self.assertEqual(len(row), 1, (name, self.demo.stdout))
            # a count that is not zero
            self.assertRegex(row[0], r"\b[1-9]\d*\b", row[0])
            self.assertTrue(os.path.exists(self.path(suffix)))
        self.assertIn(f"Annotation files: {self.files}", self.demo.stdout)

    def test_sample(self):
        kinds = [s["kind"] for s in self.sample["scenes"]]
        self.assertEqual(kinds, ["photo", "clip", "photo", "photos"])
        self.assertEqual({t["speaker"] for t in self.sample["speech"]}, {"A", "B"})
        self.assertGreaterEqual(self.sample["duration"], 20)
        self.assertLessEqual(self.sample["duration"], 40)

    def test_scene_cuts(self):
        cuts = [a["start_time"] for a in self.coco("scene_detection.json")["annotations"]][1:]
        starts = [s["start"] for s in self.sample["scenes"]][1:]
        self.assertEqual(len(cuts), len(starts), cuts)
        for cut, start in zip(cuts, starts):
            self.assertAlmostEqual(cut, start, delta=0.3)

    def test_motion_in_the_street_only(self):
        with open(self.path("motion_analysis.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        moving = {}
        for r in rows:
            t = float(r["timestamp"])
            # the frame after a cut differs from the one before it
            if any(abs(t - s["start"]) < 0.15 for s in self.sample["scenes"]):
                continue
            moving.setdefault(self.scene_of(t), []).append(float(r["moving_fraction"]) > 0)
        self.assertGreater(sum(moving[1]), len(moving[1]) * 0.8)
        for still in (0, 2, 3):
            self.assertEqual(sum(moving[still]), 0, still)

    def test_faces(self):
        per_frame = {}
        for a in self.coco("face_detections.json")["annotations"]:
            per_frame.setdefault((self.scene_of(a["timestamp"]), a["frame_number"]), 0)
            per_frame[(self.scene_of(a["timestamp"]), a["frame_number"])] += 1
        for scene, faces in [(0, 1), (2, 1), (3, 2)]:
            frames = [n for (s, _), n in per_frame.items() if s == scene]
            self.assertGreater(len(frames), 0, scene)
            self.assertGreaterEqual(max(frames), faces, scene)

    def test_persons_with_track_ids(self):
        street = [a for a in self.coco("person_tracking.json")["annotations"]
                  if self.scene_of(a["timestamp"]) == 1]
        self.assertGreaterEqual(len({a["track_id"] for a in street}), 2, street)
        with open(self.path("person_tracks.json")) as f:
            tracks = json.load(f)["person_tracks"]
        self.assertTrue({a["track_id"] for a in street} <= {t["track_id"] for t in tracks})

    def test_voice_activity(self):
        with open(self.path("voice_activity.csv"), newline="") as f:
            segments = [(float(r["start"]), float(r["end"])) for r in csv.DictReader(f)]
        for turn in self.sample["speech"]:
            heard = sum(overlap(s, e, turn["start"], turn["end"]) for s, e in segments)
            self.assertGreater(heard, 0.7 * (turn["end"] - turn["start"]), turn)

    def test_transcript(self):
        with open(self.path("speech_recognition.vtt")) as f:
            text = f.read()
        cues = re.findall(r"^\d\d:\d\d:\d\d\.\d\d\d --> .*\n(.+)$", text, re.MULTILINE)
        words = " ".join(cues).split()
        self.assertGreaterEqual(len(cues), len(self.sample["speech"]) - 1, text)
        self.assertGreaterEqual(len(SPOKEN & set(words)), 6, words)

    def test_two_speakers_take_turns(self):
        with open(self.path("speaker_diarization.rttm")) as f:
            turns = [line.split() for line in f if line.startswith("SPEAKER")]
        found = [(float(t[3]), float(t[3]) + float(t[4]), t[7]) for t in turns]
        self.assertEqual(len({who for _, _, who in found}), 2, found)
        # each of the sample's speakers is one label, the other's another
        label = {}
        for turn in self.sample["speech"]:
            best = max(found, key=lambda f: overlap(f[0], f[1], turn["start"], turn["end"]))
            label.setdefault(turn["speaker"], set()).add(best[2])
        self.assertEqual([len(v) for v in label.values()], [1, 1], label)
        self.assertNotEqual(label["A"], label["B"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
