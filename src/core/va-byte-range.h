/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * VaByteRangeResult:
 * @VA_BYTE_RANGE_WHOLE: no usable Range (absent, another unit, malformed or
 *   several ranges): send the whole representation with 200
 * @VA_BYTE_RANGE_PARTIAL: one satisfiable range: send it with 206
 * @VA_BYTE_RANGE_UNSATISFIABLE: a well-formed range that selects no byte:
 *   answer 416 with `Content-Range: bytes * /size`
 */
typedef enum {
  VA_BYTE_RANGE_WHOLE,
  VA_BYTE_RANGE_PARTIAL,
  VA_BYTE_RANGE_UNSATISFIABLE,
} VaByteRangeResult;

/**
 * VaByteRange:
 * @result: what to answer
 * @size: the representation's length
 * @start: first byte to send
 * @length: number of bytes to send (@size for a whole answer)
 */
typedef struct {
  VaByteRangeResult result;
  guint64 size;
  guint64 start;
  guint64 length;
} VaByteRange;

void va_byte_range_parse (const char *header, guint64 size, VaByteRange *range);

G_END_DECLS
