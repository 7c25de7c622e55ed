/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-detector.h"

G_BEGIN_DECLS

/**
 * VaFaceDetectModel:
 * @VA_FACE_DETECT_MODEL_LBP_FRONTALFACE_IMPROVED: OpenCV's improved LBP frontal
 *   face cascade (fast, few false positives)
 * @VA_FACE_DETECT_MODEL_HAAR_FRONTALFACE_DEFAULT: Haar frontal face cascade
 * @VA_FACE_DETECT_MODEL_HAAR_FRONTALFACE_ALT: Haar frontal face cascade, "alt"
 * @VA_FACE_DETECT_MODEL_HAAR_FRONTALFACE_ALT2: Haar frontal face cascade, "alt2"
 * @VA_FACE_DETECT_MODEL_BLAZEFACE: MediaPipe BlazeFace, full range (neural,
 *   OpenCV DNN; installed by `videoannotator models install blazeface`)
 * @VA_FACE_DETECT_MODEL_AUTO: BlazeFace when it is installed, otherwise
 *   `haar-frontalface-alt` with a warning
 */
typedef enum {
  VA_FACE_DETECT_MODEL_LBP_FRONTALFACE_IMPROVED,
  VA_FACE_DETECT_MODEL_HAAR_FRONTALFACE_DEFAULT,
  VA_FACE_DETECT_MODEL_HAAR_FRONTALFACE_ALT,
  VA_FACE_DETECT_MODEL_HAAR_FRONTALFACE_ALT2,
  VA_FACE_DETECT_MODEL_BLAZEFACE,
  VA_FACE_DETECT_MODEL_AUTO,
} VaFaceDetectModel;

#define VA_TYPE_FACE_DETECT_MODEL (va_face_detect_model_get_type ())
GType va_face_detect_model_get_type (void);

#define VA_TYPE_FACE_DETECT (va_face_detect_get_type ())
G_DECLARE_FINAL_TYPE (VaFaceDetect, va_face_detect, VA, FACE_DETECT, VaDetector)

GST_ELEMENT_REGISTER_DECLARE (vafacedetect);

const char *va_face_detect_model_backend (VaFaceDetectModel model);

G_END_DECLS
