/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "va-codec.h"

G_BEGIN_DECLS

#define VA_TYPE_SERIALIZABLE (va_serializable_get_type ())
G_DECLARE_INTERFACE (VaSerializable, va_serializable, VA, SERIALIZABLE, GObject)

/**
 * VaSerializableInterface:
 * @serialize: add every public field, in a stable order, to @codec
 *
 * Model objects (job, pipeline result, API key, audit entry) implement
 * this once; va_codec_to_json() and va_codec_to_variant() then give REST,
 * D-Bus and the CLI's `--json` the same field names and values.
 */
struct _VaSerializableInterface {
  GTypeInterface g_iface;

  void (*serialize) (VaSerializable *self, VaCodec *codec);
};

void va_serializable_serialize (VaSerializable *self, VaCodec *codec);

G_END_DECLS
