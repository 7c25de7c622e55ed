/* OpenCV's HOG + linear SVM people detector (Dalal & Triggs, the model
 * built into OpenCV) for vapersondetect, behind the C ABI of
 * va-person-detect-cv.h. No C++ exception may cross into C.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "va-person-detect-cv.h"

#include <cmath>
#include <memory>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

/* The model's 64×128 window was trained with a margin of about 16 pixels
 * around the person on all four sides (Dalal & Triggs 2005); reported boxes
 * are the window without that margin, and sizes asked for are of those
 * boxes. */
#define BOX_MARGIN_X 0.25
#define BOX_MARGIN_Y 0.125

struct _VaHogCv {
  cv::HOGDescriptor hog;
  cv::Mat small;
  cv::Mat region;
};

VaHogCv *
va_hog_cv_new (char **error_message)
{
  try {
    std::unique_ptr<_VaHogCv> self (new _VaHogCv);

    self->hog.setSVMDetector (cv::HOGDescriptor::getDefaultPeopleDetector ());
    return self.release ();
  } catch (const std::exception &e) {
    *error_message = g_strdup_printf ("Could not set up the HOG people detector: %s", e.what ());
    return nullptr;
  }
}

void
va_hog_cv_free (VaHogCv *self)
{
  delete self;
}

/* SVM margins are unbounded; squash them into 0..1 (a margin at the default
 * hit threshold of 0 gives 0.5). Not a calibrated probability. */
static double
margin_to_confidence (double w)
{
  return 1.0 / (1.0 + std::exp (-w));
}

gboolean
va_hog_cv_detect (VaHogCv *self, const VaLumaImage *frame, const VaDetectParams *params,
                  double hit_threshold, int group_threshold, const VaDetectRegion *regions,
                  guint n_regions, GArray *out, char **error_message)
{
  try {
    const double ds = params->downscale;
    const cv::Size win = self->hog.winSize;
    const double win_person = win.height * (1.0 - 2.0 * BOX_MARGIN_Y);
    cv::Mat full (frame->height, frame->width, CV_8UC1, const_cast<guint8 *> (frame->data),
                  (size_t)frame->stride);
    cv::Mat img = full;

    if (std::fabs (ds - 1.0) >= 1e-3) {
      cv::Size size (std::max (1, (int)std::lround (frame->width / ds)),
                     std::max (1, (int)std::lround (frame->height / ds)));
      cv::resize (full, self->small, size, 0, 0, ds > 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
      img = self->small;
    }
    cv::Rect bounds (0, 0, img.cols, img.rows);

    for (guint i = 0; i < n_regions; i++) {
      const VaDetectRegion *r = &regions[i];
      cv::Rect area = cv::Rect ((int)std::floor (r->x / ds), (int)std::floor (r->y / ds),
                                (int)std::ceil (r->width / ds), (int)std::ceil (r->height / ds))
                      & bounds;
      /* HOG has no size range: scale the region so the smallest size asked
       * for fills the window, and stop the pyramid at the largest. */
      double min_h = r->min_size / ds, max_h = r->max_size / ds;
      double f = min_h > 0.0 ? std::min (4.0, win_person / min_h) : 1.0;
      std::vector<cv::Rect> found;
      std::vector<double> weights;
      cv::Mat search;

      if (area.width <= 0 || area.height <= 0)
        continue;
      if (std::fabs (f - 1.0) >= 1e-3) {
        cv::Size size ((int)std::lround (area.width * f), (int)std::lround (area.height * f));
        if (size.width < win.width || size.height < win.height)
          continue;
        cv::resize (img (area), self->region, size, 0, 0,
                    f < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
        search = self->region;
      } else {
        search = img (area);
      }
      if (search.cols < win.width || search.rows < win.height)
        continue;
      self->hog.nlevels = cv::HOGDescriptor::DEFAULT_NLEVELS;
      if (max_h > 0.0) {
        double range = std::max (1.0, max_h * f / win_person);
        self->hog.nlevels = 1 + (int)std::ceil (std::log (range) / std::log (params->scale_factor));
      }
      self->hog.detectMultiScale (search, found, weights, hit_threshold, cv::Size (8, 8),
                                  cv::Size (), params->scale_factor, group_threshold);
      for (size_t k = 0; k < found.size (); k++) {
        const cv::Rect &b = found[k];
        VaTrackBox box = {};

        box.x = (area.x + (b.x + b.width * BOX_MARGIN_X) / f) * ds;
        box.y = (area.y + (b.y + b.height * BOX_MARGIN_Y) / f) * ds;
        box.width = b.width * (1.0 - 2.0 * BOX_MARGIN_X) / f * ds;
        box.height = b.height * (1.0 - 2.0 * BOX_MARGIN_Y) / f * ds;
        box.confidence = margin_to_confidence (k < weights.size () ? weights[k] : 0.0);
        g_array_append_val (out, box);
      }
    }
    return TRUE;
  } catch (const std::exception &e) {
    *error_message = g_strdup_printf ("HOG people detection failed: %s", e.what ());
    return FALSE;
  }
}
