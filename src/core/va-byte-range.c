/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-byte-range.h"

/* The `Range` request header (RFC 9110 §14.1.2) for one representation of
 * known size: `bytes=first-last`, `bytes=first-` or `bytes=-suffix`. Only
 * a single range is served; several (a comma) are ignored like any other
 * range the server chooses not to honour, which RFC 9110 allows: the
 * answer is then the whole representation. The header is client input:
 * numbers saturate instead of overflowing and nothing is allocated. */

static const char *
va_byte_range_skip_ows (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* Reads 1*DIGIT; saturates at G_MAXUINT64. FALSE when there is no digit. */
static gboolean
va_byte_range_number (const char **p, guint64 *value)
{
  const char *q = *p;
  guint64 v = 0;

  if (!g_ascii_isdigit (*q))
    return FALSE;
  for (; g_ascii_isdigit (*q); q++) {
    guint digit = (guint)(*q - '0');

    if (v > (G_MAXUINT64 - digit) / 10)
      v = G_MAXUINT64;
    else
      v = v * 10 + digit;
  }
  *p = q;
  *value = v;
  return TRUE;
}

static void
va_byte_range_whole (VaByteRange *range, guint64 size)
{
  range->result = VA_BYTE_RANGE_WHOLE;
  range->size = size;
  range->start = 0;
  range->length = size;
}

/**
 * va_byte_range_parse:
 * @header: (nullable): the Range header's value
 * @size: the representation's length in bytes
 * @range: (out): what to send
 */
void
va_byte_range_parse (const char *header, guint64 size, VaByteRange *range)
{
  const char *p;
  guint64 first = 0, last = G_MAXUINT64;
  gboolean suffix = FALSE;

  va_byte_range_whole (range, size);
  if (header == NULL)
    return;
  p = va_byte_range_skip_ows (header);
  if (g_ascii_strncasecmp (p, "bytes", 5) != 0)
    return;
  p = va_byte_range_skip_ows (p + 5);
  if (*p != '=')
    return;
  p = va_byte_range_skip_ows (p + 1);

  if (*p == '-') {
    suffix = TRUE;
    p++;
    if (!va_byte_range_number (&p, &last))
      return;
  } else {
    if (!va_byte_range_number (&p, &first) || *p != '-')
      return;
    p++;
    if (g_ascii_isdigit (*p)) {
      va_byte_range_number (&p, &last);
      if (last < first)
        return; /* invalid: ignored, not unsatisfiable */
    }
  }
  p = va_byte_range_skip_ows (p);
  if (*p != '\0')
    return; /* several ranges, or trailing garbage */

  if (suffix) {
    /* the last @last bytes; none of an empty representation */
    if (last == 0 || size == 0) {
      range->result = VA_BYTE_RANGE_UNSATISFIABLE;
      range->length = 0;
      return;
    }
    range->start = last >= size ? 0 : size - last;
  } else {
    if (first >= size) {
      range->result = VA_BYTE_RANGE_UNSATISFIABLE;
      range->length = 0;
      return;
    }
    range->start = first;
    if (last > size - 1)
      last = size - 1;
  }
  range->result = VA_BYTE_RANGE_PARTIAL;
  range->length = suffix ? size - range->start : last - first + 1;
}
