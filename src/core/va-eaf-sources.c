/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "va-eaf.h"
#include "va-json.h"

/* Readers of the result files our own writers produce (libvameta), for
 * the ELAN export: WebVTT transcripts, RTTM speaker turns, the voice
 * activity CSV and the scene COCO file. A line they do not understand is
 * skipped: the export shows what could be read. */

static gboolean
va_eaf_parse_timestamp (const char *text, double *seconds)
{
  guint h = 0, m = 0, s = 0, ms = 0;

  if (sscanf (text, "%u:%u:%u.%u", &h, &m, &s, &ms) == 4) {
    *seconds = h * 3600.0 + m * 60.0 + s + ms / 1000.0;
    return TRUE;
  }
  if (sscanf (text, "%u:%u.%u", &m, &s, &ms) == 3) {
    *seconds = m * 60.0 + s + ms / 1000.0;
    return TRUE;
  }
  return FALSE;
}

/* cue text without voice tags (<v Speaker>…</v>), entities decoded */
static char *
va_eaf_cue_text (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0';) {
    if (*p == '<') {
      const char *end = strchr (p, '>');
      if (end == NULL)
        break;
      p = end + 1;
    } else if (g_str_has_prefix (p, "&amp;")) {
      g_string_append_c (out, '&');
      p += 5;
    } else if (g_str_has_prefix (p, "&lt;")) {
      g_string_append_c (out, '<');
      p += 4;
    } else if (g_str_has_prefix (p, "&gt;")) {
      g_string_append_c (out, '>');
      p += 4;
    } else {
      g_string_append_c (out, *p++);
    }
  }
  return g_strstrip (g_string_free (out, FALSE));
}

gboolean
va_eaf_read_webvtt (const char *text, VaEafTier *tier)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    char *arrow = strstr (lines[i], "-->");
    double start, end;
    g_autoptr (GString) cue = NULL;

    if (arrow == NULL)
      continue;
    *arrow = '\0';
    if (!va_eaf_parse_timestamp (g_strstrip (lines[i]), &start)
        || !va_eaf_parse_timestamp (g_strstrip (arrow + 3), &end))
      continue;
    cue = g_string_new (NULL);
    while (lines[i + 1] != NULL && *g_strstrip (lines[i + 1]) != '\0') {
      if (cue->len > 0)
        g_string_append_c (cue, ' ');
      g_string_append (cue, lines[++i]);
    }
    {
      g_autofree char *value = va_eaf_cue_text (cue->str);
      va_eaf_tier_add (tier, start, end, value);
    }
  }
  return TRUE;
}

static VaEafTier *
va_eaf_speaker_tier (GPtrArray *tiers, const char *speaker)
{
  g_autofree char *id = g_strdup_printf ("Speaker %s", speaker);
  VaEafTier *tier;

  for (guint i = 0; i < tiers->len; i++) {
    tier = g_ptr_array_index (tiers, i);
    if (g_str_equal (tier->id, id))
      return tier;
  }
  tier = va_eaf_tier_new (id);
  g_ptr_array_add (tiers, tier);
  return tier;
}

/* SPEAKER <uri> <channel> <start> <duration> <NA> <NA> <speaker> <NA> <NA>:
 * one tier per speaker, appended to @tiers */
gboolean
va_eaf_read_rttm (const char *text, GPtrArray *tiers)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto (GStrv) f = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
    g_autoptr (GPtrArray) fields = g_ptr_array_new ();
    char *end;
    double start, duration;

    for (guint k = 0; f[k] != NULL; k++) {
      if (*f[k] != '\0')
        g_ptr_array_add (fields, f[k]);
    }
    if (fields->len < 8 || !g_str_equal (g_ptr_array_index (fields, 0), "SPEAKER"))
      continue;
    start = g_ascii_strtod (g_ptr_array_index (fields, 3), &end);
    if (*end != '\0')
      continue;
    duration = g_ascii_strtod (g_ptr_array_index (fields, 4), &end);
    if (*end != '\0' || duration < 0)
      continue;
    va_eaf_tier_add (va_eaf_speaker_tier (tiers, g_ptr_array_index (fields, 7)), start,
                     start + duration, g_ptr_array_index (fields, 7));
  }
  return TRUE;
}

/* start,end,duration per line after the header */
gboolean
va_eaf_read_voice_csv (const char *text, VaEafTier *tier)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 1; lines[i] != NULL; i++) {
    g_auto (GStrv) f = g_strsplit (lines[i], ",", -1);
    char *end1, *end2;
    double start, stop;

    if (g_strv_length (f) < 2)
      continue;
    start = g_ascii_strtod (f[0], &end1);
    stop = g_ascii_strtod (f[1], &end2);
    if (*end1 != '\0' || (*end2 != '\0' && *end2 != '\r') || stop < start)
      continue;
    va_eaf_tier_add (tier, start, stop, "speech");
  }
  return TRUE;
}

/* the COCO scene file: annotations with start_time/end_time (seconds) */
gboolean
va_eaf_read_scenes (const char *text, VaEafTier *tier)
{
  g_autoptr (JsonNode) root = va_json_parse (text, -1, 256 * 1024 * 1024, NULL);
  JsonArray *annotations;
  guint n = 0;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  if (!json_object_has_member (json_node_get_object (root), "annotations")
      || !JSON_NODE_HOLDS_ARRAY (
          json_object_get_member (json_node_get_object (root), "annotations")))
    return FALSE;
  annotations = json_object_get_array_member (json_node_get_object (root), "annotations");
  for (guint i = 0; i < json_array_get_length (annotations); i++) {
    JsonNode *node = json_array_get_element (annotations, i);
    JsonObject *a;
    g_autofree char *label = NULL;

    if (!JSON_NODE_HOLDS_OBJECT (node))
      continue;
    a = json_node_get_object (node);
    if (!json_object_has_member (a, "start_time") || !json_object_has_member (a, "end_time"))
      continue;
    label = g_strdup_printf ("Scene %u", ++n);
    va_eaf_tier_add (tier, json_object_get_double_member (a, "start_time"),
                     json_object_get_double_member (a, "end_time"), label);
  }
  return TRUE;
}
