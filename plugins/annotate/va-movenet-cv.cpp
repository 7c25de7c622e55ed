/* MoveNet keypoints for vapersondetect, behind the C ABI of va-movenet-cv.h.
 * OpenCV reports errors as C++ exceptions; none may cross into C, so every
 * entry point catches them and returns a message.
 *
 * The converted model starts after the TF.js graph's own pre-processing:
 * it takes one 192 × 192 NCHW RGB picture scaled to [-1, 1] and answers,
 * at a quarter of that resolution (48 × 48 cells), one heat map per COCO
 * keypoint (sigmoid) and per keypoint the (y, x) offset, in cells, from a
 * cell to the keypoint. The graph's centre heat map, which picks one person
 * of a picture showing several, is left out: the person is given here (top
 * down), as the tracked box. Each box is cropped as a square around its
 * centre, a keypoint is the strongest cell of its map that lies in the box
 * (plus a margin: a raised arm leaves a tight box), moved by its offset.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "va-movenet-cv.h"

#include "va-cv-image.hpp"

#include <cmath>
#include <memory>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#define INPUT_SIZE 192
#define HEAT_OUTPUT "StatefulPartitionedCall/Sigmoid"
#define OFFSET_OUTPUT "StatefulPartitionedCall/kpt_offset_0/conv2d_7/BiasAdd"
/* The crop's side, relative to the box's longer side: MoveNet was trained
 * on people with some room around them. */
#define CROP_SCALE 1.25
/* Keypoints are searched in the box grown by this share of its size on
 * each side; beyond that the strongest cell is often a neighbour's joint. */
#define BOX_MARGIN 0.1

struct _VaMoveNetCv {
  cv::dnn::Net net;
  std::vector<cv::String> outputs;
  cv::Mat crop; /* kept to reuse their allocations */
  cv::Mat rgb;
  cv::Mat blob;
};

VaMoveNetCv *
va_movenet_cv_new (const char *path, char **error_message)
{
  try {
    std::unique_ptr<_VaMoveNetCv> self (new _VaMoveNetCv);

    self->net = cv::dnn::readNetFromONNX (path);
    if (self->net.empty ()) {
      *error_message = g_strdup_printf ("Could not load the keypoint model %s", path);
      return nullptr;
    }
    self->net.setPreferableBackend (cv::dnn::DNN_BACKEND_OPENCV);
    self->net.setPreferableTarget (cv::dnn::DNN_TARGET_CPU);
    self->outputs = { HEAT_OUTPUT, OFFSET_OUTPUT };
    return self.release ();
  } catch (const std::exception &e) {
    *error_message = g_strdup_printf ("Could not load the keypoint model %s: %s", path, e.what ());
    return nullptr;
  }
}

void
va_movenet_cv_free (VaMoveNetCv *self)
{
  delete self;
}

gboolean
va_movenet_cv_estimate (VaMoveNetCv *self, const VaLumaImage *frame, const VaTrackBox *box,
                        VaKeypoint keypoints[VA_N_KEYPOINTS], char **error_message)
{
  try {
    cv::Mat full = va_cv_frame (frame);
    double side = std::max (box->width, box->height) * CROP_SCALE;
    double x0 = box->x + box->width / 2 - side / 2, y0 = box->y + box->height / 2 - side / 2;
    double scale = INPUT_SIZE / side;
    /* frame → crop; warpAffine computes the crop's pixels only, and pads
     * what lies beyond the frame's edges with black */
    cv::Matx23d to_crop (scale, 0, -x0 * scale, 0, scale, -y0 * scale);
    std::vector<cv::Mat> outs;

    if (!(side >= 1.0))
      throw std::runtime_error ("empty person box");
    cv::warpAffine (full, self->crop, to_crop, cv::Size (INPUT_SIZE, INPUT_SIZE),
                    side > INPUT_SIZE ? cv::INTER_AREA : cv::INTER_LINEAR, cv::BORDER_CONSTANT);
    va_cv_to_rgb (self->crop, self->rgb);
    cv::dnn::blobFromImage (self->rgb, self->blob, 1.0 / 127.5, cv::Size (),
                            cv::Scalar::all (127.5));
    self->net.setInput (self->blob);
    self->net.forward (outs, self->outputs);

    const cv::Mat &heat = outs[0], &offset = outs[1];
    if (heat.dims != 4 || offset.dims != 4 || heat.size[1] != VA_N_KEYPOINTS
        || offset.size[1] != 2 * VA_N_KEYPOINTS || heat.size[2] != offset.size[2]
        || heat.size[3] != offset.size[3])
      throw std::runtime_error ("unexpected output shapes: not the converted MoveNet model");
    const int h = heat.size[2], w = heat.size[3];
    const double cell_x = side / w, cell_y = side / h;
    /* the cells whose area overlaps the box (with its margin) */
    int cx0 = std::max (0, (int)std::floor ((box->x - BOX_MARGIN * box->width - x0) / cell_x));
    int cy0 = std::max (0, (int)std::floor ((box->y - BOX_MARGIN * box->height - y0) / cell_y));
    int cx1 = std::min (w - 1,
                        (int)std::floor ((box->x + (1 + BOX_MARGIN) * box->width - x0) / cell_x));
    int cy1 = std::min (h - 1,
                        (int)std::floor ((box->y + (1 + BOX_MARGIN) * box->height - y0) / cell_y));

    for (int k = 0; k < VA_N_KEYPOINTS; k++) {
      const float *p = heat.ptr<float> (0, k);
      const float *oy = offset.ptr<float> (0, 2 * k), *ox = offset.ptr<float> (0, 2 * k + 1);
      int best = -1;

      for (int y = cy0; y <= cy1; y++)
        for (int x = cx0; x <= cx1; x++)
          if (best < 0 || p[y * w + x] > p[best])
            best = y * w + x;
      if (best < 0) {
        keypoints[k] = VaKeypoint{ box->x + box->width / 2, box->y + box->height / 2, 0.0 };
        continue;
      }
      keypoints[k].x = x0 + (best % w + ox[best]) * cell_x;
      keypoints[k].y = y0 + (best / w + oy[best]) * cell_y;
      keypoints[k].score = p[best];
    }
    return TRUE;
  } catch (const std::exception &e) {
    *error_message = g_strdup_printf ("Keypoint model failed: %s", e.what ());
    return FALSE;
  }
}
