/* vafacedetect's optional face attributes: which ones (a flags property),
 * loading their models from the models directory, and writing what a face
 * crop gave into the face's "detection" structure.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>

#include "va-face-attributes-cv.h"

G_BEGIN_DECLS

/**
 * VaFaceAttributeFlags:
 * @VA_FACE_ATTRIBUTE_EMOTION: the face's expression (model `emotion`)
 * @VA_FACE_ATTRIBUTE_AGE: its age (model `age-gender`)
 * @VA_FACE_ATTRIBUTE_GENDER: its gender (model `age-gender`)
 */
typedef enum {
  VA_FACE_ATTRIBUTE_EMOTION = 1 << 0,
  VA_FACE_ATTRIBUTE_AGE = 1 << 1,
  VA_FACE_ATTRIBUTE_GENDER = 1 << 2,
} VaFaceAttributeFlags;

#define VA_FACE_ATTRIBUTES_ALL                                                                     \
  (VA_FACE_ATTRIBUTE_EMOTION | VA_FACE_ATTRIBUTE_AGE | VA_FACE_ATTRIBUTE_GENDER)

#define VA_TYPE_FACE_ATTRIBUTE_FLAGS (va_face_attribute_flags_get_type ())
GType va_face_attribute_flags_get_type (void);

gboolean va_face_attributes_open (GstElement *element, const char *models_dir,
                                  VaFaceAttributeFlags wanted, VaFaceAttributesCv **models,
                                  GError **error);
gboolean va_face_attributes_describe (VaFaceAttributesCv *models, VaFaceAttributeFlags wanted,
                                      const VaLumaImage *frame, const VaTrackBox *box,
                                      GstStructure *detection, GError **error);

G_END_DECLS
