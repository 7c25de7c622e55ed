#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The D-Bus service end to end: the real `videoannotator server --dbus=...`,
driven with `gdbus call`, watched with `gdbus monitor`, cross-checked over
REST. Runs under dbus-run-session (the session bus); the other-user cases
start a private system-like bus and call it as `nobody` through setpriv."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_http_api import EXE, ROOT, UNKNOWN_JOB, Server, make_video  # noqa: E402

NAME = "org.videoannotator.VideoAnnotator"
PATH = "/org/videoannotator/VideoAnnotator1"
IFACE = "org.videoannotator.VideoAnnotator1.Manager"
ERROR = "org.videoannotator.VideoAnnotator1.Error."
NOBODY = 65534

# the session bus has no Secret Service here: keep the key pepper in a file
# for the server and the `token` commands alike
os.environ["VIDEOANNOTATOR_SECRET_BACKEND"] = "file"


def gdbus_call(bus, method, *args, user=None, address=None):
    cmd = ["gdbus", "call", f"--{bus}" if address is None else "--address",
           *([address] if address is not None else []),
           "--dest", NAME, "--object-path", PATH, "--method", f"{IFACE}.{method}", *args]
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] + cmd
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def job_id_of(output):
    m = re.search(r"'id': <'([0-9a-f-]{36})'>", output)
    assert m, output
    return m.group(1)


class Monitor:
    """`gdbus monitor` on the service, its output collected in a file."""

    def __init__(self, bus_args):
        self.out = tempfile.NamedTemporaryFile("w+", prefix="va-dbus-monitor-")
        self.proc = subprocess.Popen(["gdbus", "monitor", *bus_args, "--dest", NAME],
                                     stdout=self.out, stderr=subprocess.STDOUT)

    def text(self):
        with open(self.out.name) as f:
            return f.read()

    def wait_for(self, pattern, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, self.text()):
                return
            time.sleep(0.1)
        raise AssertionError(f"never saw {pattern!r} in:\n{self.text()}")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.out.close()


