#!/usr/bin/env python3
# Crash safety, black box: the real `videoannotator server` is killed with
# SIGKILL at random moments while clients upload, jobs run and jobs are
# deleted, then started again on the same data directory. After every
# restart the data must be consistent: the database passes
# `PRAGMA integrity_check`, no job is left half-deleted, no job folder is
# without a job, no partial upload is left, a job whose deletion was
# answered 204 has nothing left (row, folder, or its text in any database
# file), and a job whose submission was answered 201 still exists. After a
# last clean stop the files of every job are checked too.
#
#   test_crash_recovery.py              # the suite's run: 10 kills
#   test_crash_recovery.py --kills 50   # docs/reliability.md
#
# Outside `meson test`, run it through `meson devenv -C build` (schemas and
# plugin path of the build tree).
import argparse
import http.client
import json
import os
import shutil
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("VA_BUILD_ROOT", os.path.join(HERE, "..", "..", "build"))
sys.path.insert(0, HERE)
from test_http_api import EXE, ROOT, free_port, make_video, multipart  # noqa: E402

DEFINITE = {"pending", "running", "completed", "failed", "cancelled"}


class Crashing:
    """One data directory; a server process that is killed and restarted."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.data = os.path.join(tmp, "data")
        self.db = os.path.join(self.data, "videoannotator.db")
        self.storage = os.path.join(self.data, "storage")
        self.proc = None
        self.port = None
        self.log = open(os.path.join(tmp, "server.log"), "a")

    def spawn(self):
        self.port = free_port()
        args = [EXE, "server", "--data-dir", self.data, f"--port={self.port}",
                "--auto-generate-api-key=false", "--rate-limit=0", "--max-concurrent-jobs=2"]
        if ROOT:
            args.append("--allow-root")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.tmp)

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}), see {self.log.name}")
            try:
                if self.call("GET", "/health", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not answer /health")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def key(self, user):
        out = subprocess.run([EXE, "token", "create", "--json", "--user-id", user, "--username",
                              user, "--email", f"{user}@lab.example", "--scopes", "read,write",
                              "--data-dir", self.data],
                             check=True, capture_output=True, text=True, timeout=60).stdout
        return json.loads(out)["key"]

    def call(self, method, path, key=None, body=None, headers=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            all_headers = dict(headers or {})
            if key is not None:
                all_headers["Authorization"] = f"Bearer {key}"
            conn.request(method, path, body=body, headers=all_headers)
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def upload(self, key, video, name, chunk=None, pause=0.0):
        """POST a job; with @chunk, the body goes slowly, so that a kill
        finds it half-uploaded. Returns the job id of a 201, else None."""
        ctype, body = multipart({"selected_pipelines": "scene_detection"}, {"video": (name, video)})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.putrequest("POST", "/api/v1/jobs")
            conn.putheader("Authorization", f"Bearer {key}")
            conn.putheader("Content-Type", ctype)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders()
            step = chunk or len(body)
            for at in range(0, len(body), step):
                conn.send(body[at:at + step])
                if pause:
                    time.sleep(pause)
            r = conn.getresponse()
            reply = r.read()
            if r.status == 201:
                return json.loads(reply)["id"]
            return None
        finally:
            conn.close()


class Workload:
    """Clients that keep the server busy until it dies."""

    def __init__(self, server, key, video, state):
        self.server = server
        self.key = key
        self.video = video
        self.state = state
        self.stop = threading.Event()

    def submitter(self):
        while not self.stop.is_set():
            marker = f"crash-{uuid.uuid4().hex}"
            try:
                job_id = self.server.upload(self.key, self.video, marker + ".mp4")
            except OSError:
                return
            if job_id is not None:
                with self.state["lock"]:
                    self.state["created"][job_id] = marker

    def slow_uploader(self):
        while not self.stop.is_set():
            try:
                job_id = self.server.upload(self.key, self.video, "slow.mp4", chunk=64 * 1024,
                                            pause=0.02)
            except OSError:
                return
            if job_id is not None:
                with self.state["lock"]:
                    self.state["created"][job_id] = "slow"

    def deleter(self):
        while not self.stop.is_set():
            time.sleep(random.uniform(0.05, 0.3))
            try:
                status, body = self.server.call("GET", "/api/v1/jobs?per_page=100", self.key)
            except OSError:
                return
            if status != 200:
                continue
            jobs = json.loads(body)["jobs"]
            running = [j["id"] for j in jobs if j["status"] == "running"]
            pool = running if running and random.random() < 0.7 else [j["id"] for j in jobs]
            if not pool:
                continue
            job_id = random.choice(pool)
            with self.state["lock"]:
                self.state["maybe_deleted"].add(job_id)
            try:
                status, _ = self.server.call("DELETE", f"/api/v1/jobs/{job_id}", self.key)
            except OSError:
                return
            if status == 204:
                with self.state["lock"]:
                    self.state["deleted"].add(job_id)

    def run(self, seconds):
        threads = [threading.Thread(target=f, daemon=True)
                   for f in (self.submitter, self.slow_uploader, self.deleter)]
        for t in threads:
            t.start()
        time.sleep(seconds)
        self.server.kill9()
        self.stop.set()
        for t in threads:
            t.join(timeout=30)


def raw_bytes(db):
    out = b""
    for suffix in ("", "-wal", "-shm"):
        try:
            with open(db + suffix, "rb") as f:
                out += f.read()
        except FileNotFoundError:
            pass
    return out


def check(server, state, final=False):
    """Returns the list of problems (empty: clean)."""
    problems = []
    db = sqlite3.connect(f"file:{server.db}?mode=ro", uri=True, timeout=30)
    try:
        ok = db.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            problems.append(f"integrity_check: {ok}")
        rows = {r[0]: r for r in db.execute(
            "SELECT id, status, deleting_since, video_path FROM jobs")}
        outputs = {}
        for job_id, output in db.execute("SELECT job_id, output_file FROM pipeline_results "
                                         "WHERE output_file IS NOT NULL"):
            outputs.setdefault(job_id, set()).add(output)
    finally:
        db.close()

    for job_id, status, deleting, _ in rows.values():
        if status not in DEFINITE:
            problems.append(f"job {job_id} in state {status}")
        if deleting is not None:
            problems.append(f"job {job_id} still marked for deletion")
    for name in os.listdir(server.storage):
        path = os.path.join(server.storage, name)
        if name not in rows:
            problems.append(f"storage/{name} has no job")
            continue
        for dirpath, _, files in os.walk(path):
            for f in files:
                rel = os.path.relpath(os.path.join(dirpath, f), server.storage)
                if f.startswith(".upload"):
                    problems.append(f"partial upload storage/{rel}")
                elif final and rel != rows[name][3] and rel not in outputs.get(name, ()):
                    problems.append(f"storage/{rel} belongs to nothing")
    for job_id, row in rows.items():
        if row[3] is not None and not os.path.isfile(os.path.join(server.storage, row[3])):
            problems.append(f"job {job_id} lost its video")

    with state["lock"]:
        created = dict(state["created"])
        deleted = set(state["deleted"])
        maybe = set(state["maybe_deleted"])
    blob = raw_bytes(server.db) if final else b""
    for job_id in deleted:
        if job_id in rows or os.path.exists(os.path.join(server.storage, job_id)):
            problems.append(f"deleted job {job_id} is still there")
    for job_id, marker in created.items():
        gone = job_id not in rows
        if gone and job_id not in maybe:
            problems.append(f"job {job_id} (201) was lost")
        if gone and final and marker != "slow" and marker.encode() in blob:
            problems.append(f"the name of deleted job {job_id} is still in the database files")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    random.seed(seed)

    tmp = tempfile.mkdtemp(prefix="va-crash-")
    video_path = os.path.join(tmp, "clip.mp4")
    make_video(video_path, scenes=4, seconds=8, fps=25)
    with open(video_path, "rb") as f:
        video = f.read()

    server = Crashing(tmp)
    state = {"lock": threading.Lock(), "created": {}, "deleted": set(),
             "maybe_deleted": set()}
    key = server.key("crash")
    clean = 0
    started = time.monotonic()
    failures = []
    for n in range(args.kills):
        server.spawn()
        if random.random() < 0.15:
            # during start-up (and its recovery)
            time.sleep(random.uniform(0.0, 0.4))
            server.kill9()
        else:
            server.wait_ready()
            Workload(server, key, video, state).run(random.uniform(0.3, 2.5))
        server.spawn()
        server.wait_ready()
        problems = check(server, state)
        server.kill9()
        if problems:
            failures.append((n + 1, problems))
        else:
            clean += 1
        print(f"kill {n + 1}: {'clean' if not problems else problems}", flush=True)

    # a last start (recovery), a clean stop, and the strict check
    server.spawn()
    server.wait_ready()
    server.stop()
    final = check(server, state, final=True)
    elapsed = time.monotonic() - started
    with state["lock"]:
        n_created, n_deleted = len(state["created"]), len(state["deleted"])
    with open(server.log.name) as f:
        log = f.read()
    recovered = [0, 0, 0]
    for m in re.finditer(r"Recovered from the previous stop: (\d+) interrupted deletion\(s\) "
                         r"finished, partial outputs of (\d+) interrupted run\(s\) and (\d+) "
                         r"leftover upload", log):
        recovered = [a + int(b) for a, b in zip(recovered, m.groups())]
    print(f"seed {seed}: {clean}/{args.kills} clean after restart, final check "
          f"{'clean' if not final else final}; {n_created} jobs submitted, {n_deleted} deleted "
          f"(204); recovery finished {recovered[0]} deletions, cleared {recovered[1]} runs, "
          f"swept {recovered[2]} uploads; {elapsed:.0f} s", flush=True)
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"data kept in {tmp}")
    if failures or final:
        for n, problems in failures:
            print(f"kill {n}: {problems}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
