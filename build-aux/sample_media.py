#!/usr/bin/env python3
"""Sample videos composed at run time from media that Debian packages ship
(opencv-doc's photographs and street video, espeak-ng's voices,
pocketsphinx-testdata's recordings), so that no media is committed.

A video is a list of scenes joined by hard cuts (a still photograph, two
photographs side by side, a cut of a video, a test pattern) with a
soundtrack of speech turns laid out at given times, encoded by
gst-launch-1.0 with stock elements only.

    sample_media.py demo OUT.mp4

writes the sample that `build-aux/demo.py` annotates and prints its
description (scenes, speech turns) as JSON. The web UI
tests build their own video with compose() (tests/web/make_media.py)."""
import json
import os
import subprocess
import sys
import tempfile

OPENCV_DOC = "/usr/share/doc/opencv-doc"
# two portraits (the face-swapping tutorial's photographs)
PORTRAIT_A = OPENCV_DOC + "/opencv4/html/227943776_1.jpg"
PORTRAIT_B = OPENCV_DOC + "/opencv4/html/230501201_1.jpg"
# a street seen from above, people walking (768x576, 10 fps)
STREET = OPENCV_DOC + "/examples/data/vtest.avi"
STREET_FPS = 10
# Decoded through decodebin, the last frame before identity's end of stream
# came out with a time stamp 0.5-5 s late, which videorate then filled
# with repeated frames (a varying number of them); the decoder alone
# gives every frame its time.
STREET_DECODE = ("avidemux", "avdec_msmpeg4")
LIBRIVOX = "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-"

RATE = 16000


def tool_env():
    """Stock elements only (our plugin stays out of the registry scan), and
    no sanitizer runtime for the tools (espeak-ng deadlocks under it)."""
    return {k: v for k, v in os.environ.items()
            if k not in ("GST_PLUGIN_PATH", "GST_REGISTRY", "LD_PRELOAD")}


def run(args, **kwargs):
    subprocess.run(args, check=True, env=tool_env(), **kwargs)


# Scenes: each gives the gst-launch arguments of one source branch ending in
# "! cat." (the concat element), at the video's size and frame rate.

def photo(path, seconds):
    return {"kind": "photo", "files": [path], "seconds": seconds}


def photos(paths, seconds):
    """Photographs side by side, each in an equal share of the width."""
    return {"kind": "photos", "files": list(paths), "seconds": seconds}


def clip(path, fps, seconds, crop=(0, 0, 0, 0), decode=("decodebin",)):
    """The first SECONDS of a video of FPS frames per second, CROP = (left,
    top, right, bottom) pixels cut away before scaling (to enlarge a part
    of it), DECODE the gst-launch elements that decode it."""
    return {"kind": "clip", "files": [path], "fps": fps, "seconds": seconds, "crop": list(crop),
            "decode": list(decode)}


def pattern(seconds):
    return {"kind": "pattern", "files": [], "seconds": seconds}


def fit(w, h, fps):
    """Scales to w x h, keeping the aspect ratio with black borders."""
    return ["videoscale", "add-borders=true", "!", "videoconvert", "!",
            f"video/x-raw,width={w},height={h},framerate={fps}/1,format=I420,"
            "pixel-aspect-ratio=1/1,colorimetry=bt601"]


def still(path, frames, fps):
    return ["filesrc", f"location={path}", "!", "decodebin", "!", "videoconvert", "!",
            "imagefreeze", f"num-buffers={frames}", "!", f"video/x-raw,framerate={fps}/1", "!",
            "videoconvert", "!"]


