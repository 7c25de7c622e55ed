#!/usr/bin/env python3
"""Test media for the web UI tests: a WebM with three scenes separated by
hard cuts (a portrait photograph, a test pattern, the photograph again,
SCENE seconds each) and a two-voice espeak-ng dialogue as its soundtrack,
composed by build-aux/sample_media.py.
Prints a JSON description (scene starts, where faces are) on stdout.
Usage: make_media.py OUT.webm"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "build-aux"))
import sample_media  # noqa: E402

W, H, FPS, SCENE = 640, 360, 10, 3
TURNS = [("en-us", 40, "Hello, this is the first speaker talking about the video."),
         ("en-gb", 80, "And this is the second speaker who answers.")]


def main(path):
    photo = sample_media.PORTRAIT_A
    scenes = [sample_media.photo(photo, SCENE), sample_media.pattern(SCENE),
              sample_media.photo(photo, SCENE)]
    # from 0.5 s on, a second of silence between the turns
    turns = [(0.5, i, ("espeak", voice, pitch, text)) for i, (voice, pitch, text) in enumerate(TURNS)]
    with tempfile.TemporaryDirectory(prefix="va-web-media-") as tmp:
        wav, _ = sample_media.soundtrack(tmp, turns, 3 * SCENE, gap=1.0)
        sample_media.compose(path, scenes, wav, W, H, FPS, "webm")
    print(json.dumps({"scene_starts": [0, SCENE, 2 * SCENE], "duration": 3 * SCENE,
                      "face_scenes": [[0, SCENE], [2 * SCENE, 3 * SCENE]],
                      "no_face_scenes": [[SCENE, 2 * SCENE]]}))


if __name__ == "__main__":
    main(sys.argv[1])
