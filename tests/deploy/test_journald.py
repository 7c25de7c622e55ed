#!/usr/bin/env python3
# Under systemd the server's console log goes to journald with structured
# fields. GLib picks the journal when standard error is a stream socket
# whose peer is under /run/systemd/journal/, and then sends records as
# datagrams to /run/systemd/journal/socket. This test provides both
# sockets itself, in a private mount namespace (a tmpfs over /run/systemd,
# so a real journald is never touched), and reads what the server sends.
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from deploylib import EXE, ROOT, clean_env, free_port, stop, wait_http

JOURNAL = "/run/systemd/journal"


def parse_native(datagram):
    """journald's native protocol: KEY=VALUE lines, or KEY, newline, a
    64-bit little-endian length and the raw value for values with newlines."""
    fields, i = {}, 0
    while i < len(datagram):
        nl = datagram.index(b"\n", i)
        line = datagram[i:nl]
        if b"=" in line:
            key, _, value = line.partition(b"=")
            i = nl + 1
        else:
            key = line
            (size,) = struct.unpack_from("<Q", datagram, nl + 1)
            value = datagram[nl + 9:nl + 9 + size]
            i = nl + 9 + size + 1
        fields[key.decode()] = value.decode(errors="replace")
    return fields


class Journald(unittest.TestCase):
    def setUp(self):
        if os.environ.get("VA_IN_MOUNT_NAMESPACE") != "1":
            self.skipTest("needs root and unshare -m (see __main__)")
        subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/run/systemd"], check=True)
        os.makedirs(JOURNAL)
        self.tmp = tempfile.mkdtemp(prefix="va-deploy-journald-")
        self.stream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.stream.bind(f"{JOURNAL}/stdout")
        self.stream.listen(4)

    def tearDown(self):
        self.stream.close()
        subprocess.run(["umount", "/run/systemd"])
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_server(self, datagrams):
        """Starts the server with stderr on the journal's stream and
        returns (stdout, records, text received on the stream)."""
        err = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        err.connect(f"{JOURNAL}/stdout")
        peer, _ = self.stream.accept()
        port = free_port()
        args = [EXE, "server", "--data-dir", os.path.join(self.tmp, "data"), f"--port={port}",
                "--dev", "--log-level=info"]
        if ROOT:
            args.append("--allow-root")
        proc = subprocess.Popen(args, env=clean_env(), stdout=subprocess.PIPE, stderr=err.fileno(),
                                text=True)
        err.close()
        try:
            wait_http(f"http://127.0.0.1:{port}/health", proc)
        finally:
            out, _ = stop(proc)
        records = []
        if datagrams is not None:
            datagrams.settimeout(0.5)
            try:
                while True:
                    records.append(parse_native(datagrams.recv(1 << 20)))
            except socket.timeout:
                pass
        peer.settimeout(2)
        text = b""
        try:
            while chunk := peer.recv(65536):
                text += chunk
        except socket.timeout:
            pass
        peer.close()
        return out, records, text.decode(errors="replace")

    def test_structured_records(self):
        dgram = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        dgram.bind(f"{JOURNAL}/socket")
        dgram.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        out, records, text = self.run_server(dgram)
        dgram.close()
        by_message = {r.get("MESSAGE", ""): r for r in records}
        auth = [r for m, r in by_message.items() if "AUTHENTICATION IS DISABLED" in m]
        self.assertEqual(len(auth), 1, list(by_message))
        self.assertEqual(auth[0]["PRIORITY"], "4")  # warning
        self.assertEqual(auth[0]["GLIB_DOMAIN"], "VaCli")
        listening = [r for m, r in by_message.items() if m.startswith("Listening on")]
        self.assertEqual(len(listening), 1)
        self.assertEqual(listening[0]["PRIORITY"], "5")  # g_message: notice
        # the first key goes to a 0600 file (stdout is not a terminal here,
        # so it is not printed), never to the journal
        with open(os.path.join(self.tmp, "data", "initial-admin-key")) as f:
            keys = [w for w in f.read().split() if w.startswith("va_api_")]
        self.assertEqual(len(keys), 1)
        self.assertNotIn(keys[0], out)
        for r in records:
            self.assertNotIn(keys[0], "".join(r.values()))
        # records went to the journal, not as text lines on the stream
        self.assertNotIn("AUTHENTICATION IS DISABLED", text)

    def test_text_when_socket_missing(self):
        """stderr is the journal's stream but its datagram socket is gone
        (as in some containers): the lines still reach the stream."""
        out, _, text = self.run_server(None)
        self.assertIn("AUTHENTICATION IS DISABLED", text)
        self.assertIn("Listening on", text)


if __name__ == "__main__":
    if os.environ.get("VA_IN_MOUNT_NAMESPACE") != "1" and ROOT and \
            subprocess.run(["unshare", "-m", "true"]).returncode == 0:
        os.environ["VA_IN_MOUNT_NAMESPACE"] = "1"
        os.execvp("unshare", ["unshare", "-m", "--propagation", "private", sys.executable]
                  + sys.argv)
    unittest.main()