def wait_for_name(bus_args, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = subprocess.run(["gdbus", "call", *bus_args, "--dest", "org.freedesktop.DBus",
                              "--object-path", "/org/freedesktop/DBus", "--method",
                              "org.freedesktop.DBus.NameHasOwner", NAME],
                             capture_output=True, text=True, timeout=30)
        if "true" in out.stdout:
            return
        time.sleep(0.1)
    raise AssertionError(f"{NAME} never appeared on the bus")


class SessionBusTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.media = tempfile.mkdtemp(prefix="va-dbus-media-")
        cls.video = os.path.join(cls.media, "cuts.mp4")
        make_video(cls.video, scenes=3, seconds=2)
        cls.server = Server("--dbus=session")
        wait_for_name(["--session"])
        cls.admin = cls.server.key("admin", "read,write,admin")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.media, ignore_errors=True)

    def test_submit_watch_and_rest(self):
        monitor = Monitor(["--session"])
        try:
            time.sleep(0.5)  # the monitor subscribes before the job exists
            out = gdbus_call("session", "SubmitPath", f"b'{self.video}'",
                             "{'pipelines': <['scene_detection']>}")
            self.assertEqual(out.returncode, 0, out.stderr)
            job_id = job_id_of(out.stdout)
            uid = os.getuid()
            self.assertIn(f"'user_id': <'uid:{uid}'>", out.stdout)
            monitor.wait_for(rf"JobStateChanged \('{job_id}', 'pending'\)")
            monitor.wait_for(rf"JobStateChanged \('{job_id}', 'running'\)")
            monitor.wait_for(rf"JobStateChanged \('{job_id}', 'completed'\)")
            monitor.wait_for(rf"JobProgress \('{job_id}', [0-9.]+, [0-9.]+\)")
            monitor.wait_for(r"PropertiesChanged \('" + re.escape(IFACE) + r"', \{.*'ActiveJobs'")
        finally:
            monitor.stop()

        # the same job over REST: an administrator sees it with its owner
        job = self.server.request("GET", f"/api/v1/jobs/{job_id}", self.admin).json()
        self.assertEqual(job["status"], "completed")
        self.assertEqual(job["user_id"], f"uid:{uid}")
        # a key made for that local user shares its jobs; another user's does not
        own = self.server.key(f"uid:{uid}", "read")
        self.assertEqual(self.server.request("GET", f"/api/v1/jobs/{job_id}", own).status, 200)
        other = self.server.key("alice", "read")
        self.assertEqual(self.server.request("GET", f"/api/v1/jobs/{job_id}", other).status, 404)

        results = gdbus_call("session", "GetResults", job_id)
        self.assertEqual(results.returncode, 0, results.stderr)
        self.assertIn("'pipeline_name': <'scene_detection'>", results.stdout)

    def test_token_over_dbus(self):
        """`token --dbus` makes the engine's key calls on the running
        service: a key created there works over REST at once, and stops
        within the same second of its revocation."""
        def token(*args):
            return subprocess.run([EXE, "token", "--dbus", *args], capture_output=True,
                                  text=True, timeout=60)

        out = token("create", "--json", "--user-id", "dbus-made", "--username", "dm",
                    "--email", "dm@lab.example", "--scopes", "read", "--expires-in-days", "3")
        self.assertEqual(out.returncode, 0, out.stderr)
        made = json.loads(out.stdout)
        key = made["key"]
        self.assertEqual(self.server.request("GET", "/api/v1/jobs", key).status, 200)
        listing = token("list", "--json")
        self.assertEqual(listing.returncode, 0, listing.stderr)
        self.assertNotIn(key, listing.stdout)
        rows = [k for k in json.loads(listing.stdout)["keys"] if k["id"] == made["id"]]
        self.assertEqual(rows[0]["request_count"], 1)
        # the same key through REST's listing
        rest = self.server.request("GET", "/api/v1/keys", self.admin).json()["keys"]
        self.assertIn(made["id"], [k["id"] for k in rest])
        start = time.monotonic()
        out = token("revoke", made["prefix"])
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(self.server.request("GET", "/api/v1/jobs", key).status, 401)
        self.assertLess(time.monotonic() - start, 2.0)
        out = token("revoke", "no-such-key")
        self.assertEqual(out.returncode, 3, out.stderr)
        # audited as coming over D-Bus
        audit = self.server.request("GET", "/api/v1/audit?action=key.revoke", self.admin).json()
        self.assertEqual(audit["entries"][0]["target"], made["id"])
        self.assertEqual(audit["entries"][0]["detail"]["source"], "dbus")

    def test_errors_have_names(self):
        out = gdbus_call("session", "GetJob", UNKNOWN_JOB)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn(ERROR + "NotFound", out.stderr)
        out = gdbus_call("session", "SubmitPath", "b'/etc/hostname'", "{}")
        self.assertIn(ERROR + "UnsupportedMedia", out.stderr)
        out = gdbus_call("session", "SubmitPath", f"b'{self.video}'", "{'config': <'{'>}")
        self.assertIn(ERROR + "InvalidArgument", out.stderr)
        out = gdbus_call("session", "ListJobs", "{'per_page': <'ten'>}")
        self.assertIn(ERROR + "InvalidArgument", out.stderr)
        # the server is still there
        self.assertEqual(gdbus_call("session", "ListJobs", "{}").returncode, 0)

    def test_properties(self):
        out = subprocess.run(["gdbus", "call", "--session", "--dest", NAME, "--object-path", PATH,
                              "--method", "org.freedesktop.DBus.Properties.GetAll", IFACE],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        for prop in ("'Version'", "'ActiveJobs'", "'QueueLength'", "'AuthRequired': <true>",
                     "'ReadOnly': <false>"):
            self.assertIn(prop, out.stdout)

    def test_cli_over_dbus(self):
        env = dict(os.environ)
        out = subprocess.run([EXE, "job", "--dbus", "submit", self.video,
                              "--pipelines", "scene_detection"],
                             capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(out.returncode, 0, out.stderr)
        job_id = out.stdout.strip().splitlines()[-1]
        self.assertRegex(job_id, r"^[0-9a-f-]{36}$")
        out = subprocess.run([EXE, "job", "--dbus", "get", job_id, "--json"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(job_id, out.stdout)
        out = subprocess.run([EXE, "job", "--dbus", "list", "--json"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(job_id, out.stdout)
        out = subprocess.run([EXE, "job", "--dbus", "get", UNKNOWN_JOB],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 3, out.stderr)  # VA_EXIT_NOT_FOUND
        out = subprocess.run([EXE, "job", "--dbus", "delete", job_id],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(
            self.server.request("GET", f"/api/v1/jobs/{job_id}", self.admin).status, 404)

    def test_purge(self):
        def submit():
            out = subprocess.run([EXE, "job", "--dbus", "submit", self.video,
                                  "--pipelines", "scene_detection"],
                                 capture_output=True, text=True, timeout=120)
            self.assertEqual(out.returncode, 0, out.stderr)
            return out.stdout.strip().splitlines()[-1]

        def audited(action, target):
            r = self.server.request("GET", f"/api/v1/audit?action={action}", self.admin)
            self.assertEqual(r.status, 200, r.body)
            return [e for e in r.json()["entries"] if e["target"] == target]

        # the command line: job --dbus delete --purge → PurgeJob
        first = submit()
        out = subprocess.run([EXE, "job", "--dbus", "delete", first, "--purge"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(f"Erased job {first}", out.stdout)
        self.assertEqual(
            self.server.request("GET", f"/api/v1/jobs/{first}", self.admin).status, 404)
        self.assertFalse(os.path.exists(os.path.join(self.server.data, "storage", first)))
        self.assertEqual(len(audited("job.purge", first)), 1)
        out = subprocess.run([EXE, "job", "--dbus", "delete", first, "--purge"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 3, out.stderr)  # VA_EXIT_NOT_FOUND

        # the methods themselves, as any D-Bus client calls them
        second = submit()
        out = gdbus_call("session", "PurgeJob", second)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(len(audited("job.purge", second)), 1)
        out = gdbus_call("session", "PurgeUser", "nobody-has-this-id")
        self.assertIn(ERROR + "NotFound", out.stderr)
        out = gdbus_call("session", "PurgeUser", "''")
        self.assertIn(ERROR + "InvalidArgument", out.stderr)


class AlertTest(unittest.TestCase):
    """HTTP's detectors fire; D-Bus listeners hear it."""

    def test_security_alert(self):
        # its own server: the alert blocks the client address for a while
        server = Server("--dbus=session")
        self.addCleanup(server.stop)
        wait_for_name(["--session"])
        monitor = Monitor(["--session"])
        try:
            time.sleep(0.5)
            for _ in range(12):
                server.request("GET", "/api/v1/jobs", "va_api_" + "x" * 43)
            monitor.wait_for(r"SecurityAlert \('.*auth_failures")
        finally:
            monitor.stop()


SYSTEM_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
"""

# A client that calls Subscribe() and prints the job signals it receives,
# one per line, after a line "ready". Run with the system python (GObject
# introspection), possibly as another user.
SUBSCRIBER = r"""
import sys
from gi.repository import Gio, GLib
bus = Gio.DBusConnection.new_for_address_sync(
    sys.argv[1], Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
    | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
def on_signal(conn, sender, path, iface, name, params):
    print(name, *params.unpack(), flush=True)
bus.signal_subscribe(None, "org.videoannotator.VideoAnnotator1.Manager", None,
                     "/org/videoannotator/VideoAnnotator1", None, Gio.DBusSignalFlags.NONE,
                     on_signal)
bus.call_sync("org.videoannotator.VideoAnnotator", "/org/videoannotator/VideoAnnotator1",
              "org.videoannotator.VideoAnnotator1.Manager", "Subscribe", None, None,
              Gio.DBusCallFlags.NONE, -1, None)
print("ready", flush=True)
loop = GLib.MainLoop()
GLib.io_add_watch(0, GLib.IO_HUP | GLib.IO_IN, lambda *a: loop.quit())
loop.run()
"""


class Subscriber:
    def __init__(self, address, user=None):
        cmd = ["/usr/bin/python3", "-c", SUBSCRIBER, address]
        if user is not None:
            cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] + cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, cwd="/")
        self.lines = []
        line = self.proc.stdout.readline()
        assert line.strip() == "ready", line

    def stop(self):
        self.proc.stdin.close()
        self.lines += [line.strip() for line in self.proc.stdout.read().splitlines()]
        self.proc.stdout.close()
        self.proc.wait(timeout=30)
        return self.lines

    def wait_for(self, text, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line.strip())
            if text in line:
                return
        raise AssertionError(f"no {text!r} in {self.lines}")


@unittest.skipUnless(ROOT and shutil.which("setpriv"), "needs root to call as another user")
class OtherUserTest(unittest.TestCase):
    """A bus that admits every user, so that `nobody` reaches the service:
    the service's own rules must refuse what is not theirs."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="va-dbus-system-")
        os.chmod(cls.tmp, 0o755)
        socket = os.path.join(cls.tmp, "bus")
        config = os.path.join(cls.tmp, "bus.conf")
        with open(config, "w") as f:
            f.write(SYSTEM_BUS_CONFIG.format(socket=socket))
        cls.bus = subprocess.Popen(["dbus-daemon", "--nofork", f"--config-file={config}"],
                                   stderr=subprocess.DEVNULL)
        cls.address = f"unix:path={socket}"
        deadline = time.monotonic() + 10
        while not os.path.exists(socket):
            assert time.monotonic() < deadline, "the private bus did not start"
            time.sleep(0.05)
        cls.video = os.path.join(cls.tmp, "clip.mp4")
        make_video(cls.video, scenes=1, seconds=1)
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = cls.address
        try:
            cls.server = Server("--dbus=system")
        finally:
            del os.environ["DBUS_SYSTEM_BUS_ADDRESS"]
        wait_for_name(["--address", cls.address])

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.bus.terminate()
        cls.bus.wait(timeout=10)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def call(self, method, *args, user=None):
        return gdbus_call(None, method, *args, user=user, address=self.address)

    def test_other_user_is_confined(self):
        out = self.call("SubmitPath", f"b'{self.video}'", "{}")
        self.assertEqual(out.returncode, 0, out.stderr)
        root_job = job_id_of(out.stdout)

        # another user neither sees nor touches root's job
        for method in ("GetJob", "CancelJob", "DeleteJob", "GetResults"):
            out = self.call(method, root_job, user=NOBODY)
            self.assertIn(ERROR + "NotFound", out.stderr, method)
        out = self.call("ListJobs", "{}", user=NOBODY)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("[], uint64 0", out.stdout)
        # the service would read paths with its own rights: refused
        out = self.call("SubmitPath", f"b'{self.video}'", "{}", user=NOBODY)
        self.assertIn(ERROR + "Forbidden", out.stderr)
        # administration is not theirs
        out = self.call("RevokeAllKeys", user=NOBODY)
        self.assertIn(ERROR + "Forbidden", out.stderr)
        for method, args in (("ListKeys", ()), ("RevokeKey", ("va_api_AAAA",)),
                             ("CreateKey", ("{'user_id': <'x'>, 'username': <'x'>, "
                                            "'email': <'x@lab.example'>, 'scopes': <['admin']>}",))):
            out = self.call(method, *args, user=NOBODY)
            self.assertIn(ERROR + "Forbidden", out.stderr, method)
        out = self.call("PurgeJob", root_job, user=NOBODY)
        self.assertIn(ERROR + "Forbidden", out.stderr)
        out = self.call("PurgeUser", "uid:0", user=NOBODY)
        self.assertIn(ERROR + "Forbidden", out.stderr)
        # root still has its job
        out = self.call("GetJob", root_job)
        self.assertEqual(out.returncode, 0, out.stderr)


    def test_job_signals_reach_those_who_may_see_the_job(self):
        """On the system bus JobStateChanged/JobProgress go to subscribers
        allowed to see the job: root's subscriber hears of root's job,
        another user's subscriber does not."""
        mine = Subscriber(self.address)
        other = Subscriber(self.address, user=NOBODY)
        try:
            out = self.call("SubmitPath", f"b'{self.video}'", "{}")
            self.assertEqual(out.returncode, 0, out.stderr)
            job = job_id_of(out.stdout)
            mine.wait_for(f"JobStateChanged {job} completed")
            time.sleep(0.5)
        finally:
            heard = other.stop()
            mine.stop()
        self.assertTrue([line for line in mine.lines if job in line])
        self.assertEqual([line for line in heard if job in line], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
