/* The GStreamer plugin `videoannotator`: registers every element.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "va-annotation-sink.h"
#include "va-diarize.h"
#include "va-face-detect.h"
#include "va-motion.h"
#include "va-overlay.h"
#include "va-scene-detect.h"
#include "va-person-detect.h"
#include "va-speech.h"
#include "va-vad.h"

static gboolean
plugin_init (GstPlugin *plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (vascenedetect, plugin);
  ret |= GST_ELEMENT_REGISTER (vamotion, plugin);
  ret |= GST_ELEMENT_REGISTER (vafacedetect, plugin);
  ret |= GST_ELEMENT_REGISTER (vavad, plugin);
  ret |= GST_ELEMENT_REGISTER (vaspeech, plugin);
  ret |= GST_ELEMENT_REGISTER (vadiarize, plugin);
  ret |= GST_ELEMENT_REGISTER (vaannotationsink, plugin);
  ret |= GST_ELEMENT_REGISTER (vapersondetect, plugin);
  ret |= GST_ELEMENT_REGISTER (vaoverlay, plugin);
  return ret;
}

#define PACKAGE GETTEXT_PACKAGE

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, videoannotator,
                   "VideoAnnotator analysis elements", plugin_init, PACKAGE_VERSION, "LGPL",
                   GETTEXT_PACKAGE, "https://github.com/videoannotator")
