/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "va-engine.h"
#include "va-event-tickets.h"
#include "va-pipeline-registry.h"
#include "va-security-monitor.h"

G_BEGIN_DECLS

/* The engine's parts. Only the engine's own files (va-engine-*.c, the
 * core modules it drives) and tests reach them: transports go through
 * engine calls, which hold the rules (scopes, ownership, audit). */
VaStore *va_engine_get_store (VaEngine *self);
VaAudit *va_engine_get_audit (VaEngine *self);
VaJobQueue *va_engine_get_queue (VaEngine *self);
VaTokenStore *va_engine_get_token_store (VaEngine *self);
VaLog *va_engine_get_log (VaEngine *self);
VaSecurityMonitor *va_engine_get_security_monitor (VaEngine *self);
GMainContext *va_engine_get_main_context (VaEngine *self);
void va_engine_emit_security_alert (VaEngine *self, const char *alert_json);

/* Engine operations shared by va-engine.c and its sibling files
 * (va-engine-*.c): one worker-thread part, one main-context part. */

typedef struct _VaEngineOp VaEngineOp;
typedef gboolean (*VaEngineOpFunc) (VaEngine *self, VaEngineOp *op, GError **error);
typedef void (*VaEngineOpMainFunc) (VaEngine *self, VaEngineOp *op);

struct _VaEngineOp {
  VaEngine *engine;             /* not a reference: the outer task holds one */
  VaEngineOpFunc func;          /* worker thread */
  VaEngineOpMainFunc main_func; /* main context, after func succeeded */

  VaCaller *caller;
  char *job_id;
  char *pipeline;
  guint page;
  guint per_page;
  char *status_filter;
  VaUpload *upload;
  JsonObject *config;
  GStrv pipelines;
  JsonObject *consent;

  /* results */
  VaJob *job;
  GPtrArray *items;
  guint64 total;
  GInputStream *stream;
  char *basename;
  guint64 size;
  gboolean was_active; /* cancel/delete: the job was pending or running */

  /* what a sibling operation needs beyond the fields above */
  gpointer data;
  GDestroyNotify data_free;
};

void va_engine_op_free (VaEngineOp *op);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaEngineOp, va_engine_op_free)

VaEngineOp *va_engine_op_new (VaCaller *caller, const char *job_id, VaEngineOpFunc func,
                              VaEngineOpMainFunc main_func);
void va_engine_op_run_async (VaEngine *self, VaEngineOp *op, gpointer source_tag,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data);
VaEngineOp *va_engine_op_finish (VaEngine *self, GAsyncResult *result, gpointer source_tag,
                                 GError **error);
gboolean va_engine_op_run_sync (VaEngine *self, VaEngineOp *op, GError **error);

void va_engine_audit (VaEngine *self, VaCaller *caller, const char *action, const char *target,
                      JsonObject *detail);
JsonObject *va_engine_owner_detail (VaCaller *caller, VaJob *job);
VaJob *va_engine_lookup_job (VaEngine *self, VaCaller *caller, const char *job_id, VaScopes scope,
                             GError **error);
GInputStream *va_engine_open_job_file (VaEngine *self, const char *job_id, const char *relative,
                                       guint64 *size, GError **error);

gboolean va_engine_check_writable (VaEngine *self, VaCaller *caller, GError **error);
void va_engine_queue_job_added (VaEngine *self, VaJob *job);
void va_engine_emit_job_updated (VaEngine *self, VaJob *job);
void va_engine_emit_job_cancelled (VaEngine *self, VaJob *job);

VaEventTickets *va_engine_get_event_tickets (VaEngine *self);
/* a submission: op->upload (complete or not), op->config, op->pipelines, op->consent */
gboolean va_engine_submit_func (VaEngine *self, VaEngineOp *op, GError **error);
void va_engine_submit_main (VaEngine *self, VaEngineOp *op);
GStrv va_engine_dup_result_files (VaEngine *self, VaPipelineRegistry *registry,
                                  VaJobResult *result);

G_END_DECLS
