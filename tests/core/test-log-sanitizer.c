/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "va-log-sanitizer.h"

#define DATA_DIR "/var/lib/videoannotator"

/* 43 base64url characters after the prefix, like a real key */
#define KEY_BODY "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_Q7xyz"
#define KEY "va_api_" KEY_BODY
#define SHOWN "va_api_AbCd…"
#define KEY2                                                                                       \
  "va_api_Zz9-"                                                                                    \
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHOWN2 "va_api_Zz9-…"

typedef struct {
  const char *in;
  const char *out;
} Case;

static void
check_cases (VaLogSanitizer *sanitizer, const Case *cases, gsize n)
{
  for (gsize i = 0; i < n; i++) {
    g_autofree char *got = va_log_sanitizer_sanitize (sanitizer, cases[i].in);
    g_autofree char *again = va_log_sanitizer_sanitize (sanitizer, got);

    if (g_strcmp0 (got, cases[i].out) != 0)
      g_error ("sanitize (“%s”)\n  got      “%s”\n  expected “%s”", cases[i].in, got, cases[i].out);
    /* sanitizing twice changes nothing more */
    g_assert_cmpstr (again, ==, got);
  }
}

static void
test_keys (void)
{
  static const Case cases[] = {
    { KEY, SHOWN },
    { "key " KEY, "key " SHOWN },
    { KEY " rest", SHOWN " rest" },
    { "GET /api/v1/jobs?token=" KEY "&page=2", "GET /api/v1/jobs?token=" SHOWN "&page=2" },
    { "https://h.example.org/viewer-connect?token=" KEY,
      "https://h.example.org/viewer-connect?token=" SHOWN },
    { "{\"api_key\":\"" KEY "\"}", "{\"api_key\":\"" SHOWN "\"}" },
    { "'" KEY "'", "'" SHOWN "'" },
    { "(" KEY ")", "(" SHOWN ")" },
    { "xyz" KEY, "xyz" SHOWN },
    /* more base64url after the 43 characters: all of it goes */
    { KEY "MORE-_chars123 end", SHOWN " end" },
    /* two keys, and two glued together */
    { KEY " and " KEY2, SHOWN " and " SHOWN2 },
    { KEY KEY2, SHOWN },
    { "revoked " KEY ", " KEY ", " KEY2, "revoked " SHOWN ", " SHOWN ", " SHOWN2 },
    /* legacy 1.4 format: va_ + 43 */
    { "old va_" KEY_BODY " key", "old va_AbCd… key" },
    /* prefixes as `token list` prints them are not secrets */
    { "prefix va_api_AbCd", "prefix va_api_AbCd" },
    { "prefix va_api_Ab", "prefix va_api_Ab" },
    { "va_api_", "va_api_" },
    { "va_", "va_" },
    /* identifiers that merely start with va_ */
    { "in va_settings_get_data_dir()", "in va_settings_get_data_dir()" },
    /* bearer credentials */
    { "Authorization: Bearer " KEY, "Authorization: Bearer " SHOWN },
    { "Authorization: bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
      "Authorization: bearer [redacted]" },
    { "Bearer   dev-token-123", "Bearer   [redacted]" },
    { "the bearer token was missing", "the bearer token was missing" },
    { "Bearer va_api_AbCd", "Bearer va_api_AbCd" },
    /* UTF-8 around keys */
    { "clé «" KEY "» reçue", "clé «" SHOWN "» reçue" },
    { "ключ:" KEY "✓", "ключ:" SHOWN "✓" },
  };

  g_autoptr (VaLogSanitizer) sanitizer = va_log_sanitizer_new (DATA_DIR);
  check_cases (sanitizer, cases, G_N_ELEMENTS (cases));
}

