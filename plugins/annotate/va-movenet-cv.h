/* MoveNet SinglePose Lightning (converted to ONNX by `videoannotator models
 * install`) through OpenCV DNN, behind a C ABI: vapersondetect's body
 * keypoints. No C++ types cross this header.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "va-detect-types.h"

G_BEGIN_DECLS

typedef struct _VaMoveNetCv VaMoveNetCv;

VaMoveNetCv *va_movenet_cv_new (const char *path, char **error_message);
void va_movenet_cv_free (VaMoveNetCv *net);
gboolean va_movenet_cv_estimate (VaMoveNetCv *net, const VaLumaImage *frame, const VaTrackBox *box,
                                 VaKeypoint keypoints[VA_N_KEYPOINTS], char **error_message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaMoveNetCv, va_movenet_cv_free)

G_END_DECLS
