#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Offline checks of the Flatpak manifest (no runtime or flatpak-builder is
needed): its shape, narrow finish-args, every downloaded source pinned by
sha256, and the project's own module installed with `meson install
--destdir` from BUILDDIR, whose tree must hold what Flatpak exports.
Usage: check-flatpak.py SOURCE_ROOT BUILDDIR"""

import json
import os
import re
import subprocess
import sys
import tempfile

APP_ID = "org.videoannotator.VideoAnnotator"
ALLOWED_FINISH_ARGS = {
    "--share=network",  # the browser outside reaches the server on 127.0.0.1
    f"--own-name={APP_ID}",
    "--filesystem=xdg-videos:ro",
}
ALLOWED_ENV = re.compile(r"^--env=VIDEOANNOTATOR_[A-Z_]+=\S+$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
errors = []


def check(condition, message):
    if not condition:
        errors.append(message)


def load_modules(flatpak_dir, modules, where):
    for module in modules:
        if isinstance(module, str):
            path = os.path.join(flatpak_dir, module)
            check(os.path.isfile(path), f"{where}: module file {module} is missing")
            if not os.path.isfile(path):
                continue
            with open(path) as f:
                module = json.load(f)
            where_module = module.get("name", path)
        else:
            where_module = module.get("name", "?")
        yield where_module, module
        yield from load_modules(flatpak_dir, module.get("modules", []), where_module)


def check_sources(name, module):
    sources = module.get("sources", [])
    check(sources, f"{name}: no sources")
    for source in sources:
        kind = source.get("type")
        if kind in ("archive", "file"):
            check(source.get("url", "").startswith("https://"), f"{name}: source url is not https")
            check(SHA256.match(source.get("sha256", "")), f"{name}: {kind} source without sha256")
        elif kind == "git":
            check(re.match(r"^[0-9a-f]{40}$", source.get("commit", "")),
                  f"{name}: git source not pinned to a commit")
        elif kind == "dir":
            check(name == "videoannotator", f"{name}: only the project builds from a directory")
        else:
            errors.append(f"{name}: source type {kind!r} is not allowed")


def check_installed(builddir):
    destdir = tempfile.mkdtemp(prefix="va-flatpak-install-")
    subprocess.run(["meson", "install", "-C", builddir, "--no-rebuild", "--quiet",
                    "--destdir", destdir], check=True, capture_output=True,
                   env={**os.environ, "DESTDIR": destdir})
    info = json.loads(subprocess.run(["meson", "introspect", "--buildoptions", builddir],
                                     check=True, capture_output=True, text=True).stdout)
    prefix = next(o["value"] for o in info if o["name"] == "prefix")
    root = destdir + prefix
    expected = [
        "bin/videoannotator",
        f"share/applications/{APP_ID}.desktop",
        f"share/metainfo/{APP_ID}.metainfo.xml",
        f"share/icons/hicolor/scalable/apps/{APP_ID}.svg",
        f"share/icons/hicolor/symbolic/apps/{APP_ID}-symbolic.svg",
        f"share/dbus-1/services/{APP_ID}.service",
        f"share/glib-2.0/schemas/{APP_ID}.gschema.xml",
        "share/locale/fr/LC_MESSAGES/videoannotator.mo",
        "share/locale/de/LC_MESSAGES/videoannotator.mo",
    ]
    for path in expected:
        check(os.path.isfile(os.path.join(root, path)), f"installed tree lacks {path}")
    # Flatpak exports only files named after the application id
    for folder in ("share/applications", "share/metainfo", "share/dbus-1/services"):
        for name in os.listdir(os.path.join(root, folder)) if os.path.isdir(os.path.join(root, folder)) else []:
            check(name.startswith(APP_ID), f"{folder}/{name} would not be exported")
    service = os.path.join(root, f"share/dbus-1/services/{APP_ID}.service")
    if os.path.isfile(service):
        with open(service) as f:
            text = f.read()
        check(f"Name={APP_ID}\n" in text, "service file: wrong Name=")
        check(f"Exec={prefix}/bin/videoannotator server --dbus=session" in text,
              "service file: Exec= is not the installed binary")
    desktop = os.path.join(root, f"share/applications/{APP_ID}.desktop")
    if os.path.isfile(desktop):
        out = subprocess.run(["desktop-file-validate", desktop], capture_output=True, text=True)
        check(out.returncode == 0, f"desktop-file-validate: {out.stdout}{out.stderr}")
    subprocess.run(["rm", "-rf", destdir], check=True)


def main():
    source_root, builddir = sys.argv[1], sys.argv[2]
    flatpak_dir = os.path.join(source_root, "flatpak")
    with open(os.path.join(flatpak_dir, f"{APP_ID}.json")) as f:
        manifest = json.load(f)
    check(manifest.get("id") == APP_ID, "id is not the application id")
    check(manifest.get("runtime") == "org.gnome.Platform", "runtime is not org.gnome.Platform")
    check(manifest.get("sdk") == "org.gnome.Sdk", "sdk is not org.gnome.Sdk")
    # GNOME 44 was the first with GStreamer 1.22
    check(int(manifest.get("runtime-version", "0")) >= 44, "runtime older than GNOME 44")
    check(manifest.get("command") == "videoannotator", "command is not videoannotator")
    for arg in manifest.get("finish-args", []):
        check(arg in ALLOWED_FINISH_ARGS or ALLOWED_ENV.match(arg),
              f"finish-arg {arg} is wider than needed")
    for arg in ALLOWED_FINISH_ARGS:
        check(arg in manifest.get("finish-args", []), f"finish-args lack {arg}")
    names = []
    for name, module in load_modules(flatpak_dir, manifest.get("modules", []), APP_ID):
        names.append(name)
        check_sources(name, module)
        if name == "videoannotator":
            check("-Ddbus_systemd_service=false" in module.get("config-opts", []),
                  "the project module must not point D-Bus activation at a systemd unit")
    for needed in ("opencv", "sphinxbase", "pocketsphinx", "videoannotator"):
        check(needed in names, f"no {needed} module")
    check(names and names[-1] == "videoannotator", "the project must be the last module")
    check_installed(builddir)
    for error in errors:
        print(error)
    print(f"{len(names)} modules checked, {len(errors)} problems")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
