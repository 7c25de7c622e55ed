/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "va-cli.h"
#include "va-remote-client.h"

G_BEGIN_DECLS

/* `videoannotator job …` over REST, in one file per job:
 *   va-cli-job.c           the commands and their dispatch
 *   va-cli-job-submit.c    `job submit` (upload, --wait)
 *   va-cli-job-session.c   options, the client, blocking calls, Ctrl-C
 *   va-cli-job-progress.c  the progress display on stderr
 *   va-cli-job-output.c    what the commands print: tables and errors */

#define VA_CLI_JOB_POLL_MS 500

typedef struct {
  const char *command; /* "submit", … for messages */
  VaSettings *settings;
  VaRemoteClient *client;
  GCancellable *cancellable;
  guint sigint_source;
  gboolean interrupted;
  gboolean said_interrupted;
  gboolean have_key;
  gboolean json;
  gboolean quiet;
  GAsyncResult *result; /* of the call being waited for */
  /* progress display on stderr */
  const char *activity;
  gboolean tty;
  gboolean drawn;
  int last_decile;
  char *last_status;
  gint64 started_us;
} VaCliJob;

void va_cli_job_clear (VaCliJob *self);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VaCliJob, va_cli_job_clear)

/* va-cli-job-session.c */
int va_cli_job_setup (VaCliJob *self, const char *command, const char *parameter,
                      const char *summary, GOptionEntry *entries, int argc, char **argv,
                      GStrv *rest);
gboolean va_cli_job_check_args (VaCliJob *self, GStrv rest, guint count, const char *usage);
int va_cli_job_usage_error (VaCliJob *self, const char *message);
char *va_cli_job_path (const char *job_id, const char *suffix);
void va_cli_job_result_cb (GObject *source, GAsyncResult *result, gpointer user_data);
GAsyncResult *va_cli_job_wait_result (VaCliJob *self);
JsonNode *va_cli_job_call (VaCliJob *self, const char *method, const char *path, GError **error);
gboolean va_cli_job_sleep (VaCliJob *self, guint milliseconds);

/* va-cli-job-progress.c */
void va_cli_job_begin_progress (VaCliJob *self, const char *activity);
void va_cli_job_on_transfer (VaRemoteClient *client, gint64 done, gint64 total, VaCliJob *self);
void va_cli_job_show_job_progress (VaCliJob *self, const char *status, double percent);
void va_cli_job_clear_progress (VaCliJob *self);

/* va-cli-job-output.c */
int va_cli_job_fail (VaCliJob *self, const GError *error);
const char *va_cli_job_string (JsonObject *o, const char *member);
double va_cli_job_number (JsonObject *o, const char *member, double fallback);
JsonObject *va_cli_job_object (JsonNode *node, GError **error);
gboolean va_cli_job_is_terminal (const char *status);
void va_cli_job_print_status (JsonObject *job);
int va_cli_job_print_list (VaCliJob *self, JsonNode *node);
int va_cli_job_print_results (VaCliJob *self, const char *job_id, JsonNode *node);

/* va-cli-job-submit.c */
int va_cli_job_submit (int argc, char **argv);

G_END_DECLS
