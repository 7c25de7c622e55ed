/* The GStreamer plugin `videoannotator`: the elements that need nothing but
 * GStreamer and GLib. Elements built on a large library live in plugins of
 * their own (plugin-opencv.c, plugin-speech.c, plugin-overlay.c), so that a
 * run that only detects scenes does not load OpenCV, PocketSphinx or
 * Cairo/Pango: loading them cost ~45 ms of CPU at every start.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "va-annotation-sink.h"
#include "va-diarize.h"
#include "va-motion.h"
#include "va-scene-detect.h"
#include "va-vad.h"

static gboolean
plugin_init (GstPlugin *plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (vascenedetect, plugin);
  ret |= GST_ELEMENT_REGISTER (vamotion, plugin);
  ret |= GST_ELEMENT_REGISTER (vavad, plugin);
  ret |= GST_ELEMENT_REGISTER (vadiarize, plugin);
  ret |= GST_ELEMENT_REGISTER (vaannotationsink, plugin);
  return ret;
}

#define PACKAGE GETTEXT_PACKAGE

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, videoannotator,
                   "VideoAnnotator analysis elements", plugin_init, PACKAGE_VERSION, "LGPL",
                   GETTEXT_PACKAGE, "https://github.com/videoannotator")