/* Random keys in random surroundings: never more than the prefix survives. */
static void
test_keys_random (void)
{
  g_autoptr (VaLogSanitizer) sanitizer = va_log_sanitizer_new (DATA_DIR);
  static const char *const around[] = { " ", "\"", "'", "=", "&", "/", ":", "\n", "«", "", "é" };

  for (guint i = 0; i < 500; i++) {
    guchar bytes[32];
    g_autofree char *b64 = NULL;
    g_autofree char *key = NULL;
    g_autofree char *shown = NULL;
    g_autofree char *text = NULL;
    g_autofree char *out = NULL;

    for (guint j = 0; j < sizeof bytes; j++)
      bytes[j] = g_random_int_range (0, 256);
    b64 = g_base64_encode (bytes, sizeof bytes);
    g_strdelimit (b64, "+", '-');
    g_strdelimit (b64, "/", '_');
    b64[43] = '\0'; /* drop the padding */
    key = g_strconcat ("va_api_", b64, NULL);
    shown = g_strdup_printf ("va_api_%.4s…", b64);
    text = g_strconcat ("x", around[g_random_int_range (0, G_N_ELEMENTS (around))], key,
                        around[g_random_int_range (0, G_N_ELEMENTS (around))], "y", NULL);
    out = va_log_sanitizer_sanitize (sanitizer, text);
    g_assert_nonnull (strstr (out, shown));
    /* no 5 consecutive characters of the secret part survive */
    for (guint j = 4; j + 5 <= 43; j++) {
      g_autofree char *piece = g_strndup (b64 + j, 5);
      if (strstr (out, piece) != NULL)
        g_error ("“%s” leaks “%s” of %s", out, piece, key);
    }
  }
}

static void
test_emails (void)
{
  static const Case cases[] = {
    { "alice@lab.edu", "a***@lab.edu" },
    { "contact alice@lab.edu now", "contact a***@lab.edu now" },
    { "alice.smith+video@mail.psych.lab.edu", "a***@mail.psych.lab.edu" },
    { "bob_o-neil%x@sub-domain.example.co.uk", "b***@sub-domain.example.co.uk" },
    { "mail bob@lab.edu.", "mail b***@lab.edu." },
    { "<carol@example.org>", "<c***@example.org>" },
    { "mailto:carol@example.org", "mailto:c***@example.org" },
    { "{\"email\":\"dave@lab.edu\"}", "{\"email\":\"d***@lab.edu\"}" },
    { "a@lab.edu,b@lab.edu", "a***@lab.edu,b***@lab.edu" },
    { "https://user:secret@host.example.com/x", "https://user:s***@host.example.com/x" },
    { "josé@lab.edu", "j***@lab.edu" },
    { "Ünal@universität.de", "Ü***@universität.de" },
    { "«eve@lab.edu»", "«e***@lab.edu»" },
    /* look like addresses, are not */
    { "videoannotator@0.1.0", "videoannotator@0.1.0" },
    { "ssh user@localhost", "ssh user@localhost" },
    { "ping @alice", "ping @alice" },
    { "a@b", "a@b" },
    { "x@y.c", "x@y.c" },
    { "host@10.0.0.1", "host@10.0.0.1" },
    { "@@@", "@@@" },
    { "@lab.edu", "@lab.edu" },
    { "a@@lab.edu", "a@@lab.edu" },
    { "@", "@" },
  };

  g_autoptr (VaLogSanitizer) sanitizer = va_log_sanitizer_new (DATA_DIR);
  check_cases (sanitizer, cases, G_N_ELEMENTS (cases));
}

