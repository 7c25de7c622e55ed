#!/usr/bin/env python3
# Black-box tests of `videoannotator annotate`: runs the built binary on a
# video generated here (three test-pattern scenes, cuts at 1.52 s and 3.0 s)
# and on broken inputs, and checks exit codes, messages, files and output.
import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

BUILD = os.environ["VA_BUILD_ROOT"]
EXE = os.path.join(BUILD, "src", "cli", "videoannotator")
FPS = 25
SCENES = [("smpte", 38), ("checkers-8", 37), ("ball", 38)]  # frames per scene
TOTAL_FRAMES = sum(n for _, n in SCENES)
CUTS = [0.0, 38 / FPS, 75 / FPS]


def make_video(path, faststart=False):
    caps = f"video/x-raw,width=320,height=240,framerate={FPS}/1"
    args = ["gst-launch-1.0", "-q", "concat", "name=c", "!", "identity", "single-segment=true",
            "!", "videoconvert", "!", "video/x-raw,format=I420", "!", "x264enc",
            "speed-preset=ultrafast", "key-int-max=25", "!", "h264parse", "!", "mp4mux",
            f"faststart={'true' if faststart else 'false'}", "!", "filesink",
            f"location={path}"]
    for pattern, frames in SCENES:
        args += ["videotestsrc", f"pattern={pattern}", f"num-buffers={frames}", "!", caps,
                 "!", "c."]
    # Only stock elements are needed; leaving our plugin out of the scan also
    # keeps an uninstrumented gst-launch away from a sanitizer build of it.
    env = {k: v for k, v in os.environ.items() if k not in ("GST_PLUGIN_PATH", "GST_REGISTRY")}
    subprocess.run(args, check=True, timeout=120, env=env)


