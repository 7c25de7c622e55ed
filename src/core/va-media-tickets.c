/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "va-crypto.h"
#include "va-error.h"
#include "va-media-tickets.h"

/**
 * VaMediaTickets:
 *
 * Tickets for one media resource (a job's video), for the browser's
 * <video> element: it cannot send an Authorization header, and it reads
 * the file with many Range requests while the user seeks, so a single-use
 * ticket (VaEventTickets) would not do. A media ticket is bound to one
 * resource and to the caller it was issued to, works for any number of
 * requests on that resource only, and expires after
 * %VA_MEDIA_TICKET_TTL_SECONDS (the page asks for a new one when a
 * request fails). Kept in memory, by SHA-256; thread-safe.
 */
struct _VaMediaTickets {
  GObject parent_instance;

  GMutex lock;
  GHashTable *tickets; /* sha256 hex → VaMediaTicket */
};

typedef struct {
  VaCaller *caller;
  char *resource;
  gint64 expires_us;
} VaMediaTicket;

G_DEFINE_FINAL_TYPE (VaMediaTickets, va_media_tickets, G_TYPE_OBJECT)

/* bounds what one key holder can make the server keep */
#define VA_MEDIA_TICKETS_MAX 10000

static void
va_media_ticket_free (VaMediaTicket *t)
{
  g_object_unref (t->caller);
  g_free (t->resource);
  g_free (t);
}

static void
va_media_tickets_finalize (GObject *object)
{
  VaMediaTickets *self = VA_MEDIA_TICKETS (object);

  g_hash_table_unref (self->tickets);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (va_media_tickets_parent_class)->finalize (object);
}

static void
va_media_tickets_class_init (VaMediaTicketsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_media_tickets_finalize;
}

static void
va_media_tickets_init (VaMediaTickets *self)
{
  g_mutex_init (&self->lock);
  self->tickets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)va_media_ticket_free);
}

VaMediaTickets *
va_media_tickets_new (void)
{
  return g_object_new (VA_TYPE_MEDIA_TICKETS, NULL);
}

static gboolean
va_media_ticket_expired (gpointer key, gpointer value, gpointer user_data)
{
  VaMediaTicket *t = value;

  return t->expires_us <= *(gint64 *)user_data;
}

/**
 * va_media_tickets_issue:
 * @caller: whom the ticket stands for (already allowed to read @resource)
 * @resource: what it opens, e.g. a job id
 * @now_us: monotonic time
 *
 * Returns: (transfer full): `va_med_` and 43 base64url characters, or
 *   %NULL with %VA_ERROR_RATE_LIMITED when too many are outstanding
 */
char *
va_media_tickets_issue (VaMediaTickets *self, VaCaller *caller, const char *resource, gint64 now_us,
                        GError **error)
{
  guint8 random[32];
  g_autofree char *encoded = NULL;
  char *ticket;
  VaMediaTicket *t;

  g_return_val_if_fail (VA_IS_MEDIA_TICKETS (self), NULL);
  g_return_val_if_fail (VA_IS_CALLER (caller), NULL);
  g_return_val_if_fail (resource != NULL, NULL);

  if (!va_crypto_random_bytes (random, sizeof random, error))
    return NULL;
  encoded = va_crypto_base64url_encode (random, sizeof random);
  ticket = g_strconcat (VA_MEDIA_TICKET_PREFIX, encoded, NULL);

  g_mutex_lock (&self->lock);
  g_hash_table_foreach_remove (self->tickets, va_media_ticket_expired, &now_us);
  if (g_hash_table_size (self->tickets) >= VA_MEDIA_TICKETS_MAX) {
    g_mutex_unlock (&self->lock);
    g_free (ticket);
    g_set_error (error, VA_ERROR, VA_ERROR_RATE_LIMITED,
                 "Too many media tickets outstanding; wait %d s", VA_MEDIA_TICKET_TTL_SECONDS);
    return NULL;
  }
  t = g_new0 (VaMediaTicket, 1);
  t->caller = g_object_ref (caller);
  t->resource = g_strdup (resource);
  t->expires_us = now_us + (gint64)VA_MEDIA_TICKET_TTL_SECONDS * G_USEC_PER_SEC;
  g_hash_table_insert (self->tickets, g_compute_checksum_for_string (G_CHECKSUM_SHA256, ticket, -1),
                       t);
  g_mutex_unlock (&self->lock);
  return ticket;
}

/**
 * va_media_tickets_check:
 * @resource: what the request opens; must be what the ticket was issued for
 *
 * Does not use the ticket up.
 *
 * Returns: (transfer full): the caller it was issued to, or %NULL with
 *   %VA_ERROR_UNAUTHENTICATED (unknown, expired, or for another resource)
 */
VaCaller *
va_media_tickets_check (VaMediaTickets *self, const char *ticket, const char *resource,
                        gint64 now_us, GError **error)
{
  g_autofree char *digest = NULL;
  VaMediaTicket *t;
  VaCaller *caller = NULL;

  g_return_val_if_fail (VA_IS_MEDIA_TICKETS (self), NULL);

  if (ticket == NULL || !g_str_has_prefix (ticket, VA_MEDIA_TICKET_PREFIX) || resource == NULL) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED, N_ ("Malformed media ticket"));
    return NULL;
  }
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, ticket, -1);
  g_mutex_lock (&self->lock);
  t = g_hash_table_lookup (self->tickets, digest);
  if (t != NULL && t->expires_us > now_us && g_str_equal (t->resource, resource))
    caller = g_object_ref (t->caller);
  g_mutex_unlock (&self->lock);
  if (caller == NULL)
    g_set_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED,
                 "Media ticket unknown, expired or for another resource (tickets work for %d s)",
                 VA_MEDIA_TICKET_TTL_SECONDS);
  return caller;
}
