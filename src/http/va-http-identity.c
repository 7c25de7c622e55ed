/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-http-private.h"
#include "va-serializable.h"

/* GET /api/v1/auth/me: who the request was authenticated as. A client that
 * got a 403 from an admin route can show why (`is_admin` is false) instead
 * of leaving the refusal unexplained. The authentication step already
 * built the caller; this only serializes it. */

void
va_http_identity_me (VaHttpRequest *req)
{
  gsize length = 0;
  char *text = va_codec_to_json_text (VA_SERIALIZABLE (req->caller), &length);

  va_http_respond_json_text (req, 200, text, length);
}
