/* CenterNet (MobileNetV3, COCO; converted to ONNX by `videoannotator models
 * install`) through OpenCV DNN, behind a C ABI: vapersondetect's neural
 * model. No C++ types cross this header.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "va-detect-types.h"

G_BEGIN_DECLS

typedef struct _VaCenterNetCv VaCenterNetCv;

VaCenterNetCv *va_centernet_cv_new (const char *path, int width, int height, char **error_message);
void va_centernet_cv_free (VaCenterNetCv *net);
gboolean va_centernet_cv_detect (VaCenterNetCv *net, const VaLumaImage *frame,
                                 double score_threshold, const VaDetectRegion *regions,
                                 guint n_regions, GArray *out, char **error_message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaCenterNetCv, va_centernet_cv_free)

G_END_DECLS
