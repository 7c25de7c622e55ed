/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VA_ERROR (va_error_quark ())

/**
 * VaError:
 *
 * The one error domain of VideoAnnotator. Every code is also registered as a
 * D-Bus error named `org.videoannotator.VideoAnnotator1.Error.<Nick>` and maps
 * to one HTTP status (va_error_to_http_status()).
 */
typedef enum {
  VA_ERROR_INTERNAL,          /* 500 */
  VA_ERROR_NOT_FOUND,         /* 404 */
  VA_ERROR_INVALID_ARGUMENT,  /* 400 */
  VA_ERROR_UNAUTHENTICATED,   /* 401 */
  VA_ERROR_FORBIDDEN,         /* 403 */
  VA_ERROR_CONFLICT,          /* 409 */
  VA_ERROR_RATE_LIMITED,      /* 429 */
  VA_ERROR_PAYLOAD_TOO_LARGE, /* 413 */
  VA_ERROR_UNSUPPORTED_MEDIA, /* 415 */
  VA_ERROR_STORAGE_FULL,      /* 507 */
  VA_ERROR_READ_ONLY,         /* 503: server runs with --read-only */
  VA_ERROR_CANCELLED,         /* 499-like; a job or request was cancelled */
  VA_ERROR_PIPELINE,          /* 500: a GStreamer pipeline failed */
  VA_ERROR_NOT_SUPPORTED,     /* 501: this build lacks the feature (e.g. a store backend) */
  VA_ERROR_LAST
} VaError;

GQuark va_error_quark (void);
guint va_error_to_http_status (VaError code);
const char *va_error_to_string (VaError code);
gboolean va_error_convert (GError **error);

G_END_DECLS
