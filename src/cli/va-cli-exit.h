/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "va-error.h"

G_BEGIN_DECLS

/* Exit codes shared by every subcommand; documented in docs/cli.md. */
typedef enum {
  VA_EXIT_OK = 0,
  VA_EXIT_FAILURE = 1,     /* runtime failure not covered below */
  VA_EXIT_USAGE = 2,       /* bad flags, unknown pipeline, bad setting or input */
  VA_EXIT_NOT_FOUND = 3,   /* input file or object does not exist */
  VA_EXIT_UNSUPPORTED = 4, /* input is not media we can decode */
  VA_EXIT_MEDIA_ERROR = 5, /* media is truncated or corrupt mid-stream */
  VA_EXIT_DENIED = 6,      /* credentials refused, or a scope or permission missing */
  VA_EXIT_CONFLICT = 7,    /* the object's state forbids it */
  VA_EXIT_UNAVAILABLE = 8, /* server unreachable, read-only or rate limiting */
  VA_EXIT_CANCELLED = 130, /* interrupted by SIGINT */
} VaExitCode;

/* `diagnose` reports its outcome rather than a failure kind */
#define VA_EXIT_DIAGNOSE_WARNINGS 1
#define VA_EXIT_DIAGNOSE_ERRORS 2

gboolean va_cli_exit_code_lookup (VaError code, VaExitCode *exit_code);
int va_cli_exit_code_for_error (const GError *error);
gboolean va_cli_error_is_unreachable (const GError *error);
const char *va_cli_error_code_name (const GError *error);
const char *va_cli_error_message (const GError *error);

G_END_DECLS
