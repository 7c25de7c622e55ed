/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-http-private.h"

/* The production checklist's two alert rules, per client address:
 *   - more than 10 failed authentications (401) within 5 minutes;
 *   - more than 1000 requests within one minute.
 * A rule that fires yields an alert record and blocks the address for 15
 * minutes (answered 403 CLIENT_BLOCKED before anything else is done). The
 * server writes the record to logs/security.log, emits
 * VaHttpServer::security-alert and runs `alert-command`. */

#define VA_HTTP_AUTH_FAILURES_MAX 10
#define VA_HTTP_AUTH_WINDOW_US (5 * 60 * G_USEC_PER_SEC)
#define VA_HTTP_REQUESTS_MAX 1000
#define VA_HTTP_REQUEST_WINDOW_US (60 * G_USEC_PER_SEC)
#define VA_HTTP_BLOCK_US (15 * 60 * G_USEC_PER_SEC)

typedef struct {
  gint64 failures[VA_HTTP_AUTH_FAILURES_MAX + 1]; /* ring of the latest 401 times */
  guint n_failures;
  guint next_failure;
  gint64 window_start;
  guint window_requests;
  gint64 blocked_until;
} VaHttpClientRecord;

/* Shared by the serving threads: every access under the lock. */
struct _VaHttpAlerts {
  GMutex lock;
  GHashTable *clients; /* address → VaHttpClientRecord */
};

VaHttpAlerts *
va_http_alerts_new (void)
{
  VaHttpAlerts *a = g_new0 (VaHttpAlerts, 1);

  a->clients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_mutex_init (&a->lock);
  return a;
}

void
va_http_alerts_free (VaHttpAlerts *a)
{
  if (a == NULL)
    return;
  g_hash_table_unref (a->clients);
  g_mutex_clear (&a->lock);
  g_free (a);
}

static VaHttpClientRecord *
va_http_alerts_record (VaHttpAlerts *a, const char *client)
{
  VaHttpClientRecord *r = g_hash_table_lookup (a->clients, client);

  if (r == NULL) {
    r = g_new0 (VaHttpClientRecord, 1);
    g_hash_table_insert (a->clients, g_strdup (client), r);
  }
  return r;
}

/* Seconds the address stays blocked; 0 when it is not. */
guint
va_http_alerts_blocked_for (VaHttpAlerts *a, const char *client, gint64 now_us)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&a->lock);
  VaHttpClientRecord *r = g_hash_table_lookup (a->clients, client);

  if (r == NULL || r->blocked_until <= now_us)
    return 0;
  return (guint)((r->blocked_until - now_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

static JsonObject *
va_http_alerts_fire (VaHttpClientRecord *r, const char *rule, const char *client, guint count,
                     guint window_s, gint64 now_us)
{
  JsonObject *alert = json_object_new ();
  g_autofree char *message = g_strdup_printf (
      g_str_equal (rule, "auth_failures")
          ? "%u failed authentications from %s within %u s; address blocked for 15 minutes"
          : "%u requests from %s within %u s; address blocked for 15 minutes",
      count, client, window_s);

  r->blocked_until = now_us + VA_HTTP_BLOCK_US;
  json_object_set_string_member (alert, "alert", rule);
  json_object_set_string_member (alert, "client", client);
  json_object_set_int_member (alert, "count", count);
  json_object_set_int_member (alert, "window_seconds", window_s);
  json_object_set_int_member (alert, "blocked_seconds", VA_HTTP_BLOCK_US / G_USEC_PER_SEC);
  json_object_set_string_member (alert, "message", message);
  return alert;
}

/* Counts a request; returns an alert when the rate rule fires. */
JsonObject *
va_http_alerts_note_request (VaHttpAlerts *a, const char *client, gint64 now_us)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&a->lock);
  VaHttpClientRecord *r = va_http_alerts_record (a, client);

  if (now_us - r->window_start >= VA_HTTP_REQUEST_WINDOW_US) {
    r->window_start = now_us;
    r->window_requests = 0;
  }
  if (++r->window_requests == VA_HTTP_REQUESTS_MAX + 1)
    return va_http_alerts_fire (r, "request_rate", client, r->window_requests,
                                VA_HTTP_REQUEST_WINDOW_US / G_USEC_PER_SEC, now_us);
  return NULL;
}

/* Counts a 401; returns an alert when the failed-authentication rule fires. */
JsonObject *
va_http_alerts_note_auth_failure (VaHttpAlerts *a, const char *client, gint64 now_us)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&a->lock);
  VaHttpClientRecord *r = va_http_alerts_record (a, client);
  guint in_window = 0;

  r->failures[r->next_failure] = now_us;
  r->next_failure = (r->next_failure + 1) % G_N_ELEMENTS (r->failures);
  r->n_failures = MIN (r->n_failures + 1, G_N_ELEMENTS (r->failures));
  for (guint i = 0; i < r->n_failures; i++) {
    if (now_us - r->failures[i] <= VA_HTTP_AUTH_WINDOW_US)
      in_window++;
  }
  if (in_window > VA_HTTP_AUTH_FAILURES_MAX && r->blocked_until <= now_us) {
    r->n_failures = 0;
    return va_http_alerts_fire (r, "auth_failures", client, in_window,
                                VA_HTTP_AUTH_WINDOW_US / G_USEC_PER_SEC, now_us);
  }
  return NULL;
}

/* Forgets addresses with nothing recent and no block. */
void
va_http_alerts_prune (VaHttpAlerts *a, gint64 now_us)
{
  GHashTableIter iter;
  VaHttpClientRecord *r;
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&a->lock);

  g_hash_table_iter_init (&iter, a->clients);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&r)) {
    gboolean recent_failure = FALSE;

    for (guint i = 0; i < r->n_failures; i++)
      recent_failure |= now_us - r->failures[i] <= VA_HTTP_AUTH_WINDOW_US;
    if (!recent_failure && r->blocked_until <= now_us
        && now_us - r->window_start >= VA_HTTP_REQUEST_WINDOW_US)
      g_hash_table_iter_remove (&iter);
  }
}
