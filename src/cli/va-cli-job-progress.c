/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "va-cli-job-private.h"

/* The progress of an upload, a download or a job, on stderr: a bar redrawn
 * in place on a terminal, a line per 10 % otherwise (as `annotate` does).
 * --quiet shows nothing. */

void
va_cli_job_clear_progress (VaCliJob *self)
{
  if (self->drawn) {
    fprintf (stderr, "\r\033[K");
    fflush (stderr);
    self->drawn = FALSE;
  }
}

static void
va_cli_job_draw_bar (VaCliJob *self, double fraction, const char *detail)
{
  enum { WIDTH = 30 };
  char bar[WIDTH + 1];
  guint filled = (guint)(CLAMP (fraction, 0.0, 1.0) * WIDTH + 0.5);

  for (guint i = 0; i < WIDTH; i++)
    bar[i] = i < filled ? '#' : '-';
  bar[WIDTH] = '\0';
  fprintf (stderr, "\r%s [%s] %3d%%  %s\033[K", self->activity, bar, (int)(fraction * 100), detail);
  fflush (stderr);
  self->drawn = TRUE;
}

void
va_cli_job_begin_progress (VaCliJob *self, const char *activity)
{
  self->activity = activity;
  self->last_decile = 0;
  self->started_us = g_get_monotonic_time ();
}

/* Bytes moved, from the client's "progress" signal. */
void
va_cli_job_on_transfer (VaRemoteClient *client, gint64 done, gint64 total, VaCliJob *self)
{
  double seconds = (g_get_monotonic_time () - self->started_us) / (double)G_USEC_PER_SEC;
  g_autofree char *done_text = g_format_size ((guint64)done);
  g_autofree char *total_text = total >= 0 ? g_format_size ((guint64)total) : NULL;
  g_autofree char *rate = g_format_size (seconds > 0 ? (guint64)(done / seconds) : 0);
  double fraction = total > 0 ? (double)done / (double)total : 0;

  if (self->quiet)
    return;
  if (self->tty && total > 0) {
    g_autofree char *detail = g_strdup_printf (_ ("%s of %s  %s/s"), done_text, total_text, rate);
    va_cli_job_draw_bar (self, fraction, detail);
  } else if (self->tty) {
    /* a streamed ZIP has no length: no bar, just what came so far */
    fputc ('\r', stderr);
    fprintf (stderr, _ ("%s %s  %s/s"), self->activity, done_text, rate);
    fputs ("\033[K", stderr);
    fflush (stderr);
    self->drawn = TRUE;
  } else if (total > 0) {
    int decile = (int)(fraction * 10);
    if (decile > self->last_decile) {
      self->last_decile = decile;
      fprintf (stderr, _ ("%s: %3d%% (%s of %s)\n"), self->activity, decile * 10, done_text,
               total_text);
    }
  }
}

/* A job's state and progress while `submit --wait` polls it. */
void
va_cli_job_show_job_progress (VaCliJob *self, const char *status, double percent)
{
  if (self->quiet)
    return;
  if (self->tty) {
    double seconds = (g_get_monotonic_time () - self->started_us) / (double)G_USEC_PER_SEC;
    guint s = (guint)seconds;
    g_autofree char *detail = g_strdup_printf ("%-9s %u:%02u", status, s / 60, s % 60);
    va_cli_job_draw_bar (self, percent / 100.0, detail);
  } else {
    int decile = (int)(percent / 10);
    if (g_strcmp0 (status, self->last_status) != 0) {
      g_free (self->last_status);
      self->last_status = g_strdup (status);
      fprintf (stderr, _ ("job: %s\n"), status);
    }
    if (decile > self->last_decile) {
      self->last_decile = decile;
      fprintf (stderr, _ ("progress: %3d%%\n"), decile * 10);
    }
  }
}
