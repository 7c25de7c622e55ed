#!/usr/bin/env python3
"""The demo that `build-aux/bootstrap.sh run` runs: composes a sample video
from media Debian packages ship (two portraits, a street with people
walking, a dialogue of two speakers; build-aux/sample_media.py), installs
the default neural models if they are missing, annotates the sample with
every pipeline and prints what each one found.

    demo.py [--build DIR] [--output DIR]

--build: the meson build directory (default: build); --output: where the
sample, its description (sample.json) and the annotation files go
(default: BUILD/demo). The sample is made once (delete it to make it
again); the annotation runs every time. Exit status 1 when a pipeline
found nothing."""
import argparse
import csv
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sample_media  # noqa: E402

PIPELINES = ["scene_detection", "motion_analysis", "face_analysis", "person_tracking",
             "voice_activity", "speech_recognition", "speaker_diarization"]


def program_env(build):
    env = dict(os.environ)
    env["GST_PLUGIN_PATH"] = os.path.join(build, "plugins", "annotate")
    env["GST_REGISTRY"] = os.path.join(build, "gst-registry.bin")
    env["GSETTINGS_SCHEMA_DIR"] = os.path.join(build, "data")
    return env


def ensure_models(exe, env):
    """Installs the default neural models that are missing; without them
    (no network) the detectors fall back to the classic ones."""
    plain = dict(env, LC_ALL="C.UTF-8")
    plain.pop("LANGUAGE", None)
    listing = subprocess.run([exe, "models", "list"], capture_output=True, text=True, env=plain)
    missing = [m.group(1) for m in re.finditer(r"^(\S+)\s+missing\s.*\syes\s", listing.stdout,
                                               re.MULTILINE)]
    if listing.returncode == 0 and not missing:
        return
    if subprocess.run([exe, "models", "install"], env=env).returncode != 0:
        print("Could not install the neural models; the classic detectors will run instead",
              file=sys.stderr)


def make_sample(out):
    sample = os.path.join(out, "sample.mp4")
    described = os.path.join(out, "sample.json")
    if os.path.exists(sample) and os.path.exists(described):
        with open(described) as f:
            return sample, json.load(f)
    os.makedirs(out, exist_ok=True)
    print("Composing the demo video…", file=sys.stderr)
    desc = sample_media.demo(sample)
    with open(described + ".part", "w") as f:
        json.dump(desc, f, indent=2)
    os.replace(described + ".part", described)
    return sample, desc


def annotate(exe, env, sample, out):
    """Runs the job; returns [(pipeline, file)], a pipeline once per file
    it wrote (the result lines, read in the C locale: --json keeps one file
    per pipeline)."""
    plain = dict(env, LC_ALL="C.UTF-8")
    plain.pop("LANGUAGE", None)
    r = subprocess.run([exe, "annotate", sample, "-p", ",".join(PIPELINES), "-o", out],
                       stdout=subprocess.PIPE, text=True, env=plain)
    if r.returncode != 0:
        sys.exit(r.returncode)
    outputs = []
    for line in r.stdout.splitlines():
        fields = line.split(None, 3)
        if len(fields) == 4 and fields[0] in PIPELINES and fields[2].startswith("annotation"):
            outputs.append((fields[0], fields[3]))
    return outputs


# What a file holds, as a newcomer would count it: (found, summary).

def coco(path):
    with open(path) as f:
        return json.load(f)


def found_scenes(path):
    starts = [a["start_time"] for a in coco(path)["annotations"]][1:]
    return len(starts), f"{len(starts)} cuts, at " + ", ".join(f"{s:.1f}" for s in starts) + " s"


def found_motion(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    moving = sum(1 for r in rows if float(r["moving_fraction"]) > 0)
    return moving, f"motion in {moving} of {len(rows)} frames"


def found_faces(path):
    doc = coco(path)
    frames = {a["frame_number"] for a in doc["annotations"]}
    return len(doc["annotations"]), f"{len(doc['annotations'])} faces on {len(frames)} frames"


def found_persons(path):
    doc = coco(path)
    if "person_tracks" in doc:
        return len(doc["person_tracks"]), f"{len(doc['person_tracks'])} tracks"
    people = doc["annotations"]
    ids = {a["track_id"] for a in people}
    posed = sum(1 for a in people if a.get("num_keypoints", 0) > 0)
    return len(ids), f"{len(people)} people, {len(ids)} track ids, {posed} with body keypoints"


def found_voice(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    speech = sum(float(r["duration"]) for r in rows)
    return len(rows), f"{len(rows)} speech segments, {speech:.1f} s of speech"


def found_words(path):
    with open(path) as f:
        blocks = f.read().split("\n\n")
    cues = []
    for block in blocks:
        lines = block.strip().split("\n")
        timing = [i for i, line in enumerate(lines) if " --> " in line]
        if timing:
            cues.append(" ".join(lines[timing[0] + 1:]))
    words = sum(len(c.split()) for c in cues)
    first = cues[0] if cues else ""
    return words, f"{len(cues)} cues, {words} words: “{first[:30]}…”"


def found_speakers(path):
    with open(path) as f:
        turns = [line.split() for line in f if line.startswith("SPEAKER")]
    speakers = {t[7] for t in turns}
    return len(turns), f"{len(turns)} turns, {len(speakers)} speakers"


FINDERS = {"scene_detection": found_scenes, "motion_analysis": found_motion,
           "face_analysis": found_faces, "person_tracking": found_persons,
           "voice_activity": found_voice, "speech_recognition": found_words,
           "speaker_diarization": found_speakers}


def summarize(sample, desc, outputs, out):
    kinds = ", ".join(s["kind"] for s in desc["scenes"])
    print(f"\nDemo video: {sample} ({desc['duration']:.0f} s; scenes: {kinds}; "
          f"{len(desc['speech'])} speech turns of two speakers)\n")
    print(f"{'PIPELINE':<20} {'FOUND':<58} FILE")
    empty = []
    for name, path in outputs:
        count, what = FINDERS[name](path)
        if count == 0:
            empty.append(name)
        print(f"{name:<20} {what:<58} {os.path.basename(path)}")
    print(f"\nAnnotation files: {out}")
    missing = [p for p in PIPELINES if p not in {n for n, _ in outputs}]
    if empty or missing:
        print("Found nothing: " + ", ".join(empty + missing), file=sys.stderr)
        return 1
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    top = os.path.dirname(HERE)
    parser.add_argument("--build", default=os.path.join(top, "build"))
    parser.add_argument("--output")
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    out = os.path.abspath(args.output or os.path.join(build, "demo"))
    exe = os.path.join(build, "src", "cli", "videoannotator")
    env = program_env(build)

    ensure_models(exe, env)
    sample, desc = make_sample(out)
    annotations = os.path.join(out, "annotations")
    outputs = annotate(exe, env, sample, annotations)
    return summarize(sample, desc, outputs, annotations)


if __name__ == "__main__":
    sys.exit(main())
