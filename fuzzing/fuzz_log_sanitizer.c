/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <json-glib/json-glib.h>

#include "fuzz.h"
#include "va-json.h"
#include "va-log-sanitizer.h"

/* VaLogSanitizer sees attacker-controlled text (client file names, header
 * values, pipeline names, error messages quoting input) before it reaches
 * the logs. The input is sanitized as text and, when it parses, as JSON.
 * The output must be valid UTF-8, must not show the data directory where
 * a path can start (after white space, a quote, '=', '(' ...; inside a word
 * such as "ba/var/lib/…" it is a relative path and stays), and sanitizing
 * must be idempotent (a second pass has nothing left to do) as long as
 * addresses are not chained through '@'. */

#define VA_FUZZ_DATA_DIR "/var/lib/videoannotator"

static VaLogSanitizer *sanitizer;

static void
va_fuzz_sanitizer_free (void)
{
  g_clear_object (&sanitizer);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  va_fuzz_init_common ();
  sanitizer = va_log_sanitizer_new (VA_FUZZ_DATA_DIR);
  va_log_sanitizer_add_root (sanitizer, "/srv/uploads", "uploads");
  atexit (va_fuzz_sanitizer_free);
  return 0;
}

static gboolean
va_fuzz_shows_data_dir (const char *text)
{
  for (const char *p = strstr (text, VA_FUZZ_DATA_DIR "/"); p != NULL;
       p = strstr (p + 1, VA_FUZZ_DATA_DIR "/")) {
    if (p == text || strchr (" \t\n\r\"'=(:,[{<", p[-1]) != NULL)
      return TRUE;
  }
  return FALSE;
}

static void
va_fuzz_check_json (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  g_assert_true (g_utf8_validate (text, -1, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *input = va_fuzz_strndup (data, size);
  g_autofree char *once = va_log_sanitizer_sanitize (sanitizer, input);
  g_autofree char *twice = NULL;
  g_autoptr (JsonNode) root = NULL;

  g_assert_nonnull (once);
  g_assert_true (g_utf8_validate (once, -1, NULL));
  g_assert_false (va_fuzz_shows_data_dir (once));
  twice = va_log_sanitizer_sanitize (sanitizer, once);
  /* "a@b.cd@e.fg" is masked as one address and the rest is then read as
   * another on a second pass (see docs/fuzzing.md); with one '@' or none
   * a second pass must change nothing */
  if (strchr (input, '@') == strrchr (input, '@'))
    g_assert_cmpstr (once, ==, twice);

  root = va_json_parse ((const char *)data, (gssize)size, VA_JSON_MAX_SIZE, NULL);
  if (root != NULL) {
    g_autoptr (JsonNode) clean = va_log_sanitizer_sanitize_json (sanitizer, root);

    g_assert_nonnull (clean);
    va_fuzz_check_json (clean);
  }
  return 0;
}
