/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-dbus-private.h"
#include "va-engine-admin.h"
#include "va-error.h"

/**
 * VaDBusService:
 *
 * org.videoannotator.VideoAnnotator1.Manager over a #VaEngine: the
 * generated skeleton with its handle_* methods filled in (va-dbus-jobs.c,
 * va-dbus-submit.c, va-dbus-keys.c), its properties kept current and the engine's job
 * events forwarded as signals. It decides nothing: every method finds out
 * who calls (va-dbus-caller.c) and asks the engine.
 */
struct _VaDBusService {
  VaDBusManagerSkeleton parent_instance;

  VaEngine *engine;
  GHashTable *announced;   /* job id → the state last announced (static string) */
  gboolean system_bus;     /* polkit is asked before administration; job signals unicast */
  GHashTable *subscribers; /* unique name → subscriber (va-dbus-subscribers.c) */
  guint refresh_id;
};

static void va_dbus_service_manager_init (VaDBusManagerIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VaDBusService, va_dbus_service, VA_DBUS_TYPE_MANAGER_SKELETON,
                               G_IMPLEMENT_INTERFACE (VA_DBUS_TYPE_MANAGER,
                                                      va_dbus_service_manager_init))

/* ---- properties ---------------------------------------------------------------- */

static gboolean
va_dbus_service_refresh_cb (gpointer user_data)
{
  VaDBusService *self = user_data;
  g_autoptr (GError) error = NULL;
  guint running = 0, pending = 0;

  self->refresh_id = 0;
  if (!va_engine_count_jobs (self->engine, &running, &pending, &error)) {
    g_warning ("Cannot count jobs: %s", error->message);
    return G_SOURCE_REMOVE;
  }
  /* the skeleton emits PropertiesChanged only for values that change */
  va_dbus_manager_set_active_jobs (VA_DBUS_MANAGER (self), running);
  va_dbus_manager_set_queue_length (VA_DBUS_MANAGER (self), pending);
  return G_SOURCE_REMOVE;
}

/* Several events in one main-loop turn make one count. */
static void
va_dbus_service_schedule_refresh (VaDBusService *self)
{
  if (self->refresh_id == 0)
    self->refresh_id = g_idle_add (va_dbus_service_refresh_cb, self);
}

/* ---- engine events → signals ------------------------------------------------------ */

static void
va_dbus_service_announce (VaDBusService *self, VaJob *job, const char *state)
{
  const char *id = va_job_get_id (job);
  const char *before = g_hash_table_lookup (self->announced, id);

  if (g_strcmp0 (before, state) != 0) {
    if (self->system_bus)
      va_dbus_subscribers_emit (self, job, "JobStateChanged", g_variant_new ("(ss)", id, state));
    else
      va_dbus_manager_emit_job_state_changed (VA_DBUS_MANAGER (self), id, state);
    g_hash_table_replace (self->announced, g_strdup (id), (gpointer)state);
  }
  if (g_str_equal (state, "deleted") || va_job_status_is_terminal (va_job_get_status (job)))
    g_hash_table_remove (self->announced, id);
  va_dbus_service_schedule_refresh (self);
}

static void
va_dbus_service_job_updated_cb (VaEngine *engine, VaJob *job, double progress, VaDBusService *self)
{
  VaJobStatus status = va_job_get_status (job);

  va_dbus_service_announce (self, job, va_job_status_to_string (status));
  if (status == VA_JOB_STATUS_RUNNING) {
    const char *id = va_job_get_id (job);
    double fps = va_engine_get_job_fps (engine, id);

    if (self->system_bus)
      va_dbus_subscribers_emit (self, job, "JobProgress",
                                g_variant_new ("(sdd)", id, progress, fps));
    else
      va_dbus_manager_emit_job_progress (VA_DBUS_MANAGER (self), id, progress, fps);
  }
}

static void
va_dbus_service_job_finished_cb (VaEngine *engine, VaJob *job, VaDBusService *self)
{
  va_dbus_service_announce (self, job, va_job_status_to_string (va_job_get_status (job)));
}

static void
va_dbus_service_job_deleted_cb (VaEngine *engine, VaJob *job, VaDBusService *self)
{
  va_dbus_service_announce (self, job, "deleted");
}

static void
va_dbus_service_security_alert_cb (VaEngine *engine, const char *alert, VaDBusService *self)
{
  va_dbus_manager_emit_security_alert (VA_DBUS_MANAGER (self), alert);
}

/* ---- object ---------------------------------------------------------------------------- */

