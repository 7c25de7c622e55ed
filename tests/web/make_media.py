#!/usr/bin/env python3
"""Test media for the web UI tests: a WebM with three scenes separated by
hard cuts (a portrait photograph, a test pattern, the photograph again,
SCENE seconds each) and a two-voice espeak-ng dialogue as its soundtrack.
Prints a JSON description (scene starts, where faces are) on stdout.
Usage: make_media.py OUT.webm"""
import json
import os
import subprocess
import sys
import tempfile

PHOTO = "/usr/share/doc/opencv-doc/opencv4/html/227943776_1.jpg"
W, H, FPS, SCENE = 640, 360, 10, 3
TURNS = [("en-us", 40, "Hello, this is the first speaker talking about the video."),
         ("en-gb", 80, "And this is the second speaker who answers.")]


def env():
    # stock elements only, and no sanitizer runtime for the tools
    return {k: v for k, v in os.environ.items()
            if k not in ("GST_PLUGIN_PATH", "GST_REGISTRY", "LD_PRELOAD")}


def speech(tmp):
    parts = []
    for i, (voice, pitch, text) in enumerate(TURNS):
        raw = os.path.join(tmp, f"turn{i}.wav")
        wav = os.path.join(tmp, f"turn{i}-16k.wav")
        subprocess.run(["espeak-ng", "-v", voice, "-p", str(pitch), "-w", raw, text],
                       check=True, env=env())
        subprocess.run(["sox", raw, "-r", "16000", "-c", "1", "-b", "16", wav, "pad", "0.5", "0.5"],
                       check=True, env=env())
        parts.append(wav)
    out = os.path.join(tmp, "dialogue.wav")
    subprocess.run(["sox", *parts, out], check=True, env=env())
    return out


def main(path):
    caps = (f"video/x-raw,width={W},height={H},framerate={FPS}/1,format=I420,"
            "pixel-aspect-ratio=1/1,colorimetry=bt601")
    n = SCENE * FPS
    with tempfile.TemporaryDirectory(prefix="va-web-media-") as tmp:
        wav = speech(tmp)
        args = ["gst-launch-1.0", "-q", "webmmux", "name=mux", "!", "filesink", f"location={path}",
                "concat", "name=cat", "!", "identity", "single-segment=true", "!", "videoconvert",
                "!", "vp8enc", "deadline=1", "!", "mux."]
        for scene in ("photo", "pattern", "photo"):
            if scene == "photo":
                args += ["filesrc", f"location={PHOTO}", "!", "jpegdec", "!", "imagefreeze",
                         f"num-buffers={n}", "!", f"video/x-raw,framerate={FPS}/1", "!",
                         "videoconvert", "!", "videoscale", "add-borders=true", "!", "videoconvert", "!", caps,
                         "!", "cat."]
            else:
                args += ["videotestsrc", f"num-buffers={n}", "pattern=smpte", "!", "videoconvert", "!",
                         caps, "!",
                         "cat."]
        args += ["filesrc", f"location={wav}", "!", "wavparse", "!", "audioconvert", "!",
                 "audioresample", "!", "opusenc", "!", "mux."]
        subprocess.run(args, check=True, timeout=120, env=env())
    print(json.dumps({"scene_starts": [0, SCENE, 2 * SCENE], "duration": 3 * SCENE,
                      "face_scenes": [[0, SCENE], [2 * SCENE, 3 * SCENE]],
                      "no_face_scenes": [[SCENE, 2 * SCENE]]}))


if __name__ == "__main__":
    main(sys.argv[1])
