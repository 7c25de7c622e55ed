/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-test-media.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Face boxes were labelled by hand on the files (forehead to chin, cheek to
 * cheek); crops leave out borders and captions of the documentation
 * figures. */
static const VaFacePhoto photos[] = {
  { "man-smiling",
    VA_TEST_OPENCV_DOC_HTML "/227943776_1.jpg",
    { 0, 0, 434, 434 },
    { 145, 105, 147, 182 } },
  { "man-goatee",
    VA_TEST_OPENCV_DOC_HTML "/230501201_1.jpg",
    { 0, 0, 584, 824 },
    { 180, 245, 295, 345 } },
  { "man-glasses",
    VA_TEST_OPENCV_DOC_HTML "/example.jpg",
    { 775, 0, 387, 580 },
    { 812, 180, 300, 350 } },
  { "woman", VA_TEST_OPENCV_DOC_HTML "/12.jpg", { 0, 20, 510, 450 }, { 150, 60, 260, 300 } },
  { "lena", VA_TEST_OPENCV_DOC_HTML "/blurred.png", { 0, 0, 512, 512 }, { 215, 210, 150, 185 } },
};

static const char *backgrounds[] = {
  VA_TEST_OPENCV_DOC_DATA "/building.jpg",
  VA_TEST_OPENCV_DOC_DATA "/fruits.jpg",
  VA_TEST_OPENCV_DOC_DATA "/home.jpg",
  VA_TEST_OPENCV_DOC_DATA "/starry_night.jpg",
};

const VaFacePhoto *
va_face_photos (guint *n_photos)
{
  *n_photos = G_N_ELEMENTS (photos);
  return photos;
}

double
va_test_rect_iou (const VaTestRect *a, const VaTestRect *b)
{
  double x0 = MAX (a->x, b->x), y0 = MAX (a->y, b->y);
  double x1 = MIN (a->x + a->width, b->x + b->width);
  double y1 = MIN (a->y + a->height, b->y + b->height);
  double inter;

  if (x1 <= x0 || y1 <= y0)
    return 0.0;
  inter = (x1 - x0) * (y1 - y0);
  return inter / (a->width * a->height + b->width * b->height - inter);
}

GArray *
va_test_boxes_load (const char *path, gboolean detections, gboolean *all_frames, GError **error)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GArray) boxes = g_array_new (FALSE, TRUE, sizeof (VaTestBox));

  if (all_frames != NULL)
    *all_frames = FALSE;
  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    const char *line = g_strstrip (lines[i]);
    char flag[16] = "";
    double x, y, w, h;
    VaTestBox b = { 0 };
    int n;

    if (g_str_has_prefix (line, "#! all-frames") && all_frames != NULL)
      *all_frames = TRUE;
    if (*line == '\0' || *line == '#')
      continue;
    n = sscanf (line, "%u %15s %lf %lf %lf %lf %15s", &b.frame, b.id, &x, &y, &w, &h, flag);
    if (n < 6) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s:%u: bad line", path, i + 1);
      return NULL;
    }
    b.box = (VaTestRect){ x, y, w, h };
    b.ignore = n == 7 && g_str_equal (flag, "ignore");
    b.track = detections ? atoi (b.id) : -1;
    g_array_append_val (boxes, b);
  }
  return g_steal_pointer (&boxes);
}

static void
plane_size (const VaTestImage *img, int plane, int *w, int *h)
{
  *w = plane == 0 ? img->width : (img->width + 1) / 2;
  *h = plane == 0 ? img->height : (img->height + 1) / 2;
}

VaTestImage *
va_test_image_new (int width, int height, guint8 luma)
{
  VaTestImage *img = g_new0 (VaTestImage, 1);

  img->width = width;
  img->height = height;
  for (int p = 0; p < 3; p++) {
    int w, h;

    plane_size (img, p, &w, &h);
    img->strides[p] = w;
    img->planes[p] = g_malloc ((gsize)w * h);
    memset (img->planes[p], p == 0 ? luma : 128, (gsize)w * h);
  }
  return img;
}

