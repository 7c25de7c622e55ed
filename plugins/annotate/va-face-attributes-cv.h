/* Emotion, age and gender of a face crop through OpenCV DNN (the models
 * `videoannotator models install emotion faceres` converts to ONNX), behind a
 * C ABI for vafacedetect. No C++ types cross this header.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "va-detect-types.h"

G_BEGIN_DECLS

/* FER-2013's seven classes, in the emotion model's output order: angry,
 * disgust, fear, happy, sad, surprise, neutral (va_face_emotion_names). */
#define VA_N_EMOTIONS 7

typedef struct _VaFaceAttributesCv VaFaceAttributesCv;

/* What one face crop gave; a part is valid when its model was loaded. */
typedef struct {
  double emotion_scores[VA_N_EMOTIONS]; /* softmax, sums to 1 */
  double age;                           /* years */
  double male;                          /* probability that the face is a man's, 0..1 */
} VaFaceAttributesResult;

VaFaceAttributesCv *va_face_attributes_cv_new (const char *emotion_path, const char *faceres_path,
                                               char **error_message);
void va_face_attributes_cv_free (VaFaceAttributesCv *self);
gboolean va_face_attributes_cv_has_emotion (VaFaceAttributesCv *self);
gboolean va_face_attributes_cv_has_age_gender (VaFaceAttributesCv *self);
gboolean va_face_attributes_cv_estimate (VaFaceAttributesCv *self, const VaLumaImage *frame,
                                         const VaTrackBox *box, VaFaceAttributesResult *result,
                                         char **error_message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaFaceAttributesCv, va_face_attributes_cv_free)

G_END_DECLS
