/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-cron.h"
#include "va-error.h"

/**
 * VaCron:
 *
 * A five-field cron schedule (minute, hour, day of month, month, day of
 * week) of numbers, `*`, ranges `a-b`, lists and `/steps`: what the
 * `cleanup-schedule` setting accepts. Names (`mon`, `jan`) and the `@daily`
 * shorthands are not accepted, so that a schedule reads the same to every
 * cron dialect. As in Vixie cron, when both day fields are restricted a day
 * matching either one matches, and day of week 7 is Sunday like 0.
 */
struct _VaCron {
  guint64 minutes; /* bit n: minute n */
  guint32 hours;
  guint32 days;    /* bit n: day of month n (1–31) */
  guint16 months;  /* bit n: month n (1–12) */
  guint8 weekdays; /* bit n: day n, 0 = Sunday */
  gboolean days_restricted;
  gboolean weekdays_restricted;
};

static const struct {
  const char *name;
  guint min;
  guint max;
} va_cron_fields[5] = {
  { "minute", 0, 59 }, { "hour", 0, 23 },       { "day of month", 1, 31 },
  { "month", 1, 12 },  { "day of week", 0, 7 },
};

/* A number of a field: digits only (g_ascii_string_to_unsigned() lets
 * strtoull() skip a leading vertical tab) */
static gboolean
va_cron_parse_number (const char *text, guint64 min, guint64 max, guint64 *out)
{
  for (const char *c = text; *c != '\0'; c++) {
    if (!g_ascii_isdigit (*c))
      return FALSE;
  }
  return g_ascii_string_to_unsigned (text, 10, min, max, out, NULL);
}

/* Parses one field into a bit set; FALSE on anything outside the grammar. */
static gboolean
va_cron_parse_field (const char *field, guint min, guint max, guint64 *bits)
{
  g_auto (GStrv) items = g_strsplit (field, ",", -1);

  *bits = 0;
  for (guint i = 0; items[i] != NULL; i++) {
    g_auto (GStrv) step = g_strsplit (items[i], "/", 2);
    guint64 lo = min, hi = max, every = 1;

    /* "1,,2", "," or "/5": g_strsplit() of an empty string has no first
     * element at all */
    if (step[0] == NULL || step[0][0] == '\0')
      return FALSE;
    if (step[1] != NULL && !va_cron_parse_number (step[1], 1, max, &every))
      return FALSE;
    if (!g_str_equal (step[0], "*")) {
      g_auto (GStrv) range = g_strsplit (step[0], "-", 2);

      if (!va_cron_parse_number (range[0], min, max, &lo))
        return FALSE;
      hi = lo;
      if (range[1] != NULL && !va_cron_parse_number (range[1], lo, max, &hi))
        return FALSE;
      /* "5/15" means 5, 20, 35, 50 as in Vixie cron */
      if (range[1] == NULL && step[1] != NULL)
        hi = max;
    }
    for (guint64 v = lo; v <= hi; v += every)
      *bits |= G_GUINT64_CONSTANT (1) << v;
  }
  return items[0] != NULL;
}

/**
 * va_cron_new:
 * @spec: e.g. "0 2 * * *"
 *
 * Returns: (transfer full) (nullable): the schedule, or %NULL with
 *   %VA_ERROR_INVALID_ARGUMENT naming the field that does not parse
 */