VaTestImage *
va_test_image_copy (const VaTestImage *src)
{
  VaTestImage *img = va_test_image_new (src->width, src->height, 0);

  for (int p = 0; p < 3; p++) {
    int w, h;

    plane_size (img, p, &w, &h);
    memcpy (img->planes[p], src->planes[p], (gsize)w * h);
  }
  return img;
}

void
va_test_image_free (VaTestImage *img)
{
  if (img == NULL)
    return;
  for (int p = 0; p < 3; p++)
    g_free (img->planes[p]);
  g_free (img);
}

/* Decodes an image file with GStreamer (jpegdec/pngdec through decodebin). */
VaTestImage *
va_test_image_load (const char *path, GError **error)
{
  g_autofree char *quoted = g_strescape (path, NULL);
  g_autofree char *desc = g_strdup_printf (
      "filesrc location=\"%s\" ! decodebin ! videoconvert ! video/x-raw,format=I420 ! "
      "appsink name=sink sync=false",
      quoted);
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstSample) sample = NULL;
  GstVideoInfo info;
  GstVideoFrame frame;
  VaTestImage *img;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s not found", path);
    return NULL;
  }
  pipeline = gst_parse_launch (desc, error);
  if (pipeline == NULL)
    return NULL;
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  sample = gst_app_sink_pull_sample (GST_APP_SINK (sink));
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (sample == NULL || !gst_video_info_from_caps (&info, gst_sample_get_caps (sample))
      || !gst_video_frame_map (&frame, &info, gst_sample_get_buffer (sample), GST_MAP_READ)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "could not decode %s", path);
    return NULL;
  }
  img = va_test_image_new (GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info), 0);
  for (int p = 0; p < 3; p++) {
    int w, h;

    plane_size (img, p, &w, &h);
    for (int y = 0; y < h; y++)
      memcpy (img->planes[p] + (gsize)y * img->strides[p],
              (guint8 *)GST_VIDEO_FRAME_PLANE_DATA (&frame, p)
                  + (gsize)y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, p),
              w);
  }
  gst_video_frame_unmap (&frame);
  return img;
}

/* Half-size copy, 2×2 box filter: keeps bilinear drawing from aliasing when
 * a photo is drawn much smaller than it is. */
static VaTestImage *
image_halve (const VaTestImage *src)
{
  VaTestImage *dst = va_test_image_new (MAX (1, src->width / 2), MAX (1, src->height / 2), 0);

  for (int p = 0; p < 3; p++) {
    int sw, sh, dw, dh;

    plane_size (src, p, &sw, &sh);
    plane_size (dst, p, &dw, &dh);
    for (int y = 0; y < dh; y++) {
      const guint8 *r0 = src->planes[p] + (gsize)MIN (2 * y, sh - 1) * src->strides[p];
      const guint8 *r1 = src->planes[p] + (gsize)MIN (2 * y + 1, sh - 1) * src->strides[p];

      for (int x = 0; x < dw; x++) {
        int x0 = MIN (2 * x, sw - 1), x1 = MIN (2 * x + 1, sw - 1);

        dst->planes[p][(gsize)y * dst->strides[p] + x]
            = (guint8)((r0[x0] + r0[x1] + r1[x0] + r1[x1] + 2) / 4);
      }
    }
  }
  return dst;
}

static guint8
sample_bilinear (const guint8 *data, int stride, int w, int h, double x, double y)
{
  int x0, y0, x1, y1;
  double fx, fy, top, bottom;

  x = CLAMP (x, 0.0, w - 1.0);
  y = CLAMP (y, 0.0, h - 1.0);
  x0 = (int)x;
  y0 = (int)y;
  x1 = MIN (x0 + 1, w - 1);
  y1 = MIN (y0 + 1, h - 1);
  fx = x - x0;
  fy = y - y0;
  top = data[(gsize)y0 * stride + x0] * (1 - fx) + data[(gsize)y0 * stride + x1] * fx;
  bottom = data[(gsize)y1 * stride + x0] * (1 - fx) + data[(gsize)y1 * stride + x1] * fx;
  return (guint8)lround (top * (1 - fy) + bottom * fy);
}