static void
va_dbus_service_dispose (GObject *object)
{
  VaDBusService *self = VA_DBUS_SERVICE (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->announced, g_hash_table_unref);
  g_clear_pointer (&self->subscribers, g_hash_table_unref);
  G_OBJECT_CLASS (va_dbus_service_parent_class)->dispose (object);
}

static void
va_dbus_service_class_init (VaDBusServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = va_dbus_service_dispose;
}

static void
va_dbus_service_manager_init (VaDBusManagerIface *iface)
{
  iface->handle_submit_path = va_dbus_handle_submit_path;
  iface->handle_submit_fd = va_dbus_handle_submit_fd;
  iface->handle_list_jobs = va_dbus_handle_list_jobs;
  iface->handle_get_job = va_dbus_handle_get_job;
  iface->handle_cancel_job = va_dbus_handle_cancel_job;
  iface->handle_delete_job = va_dbus_handle_delete_job;
  iface->handle_purge_job = va_dbus_handle_purge_job;
  iface->handle_purge_user = va_dbus_handle_purge_user;
  iface->handle_get_results = va_dbus_handle_get_results;
  iface->handle_open_result_file = va_dbus_handle_open_result_file;
  iface->handle_list_keys = va_dbus_handle_list_keys;
  iface->handle_create_key = va_dbus_handle_create_key;
  iface->handle_revoke_key = va_dbus_handle_revoke_key;
  iface->handle_revoke_all_keys = va_dbus_handle_revoke_all_keys;
  iface->handle_subscribe = va_dbus_handle_subscribe;
  iface->handle_unsubscribe = va_dbus_handle_unsubscribe;
}

static void
va_dbus_service_init (VaDBusService *self)
{
  self->announced = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->subscribers = va_dbus_subscribers_new ();
}

/**
 * va_dbus_service_new:
 * @engine: a started engine
 *
 * Returns: (transfer full): the service, not yet on a bus
 */
VaDBusService *
va_dbus_service_new (VaEngine *engine)
{
  VaDBusService *self;

  g_return_val_if_fail (VA_IS_ENGINE (engine), NULL);

  self = g_object_new (VA_TYPE_DBUS_SERVICE, NULL);
  self->engine = g_object_ref (engine);
  va_dbus_manager_set_version (VA_DBUS_MANAGER (self), PACKAGE_VERSION);
  va_dbus_manager_set_read_only (VA_DBUS_MANAGER (self), va_engine_get_read_only (engine));
  va_dbus_manager_set_auth_required (
      VA_DBUS_MANAGER (self),
      va_settings_get_boolean (va_engine_get_settings (engine), "auth-required"));
  g_signal_connect (engine, "job-updated", G_CALLBACK (va_dbus_service_job_updated_cb), self);
  g_signal_connect (engine, "job-completed", G_CALLBACK (va_dbus_service_job_finished_cb), self);
  g_signal_connect (engine, "job-failed", G_CALLBACK (va_dbus_service_job_finished_cb), self);
  g_signal_connect (engine, "job-cancelled", G_CALLBACK (va_dbus_service_job_finished_cb), self);
  g_signal_connect (engine, "job-deleted", G_CALLBACK (va_dbus_service_job_deleted_cb), self);
  /* whichever transport fed the engine's security monitor */
  g_signal_connect (engine, "security-alert", G_CALLBACK (va_dbus_service_security_alert_cb), self);
  va_dbus_service_refresh_cb (self);
  return self;
}

gboolean
va_dbus_service_get_system_bus (VaDBusService *self)
{
  return self->system_bus;
}

void
va_dbus_service_set_system_bus (VaDBusService *self, gboolean system_bus)
{
  self->system_bus = system_bus;
}

GHashTable *
va_dbus_service_get_subscribers (VaDBusService *self)
{
  return self->subscribers;
}

VaEngine *
va_dbus_service_get_engine (VaDBusService *self)
{
  g_return_val_if_fail (VA_IS_DBUS_SERVICE (self), NULL);
  return self->engine;
}

/**
 * va_dbus_service_export:
 *
 * Puts the object on @connection at %VA_DBUS_OBJECT_PATH.
 */
gboolean
va_dbus_service_export (VaDBusService *self, GDBusConnection *connection, GError **error)
{
  g_return_val_if_fail (VA_IS_DBUS_SERVICE (self), FALSE);
  return g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self), connection,
                                           VA_DBUS_OBJECT_PATH, error);
}

void
va_dbus_service_unexport (VaDBusService *self)
{
  g_return_if_fail (VA_IS_DBUS_SERVICE (self));
  g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self));
}
