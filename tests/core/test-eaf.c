/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "va-eaf.h"

/* The ELAN writer and the readers of our result files. The document is
 * parsed back with libxml2 and its EAF 3.0 structure checked. */

static xmlDocPtr
parse (GBytes *bytes)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);
  xmlDocPtr doc = xmlReadMemory (data, (int)length, "test.eaf", "UTF-8", XML_PARSE_NONET);

  g_assert_nonnull (doc);
  return doc;
}

static const char *
prop (xmlNodePtr node, const char *name)
{
  static char buf[4][512];
  static guint next;
  xmlChar *value = xmlGetProp (node, BAD_CAST name);
  char *out = buf[next++ % 4];

  g_assert_nonnull (value);
  g_strlcpy (out, (const char *)value, sizeof buf[0]);
  xmlFree (value);
  return out;
}

static void
test_eaf_hostile_values (void)
{
  g_autoptr (GPtrArray) tiers = g_ptr_array_new_with_free_func ((GDestroyNotify)va_eaf_tier_free);
  g_autoptr (GDateTime) date = g_date_time_new_utc (2026, 12, 7, 12, 0, 0);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  VaEafTier *tier = va_eaf_tier_new ("Speaker <\"&'>");
  xmlDocPtr doc;
  xmlNodePtr root, n;
  g_autoptr (GHashTable) slots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 last = -1;
  guint n_tiers = 0, n_annotations = 0;

  va_eaf_tier_add (tier, 1.5, 2.25, "a < b && c > \"d\" ]]> </ANNOTATION_VALUE>");
  va_eaf_tier_add (tier, 0.0, 0.0, "zero length");
  g_ptr_array_add (tiers, tier);
  tier = va_eaf_tier_new ("Scenes");
  va_eaf_tier_add (tier, 0.0, 1.5, "Scene 1");
  g_ptr_array_add (tiers, tier);

  bytes = va_eaf_write (tiers, "my clip&<1>.mp4", date, &error);
  g_assert_no_error (error);
  doc = parse (bytes);
  root = xmlDocGetRootElement (doc);
  g_assert_cmpstr ((const char *)root->name, ==, "ANNOTATION_DOCUMENT");
  g_assert_cmpstr (prop (root, "FORMAT"), ==, "3.0");
  g_assert_cmpstr (prop (root, "VERSION"), ==, "3.0");
  g_assert_cmpstr (prop (root, "AUTHOR"), ==, "VideoAnnotator");
  g_assert_cmpstr (prop (root, "DATE"), ==, "2026-12-07T12:00:00+00:00");

  for (n = root->children; n != NULL; n = n->next) {
    if (n->type != XML_ELEMENT_NODE)
      continue;
    if (xmlStrEqual (n->name, BAD_CAST "HEADER")) {
      xmlNodePtr m = xmlFirstElementChild (n);
      g_assert_cmpstr (prop (n, "TIME_UNITS"), ==, "milliseconds");
      g_assert_cmpstr ((const char *)m->name, ==, "MEDIA_DESCRIPTOR");
      g_assert_cmpstr (prop (m, "MIME_TYPE"), ==, "video/mp4");
      g_assert_cmpstr (prop (m, "RELATIVE_MEDIA_URL"), ==, "./my%20clip%26%3C1%3E.mp4");
    } else if (xmlStrEqual (n->name, BAD_CAST "TIME_ORDER")) {
      for (xmlNodePtr s = xmlFirstElementChild (n); s != NULL; s = xmlNextElementSibling (s)) {
        gint64 value = g_ascii_strtoll (prop (s, "TIME_VALUE"), NULL, 10);
        g_assert_cmpint (value, >, last);
        last = value;
        g_hash_table_add (slots, g_strdup (prop (s, "TIME_SLOT_ID")));
      }
    } else if (xmlStrEqual (n->name, BAD_CAST "TIER")) {
      n_tiers++;
      g_assert_cmpstr (prop (n, "LINGUISTIC_TYPE_REF"), ==, "default-lt");
      for (xmlNodePtr a = xmlFirstElementChild (n); a != NULL; a = xmlNextElementSibling (a)) {
        xmlNodePtr al = xmlFirstElementChild (a);
        g_assert_cmpstr ((const char *)al->name, ==, "ALIGNABLE_ANNOTATION");
        g_assert_true (g_hash_table_contains (slots, prop (al, "TIME_SLOT_REF1")));
        g_assert_true (g_hash_table_contains (slots, prop (al, "TIME_SLOT_REF2")));
        g_assert_cmpstr (prop (al, "TIME_SLOT_REF1"), !=, prop (al, "TIME_SLOT_REF2"));
        n_annotations++;
      }
    }
  }
  g_assert_cmpuint (n_tiers, ==, 2);
  g_assert_cmpuint (n_annotations, ==, 3);
  /* 0, 1, 1500, 2250: shared slots, ascending */
  g_assert_cmpuint (g_hash_table_size (slots), ==, 4);
  {
    xmlNodePtr tier_node = NULL;
    xmlChar *text;
    for (n = root->children; n != NULL && tier_node == NULL; n = n->next)
      if (n->type == XML_ELEMENT_NODE && xmlStrEqual (n->name, BAD_CAST "TIER"))
        tier_node = n;
    g_assert_cmpstr (prop (tier_node, "TIER_ID"), ==, "Speaker <\"&'>");
    text = xmlNodeGetContent (
        xmlFirstElementChild (xmlFirstElementChild (xmlFirstElementChild (tier_node))));
    g_assert_cmpstr ((const char *)text, ==, "a < b && c > \"d\" ]]> </ANNOTATION_VALUE>");
    xmlFree (text);
  }
  xmlFreeDoc (doc);
}

