#!/usr/bin/env python3
# `videoannotator annotate --preview`: the preview is an MP4 with H.264 video
# of the input's size and duration, drawn boxes change the pixels on the
# found faces' outlines and leave the rest of the picture alone, the sound
# is kept when an audio pipeline runs, and unwritable paths fail up front.
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest


def tool_env():
    """The environment for espeak-ng: without the sanitizer runtime the
    sanitizer build preloads (espeak-ng deadlocks under it in libpulse)."""
    return {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}


BUILD = os.environ["VA_BUILD_ROOT"]
EXE = os.path.join(BUILD, "src", "cli", "videoannotator")
DISCOVER = sys.argv[1] if len(sys.argv) > 1 else os.path.join(BUILD, "tests", "cli",
                                                                "va-discover")
PHOTO = "/usr/share/doc/opencv-doc/opencv4/html/227943776_1.jpg"
W, H, FPS, FRAMES = 640, 360, 25, 75


def stock_env():
    # Only stock elements are needed to make and read media; leaving our
    # plugin out also keeps uninstrumented tools away from a sanitizer build.
    return {k: v for k, v in os.environ.items() if k not in ("GST_PLUGIN_PATH", "GST_REGISTRY")}


def make_face_video(path, speech=None, frames=FRAMES):
    """A still portrait (one face) held for @frames frames, optionally with
    a spoken sentence as its AAC soundtrack."""
    args = ["gst-launch-1.0", "-q", "filesrc", f"location={PHOTO}", "!", "jpegdec", "!",
            "imagefreeze", f"num-buffers={frames}", "!", f"video/x-raw,framerate={FPS}/1", "!",
            "videoconvert", "!", "videoscale", "!",
            f"video/x-raw,width={W},height={H},format=I420", "!", "x264enc",
            "speed-preset=ultrafast", "!", "h264parse", "!", "mp4mux", "name=m", "!",
            "filesink", f"location={path}"]
    if speech:
        args += ["filesrc", f"location={speech}", "!", "wavparse", "!", "audioconvert", "!",
                 "audioresample", "!", "avenc_aac", "!", "m."]
    subprocess.run(args, check=True, timeout=120, env=stock_env())


def gray_frames(path):
    """Every frame of @path as W*H bytes of luma."""
    raw = subprocess.run(["gst-launch-1.0", "-q", "filesrc", f"location={path}", "!",
                          "decodebin", "!", "videoconvert", "!", "video/x-raw,format=GRAY8", "!",
                          "fdsink", "fd=1"], check=True, capture_output=True, timeout=120,
                         env=stock_env()).stdout
    # GRAY8 rows of a 640-wide frame need no padding
    return [raw[i:i + W * H] for i in range(0, len(raw) - W * H + 1, W * H)]


def mean_abs_diff(a, b, x0, y0, x1, y1):
    total = n = 0
    for y in range(max(y0, 0), min(y1, H)):
        row = y * W
        for x in range(max(x0, 0), min(x1, W)):
            total += abs(a[row + x] - b[row + x])
            n += 1
    return total / max(n, 1)


