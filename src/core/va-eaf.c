/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libxml/xmlwriter.h>

#include "va-eaf.h"
#include "va-error.h"

/* ELAN Annotation Format 3.0 (https://www.mpi.nl/tools/elan/EAFv3.0.xsd),
 * written with libxml2's xmlTextWriter so that every value is escaped:
 * ANNOTATION_DOCUMENT → HEADER (one MEDIA_DESCRIPTOR, milliseconds) →
 * TIME_ORDER (slots ascending by time) → TIERs of ALIGNABLE_ANNOTATIONs →
 * one time-alignable LINGUISTIC_TYPE every tier references → the four
 * standard CONSTRAINTs. */

#define VA_EAF_LINGUISTIC_TYPE "default-lt"

VaEafTier *
va_eaf_tier_new (const char *id)
{
  VaEafTier *tier = g_new0 (VaEafTier, 1);

  tier->id = g_strdup (id);
  tier->spans = g_array_new (FALSE, FALSE, sizeof (VaEafSpan));
  return tier;
}

void
va_eaf_tier_free (VaEafTier *tier)
{
  if (tier == NULL)
    return;
  for (guint i = 0; i < tier->spans->len; i++)
    g_free (g_array_index (tier->spans, VaEafSpan, i).value);
  g_array_unref (tier->spans);
  g_free (tier->id);
  g_free (tier);
}

/* A span of no length gets one millisecond: an ELAN annotation needs two
 * distinct slots. */
void
va_eaf_tier_add (VaEafTier *tier, double start_seconds, double end_seconds, const char *value)
{
  VaEafSpan span;

  span.start_ms = (gint64)(MAX (start_seconds, 0.0) * 1000.0 + 0.5);
  span.end_ms = (gint64)(MAX (end_seconds, 0.0) * 1000.0 + 0.5);
  if (span.end_ms <= span.start_ms)
    span.end_ms = span.start_ms + 1;
  span.value = g_strdup (value != NULL ? value : "");
  g_array_append_val (tier->spans, span);
}

