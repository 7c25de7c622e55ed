#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""`videoannotator open`, the desktop entry's command, against a private
session bus whose only activation file is the one the build installs
(data/dbus, with Exec= pointing at the build tree): the service is started
by D-Bus activation, the web UI's address is handed to the default
browser (a fake one registered through mimeapps.list) and answers."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_http_api import BUILD, EXE, ROOT, free_port  # noqa: E402

NAME = "org.videoannotator.VideoAnnotator"
BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={tmp}/bus</listen>
  {servicedir}
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/>
  </policy>
</busconfig>
"""


class OpenTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="va-open-")
        self.port = free_port()
        self.env = dict(os.environ)
        self.env.update({
            # the activated server inherits the bus daemon's environment,
            # and `open` reads the same settings to find its address
            "VIDEOANNOTATOR_DATA_DIR": os.path.join(self.tmp, "data"),
            "VIDEOANNOTATOR_PORT": str(self.port),
            "VIDEOANNOTATOR_SECRET_BACKEND": "file",
            "VIDEOANNOTATOR_AUTO_GENERATE_API_KEY": "false",
            "XDG_DATA_HOME": os.path.join(self.tmp, "share"),
            "XDG_DATA_DIRS": os.path.join(self.tmp, "share"),
            "XDG_CONFIG_HOME": os.path.join(self.tmp, "config"),
            "XDG_CURRENT_DESKTOP": "",
        })
        self.bus = None

    def tearDown(self):
        if self.bus is not None:
            pid = self.service_pid()
            if pid:
                os.kill(pid, signal.SIGTERM)
                for _ in range(300):
                    try:
                        os.kill(pid, 0)
                    except ProcessLookupError:
                        break
                    time.sleep(0.1)
            self.bus.terminate()
            self.bus.wait(timeout=10)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_bus(self, with_activation=True):
        servicedir = ""
        if with_activation:
            # the activation file meson configured, Exec= = installed bindir:
            # point it at the build tree's binary
            with open(os.path.join(BUILD, "data", f"{NAME}.service")) as f:
                text = f.read()
            lines = []
            for line in text.splitlines():
                if line.startswith("Exec="):
                    self.assertTrue(line.endswith("videoannotator server --dbus=session"), line)
                    # --allow-root is a flag only; CI runs as root
                    line = f"Exec={EXE} server --dbus=session" + (" --allow-root" if ROOT else "")
                elif line.startswith("SystemdService="):
                    continue  # no systemd on this private bus
                lines.append(line)
            os.makedirs(os.path.join(self.tmp, "services"))
            with open(os.path.join(self.tmp, "services", f"{NAME}.service"), "w") as f:
                f.write("\n".join(lines) + "\n")
            servicedir = f"<servicedir>{self.tmp}/services</servicedir>"
        with open(os.path.join(self.tmp, "bus.conf"), "w") as f:
            f.write(BUS_CONF.format(tmp=self.tmp, servicedir=servicedir))
        self.bus = subprocess.Popen(["dbus-daemon", "--nofork", "--print-address=1",
                                     f"--config-file={self.tmp}/bus.conf"],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    text=True, env=self.env)
        self.env["DBUS_SESSION_BUS_ADDRESS"] = self.bus.stdout.readline().strip()
        self.bus.stdout.close()

    def gdbus(self, method, *args):
        return subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
                               "--object-path", "/org/freedesktop/DBus", "--method",
                               f"org.freedesktop.DBus.{method}", *args],
                              capture_output=True, text=True, env=self.env, timeout=30)

    def service_pid(self):
        out = self.gdbus("GetConnectionUnixProcessID", NAME)
        return int(out.stdout.strip("()\n ,").split()[-1]) if out.returncode == 0 else None

    def run_open(self, *args):
        return subprocess.run([EXE, "open", *args], capture_output=True, text=True,
                              env=self.env, timeout=180)

    def test_activates_the_service_and_prints_its_address(self):
        self.start_bus()
        self.assertIn("false", self.gdbus("NameHasOwner", NAME).stdout)
        out = self.run_open("--print")
        self.assertEqual(out.returncode, 0, out.stderr)
        url = out.stdout.strip()
        self.assertEqual(url, f"http://127.0.0.1:{self.port}/")
        self.assertIn("true", self.gdbus("NameHasOwner", NAME).stdout)
        # the reply came once the name was owned, and HTTP is up by then
        with urllib.request.urlopen(url + "health", timeout=30) as reply:
            self.assertEqual(reply.status, 200)
        # a second call finds it running: same process, same answer
        pid = self.service_pid()
        again = self.run_open("--print")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(again.stdout.strip(), url)
        self.assertEqual(self.service_pid(), pid)

    def test_hands_the_address_to_the_default_browser(self):
        opened = os.path.join(self.tmp, "opened")
        browser = os.path.join(self.tmp, "browser.sh")
        with open(browser, "w") as f:
            f.write(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {opened}.part && mv {opened}.part {opened}\n")
        os.chmod(browser, 0o755)
        apps = os.path.join(self.tmp, "share", "applications")
        os.makedirs(apps)
        with open(os.path.join(apps, "fake-browser.desktop"), "w") as f:
            f.write("[Desktop Entry]\nType=Application\nName=Fake browser\n"
                    f"Exec={browser} %u\nMimeType=x-scheme-handler/http;\n")
        os.makedirs(self.env["XDG_CONFIG_HOME"])
        with open(os.path.join(self.env["XDG_CONFIG_HOME"], "mimeapps.list"), "w") as f:
            f.write("[Default Applications]\nx-scheme-handler/http=fake-browser.desktop\n")
        self.start_bus()
        out = self.run_open()
        self.assertEqual(out.returncode, 0, out.stderr)
        for _ in range(100):
            if os.path.exists(opened):
                break
            time.sleep(0.1)
        with open(opened) as f:
            argv = f.read().split()
        # the address with a fresh one-time login in the fragment (never
        # sent to the server, good once for 120 s); never an API key
        self.assertEqual(len(argv), 1, argv)
        base, _, fragment = argv[0].partition("#")
        self.assertEqual(base, f"http://127.0.0.1:{self.port}/")
        self.assertTrue(fragment.startswith("login=va_login_"), fragment)
        self.assertNotIn("va_api_", argv[0])
        token = fragment[len("login="):]
        exchange = lambda: urllib.request.urlopen(urllib.request.Request(  # noqa: E731
            base + "api/v1/auth/login-link", data=json.dumps({"token": token}).encode(),
            headers={"Content-Type": "application/json"}, method="POST"), timeout=30)
        with exchange() as reply:
            self.assertEqual(reply.status, 201)
            self.assertTrue(json.loads(reply.read())["api_key"].startswith("va_api_"))
        with self.assertRaises(urllib.error.HTTPError) as used:
            exchange()
        self.assertEqual(used.exception.code, 401)

    def test_without_activation_file_fails_clearly(self):
        self.start_bus(with_activation=False)
        out = self.run_open("--print")
        self.assertEqual(out.returncode, 8, out.stdout + out.stderr)
        self.assertIn("cannot start the service", out.stderr)
        self.assertIn(NAME, out.stderr)
        self.assertEqual(out.stdout, "")

    def test_rejects_extra_arguments(self):
        out = self.run_open("http://elsewhere.example/")
        self.assertEqual(out.returncode, 2)
        self.assertIn("unexpected argument", out.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
