/* CenterNet person detection for vapersondetect, behind the C ABI of
 * va-centernet-cv.h. OpenCV reports errors as C++ exceptions; none may
 * cross into C, so every entry point catches them and returns a message.
 *
 * The converted model takes one NCHW RGB picture in 0..255 of the size it
 * was converted for and answers, at a quarter of that resolution, a
 * centre heat map per COCO class (sigmoid; class 0 is "person") and, per
 * cell, the distances from the cell to the box's left, top, right and
 * bottom edges in input pixels. A box is a local maximum of the person map
 * (3 × 3) above the score threshold.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "va-centernet-cv.h"

#include "va-cv-image.hpp"

#include <cmath>
#include <memory>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#define STRIDE 4
#define NMS_IOU 0.5f
#define HEAT_OUTPUT "tower_0/keypoints"
#define SIZE_OUTPUT "tower_0/wh"

struct _VaCenterNetCv {
  cv::dnn::Net net;
  cv::Size input;
  cv::Mat canvas; /* the letterboxed crop, kept to reuse its allocation */
  cv::Mat rgb;
};

VaCenterNetCv *
va_centernet_cv_new (const char *path, int width, int height, char **error_message)
{
  try {
    std::unique_ptr<_VaCenterNetCv> self (new _VaCenterNetCv);

    self->net = cv::dnn::readNetFromONNX (path);
    if (self->net.empty ()) {
      *error_message = g_strdup_printf ("Could not load the person model %s", path);
      return nullptr;
    }
    self->net.setPreferableBackend (cv::dnn::DNN_BACKEND_OPENCV);
    self->net.setPreferableTarget (cv::dnn::DNN_TARGET_CPU);
    self->input = cv::Size (width, height);
    return self.release ();
  } catch (const std::exception &e) {
    *error_message = g_strdup_printf ("Could not load the person model %s: %s", path, e.what ());
    return nullptr;
  }
}

void
va_centernet_cv_free (VaCenterNetCv *self)
{
  delete self;
}

static void
detect_region (VaCenterNetCv *self, const cv::Mat &full, const cv::Rect &area, float threshold,
               const VaDetectRegion *r, GArray *out)
{
  const cv::Size in = self->input;
  double scale = std::min ((double)in.width / area.width, (double)in.height / area.height);
  cv::Size scaled (std::max (1, (int)std::lround (area.width * scale)),
                   std::max (1, (int)std::lround (area.height * scale)));
  int pad_x = (in.width - scaled.width) / 2, pad_y = (in.height - scaled.height) / 2;
  std::vector<cv::Mat> outs;
  std::vector<cv::Rect> boxes;
  std::vector<float> scores;
  std::vector<int> keep;

  self->canvas.create (in, full.type ());
  self->canvas.setTo (0);
  cv::resize (full (area), self->canvas (cv::Rect (pad_x, pad_y, scaled.width, scaled.height)),
              scaled, 0, 0, scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  va_cv_to_rgb (self->canvas, self->rgb);
  self->net.setInput (cv::dnn::blobFromImage (self->rgb));
  self->net.forward (outs, std::vector<cv::String>{ HEAT_OUTPUT, SIZE_OUTPUT });

  const cv::Mat &heat = outs[0], &wh = outs[1];
  if (heat.dims != 4 || wh.dims != 4 || wh.size[1] != 4 || heat.size[2] != wh.size[2])
    throw std::runtime_error ("unexpected output shapes: not the converted CenterNet model");
  const int h = heat.size[2], w = heat.size[3];
  const float *p = heat.ptr<float> (0, 0); /* class 0: person */
  const size_t plane = (size_t)h * w;
  const float *d = wh.ptr<float> (0, 0);

  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      float v = p[y * w + x];
      bool peak = v >= threshold;

      for (int dy = -1; peak && dy <= 1; dy++)
        for (int dx = -1; peak && dx <= 1; dx++) {
          int yy = y + dy, xx = x + dx;
          if ((dy || dx) && yy >= 0 && yy < h && xx >= 0 && xx < w && p[yy * w + xx] > v)
            peak = false;
        }
      if (!peak)
        continue;
      size_t i = (size_t)y * w + x;
      double x1 = x * STRIDE - d[i], y1 = y * STRIDE - d[plane + i];
      double x2 = x * STRIDE + d[2 * plane + i], y2 = y * STRIDE + d[3 * plane + i];
      if (x2 <= x1 || y2 <= y1)
        continue;
      boxes.emplace_back ((int)std::lround (x1), (int)std::lround (y1), (int)std::lround (x2 - x1),
                          (int)std::lround (y2 - y1));
      scores.push_back (v);
    }
  }
  cv::dnn::NMSBoxes (boxes, scores, threshold, NMS_IOU, keep);
  for (int k : keep) {
    const cv::Rect &b = boxes[k];
    VaTrackBox box = {};
    double x1 = std::max (0.0, (b.x - pad_x) / scale), y1 = std::max (0.0, (b.y - pad_y) / scale);
    double x2 = std::min ((double)area.width, (b.x + b.width - pad_x) / scale);
    double y2 = std::min ((double)area.height, (b.y + b.height - pad_y) / scale);

    if (x2 <= x1 || y2 <= y1)
      continue;
    box.x = area.x + x1;
    box.y = area.y + y1;
    box.width = x2 - x1;
    box.height = y2 - y1;
    box.confidence = scores[k];
    if (box.height < r->min_size || (r->max_size > 0 && box.height > r->max_size))
      continue;
    g_array_append_val (out, box);
  }
}

/* One run on the whole frame per call, whatever the regions: a run costs
 * the same for any area (the input size is fixed), and tracked people are
 * many, so searching around each of them would cost one run each. Boxes are
 * kept when their centre lies in a region and their height fits its sizes. */
gboolean
va_centernet_cv_detect (VaCenterNetCv *self, const VaLumaImage *frame, double score_threshold,
                        const VaDetectRegion *regions, guint n_regions, GArray *out,
                        char **error_message)
{
  try {
    cv::Mat full = va_cv_frame (frame);
    cv::Rect bounds (0, 0, frame->width, frame->height);
    VaDetectRegion whole = { 0, 0, (double)frame->width, (double)frame->height, 0, 0 };
    g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (VaTrackBox));

    if (n_regions == 0)
      return TRUE;
    detect_region (self, full, bounds, (float)score_threshold, &whole, found);
    for (guint k = 0; k < found->len; k++) {
      const VaTrackBox *b = &g_array_index (found, VaTrackBox, k);
      double cx = b->x + b->width / 2, cy = b->y + b->height / 2;

      for (guint i = 0; i < n_regions; i++) {
        const VaDetectRegion *r = &regions[i];

        if (cx < r->x || cy < r->y || cx >= r->x + r->width || cy >= r->y + r->height
            || b->height < r->min_size || (r->max_size > 0 && b->height > r->max_size))
          continue;
        g_array_append_val (out, *b);
        break;
      }
    }
    return TRUE;
  } catch (const std::exception &e) {
    *error_message = g_strdup_printf ("Person model failed: %s", e.what ());
    return FALSE;
  }
}
