/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-byte-range.h"

typedef struct {
  const char *header;
  guint64 size;
  VaByteRangeResult result;
  guint64 start;
  guint64 length;
} Case;

static void
test_byte_range_cases (void)
{
  static const Case cases[] = {
    { NULL, 1000, VA_BYTE_RANGE_WHOLE, 0, 1000 },
    { "bytes=0-499", 1000, VA_BYTE_RANGE_PARTIAL, 0, 500 },
    { "bytes=500-", 1000, VA_BYTE_RANGE_PARTIAL, 500, 500 },
    { "bytes=-200", 1000, VA_BYTE_RANGE_PARTIAL, 800, 200 },
    { "bytes=-5000", 1000, VA_BYTE_RANGE_PARTIAL, 0, 1000 },
    { "bytes=999-999", 1000, VA_BYTE_RANGE_PARTIAL, 999, 1 },
    { "bytes=900-5000", 1000, VA_BYTE_RANGE_PARTIAL, 900, 100 },
    { " Bytes = 10 - 19 ", 1000, VA_BYTE_RANGE_WHOLE, 0, 1000 }, /* OWS only around '=' */
    { "Bytes = 10-19 ", 1000, VA_BYTE_RANGE_PARTIAL, 10, 10 },
    { "bytes=1000-", 1000, VA_BYTE_RANGE_UNSATISFIABLE, 0, 0 },
    { "bytes=5000-6000", 1000, VA_BYTE_RANGE_UNSATISFIABLE, 0, 0 },
    { "bytes=-0", 1000, VA_BYTE_RANGE_UNSATISFIABLE, 0, 0 },
    { "bytes=0-", 0, VA_BYTE_RANGE_UNSATISFIABLE, 0, 0 },
    { "bytes=-1", 0, VA_BYTE_RANGE_UNSATISFIABLE, 0, 0 },
    /* ignored: the whole video */
    { "bytes=9-3", 1000, VA_BYTE_RANGE_WHOLE, 0, 1000 },
    { "bytes=0-1,5-6", 1000, VA_BYTE_RANGE_WHOLE, 0, 1000 },
    { "items=0-1", 1000, VA_BYTE_RANGE_WHOLE, 0, 1000 },
    { "bytes=", 1000, VA_BYTE_RANGE_WHOLE, 0, 1000 },
    { "bytes=-", 1000, VA_BYTE_RANGE_WHOLE, 0, 1000 },
    { "bytes=a-b", 1000, VA_BYTE_RANGE_WHOLE, 0, 1000 },
    { "bytes=+1-2", 1000, VA_BYTE_RANGE_WHOLE, 0, 1000 },
    { "bytes=1-2x", 1000, VA_BYTE_RANGE_WHOLE, 0, 1000 },
    /* numbers beyond 64 bits saturate */
    { "bytes=99999999999999999999999-", 1000, VA_BYTE_RANGE_UNSATISFIABLE, 0, 0 },
    { "bytes=0-99999999999999999999999", 1000, VA_BYTE_RANGE_PARTIAL, 0, 1000 },
    { "bytes=-99999999999999999999999", 1000, VA_BYTE_RANGE_PARTIAL, 0, 1000 },
    { "bytes=0-", G_MAXUINT64, VA_BYTE_RANGE_PARTIAL, 0, G_MAXUINT64 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    const Case *c = &cases[i];
    VaByteRange range;

    g_test_message ("Range: %s (size %" G_GUINT64_FORMAT ")", c->header, c->size);
    va_byte_range_parse (c->header, c->size, &range);
    g_assert_cmpint (range.result, ==, c->result);
    g_assert_cmpuint (range.size, ==, c->size);
    if (c->result != VA_BYTE_RANGE_UNSATISFIABLE)
      g_assert_cmpuint (range.start, ==, c->start);
    g_assert_cmpuint (range.length, ==, c->length);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/byte-range/cases", test_byte_range_cases);
  return g_test_run ();
}
