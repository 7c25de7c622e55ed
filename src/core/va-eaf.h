/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One tier of an ELAN document: time-aligned annotations (milliseconds). */
typedef struct {
  char *id;
  GArray *spans; /* VaEafSpan */
} VaEafTier;

typedef struct {
  gint64 start_ms;
  gint64 end_ms;
  char *value;
} VaEafSpan;

VaEafTier *va_eaf_tier_new (const char *id);
void va_eaf_tier_free (VaEafTier *tier);
void va_eaf_tier_add (VaEafTier *tier, double start_seconds, double end_seconds, const char *value);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaEafTier, va_eaf_tier_free)

GBytes *va_eaf_write (GPtrArray *tiers, const char *media_name, GDateTime *date, GError **error);

/* the readers of our own result files (va-eaf-sources.c) */
gboolean va_eaf_read_webvtt (const char *text, VaEafTier *tier);
gboolean va_eaf_read_rttm (const char *text, GPtrArray *tiers);
gboolean va_eaf_read_voice_csv (const char *text, VaEafTier *tier);
gboolean va_eaf_read_scenes (const char *text, VaEafTier *tier);

G_END_DECLS
