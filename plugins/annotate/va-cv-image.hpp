/* The input frame as an OpenCV matrix for the neural back ends (C++ only).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "va-detect-types.h"

/* The frame's packed RGB when the element made it, else its grey plane;
 * neither is copied. */
static inline cv::Mat
va_cv_frame (const VaLumaImage *frame)
{
  if (frame->rgb != nullptr)
    return cv::Mat (frame->height, frame->width, CV_8UC3, const_cast<guint8 *> (frame->rgb),
                    (size_t)frame->rgb_stride);
  return cv::Mat (frame->height, frame->width, CV_8UC1, const_cast<guint8 *> (frame->data),
                  (size_t)frame->stride);
}

/* @in (RGB or grey, from va_cv_frame or a crop of it) as RGB in @out;
 * grey repeated in the three channels. */
static inline void
va_cv_to_rgb (const cv::Mat &in, cv::Mat &out)
{
  if (in.channels () == 3)
    out = in;
  else
    cv::cvtColor (in, out, cv::COLOR_GRAY2RGB);
}
