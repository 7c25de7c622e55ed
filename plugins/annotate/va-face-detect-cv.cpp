/* OpenCV cascade detection for vafacedetect, behind the C ABI of
 * va-face-detect-cv.h. OpenCV reports errors as C++ exceptions; none may
 * cross into C, so every entry point catches them and returns a message.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "va-face-detect-cv.h"

#include <cmath>
#include <memory>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

struct _VaCascadeCv {
  cv::CascadeClassifier classifier;
  cv::Size window;
  cv::Mat small; /* the shrunk frame, kept to reuse its allocation */
};

/* The cascade gives no score, only how many neighbouring windows voted for a
 * box: map that count monotonically to 0..1 (not a calibrated probability;
 * true faces typically collect 20 to 100 votes, stray hits a few). */
static double
neighbours_to_confidence (int n)
{
  return n / (n + 10.0);
}

VaCascadeCv *
va_cascade_cv_new (const char *path, char **error_message)
{
  try {
    std::unique_ptr<_VaCascadeCv> self (new _VaCascadeCv);

    if (!self->classifier.load (path) || self->classifier.empty ()) {
      *error_message = g_strdup_printf ("Could not load the cascade model %s: not an OpenCV "
                                        "cascade classifier file",
                                        path);
      return nullptr;
    }
    self->window = self->classifier.getOriginalWindowSize ();
    return self.release ();
  } catch (const std::exception &e) {
    *error_message = g_strdup_printf ("Could not load the cascade model %s: %s", path, e.what ());
    return nullptr;
  }
}

void
va_cascade_cv_free (VaCascadeCv *self)
{
  delete self;
}

void
va_cascade_cv_get_window (VaCascadeCv *self, int *width, int *height)
{
  *width = self->window.width;
  *height = self->window.height;
}

/* Shrinks (or enlarges) the luma plane by `downscale`; with 1 it is only
 * wrapped, not copied. */
static cv::Mat
scaled_frame (const VaLumaImage *frame, double downscale, cv::Mat &storage)
{
  cv::Mat full (frame->height, frame->width, CV_8UC1, const_cast<guint8 *> (frame->data),
                (size_t)frame->stride);
  if (std::fabs (downscale - 1.0) < 1e-3)
    return full;
  cv::Size size (std::max (1, (int)std::lround (frame->width / downscale)),
                 std::max (1, (int)std::lround (frame->height / downscale)));
  cv::resize (full, storage, size, 0, 0, downscale > 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return storage;
}

gboolean
va_cascade_cv_detect (VaCascadeCv *self, const VaLumaImage *frame, const VaDetectParams *params,
                      int min_neighbors, const VaDetectRegion *regions, guint n_regions,
                      GArray *out, char **error_message)
{
  try {
    const double ds = params->downscale;
    cv::Mat img = scaled_frame (frame, ds, self->small);
    cv::Rect bounds (0, 0, img.cols, img.rows);

    for (guint i = 0; i < n_regions; i++) {
      const VaDetectRegion *r = &regions[i];
      cv::Rect area = cv::Rect ((int)std::floor (r->x / ds), (int)std::floor (r->y / ds),
                                (int)std::ceil (r->width / ds), (int)std::ceil (r->height / ds))
                      & bounds;
      /* Sizes are heights; the classifier takes boxes of the window's shape. */
      double aspect = (double)self->window.width / self->window.height;
      int min_h = std::max (self->window.height, (int)std::ceil (r->min_size / ds));
      int max_h = r->max_size > 0 ? (int)std::floor (r->max_size / ds) : 0;
      std::vector<cv::Rect> found;
      std::vector<int> neighbours;

      if (area.width < self->window.width || area.height < self->window.height)
        continue;
      if (max_h > 0 && max_h < min_h)
        continue;
      cv::Size min_size ((int)std::lround (min_h * aspect), min_h);
      cv::Size max_size
          = max_h > 0 ? cv::Size ((int)std::lround (max_h * aspect), max_h) : cv::Size ();
      self->classifier.detectMultiScale (img (area), found, neighbours, params->scale_factor,
                                         min_neighbors, 0, min_size, max_size);
      for (size_t k = 0; k < found.size (); k++) {
        VaTrackBox box = {};

        box.x = (area.x + found[k].x) * ds;
        box.y = (area.y + found[k].y) * ds;
        box.width = found[k].width * ds;
        box.height = found[k].height * ds;
        box.confidence = neighbours_to_confidence (k < neighbours.size () ? neighbours[k] : 0);
        g_array_append_val (out, box);
      }
    }
    return TRUE;
  } catch (const std::exception &e) {
    *error_message = g_strdup_printf ("Cascade detection failed: %s", e.what ());
    return FALSE;
  }
}
