#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Turns compiled message catalogues (.mo) into the JSON catalogues that the
web UI loads and the server uses for REST error messages:
  {"language": "fr", "plural": "nplurals=2; plural=(n > 1);",
   "messages": {"msgid": "msgstr" | ["form0", "form1", ...]}}
Usage: po-to-json.py OUTDIR LANG=FILE.mo...
"""
import gettext
import json
import os
import sys


def convert(mo_path):
    with open(mo_path, "rb") as f:
        catalogue = gettext.GNUTranslations(f)
    messages = {}
    plurals = {}
    for key, text in catalogue._catalog.items():
        if isinstance(key, tuple):  # (msgid, n) of a plural entry
            plurals.setdefault(key[0], {})[key[1]] = text
        elif key != "":  # "" is the header
            messages[key] = text
    for msgid, forms in plurals.items():
        messages[msgid] = [forms[n] for n in sorted(forms)]
    header = catalogue.info()
    return {"plural": header.get("plural-forms", ""), "messages": messages}


def main():
    outdir = sys.argv[1]
    for arg in sys.argv[2:]:
        lang, mo_path = arg.split("=", 1)
        data = {"language": lang, **convert(mo_path)}
        with open(os.path.join(outdir, f"messages-{lang}.json"), "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, sort_keys=True, indent=0)
            f.write("\n")


if __name__ == "__main__":
    main()
