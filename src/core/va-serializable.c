/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-serializable.h"

G_DEFINE_INTERFACE (VaSerializable, va_serializable, G_TYPE_OBJECT)

static void
va_serializable_default_init (VaSerializableInterface *iface)
{
}

void
va_serializable_serialize (VaSerializable *self, VaCodec *codec)
{
  VaSerializableInterface *iface;

  g_return_if_fail (VA_IS_SERIALIZABLE (self));
  g_return_if_fail (codec != NULL);

  iface = VA_SERIALIZABLE_GET_IFACE (self);
  g_return_if_fail (iface->serialize != NULL);
  iface->serialize (self, codec);
}
