/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-upload.h"

G_BEGIN_DECLS

/* the partial file of an upload in progress, in its job directory; one
 * left behind by a crash is swept at the next start (va-recovery.c) */
#define VA_UPLOAD_PART_NAME ".upload.part"

VaUpload *va_upload_new (VaStorage *storage, const char *job_id, const char *filename,
                         GError **error);
void va_upload_commit (VaUpload *self);
const char *va_upload_get_owner (VaUpload *self);
void va_upload_set_owner (VaUpload *self, const char *user_id);
gboolean va_upload_link_from (VaUpload *self, const char *source, const char *sha256,
                              GError **error);
const char *va_upload_get_rerun_of (VaUpload *self);
void va_upload_set_rerun_of (VaUpload *self, const char *job_id);

G_END_DECLS