static void
test_paths (void)
{
  static const Case cases[] = {
    { DATA_DIR "/storage/job1/in.mp4", "storage/job1/in.mp4" },
    { "wrote '" DATA_DIR "/storage/j/out.json'", "wrote 'storage/j/out.json'" },
    { "data dir is " DATA_DIR, "data dir is ." },
    { "data dir is " DATA_DIR "/", "data dir is ." },
    { "data dir " DATA_DIR ": ready", "data dir .: ready" },
    { "{\"dir\":\"" DATA_DIR "/logs\"}", "{\"dir\":\"logs\"}" },
    /* a sibling with a longer name is not inside the data dir */
    { DATA_DIR "2/x.db", "…/x.db" },
    { "/mnt" DATA_DIR "/x.db", "…/x.db" },
    /* other absolute paths keep their file name only */
    { "/home/alice/Sessions/clip.mp4", "…/clip.mp4" },
    { "Failed to open file “/home/alice/My Videos/clip 1.mp4”: No such file",
      "Failed to open file “…/clip 1.mp4”: No such file" },
    { "{\"path\":\"/tmp/upload-123/My Baby.mp4\"}", "{\"path\":\"…/My Baby.mp4\"}" },
    { "cannot read /home/alice/My Videos/baby 1/clip.mp4 now", "cannot read …/clip.mp4 now" },
    { "open /srv/media/ failed", "open …/media failed" },
    { "x=/root/.ssh/id_rsa;", "x=…/id_rsa;" },
    { "file:///home/alice/x.mp4", "file://…/x.mp4" },
    { "/srv/uploads/alice@lab.edu/clip.mp4", "…/clip.mp4" },
    /* system paths, URL paths, relative paths stay */
    { "/usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgstcoreelements.so",
      "/usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgstcoreelements.so" },
    { "GET /api/v1/jobs/123 200", "GET /api/v1/jobs/123 200" },
    { "https://example.org/home/alice/x", "https://example.org/home/alice/x" },
    { "storage/job/x.mp4", "storage/job/x.mp4" },
    { "a / b", "a / b" },
    { "//server/share/x", "//server/share/x" },
    { "/tmp", "/tmp" },
    { "ratio 3/4", "ratio 3/4" },
  };

  g_autoptr (VaLogSanitizer) sanitizer = va_log_sanitizer_new (DATA_DIR);
  check_cases (sanitizer, cases, G_N_ELEMENTS (cases));
}

static void
test_roots (void)
{
  static const Case cases[] = {
    { "opened /srv/Video Annotator/storage/j/x.mp4", "opened storage/j/x.mp4" },
    { "\"/srv/Video Annotator\"", "\".\"" },
    { "/videos/big disk/store/j1/a.mp4", "storage/j1/a.mp4" },
    { "/videos/big disk/store", "storage" },
    /* the top directory of a root is reducible too */
    { "/videos/other/file.txt", "…/file.txt" },
  };
  g_autoptr (VaLogSanitizer) sanitizer = va_log_sanitizer_new ("/srv/Video Annotator/");

  g_assert_cmpstr (va_log_sanitizer_get_data_dir (sanitizer), ==, "/srv/Video Annotator");
  va_log_sanitizer_add_root (sanitizer, "/videos/big disk/store", "storage");
  check_cases (sanitizer, cases, G_N_ELEMENTS (cases));
}

static void
test_combined (void)
{
  static const Case cases[] = {
    { "user alice@lab.edu uploaded /home/alice/x.mp4 with " KEY " to " DATA_DIR "/storage/j",
      "user a***@lab.edu uploaded …/x.mp4 with " SHOWN " to storage/j" },
    { "/tmp/" KEY "/alice@lab.edu.json", "…/a***@lab.edu.json" },
  };
  g_autoptr (VaLogSanitizer) sanitizer = va_log_sanitizer_new (DATA_DIR);

  check_cases (sanitizer, cases, G_N_ELEMENTS (cases));
}

static void
test_edge_inputs (void)
{
  g_autoptr (VaLogSanitizer) sanitizer = va_log_sanitizer_new (NULL);
  g_autoptr (VaLogSanitizer) relative = va_log_sanitizer_new ("relative/dir");
  g_autofree char *empty = va_log_sanitizer_sanitize (sanitizer, "");
  g_autofree char *invalid = va_log_sanitizer_sanitize (sanitizer, "\xff\xfe " KEY " \xc3");
  g_autofree char *no_root = va_log_sanitizer_sanitize (sanitizer, "/var/lib/x/y.db");

  g_assert_null (va_log_sanitizer_sanitize (sanitizer, NULL));
  g_assert_cmpstr (empty, ==, "");
  g_assert_true (g_utf8_validate (invalid, -1, NULL));
  g_assert_nonnull (strstr (invalid, SHOWN));
  g_assert_null (strstr (invalid, KEY_BODY));
  g_assert_cmpstr (no_root, ==, "…/y.db");
  /* a relative data dir cannot be matched and is ignored */
  g_assert_null (va_log_sanitizer_get_data_dir (relative));
}

