/* BlazeFace detection for vafacedetect, behind the C ABI of
 * va-blazeface-cv.h. OpenCV reports errors as C++ exceptions; none may
 * cross into C, so every entry point catches them and returns a message.
 *
 * The model (MediaPipe's full-range "back" detector, as ONNX) takes one
 * square NHWC RGB picture in [-1, 1] (the frame's colour when the element
 * hands it, else grey in the three channels) and answers, for each of 896 anchors
 * (a 16×16 grid with 2 per cell, then an 8×8 grid with 6 per cell), a
 * score logit and a box (centre offset and size in input pixels, then six
 * face landmarks). The anchors and the non-maximum suppression are ours.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "va-blazeface-cv.h"

#include "va-cv-image.hpp"

#include <cmath>
#include <cstring>
#include <memory>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

/* Boxes of one face found by neighbouring anchors overlap far more. */
#define NMS_IOU 0.3f

struct _VaBlazeFaceCv {
  cv::dnn::Net net;
  int size; /* the square input's side */
  std::vector<cv::String> outputs;
  cv::Mat square; /* the letterboxed crop, kept to reuse its allocation */
  cv::Mat rgb;
  cv::Mat blob;
};

VaBlazeFaceCv *
va_blazeface_cv_new (const char *path, char **error_message)
{
  try {
    std::unique_ptr<_VaBlazeFaceCv> self (new _VaBlazeFaceCv);
    std::vector<cv::dnn::MatShape> in_shapes, out_shapes;

    self->net = cv::dnn::readNetFromONNX (path);
    if (self->net.empty ()) {
      *error_message = g_strdup_printf ("Could not load the face model %s", path);
      return nullptr;
    }
    self->net.setPreferableBackend (cv::dnn::DNN_BACKEND_OPENCV);
    self->net.setPreferableTarget (cv::dnn::DNN_TARGET_CPU);
    /* The two BlazeFace exports differ only in the input side, which the
     * installed file names (data/models/models.json) carry. */
    self->outputs = self->net.getUnconnectedOutLayersNames ();
    if (self->outputs.size () != 4) {
      *error_message = g_strdup_printf ("%s is not a BlazeFace model: %zu outputs, expected 4",
                                        path, self->outputs.size ());
      return nullptr;
    }
    self->size = strstr (path, "128x128") != nullptr ? 128 : 256;
    return self.release ();
  } catch (const std::exception &e) {
    *error_message = g_strdup_printf ("Could not load the face model %s: %s", path, e.what ());
    return nullptr;
  }
}

void
va_blazeface_cv_free (VaBlazeFaceCv *self)
{
  delete self;
}

static double
sigmoid (double x)
{
  return 1.0 / (1.0 + std::exp (-x));
}

/* Anchors of one output pair: `cells` × `cells` grid, `per_cell` each. */
static void
decode (const cv::Mat &scores, const cv::Mat &boxes, int cells, int per_cell, int size,
        float threshold, std::vector<cv::Rect2d> &found, std::vector<float> &confidences)
{
  const float *s = scores.ptr<float> ();
  const float *b = boxes.ptr<float> ();
  int n = cells * cells * per_cell;

  for (int i = 0; i < n; i++) {
    double score = sigmoid (s[i]);
    int cell = i / per_cell;
    double ax = (cell % cells + 0.5) / cells, ay = (cell / cells + 0.5) / cells;
    const float *r = b + (size_t)i * 16;
    double cx, cy, w, h;

    if (score < threshold)
      continue;
    cx = ax + r[0] / size;
    cy = ay + r[1] / size;
    w = r[2] / size;
    h = r[3] / size;
    if (w <= 0 || h <= 0)
      continue;
    found.emplace_back (cx - w / 2, cy - h / 2, w, h);
    confidences.push_back ((float)score);
  }
}

/* Picks the output with @anchors rows and @width columns. */
static const cv::Mat *
find_output (const std::vector<cv::Mat> &outs, int anchors, int width)
{
  for (const cv::Mat &m : outs) {
    if (m.total () == (size_t)anchors * width)
      return &m;
  }
  return nullptr;
}

