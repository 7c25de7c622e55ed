#!/usr/bin/env python3
# Black-box test: `videoannotator annotate -p face_analysis` with the face
# attribute models installed (by `videoannotator models install`, from the
# npm registry, into the build tree) writes the reference's emotion, age and
# gender fields in the faces file; without them, the faces are still written,
# with none of those fields.
import json
import os
import shutil
import subprocess
import tempfile
import unittest

BUILD = os.environ["VA_BUILD_ROOT"]
EXE = os.path.join(BUILD, "src", "cli", "videoannotator")
MODELS = os.path.join(BUILD, "test-models")
# a young man with a broad smile (opencv-doc)
SMILE = "/usr/share/doc/opencv-doc/opencv4/html/227943776_1.jpg"
FIELDS = ("emotion", "emotion_confidence", "emotion_scores", "age", "gender",
          "gender_confidence", "gender_scores")


class FaceAttributes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="va-cli-attr-")
        for name in ("blazeface", "emotion", "age-gender"):
            if not os.path.exists(os.path.join(MODELS, name, "installed.json")):
                subprocess.run([EXE, "models", "install", name, "--models-dir", MODELS],
                               check=True, capture_output=True, timeout=600)
        # 3 s of the photo at 10 fps, H.264 in MP4
        cls.video = os.path.join(cls.tmp, "smile.mp4")
        subprocess.run(["gst-launch-1.0", "-q", "filesrc", "location=" + SMILE, "!", "jpegdec",
                        "!", "imagefreeze", "num-buffers=30", "!",
                        "video/x-raw,framerate=10/1", "!", "videoconvert", "!", "x264enc", "!",
                        "mp4mux", "!", "filesink", "location=" + cls.video],
                       check=True, capture_output=True, timeout=120)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def annotate(self, models_dir, name):
        out = os.path.join(self.tmp, name)
        env = dict(os.environ, VIDEOANNOTATOR_MODELS_DIR=models_dir)
        r = subprocess.run([EXE, "annotate", "-p", "face_analysis", "-o", out, self.video],
                           capture_output=True, text=True, timeout=300, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(out, "smile_face_detections.json")) as f:
            return json.load(f)["annotations"], r.stdout + r.stderr

    def test_attributes(self):
        faces, _ = self.annotate(MODELS, "with")
        self.assertEqual(len(faces), 30)
        # once a second: frames 0, 10 and 20
        described = [f for f in faces if "emotion" in f]
        self.assertEqual([f["frame_number"] for f in described], [0, 10, 20])
        for f in described:
            scores = f["emotion_scores"]
            self.assertEqual(sorted(scores), sorted(["angry", "disgust", "fear", "happy", "sad",
                                                     "surprise", "neutral"]))
            self.assertAlmostEqual(sum(scores.values()), 1.0, places=2)
            top2 = sorted(scores, key=scores.get, reverse=True)[:2]
            self.assertIn("happy", top2)
            self.assertEqual(f["emotion"], top2[0])
            self.assertEqual(f["emotion_confidence"], scores[top2[0]])
            self.assertGreaterEqual(f["age"], 15)
            self.assertLessEqual(f["age"], 45)
            self.assertEqual(f["gender"], "Man")
            self.assertEqual(set(f["gender_scores"]), {"Man", "Woman"})
            self.assertGreaterEqual(f["gender_confidence"], 0.5)
        for f in faces:
            if "emotion" not in f:
                self.assertFalse(set(FIELDS) & set(f), f)

    def test_without_models(self):
        empty = os.path.join(self.tmp, "no-models")
        os.makedirs(empty, exist_ok=True)
        faces, _ = self.annotate(empty, "without")
        self.assertGreater(len(faces), 0)
        for f in faces:
            self.assertFalse(set(FIELDS) & set(f), f)
            # nothing installed there: the cascade found them
            self.assertEqual(f["backend"], "opencv-haar")


if __name__ == "__main__":
    unittest.main(verbosity=2)
