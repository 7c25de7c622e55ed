/* The GStreamer plugin `videoannotatoroverlay`: VideoAnnotator's preview
 * overlay, drawn with Cairo and Pango (see plugin.c for why it is a plugin
 * of its own).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "va-overlay.h"

static gboolean
plugin_init (GstPlugin *plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (vaoverlay, plugin);
  return ret;
}

#define PACKAGE GETTEXT_PACKAGE

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, videoannotatoroverlay,
                   "VideoAnnotator annotation overlay (Cairo/Pango)", plugin_init, PACKAGE_VERSION,
                   "LGPL", GETTEXT_PACKAGE, "https://github.com/videoannotator")