static void
draw_level (VaTestImage *dst, const VaTestImage *src, const VaTestRect *s, const VaTestRect *d)
{
  for (int p = 0; p < 3; p++) {
    int sw, sh, dw, dh, div = p == 0 ? 1 : 2;
    double sx0 = s->x / div, sy0 = s->y / div, dx0 = d->x / div, dy0 = d->y / div;
    double scale_x = s->width / d->width, scale_y = s->height / d->height;
    int x_begin = MAX (0, (int)floor (dx0)), y_begin = MAX (0, (int)floor (dy0));
    int x_end, y_end;

    plane_size (src, p, &sw, &sh);
    plane_size (dst, p, &dw, &dh);
    x_end = MIN (dw, (int)ceil (dx0 + d->width / div));
    y_end = MIN (dh, (int)ceil (dy0 + d->height / div));
    for (int y = y_begin; y < y_end; y++) {
      double sy = sy0 + (y + 0.5 - dy0) * scale_y - 0.5;

      for (int x = x_begin; x < x_end; x++) {
        double sx = sx0 + (x + 0.5 - dx0) * scale_x - 0.5;

        dst->planes[p][(gsize)y * dst->strides[p] + x]
            = sample_bilinear (src->planes[p], src->strides[p], sw, sh, sx, sy);
      }
    }
  }
}

/* Draws src_rect of src scaled into dst_rect of dst (clipped to dst). */
void
va_test_image_draw (VaTestImage *dst, const VaTestImage *src, const VaTestRect *src_rect,
                    const VaTestRect *dst_rect)
{
  g_autoptr (VaTestImage) level = NULL;
  const VaTestImage *from = src;
  VaTestRect s = *src_rect;

  while (s.height > 2.0 * dst_rect->height && s.width > 2.0 * dst_rect->width) {
    VaTestImage *half = image_halve (from);

    g_clear_pointer (&level, va_test_image_free);
    level = half;
    from = half;
    s.x /= 2;
    s.y /= 2;
    s.width /= 2;
    s.height /= 2;
  }
  draw_level (dst, from, &s, dst_rect);
}

GstBuffer *
va_test_image_to_buffer (const VaTestImage *img, GstVideoInfo *info)
{
  GstBuffer *buf;
  GstVideoFrame frame;

  gst_video_info_set_format (info, GST_VIDEO_FORMAT_I420, img->width, img->height);
  buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info), NULL);
  gst_video_frame_map (&frame, info, buf, GST_MAP_WRITE);
  for (int p = 0; p < 3; p++) {
    int w, h;

    plane_size (img, p, &w, &h);
    for (int y = 0; y < h; y++)
      memcpy ((guint8 *)GST_VIDEO_FRAME_PLANE_DATA (&frame, p)
                  + (gsize)y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, p),
              img->planes[p] + (gsize)y * img->strides[p], w);
  }
  gst_video_frame_unmap (&frame);
  return buf;
}

struct _VaFaceVideo {
  int width, height;
  GArray *shots;  /* VaFaceShot */
  GArray *starts; /* guint: first frame of each shot */
  guint n_frames;
  GPtrArray *photos;      /* VaTestImage, one per photo */
  GPtrArray *backgrounds; /* VaTestImage at frame size, NULL until used */
  VaTestImage *frame;
};

