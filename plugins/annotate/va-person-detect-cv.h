/* OpenCV's HOG people detector behind a C ABI (vapersondetect). No C++ types
 * cross this header.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "va-detect-types.h"

G_BEGIN_DECLS

typedef struct _VaHogCv VaHogCv;

VaHogCv *va_hog_cv_new (char **error_message);
void va_hog_cv_free (VaHogCv *hog);
gboolean va_hog_cv_detect (VaHogCv *hog, const VaLumaImage *frame, const VaDetectParams *params,
                           double hit_threshold, int group_threshold, const VaDetectRegion *regions,
                           guint n_regions, GArray *out, char **error_message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaHogCv, va_hog_cv_free)

G_END_DECLS
