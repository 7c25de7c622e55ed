#!/usr/bin/env python3
# Black-box test of `videoannotator models list|install`: packages built
# here (so that it runs offline) with their sha512 integrity in a test
# catalog, installed from a local tarball and from a registry served on
# localhost; a package that does not match its pinned integrity is refused
# and leaves the installed copy as it was.
import base64
import hashlib
import http.server
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import threading
import unittest

BUILD = os.environ["VA_BUILD_ROOT"]
EXE = os.path.join(BUILD, "src", "cli", "videoannotator")
FAILURE, USAGE, NOT_FOUND = 1, 2, 3


def clean_env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("VIDEOANNOTATOR_") and k != "LANGUAGE"}
    return env


def make_tarball(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with open(path, "rb") as f:
        digest = hashlib.sha512(f.read()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


class Models(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="va-cli-models-")
        self.data = os.path.join(self.tmp, "data")
        self.models = os.path.join(self.data, "models")
        self.weights = b"\x08\x07weights" * 1000
        self.members = {
            "package/package.json": b'{"name": "@test/tiny-model", "license": "MIT"}',
            "package/model/weights.onnx": self.weights,
            "package/LICENSE": b"MIT License\n",
            "package/README.md": b"not installed\n",
        }
        self.tarball = os.path.join(self.tmp, "test-tiny-model-1.0.0.tgz")
        integrity = make_tarball(self.tarball, self.members)
        self.catalog = os.path.join(self.tmp, "models.json")
        self.write_catalog(integrity)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write_catalog(self, integrity, registry="https://registry.invalid/"):
        with open(self.catalog, "w") as f:
            json.dump({"registry": registry, "models": [{
                "name": "tiny", "pipeline": "face_analysis", "default": True,
                "summary": "test model", "package": "@test/tiny-model", "version": "1.0.0",
                "integrity": integrity, "license": "MIT", "source": "built by the test",
                "files": {"weights.onnx": "package/model/weights.onnx",
                          "LICENSE": "package/LICENSE"}}]}, f)

    def run_cli(self, *args):
        return subprocess.run([EXE, "models", *args, "--data-dir", self.data,
                               "--catalog", self.catalog], capture_output=True, text=True,
                              timeout=120, env=clean_env())

    def test_list_missing_then_offline_install(self):
        r = self.run_cli("list")
        self.assertEqual(r.returncode, 0, r.stderr)
        row = [l for l in r.stdout.splitlines() if l.startswith("tiny ")][0]
        self.assertIn("missing", row)
        self.assertIn("MIT", row)
        self.assertIn("npm:@test/tiny-model@1.0.0", row)

        r = self.run_cli("install", "--from", self.tarball)
        self.assertEqual(r.returncode, 0, r.stderr)
        folder = os.path.join(self.models, "tiny")
        self.assertEqual(sorted(os.listdir(folder)), ["LICENSE", "installed.json", "weights.onnx"])
        with open(os.path.join(folder, "weights.onnx"), "rb") as f:
            self.assertEqual(f.read(), self.weights)
        r = self.run_cli("list")
        row = [l for l in r.stdout.splitlines() if l.startswith("tiny ")][0]
        self.assertIn("installed", row)
        self.assertIn("kB", row)

        # a folder of tarballs named as npm pack names them
        r = self.run_cli("install", "tiny", "--from", self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_integrity_mismatch_is_refused(self):
        r = self.run_cli("install", "--from", self.tarball)
        self.assertEqual(r.returncode, 0, r.stderr)
        other = dict(self.members)
        other["package/model/weights.onnx"] = b"tampered" * 100
        make_tarball(self.tarball, other)
        r = self.run_cli("install", "tiny", "--from", self.tarball)
        self.assertEqual(r.returncode, FAILURE, r.stderr)
        self.assertIn("does not match its pinned integrity", r.stderr)
        with open(os.path.join(self.models, "tiny", "weights.onnx"), "rb") as f:
            self.assertEqual(f.read(), self.weights)
        self.assertEqual(sorted(os.listdir(self.models)), ["tiny"])

    def test_package_without_the_files_is_refused(self):
        members = {"package/package.json": b"{}"}
        self.write_catalog(make_tarball(self.tarball, members))
        r = self.run_cli("install", "--from", self.tarball)
        self.assertEqual(r.returncode, FAILURE, r.stderr)
        self.assertIn("package/model/weights.onnx", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.models, "tiny")))

    def test_bad_requests(self):
        self.assertEqual(self.run_cli("install", "nosuchmodel").returncode, USAGE)
        self.assertEqual(self.run_cli("remove").returncode, USAGE)
        r = self.run_cli("install", "--from", os.path.join(self.tmp, "absent.tgz"))
        self.assertEqual(r.returncode, NOT_FOUND, r.stderr)

    def test_download_from_registry(self):
        served = []

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=root, **kw)

            def log_message(self, *a):
                served.append(self.path)

        root = os.path.join(self.tmp, "registry")
        os.makedirs(os.path.join(root, "@test", "tiny-model", "-"))
        shutil.copy(self.tarball, os.path.join(root, "@test", "tiny-model", "-",
                                               "tiny-model-1.0.0.tgz"))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            registry = f"http://127.0.0.1:{server.server_address[1]}/"
            r = subprocess.run([EXE, "models", "install", "--data-dir", self.data,
                                "--catalog", self.catalog, "--models-registry", registry],
                               capture_output=True, text=True, timeout=120, env=clean_env())
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("Downloading tiny", r.stderr)
            self.assertTrue(os.path.isfile(os.path.join(self.models, "tiny", "weights.onnx")))
            # a registry without the package
            os.remove(os.path.join(root, "@test", "tiny-model", "-", "tiny-model-1.0.0.tgz"))
            r = subprocess.run([EXE, "models", "install", "--data-dir", self.data,
                                "--catalog", self.catalog, "--models-registry", registry],
                               capture_output=True, text=True, timeout=120, env=clean_env())
            self.assertEqual(r.returncode, NOT_FOUND, r.stderr)
            self.assertIn("HTTP 404", r.stderr)
        finally:
            server.shutdown()


if __name__ == "__main__":
    unittest.main(verbosity=2)
