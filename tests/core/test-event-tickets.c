/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "va-error.h"
#include "va-event-tickets.h"

#define SECOND G_USEC_PER_SEC

static void
test_event_tickets_single_use_and_expiry (void)
{
  g_autoptr (VaEventTickets) tickets = va_event_tickets_new ();
  g_autoptr (VaCaller) alice = va_caller_new ("alice", VA_SCOPE_READ);
  g_autoptr (GError) error = NULL;
  g_autofree char *t1 = va_event_tickets_issue (tickets, alice, 1000 * SECOND, &error);
  g_autofree char *t2 = va_event_tickets_issue (tickets, alice, 1000 * SECOND, &error);
  g_autofree char *t3 = va_event_tickets_issue (tickets, alice, 1000 * SECOND, &error);
  g_autoptr (VaCaller) got = NULL;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (t1, VA_EVENT_TICKET_PREFIX));
  g_assert_cmpuint (strlen (t1), ==, strlen (VA_EVENT_TICKET_PREFIX) + 43);
  g_assert_cmpstr (t1, !=, t2);
  g_assert_cmpuint (va_event_tickets_get_size (tickets), ==, 3);

  got = va_event_tickets_redeem (tickets, t1, 1000 * SECOND + 59 * SECOND, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (va_caller_get_user_id (got), ==, "alice");
  g_clear_object (&got);
  /* used once: gone */
  got = va_event_tickets_redeem (tickets, t1, 1001 * SECOND, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED);
  g_assert_null (got);
  g_clear_error (&error);
  /* expired at 60 s, and used up by the attempt */
  got = va_event_tickets_redeem (tickets, t2, 1060 * SECOND, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED);
  g_clear_error (&error);
  got = va_event_tickets_redeem (tickets, t2, 1001 * SECOND, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED);
  g_clear_error (&error);
  /* a key is not a ticket */
  got = va_event_tickets_redeem (tickets, "va_api_AAAA", 1001 * SECOND, &error);
  g_assert_error (error, VA_ERROR, VA_ERROR_UNAUTHENTICATED);
  g_clear_error (&error);
  /* issuing later sweeps the expired ones */
  g_free (va_event_tickets_issue (tickets, alice, 2000 * SECOND, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (va_event_tickets_get_size (tickets), ==, 1);
  (void)t3;
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/event-tickets/single-use-and-expiry",
                   test_event_tickets_single_use_and_expiry);
  return g_test_run ();
}