void
va_face_video_free (VaFaceVideo *video)
{
  if (video == NULL)
    return;
  g_clear_pointer (&video->shots, g_array_unref);
  g_clear_pointer (&video->starts, g_array_unref);
  g_clear_pointer (&video->photos, g_ptr_array_unref);
  g_clear_pointer (&video->backgrounds, g_ptr_array_unref);
  g_clear_pointer (&video->frame, va_test_image_free);
  g_free (video);
}

VaFaceVideo *
va_face_video_new (int width, int height, const VaFaceShot *shots, guint n_shots, GError **error)
{
  g_autoptr (VaFaceVideo) video = g_new0 (VaFaceVideo, 1);

  video->width = width;
  video->height = height;
  video->shots = g_array_new (FALSE, FALSE, sizeof (VaFaceShot));
  video->starts = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_vals (video->shots, shots, n_shots);
  for (guint i = 0; i < n_shots; i++) {
    g_array_append_val (video->starts, video->n_frames);
    video->n_frames += shots[i].n_frames;
  }
  video->photos = g_ptr_array_new_with_free_func ((GDestroyNotify)va_test_image_free);
  video->backgrounds = g_ptr_array_new_with_free_func ((GDestroyNotify)va_test_image_free);
  g_ptr_array_set_size (video->backgrounds, G_N_ELEMENTS (backgrounds));
  for (guint i = 0; i < G_N_ELEMENTS (photos); i++) {
    VaTestImage *img = va_test_image_load (photos[i].path, error);

    if (img == NULL)
      return NULL;
    g_ptr_array_add (video->photos, img);
  }
  for (guint i = 0; i < n_shots; i++) {
    int bg = shots[i].background;

    if (bg >= (int)G_N_ELEMENTS (backgrounds)) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no background %d", bg);
      return NULL;
    }
    if (bg >= 0 && g_ptr_array_index (video->backgrounds, bg) == NULL) {
      g_autoptr (VaTestImage) img = va_test_image_load (backgrounds[bg], error);
      VaTestImage *scaled;
      VaTestRect all, frame = { 0, 0, width, height };

      if (img == NULL)
        return NULL;
      all = (VaTestRect){ 0, 0, img->width, img->height };
      scaled = va_test_image_new (width, height, 0);
      va_test_image_draw (scaled, img, &all, &frame);
      g_ptr_array_index (video->backgrounds, bg) = scaled;
    }
    for (guint f = 0; f < shots[i].n_faces; f++) {
      if (shots[i].faces[f].photo >= G_N_ELEMENTS (photos)) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no photo %u",
                     shots[i].faces[f].photo);
        return NULL;
      }
    }
  }
  video->frame = va_test_image_new (width, height, 128);
  return g_steal_pointer (&video);
}

guint
va_face_video_get_n_frames (VaFaceVideo *video)
{
  return video->n_frames;
}

static const VaFaceShot *
shot_at (VaFaceVideo *video, guint index, guint *shot_index, double *progress)
{
  for (guint i = video->shots->len; i > 0; i--) {
    guint start = g_array_index (video->starts, guint, i - 1);

    if (index >= start) {
      const VaFaceShot *shot = &g_array_index (video->shots, VaFaceShot, i - 1);

      *shot_index = i - 1;
      *progress = shot->n_frames > 1 ? (double)(index - start) / (shot->n_frames - 1) : 0.0;
      return shot;
    }
  }
  g_assert_not_reached ();
}

/* Photo placement at a point of the shot, in frame pixels. */
static void
placement (VaFaceVideo *video, const VaFaceMove *m, double progress, VaTestRect *photo_rect,
           VaTestRect *face_rect)
{
  const VaFacePhoto *ph = &photos[m->photo];
  double h = (m->h0 + (m->h1 - m->h0) * progress) * video->height;
  double s = h / ph->crop.height;

  photo_rect->x = (m->x0 + (m->x1 - m->x0) * progress) * video->height;
  photo_rect->y = (m->y0 + (m->y1 - m->y0) * progress) * video->height;
  photo_rect->width = ph->crop.width * s;
  photo_rect->height = h;
  face_rect->x = photo_rect->x + (ph->face.x - ph->crop.x) * s;
  face_rect->y = photo_rect->y + (ph->face.y - ph->crop.y) * s;
  face_rect->width = ph->face.width * s;
  face_rect->height = ph->face.height * s;
}

