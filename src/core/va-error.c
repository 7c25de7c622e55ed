/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <gst/gst.h>

#include "va-error.h"

/* Nicks double as D-Bus error names and as stable strings for logs. */
static const struct {
  VaError code;
  const char *nick;
  guint http_status;
} va_error_table[] = {
  { VA_ERROR_INTERNAL, "Internal", 500 },
  { VA_ERROR_NOT_FOUND, "NotFound", 404 },
  { VA_ERROR_INVALID_ARGUMENT, "InvalidArgument", 400 },
  { VA_ERROR_UNAUTHENTICATED, "Unauthenticated", 401 },
  { VA_ERROR_FORBIDDEN, "Forbidden", 403 },
  { VA_ERROR_CONFLICT, "Conflict", 409 },
  { VA_ERROR_RATE_LIMITED, "RateLimited", 429 },
  { VA_ERROR_PAYLOAD_TOO_LARGE, "PayloadTooLarge", 413 },
  { VA_ERROR_UNSUPPORTED_MEDIA, "UnsupportedMedia", 415 },
  { VA_ERROR_STORAGE_FULL, "StorageFull", 507 },
  { VA_ERROR_READ_ONLY, "ReadOnly", 503 },
  { VA_ERROR_CANCELLED, "Cancelled", 499 },
  { VA_ERROR_PIPELINE, "Pipeline", 500 },
  { VA_ERROR_NOT_SUPPORTED, "NotSupported", 501 },
};

G_STATIC_ASSERT (G_N_ELEMENTS (va_error_table) == VA_ERROR_LAST);

GQuark
va_error_quark (void)
{
  static gsize quark = 0;

  if (g_once_init_enter (&quark)) {
    GQuark q = g_quark_from_static_string ("va-error-quark");
    for (guint i = 0; i < G_N_ELEMENTS (va_error_table); i++) {
      g_autofree char *name
          = g_strdup_printf ("org.videoannotator.VideoAnnotator1.Error.%s", va_error_table[i].nick);
      g_dbus_error_register_error (q, va_error_table[i].code, name);
    }
    g_once_init_leave (&quark, q);
  }
  return (GQuark)quark;
}

guint
va_error_to_http_status (VaError code)
{
  if ((guint)code >= G_N_ELEMENTS (va_error_table))
    return 500;
  return va_error_table[code].http_status;
}

const char *
va_error_to_string (VaError code)
{
  if ((guint)code >= G_N_ELEMENTS (va_error_table))
    return "Internal";
  return va_error_table[code].nick;
}

/**
 * va_error_convert:
 * @error: (inout) (nullable): an error from another domain
 *
 * Rewrites a foreign error (GIO, GLib file, GStreamer) into %VA_ERROR once,
 * at the boundary where it enters the engine, keeping its message.
 *
 * Returns: %TRUE if *@error was converted or already in %VA_ERROR.
 */
gboolean
va_error_convert (GError **error)
{
  GError *e;
  VaError code = VA_ERROR_INTERNAL;

  if (error == NULL || *error == NULL)
    return FALSE;
  e = *error;
  if (e->domain == VA_ERROR)
    return TRUE;

  if (e->domain == G_IO_ERROR) {
    switch (e->code) {
    case G_IO_ERROR_NOT_FOUND:
      code = VA_ERROR_NOT_FOUND;
      break;
    case G_IO_ERROR_NO_SPACE:
      code = VA_ERROR_STORAGE_FULL;
      break;
    case G_IO_ERROR_PERMISSION_DENIED:
      code = VA_ERROR_FORBIDDEN;
      break;
    case G_IO_ERROR_INVALID_ARGUMENT:
    case G_IO_ERROR_INVALID_DATA:
    case G_IO_ERROR_INVALID_FILENAME:
      code = VA_ERROR_INVALID_ARGUMENT;
      break;
    case G_IO_ERROR_CANCELLED:
      code = VA_ERROR_CANCELLED;
      break;
    case G_IO_ERROR_EXISTS:
      code = VA_ERROR_CONFLICT;
      break;
    default:
      break;
    }
  } else if (e->domain == G_FILE_ERROR) {
    switch (e->code) {
    case G_FILE_ERROR_NOENT:
      code = VA_ERROR_NOT_FOUND;
      break;
    case G_FILE_ERROR_NOSPC:
      code = VA_ERROR_STORAGE_FULL;
      break;
    case G_FILE_ERROR_ACCES:
    case G_FILE_ERROR_PERM:
      code = VA_ERROR_FORBIDDEN;
      break;
    default:
      break;
    }
  } else if (e->domain == GST_STREAM_ERROR) {
    /* decodebin's way of saying "this is not a video we can read" */
    switch (e->code) {
    case GST_STREAM_ERROR_TYPE_NOT_FOUND:
    case GST_STREAM_ERROR_WRONG_TYPE:
    case GST_STREAM_ERROR_CODEC_NOT_FOUND:
    case GST_STREAM_ERROR_DEMUX:
    case GST_STREAM_ERROR_DECODE:
    case GST_STREAM_ERROR_FORMAT:
      code = VA_ERROR_UNSUPPORTED_MEDIA;
      break;
    default:
      code = VA_ERROR_PIPELINE;
      break;
    }
  } else if (e->domain == GST_RESOURCE_ERROR) {
    switch (e->code) {
    case GST_RESOURCE_ERROR_NOT_FOUND:
    case GST_RESOURCE_ERROR_OPEN_READ:
      code = VA_ERROR_NOT_FOUND;
      break;
    case GST_RESOURCE_ERROR_NO_SPACE_LEFT:
      code = VA_ERROR_STORAGE_FULL;
      break;
    default:
      code = VA_ERROR_PIPELINE;
      break;
    }
  } else if (e->domain == GST_CORE_ERROR || e->domain == GST_LIBRARY_ERROR) {
    code = VA_ERROR_PIPELINE;
  } else if (e->domain == G_KEY_FILE_ERROR || e->domain == G_OPTION_ERROR) {
    code = VA_ERROR_INVALID_ARGUMENT;
  }

  e->domain = VA_ERROR;
  e->code = code;
  return TRUE;
}
