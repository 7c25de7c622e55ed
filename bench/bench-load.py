#!/usr/bin/env python3
# Load test of a running or fresh `videoannotator server` on the loopback:
# N concurrent uploads plus M concurrent status polls (Python standard
# library only). Reports 5xx answers, whether every acknowledged upload is
# listed by the server afterwards, and the server's RSS before, at its
# peak and after.
#
#   bench/bench-load.py --build build [--uploads 50] [--polls 500]
import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def make_video(path):
    subprocess.run(["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=30", "!",
                    "video/x-raw,width=160,height=120,framerate=10/1", "!", "x264enc",
                    "speed-preset=ultrafast", "!", "mp4mux", "!", "filesink",
                    f"location={path}"], check=True, timeout=120)


def multipart(video):
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"video\"; "
            f"filename=\"clip.mp4\"\r\nContent-Type: video/mp4\r\n\r\n").encode()
    body += video + f"\r\n--{boundary}\r\nContent-Disposition: form-data; "\
        f"name=\"selected_pipelines\"\r\n\r\nscene_detection\r\n--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--uploads", type=int, default=50)
    ap.add_argument("--polls", type=int, default=500)
    ap.add_argument("--port", type=int, default=18991)
    args = ap.parse_args()

    exe = os.path.join(args.build, "src", "cli", "videoannotator")
    tmp = tempfile.mkdtemp(prefix="va-load-")
    data = os.path.join(tmp, "data")
    env = dict(os.environ, GSETTINGS_SCHEMA_DIR=os.path.join(args.build, "data"),
               GST_PLUGIN_PATH=os.path.join(args.build, "plugins", "annotate"),
               GSETTINGS_BACKEND="memory")
    cli = [exe, "token", "create", "--json", "--data-dir", data, "--user-id", "load",
           "--username", "load", "--email", "load@lab.example", "--scopes", "read,write",
           "--expires-in-days", "1"]
    root = ["--allow-root"] if os.geteuid() == 0 else []
    key = json.loads(subprocess.run(cli, check=True, capture_output=True, text=True,
                                    env=env).stdout)["key"]
    log = open(os.path.join(tmp, "server.log"), "w")
    server = subprocess.Popen([exe, "server", "--data-dir", data, f"--port={args.port}",
                               "--auto-generate-api-key=false", "--rate-limit=0",
                               "--max-connections-per-client=0", "--max-concurrent-jobs=1"]
                              + root, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                c.request("GET", "/health")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        video_path = os.path.join(tmp, "clip.mp4")
        make_video(video_path)
        with open(video_path, "rb") as f:
            content_type, body = multipart(f.read())
        headers = {"X-API-Key": key}
        # one job to poll
        c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        c.request("POST", "/api/v1/jobs", body, dict(headers, **{"Content-Type": content_type}))
        r = c.getresponse()
        created = json.loads(r.read())
        if r.status != 201:
            raise RuntimeError(f"submission failed: {r.status} {created}")
        poll_id = created.get("id") or created["job_id"]

        rss_before = rss_kib(server.pid)
        peak = [rss_before]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_kib(server.pid))
                stop.wait(0.05)

        statuses = {}
        acknowledged = []
        errors = []
        lock = threading.Lock()
        go = threading.Barrier(args.uploads + args.polls)

        def record(status):
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

        def upload():
            try:
                go.wait()
                c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
                c.request("POST", "/api/v1/jobs", body,
                          dict(headers, **{"Content-Type": content_type}))
                r = c.getresponse()
                payload = r.read()
                record(r.status)
                if r.status == 201:
                    with lock:
                        doc = json.loads(payload)
                        acknowledged.append(doc.get("id") or doc["job_id"])
            except Exception as e:  # noqa: BLE001 - counted, reported
                with lock:
                    errors.append(repr(e))

        def poll():
            try:
                go.wait()
                c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
                c.request("GET", f"/api/v1/jobs/{poll_id}", headers=headers)
                r = c.getresponse()
                r.read()
                record(r.status)
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append(repr(e))

        sampler = threading.Thread(target=sample)
        sampler.start()
        threads = [threading.Thread(target=upload) for _ in range(args.uploads)]
        threads += [threading.Thread(target=poll) for _ in range(args.polls)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
        time.sleep(1)
        stop.set()
        sampler.join()
        rss_after = rss_kib(server.pid)

        # every acknowledged upload is a job the server lists
        listed = set()
        page = 1
        while True:
            c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
            c.request("GET", f"/api/v1/jobs?page={page}&per_page=100", headers=headers)
            doc = json.loads(c.getresponse().read())
            jobs = doc.get("jobs", [])
            listed.update(j.get("id") or j.get("job_id") for j in jobs)
            if len(jobs) < 100:
                break
            page += 1
        missing = [j for j in acknowledged if j not in listed]
        fivexx = sum(n for s, n in statuses.items() if s >= 500)
        print(f"uploads={args.uploads} polls={args.polls} elapsed={elapsed:.1f}s")
        print(f"statuses={dict(sorted(statuses.items()))} 5xx={fivexx} client_errors={len(errors)}")
        print(f"acknowledged={len(acknowledged)} missing={len(missing)}")
        print(f"rss_kib before={rss_before} peak={peak[0]} after={rss_after}")
        if errors:
            print("first errors:", errors[:3])
        return 1 if fivexx or missing or errors else 0
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
