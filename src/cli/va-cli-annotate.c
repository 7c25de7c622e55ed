/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "va-cli.h"
#include "va-error.h"
#include "va-pipeline-defaults.h"
#include "va-pipeline-registry.h"
#include "va-runner.h"

/* `videoannotator annotate VIDEO`: runs the selected pipelines on a local
 * file through the engine's runner, with a progress display on stderr and
 * the output paths (or a JSON object) on stdout. */

typedef struct {
  GMainLoop *loop;
  GCancellable *cancellable;
  VaRunResult *result;
  GError *error;
  gboolean tty;
  gboolean quiet;
  int last_decile;   /* last 10 % step printed when stderr is not a terminal */
  gint64 last_plain; /* monotonic µs of the last plain line without a duration */
  gboolean drawn;    /* a progress bar is on screen and needs erasing */
} VaAnnotateState;

static void
va_format_eta (char *buf, gsize len, double seconds)
{
  guint s = (guint)(seconds + 0.5);

  if (s >= 3600)
    g_snprintf (buf, len, "%u:%02u:%02u", s / 3600, (s / 60) % 60, s % 60);
  else
    g_snprintf (buf, len, "%u:%02u", s / 60, s % 60);
}

static void
va_on_progress (VaRunner *runner, double fraction, guint64 frames, double fps, gint64 position,
                gint64 duration, gpointer user_data)
{
  VaAnnotateState *state = user_data;

  if (state->quiet)
    return;

  if (state->tty) {
    enum { WIDTH = 30 };
    char bar[WIDTH + 1];
    char eta[32] = "";

    if (fraction >= 0) {
      guint filled = (guint)(fraction * WIDTH + 0.5);
      for (guint i = 0; i < WIDTH; i++)
        bar[i] = i < filled ? '#' : '-';
      bar[WIDTH] = '\0';
      if (fraction > 0 && fraction < 1 && position > 0) {
        /* media seconds processed per wall second so far predict the rest */
        double rate = fps > 0 ? (double)position / 1e9 / (frames / fps) : 0;
        if (rate > 0)
          va_format_eta (eta, sizeof eta, (duration - position) / 1e9 / rate);
      }
      fprintf (stderr, "\r[%s] %3d%%  %7.1f frames/s  %s%s\033[K", bar, (int)(fraction * 100), fps,
               eta[0] != '\0' ? _ ("ETA ") : "", eta);
    } else {
      fprintf (stderr, "\r%" G_GUINT64_FORMAT " frames  %7.1f frames/s\033[K", frames, fps);
    }
    fflush (stderr);
    state->drawn = TRUE;
    return;
  }

  if (fraction >= 0) {
    int decile = (int)(fraction * 10);
    if (decile > state->last_decile) {
      state->last_decile = decile;
      /* PRIu64, not G_GUINT64_FORMAT: xgettext only knows the C99 macros,
       * and extracts a truncated message id otherwise */
      fprintf (stderr, _ ("progress: %3d%% (%" PRIu64 " frames, %.1f frames/s)\n"), decile * 10,
               (uint64_t)frames, fps);
    }
  } else if (g_get_monotonic_time () - state->last_plain >= 10 * G_USEC_PER_SEC) {
    state->last_plain = g_get_monotonic_time ();
    fprintf (stderr, _ ("progress: %" PRIu64 " frames (%.1f frames/s)\n"), (uint64_t)frames, fps);
  }
}

static void
va_clear_progress (VaAnnotateState *state)
{
  if (state->drawn) {
    fprintf (stderr, "\n");
    state->drawn = FALSE;
  }
}

static gboolean
va_on_sigint (gpointer user_data)
{
  VaAnnotateState *state = user_data;

  if (!g_cancellable_is_cancelled (state->cancellable)) {
    g_cancellable_cancel (state->cancellable);
    /* said once the cancellation is recorded: from here on the run ends
     * cancelled, however its pipeline stops (scripts may wait for it) */
    va_clear_progress (state);
    fprintf (stderr, "%s\n", _ ("videoannotator annotate: interrupted, stopping"));
    fflush (stderr);
  }
  return G_SOURCE_CONTINUE;
}