static int
va_eaf_compare_ms (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

/* the slot id of a time: its 1-based rank among the distinct times */
static guint
va_eaf_slot_of (GArray *times, gint64 ms)
{
  guint lo = 0, hi = times->len;

  while (lo < hi) {
    guint mid = (lo + hi) / 2;
    if (g_array_index (times, gint64, mid) < ms)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo + 1;
}

static const char *
va_eaf_mime_type (const char *media_name)
{
  g_autofree char *lower = g_ascii_strdown (media_name != NULL ? media_name : "", -1);

  if (g_str_has_suffix (lower, ".mp4") || g_str_has_suffix (lower, ".m4v"))
    return "video/mp4";
  if (g_str_has_suffix (lower, ".wav"))
    return "audio/x-wav";
  if (g_str_has_suffix (lower, ".mpg") || g_str_has_suffix (lower, ".mpeg"))
    return "video/mpeg";
  return "unknown";
}

#define CHECK(call)                                                                                \
  G_STMT_START                                                                                     \
  {                                                                                                \
    if ((call) < 0)                                                                                \
      goto fail;                                                                                   \
  }                                                                                                \
  G_STMT_END

static const struct {
  const char *stereotype;
  const char *description;
} va_eaf_constraints[] = {
  { "Time_Subdivision", "Time subdivision of parent annotation's time interval, no time gaps "
                        "allowed within this interval" },
  { "Symbolic_Subdivision", "Symbolic subdivision of a parent annotation. Annotations refering to "
                            "the same parent are ordered" },
  { "Symbolic_Association", "1-1 association with a parent annotation" },
  { "Included_In", "Time alignable annotations within the parent annotation's time interval, gaps "
                   "are allowed" },
};

/**
 * va_eaf_write:
 * @tiers: (element-type VaEafTier): the tiers, in order; ids unique
 * @media_name: the video's file name, for the media descriptor
 * @date: when the document is made
 *
 * Returns: (transfer full) (nullable): the document, UTF-8
 */
GBytes *
va_eaf_write (GPtrArray *tiers, const char *media_name, GDateTime *date, GError **error)
{
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *date_text = g_date_time_format (date, "%Y-%m-%dT%H:%M:%S%:z");
  g_autofree char *url = NULL;
  g_autofree char *relative = NULL;
  xmlBufferPtr buffer = xmlBufferCreate ();
  xmlTextWriterPtr w = xmlNewTextWriterMemory (buffer, 0);
  guint n_annotations = 0, next_id = 0;
  GBytes *bytes;

  for (guint t = 0; t < tiers->len; t++) {
    VaEafTier *tier = g_ptr_array_index (tiers, t);
    for (guint i = 0; i < tier->spans->len; i++) {
      VaEafSpan *span = &g_array_index (tier->spans, VaEafSpan, i);
      g_array_append_val (times, span->start_ms);
      g_array_append_val (times, span->end_ms);
      n_annotations++;
    }
  }
  g_array_sort (times, va_eaf_compare_ms);
  for (guint i = 1; i < times->len;) {
    if (g_array_index (times, gint64, i) == g_array_index (times, gint64, i - 1))
      g_array_remove_index (times, i);
    else
      i++;
  }
  {
    g_autofree char *escaped
        = g_uri_escape_string (media_name != NULL ? media_name : "video", NULL, FALSE);
    url = g_strconcat ("file:///", escaped, NULL);
    relative = g_strconcat ("./", escaped, NULL);
  }

  xmlTextWriterSetIndent (w, 1);
  CHECK (xmlTextWriterStartDocument (w, "1.0", "UTF-8", NULL));
  CHECK (xmlTextWriterStartElement (w, BAD_CAST "ANNOTATION_DOCUMENT"));
  CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "AUTHOR", BAD_CAST "VideoAnnotator"));
  CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "DATE", BAD_CAST date_text));
  CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "FORMAT", BAD_CAST "3.0"));
  CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "VERSION", BAD_CAST "3.0"));
  CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "xmlns:xsi",
                                      BAD_CAST "http://www.w3.org/2001/XMLSchema-instance"));
  CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "xsi:noNamespaceSchemaLocation",
                                      BAD_CAST "http://www.mpi.nl/tools/elan/EAFv3.0.xsd"));

  CHECK (xmlTextWriterStartElement (w, BAD_CAST "HEADER"));
  CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "MEDIA_FILE", BAD_CAST ""));
  CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "TIME_UNITS", BAD_CAST "milliseconds"));
  CHECK (xmlTextWriterStartElement (w, BAD_CAST "MEDIA_DESCRIPTOR"));
  CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "MEDIA_URL", BAD_CAST url));
  CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "MIME_TYPE",
                                      BAD_CAST va_eaf_mime_type (media_name)));
  CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "RELATIVE_MEDIA_URL", BAD_CAST relative));
  CHECK (xmlTextWriterEndElement (w));
  CHECK (xmlTextWriterStartElement (w, BAD_CAST "PROPERTY"));
  CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "NAME", BAD_CAST "lastUsedAnnotationId"));
  CHECK (xmlTextWriterWriteFormatString (w, "%u", n_annotations));
  CHECK (xmlTextWriterEndElement (w));
  CHECK (xmlTextWriterEndElement (w)); /* HEADER */

  CHECK (xmlTextWriterStartElement (w, BAD_CAST "TIME_ORDER"));
  for (guint i = 0; i < times->len; i++) {
    CHECK (xmlTextWriterStartElement (w, BAD_CAST "TIME_SLOT"));
    CHECK (xmlTextWriterWriteFormatAttribute (w, BAD_CAST "TIME_SLOT_ID", "ts%u", i + 1));
    CHECK (xmlTextWriterWriteFormatAttribute (w, BAD_CAST "TIME_VALUE", "%" G_GINT64_FORMAT,
                                              g_array_index (times, gint64, i)));
    CHECK (xmlTextWriterEndElement (w));
  }
  CHECK (xmlTextWriterEndElement (w));

  for (guint t = 0; t < tiers->len; t++) {
    VaEafTier *tier = g_ptr_array_index (tiers, t);

    CHECK (xmlTextWriterStartElement (w, BAD_CAST "TIER"));
    CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "LINGUISTIC_TYPE_REF",
                                        BAD_CAST VA_EAF_LINGUISTIC_TYPE));
    CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "TIER_ID", BAD_CAST tier->id));
    for (guint i = 0; i < tier->spans->len; i++) {
      VaEafSpan *span = &g_array_index (tier->spans, VaEafSpan, i);

      CHECK (xmlTextWriterStartElement (w, BAD_CAST "ANNOTATION"));
      CHECK (xmlTextWriterStartElement (w, BAD_CAST "ALIGNABLE_ANNOTATION"));
      CHECK (xmlTextWriterWriteFormatAttribute (w, BAD_CAST "ANNOTATION_ID", "a%u", ++next_id));
      CHECK (xmlTextWriterWriteFormatAttribute (w, BAD_CAST "TIME_SLOT_REF1", "ts%u",
                                                va_eaf_slot_of (times, span->start_ms)));
      CHECK (xmlTextWriterWriteFormatAttribute (w, BAD_CAST "TIME_SLOT_REF2", "ts%u",
                                                va_eaf_slot_of (times, span->end_ms)));
      CHECK (xmlTextWriterWriteElement (w, BAD_CAST "ANNOTATION_VALUE", BAD_CAST span->value));
      CHECK (xmlTextWriterEndElement (w));
      CHECK (xmlTextWriterEndElement (w));
    }
    CHECK (xmlTextWriterEndElement (w));
  }

  CHECK (xmlTextWriterStartElement (w, BAD_CAST "LINGUISTIC_TYPE"));
  CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "GRAPHIC_REFERENCES", BAD_CAST "false"));
  CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "LINGUISTIC_TYPE_ID",
                                      BAD_CAST VA_EAF_LINGUISTIC_TYPE));
  CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "TIME_ALIGNABLE", BAD_CAST "true"));
  CHECK (xmlTextWriterEndElement (w));
  for (guint i = 0; i < G_N_ELEMENTS (va_eaf_constraints); i++) {
    CHECK (xmlTextWriterStartElement (w, BAD_CAST "CONSTRAINT"));
    CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "DESCRIPTION",
                                        BAD_CAST va_eaf_constraints[i].description));
    CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "STEREOTYPE",
                                        BAD_CAST va_eaf_constraints[i].stereotype));
    CHECK (xmlTextWriterEndElement (w));
  }
  CHECK (xmlTextWriterEndDocument (w));
  xmlFreeTextWriter (w);
  bytes = g_bytes_new (xmlBufferContent (buffer), xmlBufferLength (buffer));
  xmlBufferFree (buffer);
  return bytes;

fail:
  xmlFreeTextWriter (w);
  xmlBufferFree (buffer);
  g_set_error_literal (error, VA_ERROR, VA_ERROR_INTERNAL, N_ ("Cannot write the ELAN document"));
  return NULL;
}
