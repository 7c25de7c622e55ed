/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "va-settings.h"
#include "va-token-store.h"

G_BEGIN_DECLS

/* Exit codes shared by every subcommand; documented in docs/cli.md. */
typedef enum {
  VA_EXIT_OK = 0,
  VA_EXIT_FAILURE = 1,     /* runtime failure not covered below */
  VA_EXIT_USAGE = 2,       /* bad flags, unknown pipeline, bad setting */
  VA_EXIT_NOT_FOUND = 3,   /* input file or object does not exist */
  VA_EXIT_UNSUPPORTED = 4, /* input is not media we can decode */
  VA_EXIT_MEDIA_ERROR = 5, /* media is truncated or corrupt mid-stream */
  VA_EXIT_DENIED = 6,      /* server refused the key (HTTP 401) or its scope (403) */
  VA_EXIT_CONFLICT = 7,    /* the job's state forbids it (HTTP 409) */
  VA_EXIT_UNAVAILABLE = 8, /* server unreachable, read-only (503) or rate limiting (429) */
  VA_EXIT_CANCELLED = 130, /* interrupted by SIGINT */
} VaExitCode;

/* `diagnose` reports its outcome rather than a failure kind */
#define VA_EXIT_DIAGNOSE_WARNINGS 1
#define VA_EXIT_DIAGNOSE_ERRORS 2

typedef int (*VaCliCommandFunc) (int argc, char **argv);

typedef struct {
  const char *name;
  const char *summary;
  VaCliCommandFunc run;
} VaCliCommand;

int va_cli_exit_code_for_error (const GError *error);
const char *va_cli_error_message (const GError *error);
void va_cli_setup_log (VaSettings *settings);
char *va_cli_read_key_file (const char *path, GError **error);

/* Subcommands, one file each (va-cli-<name>.c) */
int va_cli_config (int argc, char **argv);
int va_cli_web_link (int argc, char **argv);
int va_cli_annotate (int argc, char **argv);
int va_cli_token (int argc, char **argv);
int va_cli_server (int argc, char **argv);
int va_cli_job (int argc, char **argv);
int va_cli_job_dbus (int argc, char **argv);
int va_cli_token_dbus (int argc, char **argv);
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
