/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "va-cli-exit.h"
#include "va-cli-json.h"
#include "va-cli-settings.h"
#include "va-settings.h"
#include "va-token-store.h"

G_BEGIN_DECLS

typedef int (*VaCliCommandFunc) (int argc, char **argv);

typedef struct {
  const char *name;
  const char *summary;
  VaCliCommandFunc run;
} VaCliCommand;

void va_cli_setup_log (VaSettings *settings);
char *va_cli_read_key_file (const char *path, GError **error);
gboolean va_cli_get_api_key (const char *key_file, char **key, GError **error);

/* Subcommands, one file each (va-cli-<name>.c) */
int va_cli_config (int argc, char **argv);
int va_cli_web_link (int argc, char **argv);
int va_cli_annotate (int argc, char **argv);
int va_cli_token (int argc, char **argv);
int va_cli_server (int argc, char **argv);
int va_cli_job (int argc, char **argv);
int va_cli_job_dbus (int argc, char **argv);
int va_cli_token_dbus (int argc, char **argv);
int va_cli_token_remote (int argc, char **argv);
void va_cli_token_print_header (void);
void va_cli_token_print_row (const char *id, const char *prefix, const char *owner,
                             const char *scopes, const char *created, const char *expires,
                             const char *last_used, const char *state);
char *va_cli_token_format_iso8601 (const char *text, const char *none);
int va_cli_cleanup (int argc, char **argv);
int va_cli_diagnose (int argc, char **argv);
int va_cli_models (int argc, char **argv);
int va_cli_pipelines (int argc, char **argv);
int va_cli_open (int argc, char **argv);
char *va_cli_web_base_url (VaSettings *settings);
char *va_cli_web_login_url (VaSettings *settings, const char *base, const VaTokenRequest *request,
                            GError **error);
int va_cli_user (int argc, char **argv);
int va_cli_backup (int argc, char **argv);
int va_cli_restore (int argc, char **argv);
int va_cli_audit (int argc, char **argv);
int va_cli_export (int argc, char **argv);
int va_cli_erasure_purge_job (int argc, char **argv);

G_END_DECLS