class Annotate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="va-cli-annotate-")
        cls.video = os.path.join(cls.tmp, "cuts.mp4")
        make_video(cls.video)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def annotate(self, *args, **kwargs):
        # a data directory of its own: models installed in the user's (by
        # `bootstrap.sh run`, say) would change which face model runs
        env = dict(kwargs.pop("env", None) or os.environ)
        env.setdefault("VIDEOANNOTATOR_DATA_DIR", os.path.join(self.tmp, "data"))
        return subprocess.run([EXE, "annotate", *args], capture_output=True, text=True,
                              timeout=120, cwd=self.tmp, env=env, **kwargs)

    def outdir(self, name):
        return os.path.join(self.tmp, name)

    def test_scenes_and_motion(self):
        out = self.outdir("out-all")
        r = self.annotate(self.video, "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        scene_file = os.path.join(out, "cuts_scene_detection.json")
        motion_file = os.path.join(out, "cuts_motion_analysis.csv")
        self.assertIn(scene_file, r.stdout)
        self.assertIn(motion_file, r.stdout)
        self.assertIn(f"outputs in {out}", r.stdout)

        with open(scene_file) as f:
            coco = json.load(f)
        scenes = coco["annotations"]
        self.assertEqual(len(scenes), 3)
        for scene, cut in zip(scenes, CUTS):
            self.assertAlmostEqual(scene["start_time"], cut, delta=1.5 / FPS)
        with open(motion_file) as f:
            rows = f.read().splitlines()
        self.assertTrue(rows[0].startswith("frame,timestamp,energy"))
        self.assertGreater(len(rows), TOTAL_FRAMES // 2)

    def test_json(self):
        out = self.outdir("out-json")
        r = self.annotate(self.video, "-p", "scene_detection", "-o", out, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["input"], self.video)
        self.assertEqual(doc["output_dir"], out)
        self.assertEqual(list(doc["outputs"]), ["scene_detection"])
        scene = doc["outputs"]["scene_detection"]
        self.assertEqual(scene["annotation_count"], 3)
        self.assertEqual(scene["file"], os.path.join(out, "cuts_scene_detection.json"))
        self.assertTrue(os.path.isfile(scene["file"]))
        self.assertEqual(doc["frames"], TOTAL_FRAMES)
        self.assertGreater(doc["processing_time"], 0)
        self.assertAlmostEqual(doc["duration"], TOTAL_FRAMES / FPS, delta=0.1)
        self.assertFalse(os.path.exists(os.path.join(out, "cuts_motion_analysis.csv")))

    def motion_rows(self, name, *args, env=None):
        out = self.outdir(name)
        r = self.annotate(self.video, "-p", "motion_analysis", "-o", out, "-q", *args, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(out, "cuts_motion_analysis.csv")) as f:
            return len(f.read().splitlines()) - 1

    def test_settings_are_pipeline_defaults(self):
        every = self.motion_rows("out-every")
        self.assertGreaterEqual(every, TOTAL_FRAMES - 1)
        # the setting's environment variable, its flag, and --set over both
        env = dict(os.environ, VIDEOANNOTATOR_MOTION_INTERVAL="5")
        by_env = self.motion_rows("out-env", env=env)
        self.assertAlmostEqual(by_env, every / 5, delta=2)
        by_flag = self.motion_rows("out-flag", "--motion-interval=10")
        self.assertAlmostEqual(by_flag, every / 10, delta=2)
        by_set = self.motion_rows("out-set", "--set", "motion_analysis.interval=1", env=env)
        self.assertEqual(by_set, every)

    def test_bad_setting(self):
        env = dict(os.environ, VIDEOANNOTATOR_MOTION_INTERVAL="often")
        r = self.annotate(self.video, "-p", "motion_analysis", "-o", self.outdir("x"), env=env)
        self.assertEqual(r.returncode, 2)
        self.assertIn("VIDEOANNOTATOR_MOTION_INTERVAL", r.stderr)
        r = self.annotate(self.video, "--face-interval=0", "-o", self.outdir("x"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("face-interval", r.stderr)

    def test_model_path_setting(self):
        r = self.annotate(self.video, "-p", "face_analysis", "-o", self.outdir("x"),
                          "--face-model-dir=/nonexistent/cascades")
        self.assertEqual(r.returncode, 3, r.stderr)  # not found: the model file
        self.assertIn("face_analysis cannot run", r.stderr)
        self.assertIn("/nonexistent/cascades/", r.stderr)

    def test_aliases_and_default_output_dir(self):
        r = self.annotate("cuts.mp4", "-p", "scene,motion", "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = os.path.join(self.tmp, "cuts_output")
        self.assertEqual(r.stdout.split(), [os.path.join(out, "cuts_scene_detection.json"),
                                            os.path.join(out, "cuts_motion_analysis.csv")])
        self.assertEqual(r.stderr, "")

    def test_missing_file(self):
        r = self.annotate(os.path.join(self.tmp, "nothing-here.mp4"))
        self.assertEqual(r.returncode, 3)
        self.assertIn("No such file", r.stderr)
        self.assertIn("nothing-here.mp4", r.stderr)

    def test_missing_file_json(self):
        r = self.annotate("nothing-here.mp4", "--json")
        self.assertEqual(r.returncode, 3)
        self.assertEqual(json.loads(r.stdout)["error"]["code"], "NotFound")

    def test_not_media(self):
        path = os.path.join(self.tmp, "readme.txt")
        with open(path, "w") as f:
            f.write("This is a text file, not a video.\n" * 20)
        r = self.annotate(path, "-o", self.outdir("out-text"))
        self.assertEqual(r.returncode, 4)
        self.assertIn("readme.txt is not a video or audio file", r.stderr)

    def test_truncated(self):
        path = os.path.join(self.tmp, "half.mp4")
        with open(self.video, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(data[: len(data) // 2])
        r = self.annotate(path, "-o", self.outdir("out-half"))
        self.assertEqual(r.returncode, 5)
        self.assertIn("half.mp4 is truncated or corrupt", r.stderr)

    def test_unknown_pipeline(self):
        r = self.annotate(self.video, "-p", "scene_detection,nope")
        self.assertEqual(r.returncode, 2)
        self.assertIn("Unknown pipeline “nope”", r.stderr)
        self.assertIn("motion_analysis", r.stderr)
        self.assertIn("scene_detection", r.stderr)

    def test_bad_option(self):
        r = self.annotate(self.video, "--set", "scene_detection.threshold=500")
        self.assertEqual(r.returncode, 2)
        self.assertIn("out of range", r.stderr)

    def test_usage(self):
        r = self.annotate()
        self.assertEqual(r.returncode, 2)
        self.assertIn("no VIDEO given", r.stderr)

    def test_progress_lines_without_tty(self):
        r = self.annotate(self.video, "-o", self.outdir("out-progress"))
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stderr.splitlines()
        self.assertNotIn("\r", r.stderr)
        self.assertGreaterEqual(len(lines), 1)
        for line in lines:
            self.assertRegex(line, r"^progress: +\d+% \(\d+ frames, [\d.]+ frames/s\)$")
        self.assertTrue(lines[-1].startswith(f"progress: 100% ({TOTAL_FRAMES} frames"))

    def test_progress_bar_on_tty(self):
        master, slave = pty.openpty()
        p = subprocess.Popen([EXE, "annotate", self.video, "-o", self.outdir("out-tty")],
                             stdout=subprocess.PIPE, stderr=slave, cwd=self.tmp)
        os.close(slave)
        chunks = []
        while True:
            try:
                ready, _, _ = select.select([master], [], [], 60)
                if not ready:
                    break
                data = os.read(master, 4096)
            except OSError:  # EIO: the process closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0)
        tty = b"".join(chunks).decode()
        self.assertIn("\r[", tty)
        self.assertRegex(tty, r"\[#{30}\] 100%")
        self.assertIn("frames/s", tty)

    def test_sigint_cancels(self):
        # The input is a FIFO fed half of a video: the run is then certainly in
        # progress (and waiting for more) when the signal arrives.
        full = os.path.join(self.tmp, "faststart.mp4")
        make_video(full, faststart=True)
        with open(full, "rb") as f:
            data = f.read()
        fifo = os.path.join(self.tmp, "stream.mp4")
        os.mkfifo(fifo)
        out = self.outdir("out-sigint")
        release = threading.Event()

        def feed():
            with open(fifo, "wb") as w:
                w.write(data[: len(data) // 2])
                w.flush()
                release.wait(60)

        writer = threading.Thread(target=feed)
        writer.start()
        p = subprocess.Popen([EXE, "annotate", fifo, "-o", out], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=self.tmp)
        lines = []
        progressed = threading.Event()
        interrupted = threading.Event()

        def read_stderr():
            for line in p.stderr:
                lines.append(line)
                if line.startswith("progress: "):
                    progressed.set()
                if "interrupted, stopping" in line:
                    interrupted.set()

        reader = threading.Thread(target=read_stderr)
        reader.start()
        try:
            # the run is under way: it reported progress
            self.assertTrue(progressed.wait(60), "".join(lines))
            p.send_signal(signal.SIGINT)
            # The source is blocked reading the FIFO; ending the input lets
            # the pipeline stop. Do it once the program says it took the
            # signal: from then on the run ends cancelled, even if the end
            # of the (cut) input reaches it first. No fixed delay, so a
            # loaded machine only makes this slower, never wrong.
            self.assertTrue(interrupted.wait(60), "".join(lines))
        finally:
            release.set()
            writer.join()
        p.wait(timeout=60)
        reader.join()
        p.stdout.close()
        p.stderr.close()
        err = "".join(lines)
        self.assertEqual(p.returncode, 130, err)
        self.assertIn("Cancelled", err)
        self.assertEqual(os.listdir(out), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
