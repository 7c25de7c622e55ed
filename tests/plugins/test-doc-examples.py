#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs every gst-launch-1.0 example of a Markdown file exactly as written.

Each ```sh block whose command starts with gst-launch-1.0 runs with bash in
a fresh directory holding clip.mp4, a generated 320x240 H.264 clip of 3
seconds with two cuts, and must exit with status 0 without an ERROR line.
When the command uses vaannotationsink, the files it reports must exist.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

MAKE_CLIP = (
    "gst-launch-1.0 -q concat name=c ! x264enc speed-preset=ultrafast key-int-max=25 ! "
    "h264parse ! mp4mux ! filesink location=clip.mp4 "
    "videotestsrc pattern=smpte num-buffers=25 ! video/x-raw,format=I420,width=320,height=240,framerate=25/1 ! c. "
    "videotestsrc pattern=pinwheel num-buffers=25 ! video/x-raw,format=I420,width=320,height=240,framerate=25/1 ! c. "
    "videotestsrc pattern=ball num-buffers=25 ! video/x-raw,format=I420,width=320,height=240,framerate=25/1 ! c."
)


def examples(markdown):
    blocks = re.findall(r"^```sh\n(.*?)^```", markdown, flags=re.M | re.S)
    for block in blocks:
        command = block.replace("\\\n", " ").strip()
        if command.startswith("gst-launch-1.0"):
            yield command


def main():
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        commands = list(examples(f.read()))
    if not commands:
        print(f"no gst-launch-1.0 examples in {path}")
        return 1

    failed = 0
    work = tempfile.mkdtemp(prefix="va-doc-examples-")
    try:
        subprocess.run(MAKE_CLIP, shell=True, cwd=work, check=True, timeout=120)
        for i, command in enumerate(commands, 1):
            run_dir = os.path.join(work, f"example-{i}")
            os.mkdir(run_dir)
            shutil.copy(os.path.join(work, "clip.mp4"), run_dir)
            # -m makes the outputs message visible, so its files can be checked.
            checked = command if " -m " in command else command.replace(
                "gst-launch-1.0", "gst-launch-1.0 -m", 1)
            proc = subprocess.run(["bash", "-c", checked], cwd=run_dir, capture_output=True,
                                  text=True, timeout=120)
            output = proc.stdout + proc.stderr
            problems = []
            if proc.returncode != 0:
                problems.append(f"exit status {proc.returncode}")
            if re.search(r"^ERROR", output, flags=re.M):
                problems.append("an ERROR was printed")
            if "vaannotationsink" in command:
                m = re.search(r"files=\(string\)< (.*?) >", output)
                if not m:
                    problems.append("no videoannotator-outputs message")
                else:
                    for f in m.group(1).split(", "):
                        if not os.path.isfile(f):
                            problems.append(f"reported file {f} missing")
            status = "ok" if not problems else "not ok"
            print(f"{status} {i} - {command}")
            for p in problems:
                print(f"#   {p}")
            if problems:
                failed += 1
                print("#   " + output[-2000:].replace("\n", "\n#   "))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"1..{len(commands)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