guint
va_face_video_truth (VaFaceVideo *video, guint index, VaTestRect truth[VA_FACE_SHOT_MAX_FACES],
                     guint ids[VA_FACE_SHOT_MAX_FACES])
{
  guint shot_index;
  double progress;
  const VaFaceShot *shot = shot_at (video, index, &shot_index, &progress);
  guint n = 0;

  for (guint f = 0; f < shot->n_faces; f++) {
    VaTestRect photo_rect, face_rect;
    VaTestRect frame = { 0, 0, video->width, video->height };

    placement (video, &shot->faces[f], progress, &photo_rect, &face_rect);
    /* Faces cut by the frame edge are not expected to be found. */
    if (va_test_rect_iou (&face_rect, &frame) * frame.width * frame.height + 0.5
        < face_rect.width * face_rect.height)
      continue;
    truth[n] = face_rect;
    ids[n] = shot_index * 10 + f;
    n++;
  }
  return n;
}

guint
va_face_video_render (VaFaceVideo *video, guint index, VaTestImage **frame,
                      VaTestRect truth[VA_FACE_SHOT_MAX_FACES], guint ids[VA_FACE_SHOT_MAX_FACES])
{
  guint shot_index;
  double progress;
  const VaFaceShot *shot = shot_at (video, index, &shot_index, &progress);
  VaTestImage *img = video->frame;

  if (shot->background >= 0) {
    const VaTestImage *bg = g_ptr_array_index (video->backgrounds, shot->background);

    for (int p = 0; p < 3; p++) {
      int w, h;

      plane_size (img, p, &w, &h);
      memcpy (img->planes[p], bg->planes[p], (gsize)img->strides[p] * h);
    }
  } else {
    for (int p = 0; p < 3; p++) {
      int w, h;

      plane_size (img, p, &w, &h);
      memset (img->planes[p], p == 0 ? 128 : 128, (gsize)img->strides[p] * h);
    }
  }
  for (guint f = 0; f < shot->n_faces; f++) {
    const VaFaceMove *m = &shot->faces[f];
    VaTestRect photo_rect, face_rect;

    placement (video, m, progress, &photo_rect, &face_rect);
    va_test_image_draw (img, g_ptr_array_index (video->photos, m->photo), &photos[m->photo].crop,
                        &photo_rect);
  }
  *frame = img;
  return va_face_video_truth (video, index, truth, ids);
}

void
va_test_ensure_model (const char *cli, const char *models_dir, const char *name)
{
  g_autofree char *file = g_build_filename (models_dir, name, "installed.json", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = -1;
  const char *argv[] = { cli, "models", "install", name, "--models-dir", models_dir, NULL };

  if (g_file_test (file, G_FILE_TEST_IS_REGULAR))
    return;
  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("videoannotator models install %s failed: %s", name, err);
}

void
va_test_assert_model_required (const char *element, const char *model_name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("va-models-XXXXXX", &error);
  g_autofree char *launch = g_strdup_printf (
      "videotestsrc num-buffers=1 ! %s models-dir=\"%s\" ! fakesink", element, dir);
  g_autofree char *install = g_strdup_printf ("videoannotator models install %s", model_name);
  g_autoptr (GstElement) pipeline = gst_parse_launch (launch, &error);
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GError) gerror = NULL;
  g_autofree char *debug = NULL;
  GstMessage *msg;

  g_assert_no_error (error);
  bus = gst_element_get_bus (pipeline);
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PAUSED), ==,
                   GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  gst_message_parse_error (msg, &gerror, &debug);
  g_assert_error (gerror, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (gerror->message, install));
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_rmdir (dir);
}
