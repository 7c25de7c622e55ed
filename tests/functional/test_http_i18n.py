#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""REST error messages follow Accept-Language where po/ has a translation;
codes, and everything without a translation, stay English."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_http_api import Server  # noqa: E402

EN = "page must be an integer ≥ 1"


class AcceptLanguageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.key = cls.server.key("ada", "read,write")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def error(self, language=None, path="/api/v1/jobs?page=0"):
        headers = {} if language is None else {"Accept-Language": language}
        reply = self.server.request("GET", path, self.key, headers=headers)
        self.assertEqual(reply.status, 400)
        body = reply.json()
        self.assertEqual(body["error"]["code"], "INVALID_REQUEST")
        self.assertEqual(body["detail"], body["error"]["message"])
        return body["error"]["message"]

    def test_languages(self):
        self.assertEqual(self.error(), EN)
        self.assertEqual(self.error("fr"), "page doit être un entier ≥ 1")
        self.assertEqual(self.error("de-AT, de;q=0.9, en;q=0.5"), "page muss eine ganze Zahl ≥ 1 sein")
        # the client's order wins, English included
        self.assertEqual(self.error("en-GB, fr;q=0.8"), EN)
        self.assertEqual(self.error("it, fr;q=0.3, de;q=0.6"), "page muss eine ganze Zahl ≥ 1 sein")
        # no translated language acceptable, garbage, or refused with q=0
        self.assertEqual(self.error("ja, *;q=0.5"), EN)
        self.assertEqual(self.error(";;;,=,q=zz"), EN)
        self.assertEqual(self.error("fr;q=0"), EN)

    def test_hint_and_untranslated_messages(self):
        reply = self.server.request("GET", "/api/v1/jobs?status_filter=nope", self.key,
                                    headers={"Accept-Language": "fr"})
        self.assertEqual(reply.json()["error"]["message"], "status_filter inconnu")
        self.assertEqual(reply.json()["error"]["code"], "INVALID_REQUEST")
        # hints are translated too (marked N_() at the call, extracted into po/)
        self.assertEqual(reply.json()["error"]["hint"],
                         "Utilisez l’une des valeurs pending, running, completed, failed, cancelled")
        reply = self.server.request("GET", "/api/v1/jobs?page=0", self.key,
                                    headers={"Accept-Language": "de"})
        self.assertEqual(reply.json()["error"]["hint"], "Seiten werden ab 1 gezählt")
        reply = self.server.request("GET", "/api/v1/jobs?page=0", self.key)
        self.assertEqual(reply.json()["error"]["hint"], "Pages are numbered from 1")
        # the 401 of a request without a key
        reply = self.server.request("GET", "/api/v1/jobs", None, headers={"Accept-Language": "fr"})
        self.assertEqual(reply.status, 401)
        self.assertEqual(reply.json()["error"]["code"], "UNAUTHORIZED")
        self.assertTrue(reply.json()["error"]["hint"].startswith("Envoyez la clé sous la forme"),
                        reply.json()["error"]["hint"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
