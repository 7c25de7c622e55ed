/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VA_REMOTE_CLIENT_DEFAULT_URL "http://127.0.0.1:18011"

#define VA_TYPE_REMOTE_CLIENT (va_remote_client_get_type ())
G_DECLARE_FINAL_TYPE (VaRemoteClient, va_remote_client, VA, REMOTE_CLIENT, GObject)

VaRemoteClient *va_remote_client_new (const char *base_url, GError **error);
const char *va_remote_client_get_base_url (VaRemoteClient *self);
void va_remote_client_set_api_key (VaRemoteClient *self, const char *api_key);
gboolean va_remote_client_is_private (VaRemoteClient *self);
JsonObject *va_remote_client_get_error_body (VaRemoteClient *self);

void va_remote_client_call_async (VaRemoteClient *self, const char *method, const char *path,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
void va_remote_client_call_json_async (VaRemoteClient *self, const char *method, const char *path,
                                       JsonNode *body, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
JsonNode *va_remote_client_call_finish (VaRemoteClient *self, GAsyncResult *result, GError **error);

void va_remote_client_submit_async (VaRemoteClient *self, GFile *video, const char *const *fields,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data);
JsonNode *va_remote_client_submit_finish (VaRemoteClient *self, GAsyncResult *result,
                                          GError **error);

void va_remote_client_download_async (VaRemoteClient *self, const char *path, const char *directory,
                                      const char *fallback_name, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
char *va_remote_client_download_finish (VaRemoteClient *self, GAsyncResult *result, GError **error);

G_END_DECLS
