/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-dbus-service.h"

G_BEGIN_DECLS

/* One method call in flight. The invocation belongs to the call until it
 * is answered (va_dbus_call_fail() or a complete_* function on
 * g_steal_pointer (&call->invocation)). */
typedef struct _VaDBusCall VaDBusCall;
typedef void (*VaDBusCallFunc) (VaDBusCall *call);

struct _VaDBusCall {
  VaDBusService *service;
  VaEngine *engine;
  GDBusMethodInvocation *invocation;
  VaDBusCallFunc func;
  VaCaller *caller; /* set before func runs */
  guint32 uid;
  gboolean admin_authorized; /* polkit granted the administration action */

  /* arguments, as the method has them */
  char *id;
  char *pipeline;
  char *path;
  char *filename;
  GVariant *options;
  int fd;

  /* a submission */
  GStrv pipelines;
  JsonObject *config;
  JsonObject *consent;
  VaUpload *upload;
};

VaDBusCall *va_dbus_call_new (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                              VaDBusCallFunc func);
gboolean va_dbus_call_run (VaDBusCall *call);
gboolean va_dbus_call_run_admin (VaDBusCall *call);
gboolean va_dbus_service_get_system_bus (VaDBusService *self);
void va_dbus_service_set_system_bus (VaDBusService *self, gboolean system_bus);
void va_dbus_call_fail (VaDBusCall *call, GError *error);
void va_dbus_call_free (VaDBusCall *call);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaDBusCall, va_dbus_call_free)

/* a{sv} options */
gboolean va_dbus_options_parse_submission (GVariant *options, GStrv *pipelines, JsonObject **config,
                                           JsonObject **consent, GError **error);
gboolean va_dbus_options_parse_list (GVariant *options, guint *page, guint *per_page, char **status,
                                     GError **error);

/* handle_* of the generated skeleton, one file per group */
gboolean va_dbus_handle_submit_path (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                                     const char *path, GVariant *options);
gboolean va_dbus_handle_submit_fd (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                                   GUnixFDList *fd_list, GVariant *fd, const char *filename,
                                   GVariant *options);
gboolean va_dbus_handle_list_jobs (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                                   GVariant *options);
gboolean va_dbus_handle_get_job (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                                 const char *id);
gboolean va_dbus_handle_cancel_job (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                                    const char *id);
gboolean va_dbus_handle_delete_job (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                                    const char *id);
gboolean va_dbus_handle_purge_job (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                                   const char *id);
gboolean va_dbus_handle_purge_user (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                                    const char *user_id);
gboolean va_dbus_handle_get_results (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                                     const char *id);
gboolean va_dbus_handle_open_result_file (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                                          GUnixFDList *fd_list, const char *id,
                                          const char *pipeline);
gboolean va_dbus_handle_list_keys (VaDBusManager *manager, GDBusMethodInvocation *invocation);
gboolean va_dbus_handle_create_key (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                                    GVariant *request);
gboolean va_dbus_handle_revoke_key (VaDBusManager *manager, GDBusMethodInvocation *invocation,
                                    const char *id);
gboolean va_dbus_handle_revoke_all_keys (VaDBusManager *manager, GDBusMethodInvocation *invocation);
gboolean va_dbus_handle_subscribe (VaDBusManager *manager, GDBusMethodInvocation *invocation);
gboolean va_dbus_handle_unsubscribe (VaDBusManager *manager, GDBusMethodInvocation *invocation);

/* job signals to subscribers (va-dbus-subscribers.c) */
GHashTable *va_dbus_subscribers_new (void);
GHashTable *va_dbus_service_get_subscribers (VaDBusService *self);
void va_dbus_subscribers_emit (VaDBusService *self, VaJob *job, const char *signal_name,
                               GVariant *parameters);

G_END_DECLS