/* Runs the net on one region, letterboxed into the square input, and adds
 * its faces in frame pixels. */
static void
detect_region (VaBlazeFaceCv *self, const cv::Mat &full, const cv::Rect &area, float threshold,
               const VaDetectRegion *r, GArray *out)
{
  const int size = self->size;
  double scale = (double)size / std::max (area.width, area.height);
  cv::Size scaled (std::max (1, (int)std::lround (area.width * scale)),
                   std::max (1, (int)std::lround (area.height * scale)));
  int pad_x = (size - scaled.width) / 2, pad_y = (size - scaled.height) / 2;
  std::vector<cv::Mat> outs;
  std::vector<cv::Rect2d> found;
  std::vector<float> confidences;
  std::vector<int> keep;
  std::vector<cv::Rect> int_boxes;
  int dims[] = { 1, size, size, 3 };
  const cv::Mat *s1, *s2, *b1, *b2;

  self->square.create (size, size, full.type ());
  self->square.setTo (0);
  cv::resize (full (area), self->square (cv::Rect (pad_x, pad_y, scaled.width, scaled.height)),
              scaled, 0, 0, scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  /* NHWC RGB (grey in all three channels without colour), in [-1, 1]. */
  va_cv_to_rgb (self->square, self->rgb);
  self->blob.create (4, dims, CV_32F);
  float *dst = self->blob.ptr<float> ();
  for (int y = 0; y < size; y++) {
    const guint8 *row = self->rgb.ptr<guint8> (y);
    for (int x = 0; x < 3 * size; x++)
      *dst++ = row[x] / 127.5f - 1.0f;
  }
  self->net.setInput (self->blob);
  self->net.forward (outs, self->outputs);
  s1 = find_output (outs, 512, 1);
  s2 = find_output (outs, 384, 1);
  b1 = find_output (outs, 512, 16);
  b2 = find_output (outs, 384, 16);
  if (!s1 || !s2 || !b1 || !b2)
    throw std::runtime_error ("unexpected output shapes: not a BlazeFace model");
  decode (*s1, *b1, 16, 2, size, threshold, found, confidences);
  decode (*s2, *b2, 8, 6, size, threshold, found, confidences);

  for (const cv::Rect2d &f : found)
    int_boxes.emplace_back ((int)std::lround (f.x * size), (int)std::lround (f.y * size),
                            (int)std::lround (f.width * size), (int)std::lround (f.height * size));
  cv::dnn::NMSBoxes (int_boxes, confidences, threshold, NMS_IOU, keep);
  for (int k : keep) {
    const cv::Rect2d &f = found[k];
    VaTrackBox box = {};

    box.x = area.x + (f.x * size - pad_x) / scale;
    box.y = area.y + (f.y * size - pad_y) / scale;
    box.width = f.width * size / scale;
    box.height = f.height * size / scale;
    box.confidence = confidences[k];
    if (box.height < r->min_size || (r->max_size > 0 && box.height > r->max_size))
      continue;
    g_array_append_val (out, box);
  }
}

gboolean
va_blazeface_cv_detect (VaBlazeFaceCv *self, const VaLumaImage *frame, double score_threshold,
                        const VaDetectRegion *regions, guint n_regions, GArray *out,
                        char **error_message)
{
  try {
    cv::Mat full = va_cv_frame (frame);
    cv::Rect bounds (0, 0, frame->width, frame->height);

    for (guint i = 0; i < n_regions; i++) {
      const VaDetectRegion *r = &regions[i];
      cv::Rect area = cv::Rect ((int)std::floor (r->x), (int)std::floor (r->y),
                                (int)std::ceil (r->width), (int)std::ceil (r->height))
                      & bounds;

      if (area.width < 8 || area.height < 8)
        continue;
      detect_region (self, full, area, (float)score_threshold, r, out);
    }
    return TRUE;
  } catch (const std::exception &e) {
    *error_message = g_strdup_printf ("Face model failed: %s", e.what ());
    return FALSE;
  }
}
