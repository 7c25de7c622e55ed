/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "fuzz.h"
#include "va-http-multipart.h"

/* The multipart/form-data parser of POST /api/v1/jobs (va-http-multipart.c).
 * Input: the boundary, '\n', one byte choosing how the body is cut into
 * network chunks, then the body. The body is parsed twice, whole and in
 * chunks, and both runs must report the same parts with the same data:
 * the parser is incremental, so where the socket happens to split the
 * stream must not change what it sees. */

typedef struct {
  GString *transcript;
  gboolean in_part;
} VaFuzzParts;

static gboolean
va_fuzz_part_begin (gpointer user_data, const char *name, const char *filename,
                    const char *content_type, GError **error)
{
  VaFuzzParts *parts = user_data;

  g_assert_false (parts->in_part);
  g_assert_nonnull (name);
  g_assert_true (*name != '\0');
  parts->in_part = TRUE;
  g_string_append_printf (parts->transcript, "\n<begin name=%s filename=%s type=%s>\n", name,
                          filename ? filename : "(null)", content_type ? content_type : "(null)");
  return TRUE;
}

static gboolean
va_fuzz_part_data (gpointer user_data, const guint8 *data, gsize length, GError **error)
{
  VaFuzzParts *parts = user_data;

  g_assert_true (parts->in_part);
  g_assert_cmpuint (length, >, 0);
  g_string_append_len (parts->transcript, (const char *)data, (gssize)length);
  return TRUE;
}

static gboolean
va_fuzz_part_end (gpointer user_data, GError **error)
{
  VaFuzzParts *parts = user_data;

  g_assert_true (parts->in_part);
  parts->in_part = FALSE;
  g_string_append (parts->transcript, "\n<end>\n");
  return TRUE;
}

static const VaHttpMultipartCallbacks va_fuzz_callbacks = {
  va_fuzz_part_begin,
  va_fuzz_part_data,
  va_fuzz_part_end,
};

/* Parses @body cut at sizes cycling through 1..@cut (0: in one piece);
 * returns the transcript and whether the body was accepted. */
static GString *
va_fuzz_parse (const char *boundary, const uint8_t *body, size_t size, guint cut,
               gboolean *accepted)
{
  VaFuzzParts parts = { g_string_new (NULL), FALSE };
  g_autoptr (VaHttpMultipart) mp = va_http_multipart_new (boundary, &va_fuzz_callbacks, &parts);
  g_autoptr (GError) error = NULL;
  size_t offset = 0;
  guint step = 0;

  *accepted = FALSE;
  if (mp == NULL)
    return parts.transcript;
  while (offset < size) {
    /* not MIN (…, step++ …): the macro would step twice */
    size_t want = cut == 0 ? size - offset : (size_t)(step++ % cut) + 1;
    size_t n = MIN (size - offset, want);

    if (!va_http_multipart_feed (mp, body + offset, n, &error)) {
      g_assert_nonnull (error);
      /* once failed, it stays failed */
      g_clear_error (&error);
      g_assert_false (va_http_multipart_feed (mp, (const guint8 *)"x", 1, &error));
      return parts.transcript;
    }
    g_assert_no_error (error);
    offset += n;
  }
  *accepted = va_http_multipart_finish (mp, &error);
  g_assert_true (*accepted == (error == NULL));
  /* a body accepted as complete has closed its last part */
  if (*accepted)
    g_assert_false (parts.in_part);
  return parts.transcript;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  va_fuzz_init_common ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const uint8_t *rest;
  size_t rest_size;
  g_autofree char *boundary = va_fuzz_split_line (data, size, &rest, &rest_size);
  g_autoptr (GString) whole = NULL;
  g_autoptr (GString) chunked = NULL;
  gboolean whole_ok, chunked_ok;
  guint cut;

  if (rest_size == 0)
    return 0;
  cut = rest[0] % 32 + 1;
  whole = va_fuzz_parse (boundary, rest + 1, rest_size - 1, 0, &whole_ok);
  chunked = va_fuzz_parse (boundary, rest + 1, rest_size - 1, cut, &chunked_ok);
  g_assert_true (whole_ok == chunked_ok);
  /* after an error the parts before it were seen by both; the one that
   * failed may have been cut at a different byte */
  if (whole_ok)
    g_assert_true (g_string_equal (whole, chunked));
  return 0;
}
