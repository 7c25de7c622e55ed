/* The OpenCV cascade classifier behind a C ABI (vafacedetect's model; also
 * vapersondetect's upper-body model). No C++ types cross this header.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "va-detect-types.h"

G_BEGIN_DECLS

typedef struct _VaCascadeCv VaCascadeCv;

VaCascadeCv *va_cascade_cv_new (const char *path, char **error_message);
void va_cascade_cv_free (VaCascadeCv *cascade);
void va_cascade_cv_get_window (VaCascadeCv *cascade, int *width, int *height);
gboolean va_cascade_cv_detect (VaCascadeCv *cascade, const VaLumaImage *frame,
                               const VaDetectParams *params, int min_neighbors,
                               const VaDetectRegion *regions, guint n_regions, GArray *out,
                               char **error_message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaCascadeCv, va_cascade_cv_free)

G_END_DECLS
