/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-csv-writer.h"

#include "va-output-file.h"

/* Locale-independent: a decimal comma would break the CSV. */
static void
append_double (GString *out, const char *format, gdouble value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (out, ',');
  g_string_append (out, g_ascii_formatd (buf, sizeof buf, format, value));
}

/**
 * va_csv_writer_build_motion:
 * @length: (out) (optional): length of the returned text
 * @n_rows: (out) (optional): number of data rows
 *
 * Builds `<stem>_motion_analysis.csv`: a header line, then one line per
 * analysed frame, comma separated, "\n" line ends, "." decimal point:
 *
 * - `frame`: 0-based frame index in the stream;
 * - `timestamp`: stream time of the frame in seconds (3 decimals);
 * - `energy`: motion energy in [0, 1] (mean absolute luma change / 255);
 * - `moving_fraction`: share of sample points that changed beyond the noise
 *   threshold, in [0, 1];
 * - when the analyser ran with a grid of R × C regions, R·C more columns
 *   `grid_r<row>_c<col>` (row-major from the top-left), each the energy of
 *   that region. The grid size is the one of the first sample that has one;
 *   a row without a grid of that size leaves these columns empty.
 *
 * Returns: (transfer full): the CSV text.
 */
char *
va_csv_writer_build_motion (VaAnnotationModel *model, gsize *length, guint *n_rows)
{
  g_autoptr (GString) out = g_string_new ("frame,timestamp,energy,moving_fraction");
  guint n = va_annotation_model_get_n_motion (model);
  guint rows = 0, cols = 0;
  guint i, r, c;

  for (i = 0; i < n; i++) {
    const VaMotionSample *s = va_annotation_model_get_motion (model, i);
    if (s->grid_rows > 0) {
      rows = s->grid_rows;
      cols = s->grid_cols;
      break;
    }
  }
  for (r = 0; r < rows; r++)
    for (c = 0; c < cols; c++)
      g_string_append_printf (out, ",grid_r%u_c%u", r, c);
  g_string_append_c (out, '\n');

  for (i = 0; i < n; i++) {
    const VaMotionSample *s = va_annotation_model_get_motion (model, i);
    const gfloat *grid = va_annotation_model_get_motion_grid (model, i);
    gboolean grid_fits = grid != NULL && s->grid_rows == rows && s->grid_cols == cols;

    g_string_append_printf (out, "%" G_GUINT64_FORMAT, s->frame);
    append_double (out, "%.3f",
                   GST_CLOCK_TIME_IS_VALID (s->time) ? (gdouble)s->time / GST_SECOND : 0.0);
    append_double (out, "%.6f", s->energy);
    append_double (out, "%.6f", s->moving_fraction);
    for (r = 0; r < rows * cols; r++) {
      if (grid_fits)
        append_double (out, "%.6f", grid[r]);
      else
        g_string_append_c (out, ',');
    }
    g_string_append_c (out, '\n');
  }

  if (length != NULL)
    *length = out->len;
  if (n_rows != NULL)
    *n_rows = n;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * va_csv_writer_write_motion:
 * @path: file to write (replaced atomically)
 * @n_rows: (out) (optional): number of data rows written
 *
 * Returns: %TRUE on success; on failure @error is in the %G_FILE_ERROR domain.
 */
gboolean
va_csv_writer_write_motion (VaAnnotationModel *model, const char *path, guint *n_rows,
                            GError **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (model), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  data = va_csv_writer_build_motion (model, &length, n_rows);
  return va_output_file_write (path, data, length, error);
}

static gdouble
seconds (GstClockTime t)
{
  return GST_CLOCK_TIME_IS_VALID (t) ? (gdouble)t / GST_SECOND : 0.0;
}

/**
 * va_csv_writer_build_voice_activity:
 * @length: (out) (optional): length of the returned text
 * @n_rows: (out) (optional): number of data rows
 *
 * Builds `<stem>_voice_activity.csv`: the header `start,end,duration`, then
 * one line per voice segment in time order, each value in seconds with 3
 * decimals, "\n" line ends, "." decimal point.
 *
 * Returns: (transfer full): the CSV text.
 */
char *
va_csv_writer_build_voice_activity (VaAnnotationModel *model, gsize *length, guint *n_rows)
{
  g_autoptr (GString) out = g_string_new ("start,end,duration\n");
  guint n = va_annotation_model_get_n_voice_segments (model);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < n; i++) {
    const VaVoiceSegment *seg = va_annotation_model_get_voice_segment (model, i);
    gdouble start = seconds (seg->start), end = seconds (seg->end);

    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.3f", start));
    append_double (out, "%.3f", end);
    append_double (out, "%.3f", end - start);
    g_string_append_c (out, '\n');
  }

  if (length != NULL)
    *length = out->len;
  if (n_rows != NULL)
    *n_rows = n;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * va_csv_writer_write_voice_activity:
 * @path: file to write (replaced atomically)
 * @n_rows: (out) (optional): number of data rows written
 *
 * Returns: %TRUE on success; on failure @error is in the %G_FILE_ERROR domain.
 */
gboolean
va_csv_writer_write_voice_activity (VaAnnotationModel *model, const char *path, guint *n_rows,
                                    GError **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (model), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  data = va_csv_writer_build_voice_activity (model, &length, n_rows);
  return va_output_file_write (path, data, length, error);
}