/* Long and pathological inputs: linear time, correct result. */
static void
test_long_inputs (void)
{
  g_autoptr (VaLogSanitizer) sanitizer = va_log_sanitizer_new (DATA_DIR);
  g_autoptr (GString) big = g_string_new (NULL);
  g_autoptr (GString) ats = g_string_new (NULL);
  g_autoptr (GString) pairs = g_string_new (NULL);
  g_autoptr (GString) slashes = g_string_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *out_ats = NULL;
  g_autofree char *out_pairs = NULL;
  g_autofree char *out_slashes = NULL;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < 200000; i++)
    g_string_append_c (big, 'a' + i % 26);
  g_string_append (big, " " KEY " ");
  for (guint i = 0; i < 200000; i++)
    g_string_append_c (big, 'a');
  g_string_append (big, "@lab.edu");
  out = va_log_sanitizer_sanitize (sanitizer, big->str);
  g_assert_null (strstr (out, KEY_BODY));
  g_assert_nonnull (strstr (out, SHOWN));
  g_assert_true (g_str_has_suffix (out, " a***@lab.edu"));

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (ats, '@');
  out_ats = va_log_sanitizer_sanitize (sanitizer, ats->str);
  g_assert_cmpstr (out_ats, ==, ats->str);

  for (guint i = 0; i < 50000; i++)
    g_string_append (pairs, "a@b.");
  out_pairs = va_log_sanitizer_sanitize (sanitizer, pairs->str);
  g_assert_cmpuint (strlen (out_pairs), >, 0);

  for (guint i = 0; i < 50000; i++)
    g_string_append (slashes, "/home/a b/");
  /* each one starts a path that would run to the end; unclosed quotes */
  for (guint i = 0; i < 30000; i++)
    g_string_append (slashes, "(/api/x “/home/y ");
  out_slashes = va_log_sanitizer_sanitize (sanitizer, slashes->str);
  g_assert_cmpuint (strlen (out_slashes), <, slashes->len);

  /* generous bound even under sanitizers; a quadratic scan takes minutes */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
}

static void
test_json (void)
{
  g_autoptr (VaLogSanitizer) sanitizer = va_log_sanitizer_new (DATA_DIR);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) clean = NULL;
  g_autofree char *original = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser,
                              "{\"message\":\"key " KEY "\",\"n\":3,\"ok\":true,\"none\":null,"
                              "\"user\":{\"email\":\"alice@lab.edu\",\"va_api_key\":1},"
                              "\"files\":[\"" DATA_DIR "/storage/a.mp4\",[\"/home/bob/b.mp4\"]]}",
                              -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  original = json_to_string (root, FALSE);
  clean = va_log_sanitizer_sanitize_json (sanitizer, root);
  json_generator_set_root (generator, clean);
  text = json_generator_to_data (generator, NULL);
  /* the input is left alone */
  {
    g_autofree char *after = json_to_string (root, FALSE);
    g_assert_cmpstr (after, ==, original);
    g_assert_nonnull (strstr (after, KEY));
  }
  g_assert_null (va_log_sanitizer_sanitize_json (sanitizer, NULL));
  g_assert_cmpstr (text, ==,
                   "{\"message\":\"key " SHOWN "\",\"n\":3,\"ok\":true,\"none\":null,"
                   "\"user\":{\"email\":\"a***@lab.edu\",\"va_api_key\":1},"
                   "\"files\":[\"storage/a.mp4\",[\"…/b.mp4\"]]}");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/log-sanitizer/keys", test_keys);
  g_test_add_func ("/log-sanitizer/keys-random", test_keys_random);
  g_test_add_func ("/log-sanitizer/emails", test_emails);
  g_test_add_func ("/log-sanitizer/paths", test_paths);
  g_test_add_func ("/log-sanitizer/roots", test_roots);
  g_test_add_func ("/log-sanitizer/combined", test_combined);
  g_test_add_func ("/log-sanitizer/edge-inputs", test_edge_inputs);
  g_test_add_func ("/log-sanitizer/long-inputs", test_long_inputs);
  g_test_add_func ("/log-sanitizer/json", test_json);
  return g_test_run ();
}
