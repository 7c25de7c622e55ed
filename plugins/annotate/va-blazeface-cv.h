/* MediaPipe BlazeFace (ONNX) through OpenCV DNN, behind a C ABI
 * (vafacedetect's neural model). No C++ types cross this header.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "va-detect-types.h"

G_BEGIN_DECLS

typedef struct _VaBlazeFaceCv VaBlazeFaceCv;

VaBlazeFaceCv *va_blazeface_cv_new (const char *path, char **error_message);
void va_blazeface_cv_free (VaBlazeFaceCv *net);
gboolean va_blazeface_cv_detect (VaBlazeFaceCv *net, const VaLumaImage *frame,
                                 double score_threshold, const VaDetectRegion *regions,
                                 guint n_regions, GArray *out, char **error_message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaBlazeFaceCv, va_blazeface_cv_free)

G_END_DECLS
