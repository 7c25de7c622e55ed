#!/usr/bin/env python3
# The systemd units, sysusers.d and tmpfiles.d files: the system unit is
# hardened (systemd-analyze's offline exposure at most 2.0), runs the real
# binary with flags and variables the program knows, and that command line
# serves; sysusers/tmpfiles create the account and directories with the
# modes the server requires. The unit's sandbox itself is not exercised:
# that needs systemd as PID 1, which a test run does not have.
import os
import re
import shlex
import shutil
import stat
import subprocess
import tempfile
import unittest

from deploylib import (BUILD, EXE, ROOT, SOURCE, clean_env, config_show, free_port, server_flags,
                       stop, wait_http)

UNITS = os.path.join(BUILD, "data", "systemd")
SYSTEMD_SRC = os.path.join(SOURCE, "data", "systemd")
MAX_EXPOSURE = 2.0


def parse_unit(path):
    """[(section, key, value)] in file order (keys may repeat)."""
    entries, section = [], None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                section = line.strip("[]")
                continue
            key, _, value = line.partition("=")
            entries.append((section, key.strip(), value.strip()))
    return entries


def values(entries, key):
    return [v for _, k, v in entries if k == key]


def exposure(unit):
    r = subprocess.run(["systemd-analyze", "security", "--offline=true", "--no-pager", unit],
                       capture_output=True, text=True)
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout)
    if m is None:
        raise AssertionError(f"no exposure level: {r.stdout}{r.stderr}")
    return float(m.group(1)), r.stdout


class SystemUnit(unittest.TestCase):
    def setUp(self):
        self.unit = os.path.join(UNITS, "videoannotator.service")
        self.entries = parse_unit(self.unit)
        self.tmp = tempfile.mkdtemp(prefix="va-deploy-systemd-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_exposure(self):
        level, report = exposure(self.unit)
        self.assertLessEqual(level, MAX_EXPOSURE, report)

    def test_hardening_lines(self):
        want = {
            "User": "videoannotator", "NoNewPrivileges": "yes", "ProtectSystem": "strict",
            "ProtectHome": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes",
            "CapabilityBoundingSet": "", "StateDirectory": "videoannotator",
            "LogsDirectory": "videoannotator",
        }
        for key, value in want.items():
            self.assertEqual(values(self.entries, key), [value], key)
        self.assertTrue(values(self.entries, "RestrictAddressFamilies"))
        self.assertTrue(values(self.entries, "SystemCallFilter"))

    def exec_start(self):
        (line,) = values(self.entries, "ExecStart")
        return shlex.split(line)

    def test_exec_start_uses_real_program_and_flags(self):
        argv = self.exec_start()
        self.assertEqual(os.path.basename(argv[0]), "videoannotator")
        self.assertTrue(os.path.isabs(argv[0]))
        self.assertEqual(argv[1], "server")
        known = server_flags()
        for arg in argv[2:]:
            self.assertIn(arg.split("=", 1)[0], known, arg)
        # the directories systemd creates are the ones the server uses
        flags = dict(a.split("=", 1) for a in argv[2:] if "=" in a)
        self.assertEqual(flags["--data-dir"], "/var/lib/" + values(self.entries, "StateDirectory")[0])
        self.assertEqual(flags["--log-dir"], "/var/log/" + values(self.entries, "LogsDirectory")[0])

    def test_exec_start_serves(self):
        """The unit's command line, with its directories moved to a temp dir,
        starts a server that uses the keyfile and writes where the unit allows."""
        argv = self.exec_start()
        state, logs = os.path.join(self.tmp, "state"), os.path.join(self.tmp, "logs")
        os.makedirs(state, 0o750)
        os.makedirs(logs, 0o750)
        with open(os.path.join(state, "videoannotator.conf"), "w") as f:
            f.write("[videoannotator]\nretention-days=30\n")
        args = [EXE] + [a.replace("/var/lib/videoannotator", state)
                        .replace("/var/log/videoannotator", logs) for a in argv[1:]]
        port = free_port()
        args.append(f"--port={port}")
        if ROOT:
            args.append("--allow-root")  # the unit runs as User=videoannotator
        env = clean_env()
        env.pop("GSETTINGS_BACKEND", None)
        shown = config_show(env, *[a for a in args[2:] if a != "--allow-root"])
        self.assertEqual(shown["backend"], "keyfile")
        self.assertEqual(shown["settings"]["retention-days"]["source"], "keyfile")
        proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, cwd=self.tmp)
        try:
            status, _ = wait_http(f"http://127.0.0.1:{port}/health", proc)
            self.assertEqual(status, 200)
        finally:
            out, err = stop(proc)
        self.assertEqual(proc.returncode, 0, err)
        self.assertTrue(os.path.exists(os.path.join(state, "videoannotator.db")))
        self.assertTrue(os.path.exists(os.path.join(state, "tokens", "encryption.key")))
        self.assertTrue(os.listdir(logs))
        self.assertFalse(os.path.exists(os.path.join(state, "logs")))

    def test_verify(self):
        """systemd-analyze verify on the unit with ExecStart pointing at the
        build (the install path does not exist here)."""
        path = os.path.join(self.tmp, "videoannotator.service")
        with open(self.unit) as src, open(path, "w") as dst:
            dst.write(re.sub(r"^ExecStart=\S+", "ExecStart=" + EXE, src.read(), flags=re.M))
        r = subprocess.run(["systemd-analyze", "verify", "--man=no", path],
                           capture_output=True, text=True)
        problems = [l for l in r.stderr.splitlines() if "videoannotator.service" in l]
        self.assertEqual(problems, [], r.stderr)


