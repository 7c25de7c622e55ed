#!/usr/bin/env python3
# Black-box tests of `videoannotator pipelines`: the command that the
# unknown-pipeline hints of the server and of annotate point at exists, and
# lists what the server serves.
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "functional"))
from test_http_api import EXE, Server  # noqa: E402


def run(*args):
    return subprocess.run([EXE] + list(args), capture_output=True, text=True, timeout=60)


class Pipelines(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_hint_names_a_working_command(self):
        r = self.server.request("GET", "/api/v1/pipelines/no_such_pipeline")
        self.assertEqual(r.status, 404)
        hint = r.json()["error"]["hint"]
        command = shlex.split(hint[hint.index("'") + 1:hint.rindex("'")])
        self.assertEqual(command[0], "videoannotator")
        listed = run(*command[1:])
        self.assertEqual(listed.returncode, 0, listed.stderr)
        served = self.server.request("GET", "/api/v1/pipelines").json()["pipelines"]
        for p in served:
            self.assertIn(p["name"], listed.stdout)
            # --detailed shows every option of every pipeline
            for option in p["config_schema"]:
                self.assertIn(option, listed.stdout)

    def test_json_is_the_server_document(self):
        # the same data directory: models-dir (under it) decides each
        # pipeline's reported model
        r = run("pipelines", "--json", "--data-dir", self.server.data)
        self.assertEqual(r.returncode, 0, r.stderr)
        local = json.loads(r.stdout)
        served = self.server.request("GET", "/api/v1/pipelines").json()
        self.assertEqual(local, served)
        r = run("pipelines", "--json", "--include-unavailable", "--data-dir", self.server.data)
        self.assertEqual(r.returncode, 0, r.stderr)
        served = self.server.request("GET", "/api/v1/pipelines?include_unavailable=true").json()
        self.assertEqual(json.loads(r.stdout), served)
        self.assertEqual(local["total"], len(local["pipelines"]))
        self.assertGreaterEqual(local["total"], 8)

    def test_table(self):
        r = run("pipelines")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertTrue(lines[0].startswith("NAME"))
        names = [line.split()[0] for line in lines[1:]]
        served = [p["name"] for p in run_json()["pipelines"]]
        self.assertEqual(names, served)
        for line in lines[1:]:
            self.assertIn(" available ", line)

    def test_advertised_files_are_written(self):
        """The files `pipelines --json` says each pipeline writes are the files
        the elements write: every pipeline at once on a clip with sound, under
        a stem with a space and a dot."""
        tmp = tempfile.mkdtemp(prefix="va-cli-pipelines-files-")
        self.addCleanup(shutil.rmtree, tmp, True)
        video = os.path.join(tmp, "my clip.v2.mp4")
        subprocess.run(["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=30", "!",
                        "video/x-raw,width=320,height=240,framerate=10/1", "!", "x264enc",
                        "speed-preset=ultrafast", "!", "h264parse", "!", "mp4mux", "name=m", "!",
                        "filesink", f"location={video}", "audiotestsrc", "num-buffers=100",
                        "samplesperbuffer=480", "!", "audio/x-raw,rate=16000,channels=1", "!",
                        "voaacenc", "!", "m."], check=True, timeout=120)
        pipelines = run_json()["pipelines"]
        names = [p["name"] for p in pipelines]
        self.assertGreaterEqual(len(names), 8)
        out_dir = os.path.join(tmp, "out")
        r = subprocess.run([EXE, "annotate", video, "-p", ",".join(names), "-o", out_dir,
                            "--json"], capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        advertised = {f.replace("<stem>", "my clip.v2")
                      for p in pipelines for f in p["output_files"]}
        written = set(os.listdir(out_dir))
        sidecars = {f for f in written if f.endswith(".provenance.json")}
        self.assertEqual(written - sidecars, advertised)
        for sidecar in sidecars:
            self.assertIn(sidecar[:-len(".provenance.json")], advertised)
        # and the run's own report names the same files, pipeline by
        # pipeline, the main one first
        outputs = json.loads(r.stdout)["outputs"]
        self.assertEqual(sorted(outputs), sorted(names))
        for p in pipelines:
            files = [f.replace("<stem>", "my clip.v2") for f in p["output_files"]]
            report = outputs[p["name"]]
            self.assertEqual([os.path.basename(f) for f in report["files"]], files, p["name"])
            self.assertEqual(os.path.basename(report["file"]), files[0], p["name"])

    def test_bad_usage(self):
        r = run("pipelines", "extra")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unexpected argument", r.stderr)
        r = run("pipelines", "--no-such-flag")
        self.assertEqual(r.returncode, 2)


def run_json():
    return json.loads(run("pipelines", "--json").stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
