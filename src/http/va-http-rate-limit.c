/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "va-http-private.h"

/* Token buckets keyed by client address or API key id. A bucket holds up to
 * `burst` tokens and refills at `rate` tokens per second; a request takes
 * one. Buckets that are full again carry no information and are pruned, so
 * the table stays as small as the set of recently active clients. */

typedef struct {
  double tokens;
  gint64 updated_us;
} VaHttpBucket;

/* Shared by the serving threads: every access under the lock. */
struct _VaHttpRateLimiter {
  double rate;
  double burst;
  GMutex lock;
  GHashTable *buckets; /* char* → VaHttpBucket* */
};

VaHttpRateLimiter *
va_http_rate_limiter_new (double rate, double burst)
{
  VaHttpRateLimiter *limiter = g_new0 (VaHttpRateLimiter, 1);

  limiter->rate = rate;
  limiter->burst = MAX (burst, 1.0);
  limiter->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_mutex_init (&limiter->lock);
  return limiter;
}

void
va_http_rate_limiter_free (VaHttpRateLimiter *limiter)
{
  if (limiter == NULL)
    return;
  g_clear_pointer (&limiter->buckets, g_hash_table_unref);
  g_mutex_clear (&limiter->lock);
  g_free (limiter);
}

static void
va_http_bucket_refill (VaHttpRateLimiter *limiter, VaHttpBucket *b, gint64 now_us)
{
  if (now_us > b->updated_us) {
    b->tokens = MIN (limiter->burst, b->tokens + limiter->rate * (now_us - b->updated_us) / 1e6);
    b->updated_us = now_us;
  }
}

gboolean
va_http_rate_limiter_take (VaHttpRateLimiter *limiter, const char *bucket, gint64 now_us,
                           guint *retry_after_s)
{
  VaHttpBucket *b;
  g_autoptr (GMutexLocker) locker = NULL;

  /* rate 0 disables the limiter */
  if (limiter->rate <= 0)
    return TRUE;
  locker = g_mutex_locker_new (&limiter->lock);
  b = g_hash_table_lookup (limiter->buckets, bucket);
  if (b == NULL) {
    b = g_new0 (VaHttpBucket, 1);
    b->tokens = limiter->burst;
    b->updated_us = now_us;
    g_hash_table_insert (limiter->buckets, g_strdup (bucket), b);
  }
  va_http_bucket_refill (limiter, b, now_us);
  if (b->tokens >= 1.0) {
    b->tokens -= 1.0;
    return TRUE;
  }
  if (retry_after_s != NULL)
    *retry_after_s = (guint)MAX (1.0, ceil ((1.0 - b->tokens) / limiter->rate));
  return FALSE;
}

guint
va_http_rate_limiter_get_size (VaHttpRateLimiter *limiter)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&limiter->lock);

  return g_hash_table_size (limiter->buckets);
}

void
va_http_rate_limiter_prune (VaHttpRateLimiter *limiter, gint64 now_us)
{
  GHashTableIter iter;
  VaHttpBucket *b;
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&limiter->lock);

  g_hash_table_iter_init (&iter, limiter->buckets);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&b)) {
    va_http_bucket_refill (limiter, b, now_us);
    if (b->tokens >= limiter->burst)
      g_hash_table_iter_remove (&iter);
  }
}

static gboolean
va_http_is_trusted (const char *const *trusted, const char *address)
{
  g_autoptr (GInetAddress) addr = g_inet_address_new_from_string (address);

  if (addr == NULL)
    return FALSE;
  for (guint i = 0; trusted[i] != NULL; i++) {
    g_autoptr (GInetAddressMask) mask = g_inet_address_mask_new_from_string (trusted[i], NULL);

    if (mask != NULL && g_inet_address_mask_matches (mask, addr))
      return TRUE;
  }
  return FALSE;
}

/* The peer address, or the client named in X-Forwarded-For when the peer
 * is one of the trusted proxies. The chain is read from the right: the
 * last entry not itself a trusted proxy is the client; entries further
 * left were written by the client and prove nothing. */
char *
va_http_client_address (SoupServerMessage *msg, const char *const *trusted_proxies)
{
  const char *peer = soup_server_message_get_remote_host (msg);
  const char *xff;
  g_auto (GStrv) hops = NULL;

  if (peer == NULL)
    peer = "unknown";
  if (trusted_proxies == NULL || trusted_proxies[0] == NULL
      || !va_http_is_trusted (trusted_proxies, peer))
    return g_strdup (peer);
  xff = soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                       "X-Forwarded-For");
  if (xff == NULL)
    return g_strdup (peer);
  hops = g_strsplit (xff, ",", -1);
  for (int i = (int)g_strv_length (hops) - 1; i >= 0; i--) {
    char *hop = g_strstrip (hops[i]);
    g_autoptr (GInetAddress) addr = g_inet_address_new_from_string (hop);

    if (addr == NULL)
      break; /* garbage: stop trusting the chain */
    if (!va_http_is_trusted (trusted_proxies, hop))
      return g_strdup (hop);
  }
  return g_strdup (peer);
}