class UserUnit(unittest.TestCase):
    def test_user_unit(self):
        unit = os.path.join(UNITS, "videoannotator-user.service")
        entries = parse_unit(unit)
        (line,) = values(entries, "ExecStart")
        argv = shlex.split(line)
        self.assertEqual(os.path.basename(argv[0]), "videoannotator")
        self.assertEqual(argv[1:], ["server"])
        self.assertEqual(values(entries, "NoNewPrivileges"), ["yes"])
        self.assertEqual(values(entries, "WantedBy"), ["default.target"])
        self.assertEqual(values(entries, "User"), [])  # a user manager runs it as its user
        level, report = exposure(unit)
        # seccomp-only sandbox: far less than the system unit, but rated
        self.assertLess(level, 10.0, report)


class SysusersTmpfiles(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="va-deploy-root-")
        os.makedirs(os.path.join(self.root, "etc"))

    def tearDown(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def run_tool(self, tool, name, *args):
        with open(os.path.join(SYSTEMD_SRC, name)) as f:
            r = subprocess.run([tool, f"--root={self.root}", *args, "-"], stdin=f,
                               capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_account_and_directories(self):
        if not ROOT:
            self.skipTest("systemd-tmpfiles --root needs root to chown")
        self.run_tool("systemd-sysusers", "videoannotator.sysusers")
        with open(os.path.join(self.root, "etc", "passwd")) as f:
            users = {l.split(":")[0]: l.strip().split(":") for l in f}
        user = users["videoannotator"]
        self.assertEqual(user[5], "/var/lib/videoannotator")
        self.assertEqual(user[6], "/usr/sbin/nologin")
        uid = int(user[2])
        self.assertLess(uid, 1000)  # a system account
        self.run_tool("systemd-tmpfiles", "videoannotator.tmpfiles", "--create")
        for rel, mode in [("var/lib/videoannotator", 0o750),
                          ("var/lib/videoannotator/storage", 0o750),
                          ("var/lib/videoannotator/tokens", 0o700),
                          ("var/log/videoannotator", 0o750)]:
            st = os.stat(os.path.join(self.root, rel))
            self.assertEqual(stat.S_IMODE(st.st_mode), mode, rel)
            self.assertEqual(st.st_uid, uid, rel)


if __name__ == "__main__":
    unittest.main()
