/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-motion-meta.h"

GType
va_motion_meta_api_get_type (void)
{
  static GType type = 0;
  static const char *tags[] = { GST_META_TAG_VIDEO_STR, NULL };

  if (g_once_init_enter (&type)) {
    GType api = gst_meta_api_type_register ("VaMotionMetaAPI", tags);
    g_once_init_leave (&type, api);
  }
  return type;
}

static gboolean
va_motion_meta_init (GstMeta *meta, gpointer params, GstBuffer *buffer)
{
  VaMotionMeta *self = (VaMotionMeta *)meta;

  self->energy = 0.0;
  self->moving_fraction = 0.0;
  self->interval = 0;
  self->grid_rows = 0;
  self->grid_cols = 0;
  self->grid = NULL;
  return TRUE;
}

static void
va_motion_meta_free (GstMeta *meta, GstBuffer *buffer)
{
  VaMotionMeta *self = (VaMotionMeta *)meta;

  g_clear_pointer (&self->grid, g_free);
}

/* Regions are fractions of the frame, so scaling and conversion keep the
 * values as they are. */
static gboolean
va_motion_meta_transform (GstBuffer *dest, GstMeta *meta, GstBuffer *buffer, GQuark type,
                          gpointer data)
{
  VaMotionMeta *src = (VaMotionMeta *)meta;

  return va_buffer_add_motion_meta (dest, src->energy, src->moving_fraction, src->interval,
                                    src->grid_rows, src->grid_cols, src->grid)
         != NULL;
}

const GstMetaInfo *
va_motion_meta_get_info (void)
{
  static const GstMetaInfo *info = NULL;

  if (g_once_init_enter ((GstMetaInfo **)&info)) {
    const GstMetaInfo *mi
        = gst_meta_register (VA_MOTION_META_API_TYPE, "VaMotionMeta", sizeof (VaMotionMeta),
                             va_motion_meta_init, va_motion_meta_free, va_motion_meta_transform);
    g_once_init_leave ((GstMetaInfo **)&info, (GstMetaInfo *)mi);
  }
  return info;
}

/**
 * va_buffer_add_motion_meta:
 * @buffer: a writable #GstBuffer
 * @energy: motion energy in [0, 1]
 * @moving_fraction: share of changed sample points in [0, 1]
 * @interval: frames between this frame and the compared one
 * @grid_rows: rows of @grid (0 for none)
 * @grid_cols: columns of @grid (0 for none)
 * @grid: (array) (nullable): @grid_rows × @grid_cols values, copied
 *
 * Returns: (transfer none): the added meta.
 */
VaMotionMeta *
va_buffer_add_motion_meta (GstBuffer *buffer, gdouble energy, gdouble moving_fraction,
                           guint interval, guint grid_rows, guint grid_cols, const gfloat *grid)
{
  VaMotionMeta *meta;

  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);
  g_return_val_if_fail (gst_buffer_is_writable (buffer), NULL);

  meta = (VaMotionMeta *)gst_buffer_add_meta (buffer, VA_MOTION_META_INFO, NULL);
  meta->energy = energy;
  meta->moving_fraction = moving_fraction;
  meta->interval = interval;
  if (grid != NULL && grid_rows > 0 && grid_cols > 0) {
    meta->grid_rows = grid_rows;
    meta->grid_cols = grid_cols;
    meta->grid = g_memdup2 (grid, sizeof (gfloat) * grid_rows * grid_cols);
  }
  return meta;
}
