#!/usr/bin/env python3
# Black-box test of `videoannotator annotate` with several audio pipelines
# in one run: whatever the selection and its order, each pipeline writes
# the same files, byte for byte, as when it runs alone. The audio
# pipelines share one branch and some analysers (vavad always, vaspeech
# and vadiarize between audio_processing and the single ones), so the
# order of the selection changes the order of the elements; an analyser
# that dropped what an earlier one attached (the speaker turns, the last
# voice segment) made a file empty or short in some orders only.
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import unittest

BUILD = os.environ["VA_BUILD_ROOT"]
EXE = os.path.join(BUILD, "src", "cli", "videoannotator")
# every pipeline of the registry's audio branch
AUDIO = ["audio_processing", "speaker_diarization", "speech_recognition", "voice_activity"]
TURNS = [("en+m3", 40, "Good morning, did you look at the results of the last session?"),
         ("en+f3", 70, "Yes, the children answered most of the questions very quickly.")]


def tool_env():
    # espeak-ng deadlocks under the sanitizer runtime a sanitizer build preloads
    return {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}


def make_dialogue(tmp, path):
    parts = []
    pause = os.path.join(tmp, "pause.wav")
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", pause, "trim", "0", "0.7"],
                   check=True)
    parts.append(pause)
    for i, (voice, pitch, text) in enumerate(TURNS):
        raw = os.path.join(tmp, f"turn{i}.wav")
        wav = os.path.join(tmp, f"turn{i}-16k.wav")
        subprocess.run(["espeak-ng", "-v", voice, "-p", str(pitch), "-w", raw, text], check=True,
                       env=tool_env())
        subprocess.run(["sox", raw, "-r", "16000", "-c", "1", "-b", "16", wav], check=True)
        parts += [wav, pause]
    subprocess.run(["sox", *parts, path], check=True)


def without_provenance(name, data):
    """The file without what differs from run to run by design: its
    provenance (times; the settings of an analyser shared with another
    pipeline are that pipeline's too). Returns (content, provenance)."""
    if name.endswith(".vtt"):
        head, sep, rest = data.partition(b"\n\nNOTE provenance\n")
        note, _, cues = rest.partition(b"\n\n")
        return head + b"\n\n" + cues, json.loads(note)
    if name.endswith(".json"):
        doc = json.loads(data)
        return json.dumps({k: v for k, v in doc.items() if k != "provenance"}), doc["provenance"]
    return data, None


def read_dir(path):
    files = {}
    for name in sorted(os.listdir(path)):
        with open(os.path.join(path, name), "rb") as f:
            files[name] = f.read()
    return files


class AudioOrders(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="va-cli-orders-")
        cls.wav = os.path.join(cls.tmp, "talk.wav")
        make_dialogue(cls.tmp, cls.wav)
        cls.alone = {p: cls.run_annotate(p, f"alone-{p}") for p in AUDIO}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def run_annotate(cls, pipelines, name):
        out = os.path.join(cls.tmp, name)
        r = subprocess.run([EXE, "annotate", "-q", "-p", pipelines, "-o", out, cls.wav],
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise AssertionError(f"annotate -p {pipelines}: {r.stderr}")
        files = read_dir(out)
        shutil.rmtree(out)
        return files

    def test_alone_finds_something(self):
        # the comparison below means something only if every file has content
        for pipeline, files in self.alone.items():
            self.assertTrue(files, pipeline)
            for name, data in files.items():
                self.assertGreater(len(data.splitlines()), 1 if name.endswith(".csv") else 0,
                                   (pipeline, name, data))

    def test_no_shared_files(self):
        owners = {}
        for pipeline, files in self.alone.items():
            for name in files:
                self.assertNotIn(name, owners, (pipeline, owners.get(name)))
                owners[name] = pipeline

    def test_every_selection_and_order(self):
        for n in range(2, len(AUDIO) + 1):
            for order in itertools.permutations(AUDIO, n):
                selection = ",".join(order)
                with self.subTest(selection=selection):
                    files = self.run_annotate(selection, "together")
                    expected = {}
                    for pipeline in order:
                        expected.update(self.alone[pipeline])
                    self.assertEqual(sorted(files), sorted(expected))
                    for pipeline in order:
                        for name, data in self.alone[pipeline].items():
                            got, provenance = without_provenance(name, files[name])
                            self.assertEqual(got, without_provenance(name, data)[0], name)
                            if provenance is not None:
                                self.assertEqual(provenance["pipeline"], pipeline, name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
