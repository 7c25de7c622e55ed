#!/usr/bin/env python3
# Black-box tests of `videoannotator annotate` with the audio pipelines: a
# video whose soundtrack is a two-voice espeak-ng dialogue (known turns), an
# audio-only WAV, and a video without sound.
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest


def tool_env():
    """The environment for espeak-ng: without the sanitizer runtime the
    sanitizer build preloads (espeak-ng deadlocks under it in libpulse)."""
    return {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}


BUILD = os.environ["VA_BUILD_ROOT"]
EXE = os.path.join(BUILD, "src", "cli", "videoannotator")
TURNS = [
    ("en+m3", 40, "Good morning, did you look at the results of the last session?"),
    ("en+f3", 70, "Yes, the children answered most of the questions very quickly."),
    ("en+m3", 40, "Then we can write the report this week."),
    ("en+f3", 70, "I will send you my notes this afternoon."),
]
PAUSE = 0.8
VTT_TIME = re.compile(r"^\d\d:\d\d:\d\d\.\d\d\d --> \d\d:\d\d:\d\d\.\d\d\d$")


def stock_env():
    # Only stock elements are needed to make the media; leaving our plugin
    # out of the scan keeps an uninstrumented tool away from a sanitizer build.
    return {k: v for k, v in os.environ.items() if k not in ("GST_PLUGIN_PATH", "GST_REGISTRY")}


def make_dialogue(tmp, path):
    """Writes the dialogue as 16 kHz mono WAV; returns [(start, end, voice)]."""
    parts, truth, t = [], [], 0.5
    silence = os.path.join(tmp, "pause.wav")
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", silence, "trim", "0",
                    str(PAUSE)], check=True)
    lead = os.path.join(tmp, "lead.wav")
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", lead, "trim", "0", "0.5"],
                   check=True)
    parts.append(lead)
    for i, (voice, pitch, text) in enumerate(TURNS):
        raw = os.path.join(tmp, f"turn{i}.wav")
        wav = os.path.join(tmp, f"turn{i}-16k.wav")
        subprocess.run(["espeak-ng", "-v", voice, "-p", str(pitch), "-w", raw, text], check=True,
                       env=tool_env())
        subprocess.run(["sox", raw, "-r", "16000", "-c", "1", "-b", "16", wav], check=True)
        length = float(subprocess.run(["soxi", "-D", wav], check=True, capture_output=True,
                                      text=True).stdout)
        truth.append((t, t + length, voice))
        t += length + PAUSE
        parts += [wav, silence]
    subprocess.run(["sox", *parts, path], check=True)
    return truth


