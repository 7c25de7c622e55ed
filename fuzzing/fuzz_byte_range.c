/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "fuzz.h"
#include "va-byte-range.h"

/* The Range header of GET /api/v1/jobs/{id}/video is client input. The
 * first line of the input is the representation's size (decimal, may be
 * absurd), the rest is the header. Whatever the header, the answer must
 * stay inside the representation: a partial answer is non-empty and ends
 * at or before the last byte, a whole one is the whole thing, an
 * unsatisfiable one sends nothing. */

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  va_fuzz_init_common ();
  return 0;
}

static void
va_fuzz_check (const char *header, guint64 size)
{
  VaByteRange range;

  va_byte_range_parse (header, size, &range);
  g_assert_cmpuint (range.size, ==, size);
  switch (range.result) {
  case VA_BYTE_RANGE_WHOLE:
    g_assert_cmpuint (range.start, ==, 0);
    g_assert_cmpuint (range.length, ==, size);
    break;
  case VA_BYTE_RANGE_PARTIAL:
    g_assert_cmpuint (range.length, >, 0);
    g_assert_cmpuint (range.start, <, size);
    g_assert_cmpuint (range.length, <=, size - range.start);
    break;
  case VA_BYTE_RANGE_UNSATISFIABLE:
    g_assert_cmpuint (range.length, ==, 0);
    break;
  default:
    g_assert_not_reached ();
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const uint8_t *rest = NULL;
  size_t rest_size = 0;
  g_autofree char *first = va_fuzz_split_line (data, size, &rest, &rest_size);
  g_autofree char *header = va_fuzz_strndup (rest, rest_size);
  guint64 length = g_ascii_strtoull (first, NULL, 10);

  va_fuzz_check (header, length);
  /* the same header against the sizes where edge cases live */
  va_fuzz_check (header, 0);
  va_fuzz_check (header, 1);
  va_fuzz_check (header, G_MAXUINT64);
  return 0;
}
