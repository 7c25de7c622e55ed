/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-dbus-private.h"
#include "va-engine-auth.h"

/* Subscribe(), Unsubscribe() and the job signals' delivery on the system
 * bus. A broadcast signal reaches every client with a match rule, so there
 * job signals go to subscribers only, each addressed to one subscriber
 * (a unicast signal, which the bus delivers to its destination alone) and
 * only when the engine lets that subscriber see the job
 * (va_engine_caller_may_see_job()). A subscriber is who called
 * Subscribe(), as the bus identified it then; it is forgotten when it
 * unsubscribes or leaves the bus (systemd's Manager.Subscribe() works the
 * same way). On the session bus the signals stay broadcast. */

typedef struct {
  GDBusConnection *connection;
  VaCaller *caller;
  guint watch_id;
} VaDBusSubscriber;

static void
va_dbus_subscriber_free (VaDBusSubscriber *sub)
{
  if (sub->watch_id != 0)
    g_bus_unwatch_name (sub->watch_id);
  g_clear_object (&sub->connection);
  g_clear_object (&sub->caller);
  g_free (sub);
}

GHashTable *
va_dbus_subscribers_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify)va_dbus_subscriber_free);
}

static void
va_dbus_subscriber_vanished_cb (GDBusConnection *connection, const char *name, gpointer user_data)
{
  VaDBusService *service = user_data;

  g_hash_table_remove (va_dbus_service_get_subscribers (service), name);
}

static void
va_dbus_subscribe_run (VaDBusCall *call)
{
  GDBusConnection *connection = g_dbus_method_invocation_get_connection (call->invocation);
  const char *sender = g_dbus_method_invocation_get_sender (call->invocation);
  GHashTable *subscribers = va_dbus_service_get_subscribers (call->service);
  VaDBusSubscriber *sub;

  /* a peer-to-peer connection (no sender) hears the object's signals anyway */
  if (sender != NULL && !g_hash_table_contains (subscribers, sender)) {
    sub = g_new0 (VaDBusSubscriber, 1);
    sub->connection = g_object_ref (connection);
    sub->caller = g_object_ref (call->caller);
    g_hash_table_insert (subscribers, g_strdup (sender), sub);
    /* the service outlives its subscribers: dispose frees the table */
    sub->watch_id
        = g_bus_watch_name_on_connection (connection, sender, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                          va_dbus_subscriber_vanished_cb, call->service, NULL);
  }
  va_dbus_manager_complete_subscribe (VA_DBUS_MANAGER (call->service),
                                      g_steal_pointer (&call->invocation));
  va_dbus_call_free (call);
}

gboolean
va_dbus_handle_subscribe (VaDBusManager *manager, GDBusMethodInvocation *invocation)
{
  return va_dbus_call_run (va_dbus_call_new (manager, invocation, va_dbus_subscribe_run));
}

gboolean
va_dbus_handle_unsubscribe (VaDBusManager *manager, GDBusMethodInvocation *invocation)
{
  const char *sender = g_dbus_method_invocation_get_sender (invocation);

  if (sender != NULL)
    g_hash_table_remove (va_dbus_service_get_subscribers (VA_DBUS_SERVICE (manager)), sender);
  va_dbus_manager_complete_unsubscribe (manager, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/**
 * va_dbus_subscribers_emit:
 * @parameters: (transfer floating): the signal's arguments
 *
 * Sends @signal_name about @job to every subscriber who may see @job.
 */
void
va_dbus_subscribers_emit (VaDBusService *self, VaJob *job, const char *signal_name,
                          GVariant *parameters)
{
  g_autoptr (GVariant) owned = g_variant_ref_sink (parameters);
  VaEngine *engine = va_dbus_service_get_engine (self);
  GHashTableIter iter;
  const char *name;
  VaDBusSubscriber *sub;

  g_hash_table_iter_init (&iter, va_dbus_service_get_subscribers (self));
  while (g_hash_table_iter_next (&iter, (gpointer *)&name, (gpointer *)&sub)) {
    g_autoptr (GError) error = NULL;

    if (!va_engine_caller_may_see_job (engine, sub->caller, job))
      continue;
    if (!g_dbus_connection_emit_signal (sub->connection, name, VA_DBUS_OBJECT_PATH,
                                        VA_DBUS_INTERFACE, signal_name, owned, &error))
      g_debug ("Cannot send %s to %s: %s", signal_name, name, error->message);
  }
}
