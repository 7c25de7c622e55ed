/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "va-crypto.h"
#include "va-error.h"
#include "va-event-tickets.h"

/**
 * VaEventTickets:
 *
 * Single-use, short-lived tickets that stand for an API key where a client
 * cannot send a header: a browser's EventSource. A client trades its key
 * (in a header) for a ticket, then opens the event stream with the ticket
 * in the URL. A URL ends up in access logs, proxies and browser history,
 * so what it carries must be worthless soon: a ticket works once, within
 * %VA_EVENT_TICKET_TTL_SECONDS, and only ever for the event stream.
 *
 * Tickets live in memory only (a restart voids them) and are kept by their
 * SHA-256, so a memory dump shows no usable ticket. Thread-safe.
 */
struct _VaEventTickets {
  GObject parent_instance;

  GMutex lock;
  GHashTable *tickets; /* sha256 hex → VaEventTicket */
};

typedef struct {
  VaCaller *caller;
  gint64 expires_us;
} VaEventTicket;

G_DEFINE_FINAL_TYPE (VaEventTickets, va_event_tickets, G_TYPE_OBJECT)

/* bounds what one key holder can make the server keep */
#define VA_EVENT_TICKETS_MAX 10000

static void
va_event_ticket_free (VaEventTicket *t)
{
  g_object_unref (t->caller);
  g_free (t);
}

static void
va_event_tickets_finalize (GObject *object)
{
  VaEventTickets *self = VA_EVENT_TICKETS (object);

  g_hash_table_unref (self->tickets);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (va_event_tickets_parent_class)->finalize (object);
}

static void
va_event_tickets_class_init (VaEventTicketsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_event_tickets_finalize;
}

static void
va_event_tickets_init (VaEventTickets *self)
{
  g_mutex_init (&self->lock);
  self->tickets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)va_event_ticket_free);
}

VaEventTickets *
va_event_tickets_new (void)
{
  return g_object_new (VA_TYPE_EVENT_TICKETS, NULL);
}

static gboolean
va_event_ticket_expired (gpointer key, gpointer value, gpointer user_data)
{
  VaEventTicket *t = value;

  return t->expires_us <= *(gint64 *)user_data;
}

/**
 * va_event_tickets_issue:
 * @caller: whom the ticket will stand for
 * @now_us: monotonic time
 *
 * Returns: (transfer full): `va_evt_` and 43 base64url characters, or
 *   %NULL with %VA_ERROR_RATE_LIMITED when too many are outstanding
 */
char *
va_event_tickets_issue (VaEventTickets *self, VaCaller *caller, gint64 now_us, GError **error)
{
  guint8 random[32];
  g_autofree char *encoded = NULL;
  char *ticket;
  VaEventTicket *t;

  g_return_val_if_fail (VA_IS_EVENT_TICKETS (self), NULL);
  g_return_val_if_fail (VA_IS_CALLER (caller), NULL);

  if (!va_crypto_random_bytes (random, sizeof random, error))
    return NULL;
  encoded = va_crypto_base64url_encode (random, sizeof random);
  ticket = g_strconcat (VA_EVENT_TICKET_PREFIX, encoded, NULL);

  g_mutex_lock (&self->lock);
  g_hash_table_foreach_remove (self->tickets, va_event_ticket_expired, &now_us);
  if (g_hash_table_size (self->tickets) >= VA_EVENT_TICKETS_MAX) {
    g_mutex_unlock (&self->lock);
    g_free (ticket);
    g_set_error (error, VA_ERROR, VA_ERROR_RATE_LIMITED,
                 "Too many unused event tickets; use the ones issued or wait %d s",
                 VA_EVENT_TICKET_TTL_SECONDS);
    return NULL;
  }
  t = g_new0 (VaEventTicket, 1);
  t->caller = g_object_ref (caller);
  t->expires_us = now_us + (gint64)VA_EVENT_TICKET_TTL_SECONDS * G_USEC_PER_SEC;
  g_hash_table_insert (self->tickets, g_compute_checksum_for_string (G_CHECKSUM_SHA256, ticket, -1),
                       t);
  g_mutex_unlock (&self->lock);
  return ticket;
}

/**
 * va_event_tickets_redeem:
 *
 * Uses up @ticket.
 *
 * Returns: (transfer full): the caller it was issued to, or %NULL with
 *   %VA_ERROR_UNAUTHENTICATED (unknown, already used, or expired)
 */
VaCaller *
va_event_tickets_redeem (VaEventTickets *self, const char *ticket, gint64 now_us, GError **error)
{
  g_autofree char *digest = NULL;
  gpointer stolen_key = NULL, stolen_value = NULL;
  g_autofree char *key = NULL;
  VaEventTicket *t;
  VaCaller *caller = NULL;

  g_return_val_if_fail (VA_IS_EVENT_TICKETS (self), NULL);

  if (ticket == NULL || !g_str_has_prefix (ticket, VA_EVENT_TICKET_PREFIX)) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED, N_ ("Malformed event ticket"));
    return NULL;
  }
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, ticket, -1);
  g_mutex_lock (&self->lock);
  if (g_hash_table_steal_extended (self->tickets, digest, &stolen_key, &stolen_value)) {
    t = stolen_value;
    key = stolen_key;
    if (t->expires_us > now_us)
      caller = g_object_ref (t->caller);
    va_event_ticket_free (t);
  }
  g_mutex_unlock (&self->lock);
  if (caller == NULL)
    g_set_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED,
                 "Event ticket unknown, already used or expired (tickets work once, within %d s)",
                 VA_EVENT_TICKET_TTL_SECONDS);
  return caller;
}

guint
va_event_tickets_get_size (VaEventTickets *self)
{
  guint size;

  g_mutex_lock (&self->lock);
  size = g_hash_table_size (self->tickets);
  g_mutex_unlock (&self->lock);
  return size;
}