static void
test_eaf_readers (void)
{
  g_autoptr (GPtrArray) tiers = g_ptr_array_new_with_free_func ((GDestroyNotify)va_eaf_tier_free);
  g_autoptr (VaEafTier) speech = va_eaf_tier_new ("Speech");
  g_autoptr (VaEafTier) voice = va_eaf_tier_new ("Voice activity");
  g_autoptr (VaEafTier) scenes = va_eaf_tier_new ("Scenes");
  VaEafSpan *span;

  va_eaf_read_webvtt ("WEBVTT\n\nNOTE provenance\n{\"a\": 1}\n\n1\n00:00:01.500 --> 00:00:03.250\n"
                      "<v SPEAKER_00>hello &amp; good&lt;bye\nsecond line\n\n"
                      "2\n00:01:00.000 --> broken\nnothing\n",
                      speech);
  g_assert_cmpuint (speech->spans->len, ==, 1);
  span = &g_array_index (speech->spans, VaEafSpan, 0);
  g_assert_cmpint (span->start_ms, ==, 1500);
  g_assert_cmpint (span->end_ms, ==, 3250);
  g_assert_cmpstr (span->value, ==, "hello & good<bye second line");

  va_eaf_read_rttm ("SPEAKER clip 1 0.500 1.250 <NA> <NA> SPEAKER_00 <NA> <NA>\n"
                    "SPEAKER clip 1 2.000 0.500 <NA> <NA> SPEAKER_01 <NA> <NA>\n"
                    "SPEAKER clip 1 3.000 0.250 <NA> <NA> SPEAKER_00 <NA> <NA>\n"
                    "garbage line\nSPEAKER clip 1 x 1 <NA> <NA> S <NA> <NA>\n",
                    tiers);
  g_assert_cmpuint (tiers->len, ==, 2);
  g_assert_cmpstr (((VaEafTier *)tiers->pdata[0])->id, ==, "Speaker SPEAKER_00");
  g_assert_cmpuint (((VaEafTier *)tiers->pdata[0])->spans->len, ==, 2);
  g_assert_cmpint (g_array_index (((VaEafTier *)tiers->pdata[0])->spans, VaEafSpan, 0).end_ms, ==,
                   1750);

  va_eaf_read_voice_csv ("start,end,duration\n0.100,0.900,0.800\nbad,row\n2.000,2.500,0.500\n",
                         voice);
  g_assert_cmpuint (voice->spans->len, ==, 2);

  g_assert_true (va_eaf_read_scenes (
      "{\"annotations\":[{\"start_time\":0,\"end_time\":2.5},{\"start_time\":2.5,"
      "\"end_time\":5.0}],\"images\":[]}",
      scenes));
  g_assert_cmpuint (scenes->spans->len, ==, 2);
  g_assert_cmpstr (g_array_index (scenes->spans, VaEafSpan, 1).value, ==, "Scene 2");
  g_assert_false (va_eaf_read_scenes ("not json", scenes));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/eaf/hostile-values", test_eaf_hostile_values);
  g_test_add_func ("/eaf/readers", test_eaf_readers);
  return g_test_run ();
}