static void
va_on_run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaAnnotateState *state = user_data;

  state->result = va_runner_run_finish (VA_RUNNER (source), result, &state->error);
  g_main_loop_quit (state->loop);
}

static int
va_fail (const GError *error, gboolean json)
{
  g_printerr ("videoannotator annotate: %s\n", va_cli_error_message (error));
  if (json)
    va_cli_print_json_error (error, NULL);
  return va_cli_exit_code_for_error (error);
}

static void
va_print_result (VaRunResult *result, gboolean quiet)
{
  guint n = va_run_result_get_n_outputs (result);
  double seconds = va_run_result_get_processing_time (result);
  guint64 frames = va_run_result_get_frames (result);

  for (guint i = 0; i < n; i++) {
    const char *file = va_run_result_get_output_file (result, i);
    if (quiet)
      g_print ("%s\n", file);
    else
      g_print ("%-20s %6u %-12s %s\n", va_run_result_get_output_pipeline (result, i),
               va_run_result_get_output_annotation_count (result, i),
               g_dngettext (GETTEXT_PACKAGE, "annotation", "annotations",
                            va_run_result_get_output_annotation_count (result, i)),
               file);
  }
  if (!quiet)
    g_print (_ ("Annotated %" PRIu64 " frames in %.2f s (%.1f frames/s); outputs in "
                "%s\n"),
             (uint64_t)frames, seconds, seconds > 0 ? frames / seconds : 0.0,
             va_run_result_get_output_dir (result));
}