VaCron *
va_cron_new (const char *spec, GError **error)
{
  g_auto (GStrv) words = g_strsplit_set (spec, " \t", -1);
  const char *fields[5];
  guint64 bits[5];
  guint n = 0;
  VaCron *self;

  for (guint i = 0; words[i] != NULL; i++) {
    if (words[i][0] == '\0')
      continue;
    if (n == 5) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, "“%s”: more than five cron fields",
                   spec);
      return NULL;
    }
    fields[n++] = words[i];
  }
  if (n != 5) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "“%s”: expected five cron fields (minute hour day-of-month month day-of-week)",
                 spec);
    return NULL;
  }
  for (guint i = 0; i < 5; i++) {
    if (!va_cron_parse_field (fields[i], va_cron_fields[i].min, va_cron_fields[i].max, &bits[i])) {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   "“%s”: the %s field “%s” is not made of numbers %u–%u, *, a-b, lists "
                   "and /steps",
                   spec, va_cron_fields[i].name, fields[i], va_cron_fields[i].min,
                   va_cron_fields[i].max);
      return NULL;
    }
  }

  self = g_new0 (VaCron, 1);
  self->minutes = bits[0];
  self->hours = (guint32)bits[1];
  self->days = (guint32)bits[2];
  self->months = (guint16)bits[3];
  /* 7 is another name for Sunday */
  self->weekdays = (guint8)((bits[4] | (bits[4] >> 7)) & 0x7f);
  self->days_restricted = !g_str_equal (fields[2], "*");
  self->weekdays_restricted = !g_str_equal (fields[4], "*");
  return self;
}

void
va_cron_free (VaCron *self)
{
  g_free (self);
}

static gboolean
va_cron_day_matches (const VaCron *self, GDateTime *when)
{
  gboolean day = (self->days >> g_date_time_get_day_of_month (when)) & 1;
  /* GLib: 1 = Monday … 7 = Sunday */
  gboolean weekday = (self->weekdays >> (g_date_time_get_day_of_week (when) % 7)) & 1;

  if (self->days_restricted && self->weekdays_restricted)
    return day || weekday;
  return day && weekday;
}

/**
 * va_cron_matches:
 *
 * Returns: whether the minute of @when (in its own time zone) is scheduled
 */
gboolean
va_cron_matches (const VaCron *self, GDateTime *when)
{
  return ((self->months >> g_date_time_get_month (when)) & 1) && va_cron_day_matches (self, when)
         && ((self->hours >> g_date_time_get_hour (when)) & 1)
         && ((self->minutes >> g_date_time_get_minute (when)) & 1);
}

/**
 * va_cron_next:
 * @after: a time; the result is in its time zone
 *
 * Returns: (transfer full) (nullable): the first scheduled minute strictly
 *   after @after, or %NULL if none comes within five years (a schedule
 *   such as "0 0 31 2 *" never fires)
 */
GDateTime *
va_cron_next (const VaCron *self, GDateTime *after)
{
  g_autoptr (GDateTime) t = NULL;
  g_autoptr (GDateTime) limit = g_date_time_add_years (after, 5);

  /* the next whole minute, in absolute time: rebuilding it from the local
   * fields would pick the second 02:00 of the night clocks go back, one
   * hour late (found by fuzz_cron) */
  t = g_date_time_add (after, (60 - g_date_time_get_second (after)) * G_TIME_SPAN_SECOND
                                  - g_date_time_get_microsecond (after));

  /* skip whole months, days and hours that cannot match: at most a few
   * thousand steps for any schedule */
  while (g_date_time_compare (t, limit) < 0) {
    GDateTime *next;

    if (!((self->months >> g_date_time_get_month (t)) & 1)) {
      next = g_date_time_new (g_date_time_get_timezone (t), g_date_time_get_year (t),
                              g_date_time_get_month (t), 1, 0, 0, 0);
      g_date_time_unref (t);
      t = g_date_time_add_months (next, 1);
      g_date_time_unref (next);
    } else if (!va_cron_day_matches (self, t)) {
      next = g_date_time_new (g_date_time_get_timezone (t), g_date_time_get_year (t),
                              g_date_time_get_month (t), g_date_time_get_day_of_month (t), 0, 0, 0);
      g_date_time_unref (t);
      t = g_date_time_add_days (next, 1);
      g_date_time_unref (next);
    } else if (!((self->hours >> g_date_time_get_hour (t)) & 1)) {
      next = g_date_time_add_minutes (t, 60 - g_date_time_get_minute (t));
      g_date_time_unref (t);
      t = next;
    } else if (!((self->minutes >> g_date_time_get_minute (t)) & 1)) {
      next = g_date_time_add_minutes (t, 1);
      g_date_time_unref (t);
      t = next;
    } else {
      return g_steal_pointer (&t);
    }
  }
  return NULL;
}