def scene_args(i, scene, w, h, fps):
    frames = round(scene["seconds"] * fps)
    kind = scene["kind"]
    if kind == "photo":
        return still(scene["files"][0], frames, fps) + fit(w, h, fps) + ["!", "cat."]
    if kind == "photos":
        n = len(scene["files"])
        args = ["compositor", f"name=row{i}", "background=black"]
        for j in range(n):
            args.append(f"sink_{j}::xpos={j * w // n}")
        args += ["!", "videoconvert", "!"] + fit(w, h, fps) + ["!", "cat."]
        for j, path in enumerate(scene["files"]):
            args += still(path, frames, fps) + fit(w // n, h, fps) + ["!", f"row{i}.sink_{j}"]
        return args
    if kind == "clip":
        left, top, right, bottom = scene["crop"]
        # identity lets eos-after - 1 frames through
        decode = [a for e in scene["decode"] for a in (e, "!")]
        return ["filesrc", f"location={scene['files'][0]}", "!", *decode, "identity",
                f"eos-after={round(scene['seconds'] * scene['fps']) + 1}", "!", "videoconvert",
                "!", "videorate", "!", f"video/x-raw,framerate={fps}/1", "!", "videocrop",
                f"left={left}", f"top={top}", f"right={right}", f"bottom={bottom}", "!"] + \
               fit(w, h, fps) + ["!", "cat."]
    if kind == "pattern":
        return ["videotestsrc", f"num-buffers={frames}", "pattern=smpte", "!"] + \
               fit(w, h, fps) + ["!", "cat."]
    raise ValueError(kind)


# Speech: turns are (start seconds, speaker, source) where source is
# ("espeak", voice, pitch, text) or ("recording", path).

def turn_wav(tmp, i, source):
    wav = os.path.join(tmp, f"turn{i}.wav")
    if source[0] == "espeak":
        _, voice, pitch, text = source
        raw = os.path.join(tmp, f"turn{i}-espeak.wav")
        run(["espeak-ng", "-v", voice, "-p", str(pitch), "-w", raw, text])
        source_path = raw
    else:
        source_path = source[1]
    run(["sox", "-G", source_path, "-r", str(RATE), "-c", "1", "-b", "16", wav])
    return wav


def duration(wav):
    return float(subprocess.run(["soxi", "-D", wav], check=True, capture_output=True,
                                text=True, env=tool_env()).stdout)


def silence(tmp, name, seconds):
    path = os.path.join(tmp, name)
    run(["sox", "-n", "-r", str(RATE), "-c", "1", "-b", "16", path, "trim", "0",
         f"{max(seconds, 0.0):.3f}"])
    return path


def soundtrack(tmp, turns, total, gap=0.0):
    """One 16 kHz mono WAV of TOTAL seconds with each turn at its start
    (a turn starting less than GAP seconds after the previous one ended
    waits for that). Turns that do not fit are left out. Returns the path
    and the turns as laid out: [{start, end, speaker}]."""
    parts, laid, t = [], [], 0.0
    for i, (start, speaker, source) in enumerate(turns):
        wav = turn_wav(tmp, i, source)
        length = duration(wav)
        if laid:
            start = max(start, t + gap)
        if start > t:
            parts.append(silence(tmp, f"gap{i}.wav", start - t))
            t = start
        if t + length > total:
            break
        parts.append(wav)
        laid.append({"start": round(t, 3), "end": round(t + length, 3), "speaker": speaker})
        t += length
    parts.append(silence(tmp, "tail.wav", total - t))
    out = os.path.join(tmp, "soundtrack.wav")
    run(["sox", *parts, out])
    return out, laid


def compose(out, scenes, wav, w, h, fps, container="mp4"):
    """Encodes SCENES (hard cuts between them) with WAV as sound into OUT:
    "mp4" (H.264 + AAC) or "webm" (VP8 + Opus)."""
    if container == "mp4":
        mux = ["mp4mux", "name=mux", "faststart=true"]
        venc = ["x264enc", "speed-preset=veryfast", "key-int-max=50", "!",
                "video/x-h264,profile=high", "!", "h264parse"]
        aenc = ["avenc_aac", "!", "aacparse"]
    else:
        mux = ["webmmux", "name=mux"]
        venc = ["vp8enc", "deadline=1"]
        aenc = ["opusenc"]
    tmp_out = out + ".part"
    # single-segment: concat only shifts segment bases, which an encoder
    # with B-frames turns into jumbled timestamps; one restamped segment avoids it.
    args = ["gst-launch-1.0", "-q", *mux, "!", "filesink", f"location={tmp_out}",
            "concat", "name=cat", "!", "identity", "single-segment=true", "!", "videoconvert",
            "!", *venc, "!", "mux."]
    for i, scene in enumerate(scenes):
        args += scene_args(i, scene, w, h, fps)
    args += ["filesrc", f"location={wav}", "!", "wavparse", "!", "audioconvert", "!",
             "audioresample", "!", *aenc, "!", "mux."]
    run(args, timeout=300)
    os.replace(tmp_out, out)


def describe(scenes, laid):
    starts, t = [], 0.0
    for s in scenes:
        starts.append({"start": round(t, 3), "kind": s["kind"],
                       "files": [os.path.basename(f) for f in s["files"]]})
        t += s["seconds"]
    return {"duration": round(t, 3), "scenes": starts, "speech": laid}


# The demo: two people talking, one face on screen at a time and then
# both, and a street where people walk; two readers alternate (a LibriVox
# reader from pocketsphinx-testdata, espeak-ng's synthetic voice).
DEMO_SIZE = (640, 360, 10)
# vtest.avi's people are 60-110 px tall: enlarged 1.33x (its right part,
# 480x270) so that the classic person detector, whose window holds people
# of 96 px, finds them too.
STREET_CROP = (288, 100, 0, 206)
DEMO_SCENES = [photo(PORTRAIT_A, 7), clip(STREET, STREET_FPS, 12, STREET_CROP, STREET_DECODE), photo(PORTRAIT_B, 6),
               photos([PORTRAIT_A, PORTRAIT_B], 7)]
DEMO_TURNS = [
    (0.5, "A", ("recording", LIBRIVOX + "0870.wav")),
    (8.0, "B", ("espeak", "en+m3", 40,
                "Look at the people walking across the street below the building.")),
    (12.5, "A", ("recording", LIBRIVOX + "0880.wav")),
    (16.0, "B", ("espeak", "en+m3", 40, "Every face and every person gets a box and a number.")),
    (20.0, "A", ("recording", LIBRIVOX + "0920.wav")),
    (26.5, "B", ("espeak", "en+m3", 40, "And every word we say goes into the transcript.")),
]


def demo(out):
    w, h, fps = DEMO_SIZE
    total = sum(s["seconds"] for s in DEMO_SCENES)
    with tempfile.TemporaryDirectory(prefix="va-sample-") as tmp:
        wav, laid = soundtrack(tmp, DEMO_TURNS, total)
        compose(out, DEMO_SCENES, wav, w, h, fps, "mp4")
    return describe(DEMO_SCENES, laid)


def main(argv):
    if len(argv) != 3 or argv[1] != "demo":
        sys.stderr.write(__doc__)
        return 2
    desc = demo(argv[2])
    print(json.dumps(desc, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
