/* Face attributes for vafacedetect, behind the C ABI of
 * va-face-attributes-cv.h. OpenCV reports errors as C++ exceptions; none may
 * cross into C, so every entry point catches them and returns a message.
 *
 * Emotion: mini-Xception trained on FER-2013 (github:oarriaga/
 * face_classification): a 64 × 64 grey crop scaled to [-1, 1], seven class
 * scores; the converted graph stops before its softmax, done here.
 * Age and gender: HSE's MobileNet (github:HSE-asavchenko/HSE_FaceRec_tf):
 * a 224 × 224 BGR crop minus ImageNet's channel means; a gender logit (sigmoid: man) and 100
 * age-class logits (softmax), the age decoded as upstream does: 1 + the mean of the two likeliest
 * classes weighted by their renormalised probabilities. Its crop is in colour when the element
 * hands the frame's RGB (it does with these models loaded), else grey in every channel.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "va-face-attributes-cv.h"

#include "va-cv-image.hpp"

#include <cmath>
#include <memory>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#define EMOTION_SIZE 64
#define FACERES_SIZE 224
#define EMOTION_OUTPUT "StatefulPartitionedCall/model_1/global_average_pooling2d_1/Mean"
#define GENDER_OUTPUT "gender_pred/BiasAdd"
#define AGE_OUTPUT "age_pred/BiasAdd"
#define N_AGES 100

struct _VaFaceAttributesCv {
  cv::dnn::Net emotion;
  cv::dnn::Net faceres;
  std::vector<cv::String> faceres_outputs;
  cv::Mat crop, bgr, blob; /* kept to reuse their allocations */
};

static cv::dnn::Net
load (const char *path, const char *what)
{
  cv::dnn::Net net;

  try {
    net = cv::dnn::readNetFromONNX (path);
  } catch (const std::exception &e) {
    throw std::runtime_error (std::string ("could not load the ") + what + " model " + path + ": "
                              + e.what ());
  }
  if (net.empty ())
    throw std::runtime_error (std::string ("could not load the ") + what + " model " + path);
  net.setPreferableBackend (cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget (cv::dnn::DNN_TARGET_CPU);
  return net;
}

VaFaceAttributesCv *
va_face_attributes_cv_new (const char *emotion_path, const char *faceres_path, char **error_message)
{
  try {
    std::unique_ptr<_VaFaceAttributesCv> self (new _VaFaceAttributesCv);

    if (emotion_path != NULL)
      self->emotion = load (emotion_path, "emotion");
    if (faceres_path != NULL)
      self->faceres = load (faceres_path, "age and gender");
    self->faceres_outputs = { GENDER_OUTPUT, AGE_OUTPUT };
    return self.release ();
  } catch (const std::exception &e) {
    *error_message = g_strdup_printf ("Face attribute model: %s", e.what ());
    return nullptr;
  }
}

void
va_face_attributes_cv_free (VaFaceAttributesCv *self)
{
  delete self;
}

gboolean
va_face_attributes_cv_has_emotion (VaFaceAttributesCv *self)
{
  return !self->emotion.empty ();
}

gboolean
va_face_attributes_cv_has_age_gender (VaFaceAttributesCv *self)
{
  return !self->faceres.empty ();
}

/* The face box (a forehead-to-chin square) resampled to size × size; what
 * lies beyond the frame's edges is black. */
static void
crop_box (const cv::Mat &full, const VaTrackBox *box, int size, cv::Mat &out)
{
  double sx = size / box->width, sy = size / box->height;
  cv::Matx23d to_crop (sx, 0, -box->x * sx, 0, sy, -box->y * sy);

  if (!(box->width >= 1.0 && box->height >= 1.0))
    throw std::runtime_error ("empty face box");
  cv::warpAffine (full, out, to_crop, cv::Size (size, size),
                  box->width > size ? cv::INTER_AREA : cv::INTER_LINEAR, cv::BORDER_CONSTANT);
}

static void
softmax (const float *logits, int n, double *out)
{
  double top = logits[0], sum = 0.0;

  for (int i = 1; i < n; i++)
    top = std::max (top, (double)logits[i]);
  for (int i = 0; i < n; i++)
    sum += out[i] = std::exp (logits[i] - top);
  for (int i = 0; i < n; i++)
    out[i] /= sum;
}

gboolean
va_face_attributes_cv_estimate (VaFaceAttributesCv *self, const VaLumaImage *frame,
                                const VaTrackBox *box, VaFaceAttributesResult *result,
                                char **error_message)
{
  try {
    /* The emotion network was trained on grey faces (FER-2013), the age
     * and gender one on colour faces. */
    cv::Mat grey (frame->height, frame->width, CV_8UC1, const_cast<guint8 *> (frame->data),
                  (size_t)frame->stride);
    cv::Mat full = va_cv_frame (frame);

    if (!self->emotion.empty ()) {
      crop_box (grey, box, EMOTION_SIZE, self->crop);
      cv::dnn::blobFromImage (self->crop, self->blob, 1.0 / 127.5, cv::Size (),
                              cv::Scalar::all (127.5));
      self->emotion.setInput (self->blob);
      cv::Mat out = self->emotion.forward (EMOTION_OUTPUT);
      if (out.total () != VA_N_EMOTIONS)
        throw std::runtime_error ("unexpected output: not the converted emotion model");
      softmax (out.ptr<float> (), VA_N_EMOTIONS, result->emotion_scores);
    }
    if (!self->faceres.empty ()) {
      std::vector<cv::Mat> outs;
      double ages[N_AGES];
      int first = 0, second = 1;

      crop_box (full, box, FACERES_SIZE, self->crop);
      /* upstream's pre-processing: BGR, minus ImageNet's mean per channel */
      cv::cvtColor (self->crop, self->bgr,
                    self->crop.channels () == 3 ? cv::COLOR_RGB2BGR : cv::COLOR_GRAY2BGR);
      cv::dnn::blobFromImage (self->bgr, self->blob, 1.0, cv::Size (),
                              cv::Scalar (103.939, 116.779, 123.68));
      self->faceres.setInput (self->blob);
      self->faceres.forward (outs, self->faceres_outputs);
      if (outs[0].total () != 1 || outs[1].total () != N_AGES)
        throw std::runtime_error ("unexpected output: not the converted age and gender model");
      result->male = 1.0 / (1.0 + std::exp (-outs[0].ptr<float> ()[0]));
      softmax (outs[1].ptr<float> (), N_AGES, ages);
      if (ages[second] > ages[first])
        std::swap (first, second);
      for (int i = 2; i < N_AGES; i++) {
        if (ages[i] > ages[first]) {
          second = first;
          first = i;
        } else if (ages[i] > ages[second]) {
          second = i;
        }
      }
      result->age
          = 1.0 + (first * ages[first] + second * ages[second]) / (ages[first] + ages[second]);
    }
    return TRUE;
  } catch (const std::exception &e) {
    *error_message = g_strdup_printf ("Face attribute model failed: %s", e.what ());
    return FALSE;
  }
}
