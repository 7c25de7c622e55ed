/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "fuzz.h"
#include "va-cron.h"
#include "va-error.h"

/* The cron expressions of the `cleanup-schedule` setting (environment,
 * key file, --cleanup-schedule): va_cron_new() and va_cron_next()
 * (src/core/va-cron.c), which the retention schedule calls with the local
 * time. Input: the expression, '\n', then one byte choosing a time zone
 * (some with daylight saving time, one with a 30-minute shift) and up to
 * four bytes of seconds after 2026-01-01 as the start.
 *
 * A refused expression gives an error and nothing else. An accepted one
 * is made of the grammar's characters only, and the next run is a whole minute strictly after the
 * start that the schedule matches, no minute just before it (and after the start) matches, and
 * asking again from just before it finds it again. */

static const char *const va_fuzz_zones[]
    = { "UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu" };

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  va_fuzz_init_common ();
  return 0;
}

static GDateTime *
va_fuzz_start (const uint8_t *rest, size_t rest_size)
{
  g_autoptr (GTimeZone) zone = NULL;
  g_autoptr (GDateTime) base = NULL;
  guint32 offset = 0;

  if (rest_size > 0)
    zone = g_time_zone_new_identifier (va_fuzz_zones[rest[0] % G_N_ELEMENTS (va_fuzz_zones)]);
  if (zone == NULL) /* no tzdata: UTC */
    zone = g_time_zone_new_utc ();
  for (size_t i = 1; i < rest_size && i < 5; i++)
    offset = (offset << 8) | rest[i];
  base = g_date_time_new (zone, 2026, 1, 1, 0, 0, 0);
  /* within about four years, seconds included */
  return g_date_time_add_seconds (base, offset % (4 * 366 * 24 * 3600));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const uint8_t *rest;
  size_t rest_size;
  g_autofree char *spec = va_fuzz_split_line (data, size, &rest, &rest_size);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaCron) cron = va_cron_new (spec, &error);
  g_autoptr (GDateTime) start = NULL;
  g_autoptr (GDateTime) next = NULL;

  if (cron == NULL) {
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
    return 0;
  }
  g_assert_no_error (error);
  /* the grammar: numbers, *, ranges, lists, steps, blanks */
  for (const char *c = spec; *c != '\0'; c++)
    g_assert_nonnull (strchr ("0123456789*/-, \t", *c));
  start = va_fuzz_start (rest, rest_size);
  next = va_cron_next (cron, start);
  if (next == NULL)
    return 0;
  g_assert_cmpint (g_date_time_compare (next, start), >, 0);
  g_assert_cmpint (g_date_time_get_second (next), ==, 0);
  g_assert_true (va_cron_matches (cron, next));
  {
    g_autoptr (GDateTime) before = g_date_time_add_minutes (next, -1);
    g_autoptr (GDateTime) just_before = g_date_time_add_seconds (next, -1);
    g_autoptr (GDateTime) again = va_cron_next (cron, just_before);

    if (g_date_time_compare (before, start) > 0)
      g_assert_false (va_cron_matches (cron, before));
    g_assert_nonnull (again);
    g_assert_cmpint (g_date_time_compare (again, next), ==, 0);
  }
  return 0;
}