int
va_cli_annotate (int argc, char **argv)
{
  g_autofree char *pipelines = NULL;
  g_autofree char *output = NULL;
  g_autofree char *preview = NULL;
  g_auto (GStrv) settings = NULL;
  g_auto (GStrv) inputs = NULL;
  gboolean json = FALSE;
  gboolean quiet = FALSE;
  const GOptionEntry entries[] = {
    { "pipelines", 'p', 0, G_OPTION_ARG_STRING, &pipelines,
      N_ ("Comma-separated pipelines to run (default: every installed video pipeline)"),
      N_ ("LIST") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_ ("Directory for the annotation files (default: ./STEM_output)"), N_ ("DIR") },
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &settings,
      N_ ("Set a pipeline option, e.g. scene_detection.threshold=40 (repeatable)"),
      N_ ("PIPELINE.KEY=VALUE") },
    { "preview", 0, 0, G_OPTION_ARG_FILENAME, &preview,
      N_ ("Also write an annotated preview video (H.264 in MP4) to FILE"), N_ ("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the result as a JSON object"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      N_ ("No progress; print only the output file paths"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &inputs, NULL, N_ ("VIDEO") },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (VaPipelineRegistry) registry = NULL;
  g_autoptr (GPtrArray) selection = NULL;
  g_autoptr (VaPipelineBuilder) builder = NULL;
  g_autoptr (VaRunner) runner = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GCancellable) cancellable = NULL;
  g_autoptr (GError) run_error = NULL;
  g_autoptr (VaRunResult) result = NULL;
  g_autoptr (VaSettings) va_settings = NULL;
  g_auto (GStrv) args = NULL;
  VaAnnotateState state = { 0 };
  gboolean preview_existed = FALSE;
  guint sigint_id;
  const VaCliCommandSpec spec = {
    .command = "annotate",
    .parameter = _ ("VIDEO"),
    .summary = _ ("Annotate a video file with the selected pipelines. The pipeline defaults of "
                  "the settings (scene-threshold, face-interval, …, and the model paths) apply, "
                  "from the settings backend, their environment variables or their flags; "
                  "--set overrides them for one run."),
    .entries = entries,
    .extra_group = gst_init_get_option_group,
    /* without the schema (an uninstalled build run by hand) the elements'
     * own defaults still make a working annotate */
    .flags = VA_CLI_SETTINGS_OPTIONAL,
  };
  int code;

  code = va_cli_settings_open (&spec, argc, argv, &va_settings, &args);
  if (code >= 0)
    return code;
  if (inputs == NULL || g_strv_length (inputs) != 1) {
    g_printerr ("videoannotator annotate: %s\n",
                inputs == NULL ? _ ("no VIDEO given") : _ ("give exactly one VIDEO"));
    g_printerr (_ ("Usage: videoannotator annotate VIDEO [-p LIST] [-o DIR] [--preview FILE] "
                   "[--json] [--quiet]\n"));
    return VA_EXIT_USAGE;
  }

  registry = va_pipeline_registry_new ();
  selection = va_pipeline_registry_resolve_list (registry, pipelines, &error);
  if (selection == NULL)
    return va_fail (error, json);
  if (selection->len == 0) {
    g_set_error_literal (&error, VA_ERROR, VA_ERROR_INTERNAL,
                         _ ("No annotation pipeline is available: the videoannotator GStreamer "
                            "plugin was not found (check GST_PLUGIN_PATH)"));
    return va_fail (error, json);
  }

  builder = va_pipeline_builder_new ();
  va_pipeline_builder_set_input (builder, inputs[0]);
  if (output != NULL)
    va_pipeline_builder_set_output_dir (builder, output);
  if (preview != NULL) {
    if (*preview == '\0') {
      g_set_error_literal (&error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                           _ ("--preview needs a file name"));
      return va_fail (error, json);
    }
    preview_existed = g_file_test (preview, G_FILE_TEST_EXISTS);
    va_pipeline_builder_set_preview (builder, preview);
  }
  for (guint i = 0; i < selection->len; i++)
    va_pipeline_builder_add_pipeline (builder, g_ptr_array_index (selection, i));
  va_pipeline_defaults_apply (builder, va_settings);
  for (guint i = 0; settings != NULL && settings[i] != NULL; i++) {
    g_auto (GStrv) kv = g_strsplit (settings[i], "=", 2);
    char *dot = kv[0] != NULL ? strchr (kv[0], '.') : NULL;
    VaPipelineInfo *info;

    if (dot == NULL || kv[1] == NULL) {
      g_set_error (&error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                   _ ("--set %s: expected PIPELINE.KEY=VALUE"), settings[i]);
      return va_fail (error, json);
    }
    *dot = '\0';
    info = va_pipeline_registry_lookup (registry, kv[0]);
    if (!va_pipeline_builder_set_option (builder,
                                         info != NULL ? va_pipeline_info_get_name (info) : kv[0],
                                         dot + 1, kv[1], &error))
      return va_fail (error, json);
  }

  runner = va_runner_new (builder);
  loop = g_main_loop_new (NULL, FALSE);
  cancellable = g_cancellable_new ();
  state.loop = loop;
  state.cancellable = cancellable;
  state.tty = isatty (STDERR_FILENO);
  state.quiet = quiet;
  state.last_decile = 0;
  state.last_plain = g_get_monotonic_time ();
  g_signal_connect (runner, "progress", G_CALLBACK (va_on_progress), &state);
  sigint_id = g_unix_signal_add (SIGINT, va_on_sigint, &state);

  va_runner_run_async (runner, cancellable, va_on_run_done, &state);
  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  va_clear_progress (&state);

  result = g_steal_pointer (&state.result);
  run_error = g_steal_pointer (&state.error);
  if (result == NULL) {
    /* like the annotation files, no partial preview from a failed run */
    if (preview != NULL && !preview_existed)
      g_unlink (preview);
    return va_fail (run_error, json);
  }

  if (json) {
    g_autoptr (JsonNode) node = va_run_result_to_json (result);
    if (preview != NULL) {
      g_autofree char *abs = g_canonicalize_filename (preview, NULL);
      json_object_set_string_member (json_node_get_object (node), "preview", abs);
    }
    va_cli_print_json (node);
  } else {
    va_print_result (result, quiet);
    if (preview != NULL) {
      g_autofree char *abs = g_canonicalize_filename (preview, NULL);
      if (quiet)
        g_print ("%s\n", abs);
      else
        g_print (_ ("Preview video: %s\n"), abs);
    }
  }
  return VA_EXIT_OK;
}
