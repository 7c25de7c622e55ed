#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every language in po/LINGUAS is complete and well formed:
 * `msgfmt --check -c` passes (format strings and their arguments, header,
   accelerators);
 * against a template extracted now from po/POTFILES.in (so a string added
   to the sources without `update-po` counts too), no message is untranslated
   and none is fuzzy;
 * the web UI's {name} placeholders are kept in each translation.
Usage: check-po.py SOURCE_ROOT [XGETTEXT_ARG...]"""

import gettext
import os
import re
import subprocess
import sys
import tempfile

# the keywords of meson's `glib` preset, which po/meson.build uses
KEYWORDS = ["-k_", "-kN_", "-kC_:1c,2", "-kNC_:1c,2", "-kg_dcgettext:2", "-kg_dngettext:2,3",
            "-kg_dpgettext2:2c,3", "-kngettext:1,2"]
PLACEHOLDER = re.compile(r"\{\w+\}")
STATS = re.compile(r"(\d+) (translated|fuzzy|untranslated)")


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


def statistics(text):
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for number, kind in STATS.findall(text):
        counts[kind] = int(number)
    return counts


def main():
    root = sys.argv[1]
    podir = os.path.join(root, "po")
    errors = []
    with open(os.path.join(podir, "LINGUAS"), encoding="utf-8") as f:
        languages = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    if not languages:
        errors.append("po/LINGUAS lists no language")

    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "template.pot")
        extract = run(["xgettext", "--package-name=check", "-D", root, "-o", pot,
                       "--files-from=" + os.path.join(podir, "POTFILES.in")]
                      + KEYWORDS + sys.argv[2:])
        if extract.returncode != 0:
            errors.append("xgettext failed:\n" + extract.stderr)
        for lang in languages:
            po = os.path.join(podir, lang + ".po")
            if not os.path.isfile(po):
                errors.append(f"po/LINGUAS lists {lang} but po/{lang}.po is missing")
                continue
            check = run(["msgfmt", "--check", "-c", "--statistics", "-o", os.devnull, po])
            print(f"{lang}: {check.stderr.strip()}")
            if check.returncode != 0:
                errors.append(f"msgfmt --check -c fails on po/{lang}.po:\n{check.stderr}")
            if extract.returncode != 0:
                continue
            merged = os.path.join(tmp, lang + ".po")
            merge = run(["msgmerge", "--quiet", "--no-fuzzy-matching", "--previous", "-o", merged,
                         po, pot])
            if merge.returncode != 0:
                errors.append(f"msgmerge fails on po/{lang}.po:\n{merge.stderr}")
                continue
            mo = os.path.join(tmp, lang + ".mo")
            counts = statistics(run(["msgfmt", "--statistics", "-o", mo, merged]).stderr)
            if counts["untranslated"] or counts["fuzzy"]:
                missing = run(["msgattrib", "--only-fuzzy", "--no-wrap", merged]).stdout
                missing += run(["msgattrib", "--untranslated", "--no-wrap", merged]).stdout
                ids = re.findall(r'^msgid "(.+)"$', missing, re.M)
                errors.append(f"po/{lang}.po is incomplete: {counts['untranslated']} untranslated, "
                              f"{counts['fuzzy']} fuzzy (run `meson compile -C build "
                              f"videoannotator-update-po`, then translate), e.g.:\n  "
                              + "\n  ".join(ids[:10]))
            with open(mo, "rb") as f:
                catalogue = gettext.GNUTranslations(f)._catalog
            for msgid, msgstr in catalogue.items():
                source = msgid[0] if isinstance(msgid, tuple) else msgid
                if source and sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(msgstr)):
                    errors.append(f"po/{lang}.po changes the placeholders of {source!r}: {msgstr!r}")

    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