class AnnotateAudio(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="va-cli-audio-")
        cls.wav = os.path.join(cls.tmp, "dialogue.wav")
        cls.truth = make_dialogue(cls.tmp, cls.wav)
        duration = cls.truth[-1][1] + PAUSE
        cls.video = os.path.join(cls.tmp, "session.mkv")
        subprocess.run(
            ["gst-launch-1.0", "-q", "matroskamux", "name=mux", "!", "filesink",
             f"location={cls.video}", "videotestsrc", f"num-buffers={int(duration * 10)}", "!",
             "video/x-raw,width=160,height=120,framerate=10/1", "!", "x264enc",
             "speed-preset=ultrafast", "!", "h264parse", "!", "mux.", "filesrc",
             f"location={cls.wav}", "!", "wavparse", "!", "audioconvert", "!", "flacenc", "!",
             "flacparse", "!", "mux."],
            check=True, timeout=120, env=stock_env())
        cls.silent = os.path.join(cls.tmp, "silent.mkv")
        subprocess.run(
            ["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=10", "!", "x264enc",
             "speed-preset=ultrafast", "!", "h264parse", "!", "matroskamux", "!", "filesink",
             f"location={cls.silent}"],
            check=True, timeout=120, env=stock_env())

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def annotate(self, *args):
        return subprocess.run([EXE, "annotate", "-q", *args], capture_output=True, text=True,
                              timeout=300, cwd=self.tmp)

    def test_video_with_dialogue(self):
        out = os.path.join(self.tmp, "session_out")
        r = self.annotate("-p", "audio_processing,scene_detection", "-o", out, self.video)
        self.assertEqual(r.returncode, 0, r.stderr)
        files = sorted(os.listdir(out))
        self.assertEqual(files, ["session_audio_processing.rttm",
                                 "session_audio_processing.rttm.provenance.json",
                                 "session_audio_processing.vtt",
                                 "session_scene_detection.json"])
        with open(self.video, "rb") as f:
            sha256 = hashlib.sha256(f.read()).hexdigest()
        # provenance: beside the RTTM, in a NOTE block of the WebVTT, a
        # member of the JSON
        with open(os.path.join(out, "session_audio_processing.rttm.provenance.json")) as f:
            side = json.load(f)
        self.assertEqual(side["file"], "session_audio_processing.rttm")
        self.check_provenance(side["provenance"], "audio_processing", sha256)
        with open(os.path.join(out, "session_scene_detection.json")) as f:
            self.check_provenance(json.load(f)["provenance"], "scene_detection", sha256)

        with open(os.path.join(out, "session_audio_processing.rttm")) as f:
            rttm = [line.split() for line in f.read().splitlines()]
        self.assertGreaterEqual(len(rttm), len(TURNS))
        speakers = {}
        for fields in rttm:
            self.assertGreaterEqual(len(fields), 9)
            self.assertEqual(fields[0], "SPEAKER")
            self.assertEqual(fields[1], "session")
            self.assertEqual(fields[5:7] + fields[8:], ["<NA>"] * 4)
            start, dur = float(fields[3]), float(fields[4])
            # the true turn this one lies in, and its voice
            voice = [v for s, e, v in self.truth if start >= s - 0.3 and start + dur <= e + 0.3]
            self.assertEqual(len(voice), 1, fields)
            speakers.setdefault(fields[7], set()).add(voice[0])
        # two speakers, each one voice
        self.assertEqual(len(speakers), 2, speakers)
        self.assertTrue(all(len(v) == 1 for v in speakers.values()), speakers)

        with open(os.path.join(out, "session_audio_processing.vtt")) as f:
            vtt = f.read()
        self.assertTrue(vtt.startswith("WEBVTT\n\nNOTE provenance\n"))
        note, cues = vtt[len("WEBVTT\n\nNOTE provenance\n"):].split("\n\n", 1)
        self.check_provenance(json.loads(note), "audio_processing", sha256)
        cues = [c for c in cues.split("\n\n") if c]
        self.assertGreaterEqual(len(cues), len(TURNS))
        for n, cue in enumerate(cues, 1):
            number, timing, text = cue.split("\n")
            self.assertEqual(number, str(n))
            self.assertRegex(timing, VTT_TIME)
            # words only: clients of the 1.4 service show a <v> tag literally
            self.assertRegex(text, r"^[a-z']")

    def check_provenance(self, p, pipeline, sha256):
        self.assertEqual((p["tool"], p["pipeline"], p["input_sha256"]),
                         ("videoannotator", pipeline, sha256), p)
        self.assertTrue(p["version"])
        self.assertLessEqual(p["started_at"], p["finished_at"])
        self.assertTrue(p["started_at"].endswith("Z"), p)
        elements = [e["element"] for e in p["model"]["elements"]]
        if pipeline == "audio_processing":
            self.assertEqual(elements, ["vavad", "vaspeech", "vadiarize"])
            speech = p["model"]["elements"][1]["settings"]
            # the recognizer's models are part of what made the transcript
            self.assertTrue(speech["hmm"] and speech["dict"], speech)
        self.assertIsInstance(p["config"], dict)

    def test_audio_file_voice_activity(self):
        out = os.path.join(self.tmp, "wav_out")
        r = self.annotate("-p", "voice_activity", "-s", "voice_activity.hangover=0.5", "-o", out,
                          self.wav)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), os.path.join(out, "dialogue_voice_activity.csv"))
        with open(os.path.join(out, "dialogue_voice_activity.csv")) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], "start,end,duration")
        rows = [[float(x) for x in line.split(",")] for line in lines[1:]]
        # a comma pause may split a turn; no segment crosses from one turn to the next
        self.assertGreaterEqual(len(rows), len(TURNS))
        for start, end, duration in rows:
            self.assertAlmostEqual(end - start, duration, places=2)
            self.assertTrue(any(start >= s - 0.15 and end <= e + 0.15 for s, e, _ in self.truth),
                            (start, end))
        for s, e, _ in self.truth:
            inside = [r for r in rows if r[0] >= s - 0.15 and r[1] <= e + 0.15]
            self.assertAlmostEqual(inside[0][0], s, delta=0.15)
            self.assertAlmostEqual(inside[-1][1], e, delta=0.35)

    def test_video_without_sound(self):
        r = self.annotate("-p", "speech_recognition", "-o", os.path.join(self.tmp, "x"),
                          self.silent)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no audio stream", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