class Preview(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="va-cli-preview-")
        cls.video = os.path.join(cls.tmp, "face.mp4")
        make_face_video(cls.video)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def annotate(self, *args, timeout=240):
        return subprocess.run([EXE, "annotate", *args], capture_output=True, text=True,
                              timeout=timeout, cwd=self.tmp)

    def discover(self, path):
        r = subprocess.run([DISCOVER, path], capture_output=True, text=True, timeout=60,
                           env=stock_env())
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_preview_video_only(self):
        preview = os.path.join(self.tmp, "preview.mp4")
        out = os.path.join(self.tmp, "out")
        r = self.annotate(self.video, "-p", "scene,face_analysis", "-o", out,
                          "--preview", preview)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"Preview video: {preview}", r.stdout)
        self.assertIn("progress: 100%", r.stderr)  # progress still reported

        info = self.discover(preview)
        self.assertEqual(info["container"]["media_type"], "video/quicktime")
        self.assertAlmostEqual(info["duration"], FRAMES / FPS, delta=1.5 / FPS)
        video = [s for s in info["streams"] if s["media_type"].startswith("video/")]
        audio = [s for s in info["streams"] if s["media_type"].startswith("audio/")]
        self.assertEqual(len(video), 1)
        self.assertEqual(video[0]["media_type"], "video/x-h264")
        self.assertEqual((video[0]["width"], video[0]["height"]), (W, H))
        self.assertEqual(audio, [])  # no audio pipeline: video only

        with open(os.path.join(out, "face_face_detections.json")) as f:
            coco = json.load(f)
        boxes = {}
        for a in coco["annotations"]:
            boxes.setdefault(a["image_id"], []).append(a["bbox"])
        images = {img["id"]: img for img in coco["images"]}
        self.assertGreater(len(boxes), FRAMES // 2)

        src, dst = gray_frames(self.video), gray_frames(preview)
        self.assertEqual(len(src), FRAMES)
        self.assertEqual(len(dst), FRAMES)
        checked = 0
        for image_id, bbs in boxes.items():
            frame = images[image_id]["frame_number"]
            if frame % 10 != 5:
                continue
            x, y, w, h = (int(round(v)) for v in bbs[0])
            # the box outline (2 px at this height): top and bottom edges
            edge = (mean_abs_diff(src[frame], dst[frame], x + 4, y, x + w - 4, y + 2)
                    + mean_abs_diff(src[frame], dst[frame], x + 4, y + h - 2, x + w - 4,
                                    y + h)) / 2
            inside = mean_abs_diff(src[frame], dst[frame], x + 10, y + 10, x + w - 10,
                                   y + h - 10)
            # below the box, clear of the label above it and the scene
            # index in the corner
            below = mean_abs_diff(src[frame], dst[frame], 0, y + h + 10, W, H)
            self.assertGreater(edge, 25, f"frame {frame}: box not drawn")
            self.assertLess(inside, 6, f"frame {frame}: inside of the box changed")
            self.assertLess(below, 6, f"frame {frame}: picture changed away from the box")
            checked += 1
        self.assertGreaterEqual(checked, 3)

    def test_preview_with_sound(self):
        speech = os.path.join(self.tmp, "speech.wav")
        subprocess.run(["espeak-ng", "-w", speech, "Hello, this is the preview test."],
                       check=True, env=tool_env())
        video = os.path.join(self.tmp, "talk.mp4")
        make_face_video(video, speech)
        preview = os.path.join(self.tmp, "talk-preview.mp4")
        r = self.annotate(video, "-p", "face_analysis,speech_recognition", "-o",
                          os.path.join(self.tmp, "out-talk"), "--preview", preview, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["preview"], preview)
        info = self.discover(preview)
        kinds = sorted(s["media_type"] for s in info["streams"])
        self.assertEqual(kinds, ["audio/mpeg", "video/x-h264"])
        self.assertAlmostEqual(info["duration"], FRAMES / FPS, delta=1.5 / FPS)

    def test_long_speech_preview(self):
        # Speech that outlasts the overlay's 10 s transcript latency: the
        # preview used to hang for good once the recognizer had decoded an
        # utterance while its input was starved (the demuxer waiting for the
        # video the overlay held back). A hang fails through the timeout.
        speech = os.path.join(self.tmp, "long-speech.wav")
        text = " ".join(f"This is sentence number {n} of the long preview test, "
                        "spoken slowly and clearly." for n in range(1, 9))
        subprocess.run(["espeak-ng", "-s", "140", "-w", speech, text], check=True,
                       env=tool_env())
        seconds = self.discover(speech)["duration"]
        self.assertGreater(seconds, 20)
        frames = int(seconds * FPS) + 1
        video = os.path.join(self.tmp, "long-talk.mp4")
        make_face_video(video, speech, frames=frames)
        preview = os.path.join(self.tmp, "long-preview.mp4")
        try:
            r = self.annotate(video, "-p", "scene_detection,speech_recognition", "-o",
                              os.path.join(self.tmp, "out-long"), "--preview", preview,
                              "--json", timeout=900)
        except subprocess.TimeoutExpired:
            self.fail("annotate --preview with speech recognition hung")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["preview"], preview)
        # the preview plays to the end
        self.assertAlmostEqual(self.discover(preview)["duration"], frames / FPS, delta=0.5)
        vtt = doc["outputs"]["speech_recognition"]["file"]
        with open(vtt) as f:
            cues = [line for line in f.read().splitlines()
                    if line and "-->" not in line and line != "WEBVTT" and not line.isdigit()]
        self.assertGreater(doc["outputs"]["speech_recognition"]["annotation_count"], 0)
        self.assertTrue(any(c.strip() for c in cues), cues)

    def test_unwritable_preview(self):
        blocker = os.path.join(self.tmp, "a-file")
        with open(blocker, "w") as f:
            f.write("x")
        cases = [
            (os.path.join(blocker, "p.mp4"), 3, "Cannot write the preview video"),
            (os.path.join(self.tmp, "no", "such", "dir", "p.mp4"), 3,
             "Cannot write the preview video"),
            (self.tmp, 2, "is a directory"),
            (self.video, 2, "would overwrite the input"),
        ]
        for path, code, message in cases:
            with self.subTest(path=path):
                r = self.annotate(self.video, "-p", "scene", "-o",
                                  os.path.join(self.tmp, "out-bad"), "--preview", path)
                self.assertEqual(r.returncode, code, r.stderr)
                self.assertIn(message, r.stderr)
        # the input was left alone
        self.assertEqual(len(gray_frames(self.video)), FRAMES)

    def test_preview_needs_video_pipeline(self):
        r = self.annotate(self.video, "-p", "voice_activity", "--preview",
                          os.path.join(self.tmp, "p.mp4"))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("needs at least one video pipeline", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "p.mp4")))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
