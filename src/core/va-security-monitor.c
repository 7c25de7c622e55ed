/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-security-monitor.h"

/**
 * VaSecurityMonitor:
 *
 * The production checklist's two alert rules, per client (an HTTP client
 * address, a D-Bus user):
 *   - more than 10 failed authentications within 5 minutes;
 *   - more than 1000 requests within one minute.
 * A rule that fires yields an alert record and blocks the client for 15
 * minutes. Transports only feed it, through the engine
 * (va_engine_note_request(), va_engine_note_auth_failure(),
 * va_engine_client_blocked_for()); the engine raises the alert (security
 * log, VaEngine::security-alert, `alert-command`). Times are passed in so
 * that the rules can be tested without waiting. Thread-safe.
 */

typedef struct {
  gint64 failures[VA_SECURITY_AUTH_FAILURES_MAX + 1]; /* ring of the latest 401 times */
  guint n_failures;
  guint next_failure;
  gint64 window_start;
  guint window_requests;
  gint64 blocked_until;
} VaSecurityClient;

struct _VaSecurityMonitor {
  GObject parent_instance;

  GMutex lock;         /* transports call from any thread */
  GHashTable *clients; /* client → VaSecurityClient */
  gint64 pruned_us;    /* last time quiet clients were forgotten */
};

G_DEFINE_FINAL_TYPE (VaSecurityMonitor, va_security_monitor, G_TYPE_OBJECT)

static void
va_security_monitor_finalize (GObject *object)
{
  VaSecurityMonitor *self = VA_SECURITY_MONITOR (object);

  g_hash_table_unref (self->clients);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (va_security_monitor_parent_class)->finalize (object);
}

static void
va_security_monitor_class_init (VaSecurityMonitorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_security_monitor_finalize;
}

static void
va_security_monitor_init (VaSecurityMonitor *self)
{
  self->clients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_mutex_init (&self->lock);
}

VaSecurityMonitor *
va_security_monitor_new (void)
{
  return g_object_new (VA_TYPE_SECURITY_MONITOR, NULL);
}

/* Clients the monitor remembers now (tests: pruning forgets quiet ones). */
guint
va_security_monitor_get_n_clients (VaSecurityMonitor *self)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  return g_hash_table_size (self->clients);
}

static VaSecurityClient *
va_security_monitor_record (VaSecurityMonitor *self, const char *client)
{
  VaSecurityClient *r = g_hash_table_lookup (self->clients, client);

  if (r == NULL) {
    r = g_new0 (VaSecurityClient, 1);
    g_hash_table_insert (self->clients, g_strdup (client), r);
  }
  return r;
}

/* Seconds the address stays blocked; 0 when it is not. */
guint
va_security_monitor_blocked_for (VaSecurityMonitor *self, const char *client, gint64 now_us)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  VaSecurityClient *r = g_hash_table_lookup (self->clients, client);

  if (r == NULL || r->blocked_until <= now_us)
    return 0;
  return (guint)((r->blocked_until - now_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

static JsonObject *
va_security_monitor_fire (VaSecurityClient *r, const char *rule, const char *client, guint count,
                          guint window_s, gint64 now_us)
{
  JsonObject *alert = json_object_new ();
  g_autofree char *message = g_strdup_printf (
      g_str_equal (rule, "auth_failures")
          ? "%u failed authentications from %s within %u s; address blocked for 15 minutes"
          : "%u requests from %s within %u s; address blocked for 15 minutes",
      count, client, window_s);

  r->blocked_until = now_us + VA_SECURITY_BLOCK_US;
  json_object_set_string_member (alert, "alert", rule);
  json_object_set_string_member (alert, "client", client);
  json_object_set_int_member (alert, "count", count);
  json_object_set_int_member (alert, "window_seconds", window_s);
  json_object_set_int_member (alert, "blocked_seconds", VA_SECURITY_BLOCK_US / G_USEC_PER_SEC);
  json_object_set_string_member (alert, "message", message);
  return alert;
}

static void
va_security_monitor_prune_locked (VaSecurityMonitor *self, gint64 now_us)
{
  GHashTableIter iter;
  VaSecurityClient *r;

  self->pruned_us = now_us;
  g_hash_table_iter_init (&iter, self->clients);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&r)) {
    gboolean recent_failure = FALSE;

    for (guint i = 0; i < r->n_failures; i++)
      recent_failure |= now_us - r->failures[i] <= VA_SECURITY_AUTH_WINDOW_US;
    if (!recent_failure && r->blocked_until <= now_us
        && now_us - r->window_start >= VA_SECURITY_REQUEST_WINDOW_US)
      g_hash_table_iter_remove (&iter);
  }
}

/* Counts a request; returns an alert when the rate rule fires. */
JsonObject *
va_security_monitor_note_request (VaSecurityMonitor *self, const char *client, gint64 now_us)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  VaSecurityClient *r;

  if (now_us - self->pruned_us >= VA_SECURITY_REQUEST_WINDOW_US)
    va_security_monitor_prune_locked (self, now_us);
  r = va_security_monitor_record (self, client);
  if (now_us - r->window_start >= VA_SECURITY_REQUEST_WINDOW_US) {
    r->window_start = now_us;
    r->window_requests = 0;
  }
  if (++r->window_requests == VA_SECURITY_REQUESTS_MAX + 1)
    return va_security_monitor_fire (r, "request_rate", client, r->window_requests,
                                     VA_SECURITY_REQUEST_WINDOW_US / G_USEC_PER_SEC, now_us);
  return NULL;
}

/* Counts a 401; returns an alert when the failed-authentication rule fires. */
JsonObject *
va_security_monitor_note_auth_failure (VaSecurityMonitor *self, const char *client, gint64 now_us)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  VaSecurityClient *r = va_security_monitor_record (self, client);
  guint in_window = 0;

  r->failures[r->next_failure] = now_us;
  r->next_failure = (r->next_failure + 1) % G_N_ELEMENTS (r->failures);
  r->n_failures = MIN (r->n_failures + 1, G_N_ELEMENTS (r->failures));
  for (guint i = 0; i < r->n_failures; i++) {
    if (now_us - r->failures[i] <= VA_SECURITY_AUTH_WINDOW_US)
      in_window++;
  }
  if (in_window > VA_SECURITY_AUTH_FAILURES_MAX && r->blocked_until <= now_us) {
    r->n_failures = 0;
    return va_security_monitor_fire (r, "auth_failures", client, in_window,
                                     VA_SECURITY_AUTH_WINDOW_US / G_USEC_PER_SEC, now_us);
  }
  return NULL;
}

/* Forgets clients with nothing recent and no block (also done once a
 * minute by va_security_monitor_note_request()). */
void
va_security_monitor_prune (VaSecurityMonitor *self, gint64 now_us)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  va_security_monitor_prune_locked (self, now_us);
}
