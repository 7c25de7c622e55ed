/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-cron.h"
#include "va-error.h"

static GDateTime *
utc (int year, int month, int day, int hour, int minute)
{
  return g_date_time_new_utc (year, month, day, hour, minute, 0);
}

/* the next time after @after, as "YYYY-MM-DD HH:MM", or "never" */
static char *
next_after (const char *spec, GDateTime *after)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VaCron) cron = va_cron_new (spec, &error);
  g_autoptr (GDateTime) next = NULL;

  g_assert_no_error (error);
  next = va_cron_next (cron, after);
  return next != NULL ? g_date_time_format (next, "%Y-%m-%d %H:%M") : g_strdup ("never");
}

static void
test_cron_next (void)
{
  /* Friday 27 November 2026, 23:51:30 */
  g_autoptr (GDateTime) now = g_date_time_new_utc (2026, 11, 27, 23, 51, 30);
  const struct {
    const char *spec;
    const char *next;
  } cases[] = {
    { "0 2 * * *", "2026-11-28 02:00" },        { "* * * * *", "2026-11-27 23:52" },
    { "*/15 * * * *", "2026-11-28 00:00" },     { "30 3 1 * *", "2026-12-01 03:30" },
    { "0 0 * * 0", "2026-11-29 00:00" },   /* Sunday */
    { "0 0 * * 7", "2026-11-29 00:00" },   /* 7 is Sunday too */
    { "0 0 * * 1-5", "2026-11-30 00:00" }, /* next weekday: Monday */
    { "0 12 15 * 1", "2026-11-30 12:00" }, /* both days restricted: either */
    { "0 0 29 2 *", "2028-02-29 00:00" },  /* the next leap day */
    { "59 23 31 12 *", "2026-12-31 23:59" },    { "0 0 31 2 *", "never" },
    { "0,30 8-9 * 1,7 *", "2027-01-01 08:00" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *next = next_after (cases[i].spec, now);
    g_test_message ("%s → %s", cases[i].spec, next);
    g_assert_cmpstr (next, ==, cases[i].next);
  }
  {
    /* "5/15": 5, 20, 35, 50 — after 23:51:30 comes 00:05 */
    g_autofree char *next = next_after ("5/15 * * * *", now);
    g_assert_cmpstr (next, ==, "2026-11-28 00:05");
  }
}

static void
test_cron_strictly_after (void)
{
  /* exactly on a scheduled minute: the next one, not the same */
  g_autoptr (GDateTime) at = utc (2026, 11, 28, 2, 0);
  g_autofree char *next = next_after ("0 2 * * *", at);

  g_assert_cmpstr (next, ==, "2026-11-29 02:00");
}

static void
test_cron_matches (void)
{
  g_autoptr (VaCron) cron = va_cron_new ("0 2 * * *", NULL);
  g_autoptr (GDateTime) yes = utc (2026, 11, 28, 2, 0);
  g_autoptr (GDateTime) no = utc (2026, 11, 28, 2, 1);

  g_assert_true (va_cron_matches (cron, yes));
  g_assert_false (va_cron_matches (cron, no));
}

static void
test_cron_invalid (void)
{
  const char *const bad[] = {
    "",
    "0 2 * *",
    "0 2 * * * *",
    "60 2 * * *",
    "0 24 * * *",
    "0 2 0 * *",
    "0 2 * 13 *",
    "0 2 * * 8",
    "a 2 * * *",
    "0 2 * * mon",
    "@daily",
    "1,,2 * * * *",
    "*/0 * * * *",
    "5-1 * * * *",
    "/5 * * * *",
    "-1 * * * *",
    /* strtoull() would skip a vertical tab (found by fuzz_cron) */
    "\v5 2 * * *",
    "0 2 * * 1-\v5",
    "*/\v5 * * * *",
    "+5 * * * *",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (VaCron) cron = va_cron_new (bad[i], &error);

    g_assert_null (cron);
    g_assert_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT);
  }
}

/* The night clocks go back, 02:00–02:59 happens twice: each is a run of
 * "* 2 * * *", the first one included (found by fuzz_cron) */
static void
test_cron_repeated_hour (void)
{
  g_autoptr (GTimeZone) paris = g_time_zone_new_identifier ("Europe/Paris");
  g_autoptr (VaCron) cron = va_cron_new ("* 2 * * *", NULL);
  g_autoptr (GDateTime) before = NULL;
  g_autoptr (GDateTime) first = NULL;
  g_autoptr (GDateTime) last_of_first = NULL;
  g_autoptr (GDateTime) second = NULL;
  g_autofree char *text = NULL;

  if (paris == NULL) {
    g_test_skip ("no time zone data for Europe/Paris");
    return;
  }
  /* 2026-10-25 01:59:59 summer time (UTC+2) */
  before = g_date_time_new (paris, 2026, 10, 25, 1, 59, 59);
  g_assert_cmpint (g_date_time_get_utc_offset (before), ==, 2 * G_TIME_SPAN_HOUR);
  first = va_cron_next (cron, before);
  text = g_date_time_format_iso8601 (first);
  g_assert_cmpstr (text, ==, "2026-10-25T02:00:00+02");
  g_clear_pointer (&text, g_free);
  /* 02:59 summer time, then 02:00 winter time */
  last_of_first = g_date_time_add_minutes (first, 59);
  second = va_cron_next (cron, last_of_first);
  text = g_date_time_format_iso8601 (second);
  g_assert_cmpstr (text, ==, "2026-10-25T02:00:00+01");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cron/next", test_cron_next);
  g_test_add_func ("/cron/strictly-after", test_cron_strictly_after);
  g_test_add_func ("/cron/matches", test_cron_matches);
  g_test_add_func ("/cron/invalid", test_cron_invalid);
  g_test_add_func ("/cron/repeated-hour", test_cron_repeated_hour);
  return g_test_run ();
}
