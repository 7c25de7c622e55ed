/* The GStreamer plugin `videoannotatoropencv`: VideoAnnotator's detectors
 * built on OpenCV (see plugin.c for why they are a plugin of their own).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "va-face-detect.h"
#include "va-person-detect.h"

static gboolean
plugin_init (GstPlugin *plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (vafacedetect, plugin);
  ret |= GST_ELEMENT_REGISTER (vapersondetect, plugin);
  return ret;
}

#define PACKAGE GETTEXT_PACKAGE

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, videoannotatoropencv,
                   "VideoAnnotator face and person detectors (OpenCV)", plugin_init,
                   PACKAGE_VERSION, "LGPL", GETTEXT_PACKAGE, "https://github.com/videoannotator")
