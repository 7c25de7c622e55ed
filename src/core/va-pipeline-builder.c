/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gst/base/gstbasetransform.h>
#include <unistd.h>

#include "va-error.h"
#include "va-pipeline-builder-private.h"

/**
 * VaPipelineBuilder:
 *
 * Turns an input file and a selection of registry pipelines into ONE
 * GstPipeline, whatever the number of pipelines:
 *
 *   filesrc ! decodebin ─┬─ queue ! videoconvert ! <video analysers> ! vaannotationsink
 *                        └─ queue ! audioconvert ! audioresample ! 16 kHz mono
 *                                 ! <audio analysers> ! vaannotationsink
 *
 * The queue after decodebin puts analysis in a thread apart from decoding,
 * and each heavy analyser gets one more in front, so the cores work in
 * parallel. videoconvert is passthrough when the analysers accept what the
 * decoder outputs (I420/NV12 for H.264): it costs nothing then, and converts
 * only the odd formats. A branch exists only when one of its pipelines is
 * selected; streams nobody analyses end in a fakesink, and compressed audio
 * is not even decoded.
 *
 * With a preview file, a tee after each branch's analysers also feeds
 *
 *   video: queue ! vaoverlay ! videoconvert ! x264enc ! mp4mux ! filesink
 *   audio: queue ! vaoverlay.transcript_sink        (when vaspeech runs)
 *          queue ! audioconvert ! AAC encoder ! mp4mux
 *
 * so the preview shows what this very run found. vaoverlay holds each frame
 * until the transcript has got `transcript-latency` ahead of it; decodebin's
 * queue (compressed data) is raised to hold that much video, and the audio
 * queue before the muxer that much audio, or the two branches would wait
 * for each other.
 */
struct _VaPipelineBuilder {
  GObject parent_instance;

  char *input;
  char *output_dir;
  char *stem;
  char *preview;
  char *input_sha256;   /* known digest of the input, or NULL: hash it */
  GPtrArray *pipelines; /* VaPipelineInfo */
  GPtrArray *options;   /* VaOption */
};

typedef struct {
  char *pipeline;
  char *key;
  char *factory;
  char *property;
  GValue value;
} VaOption;

G_DEFINE_FINAL_TYPE (VaPipelineBuilder, va_pipeline_builder, G_TYPE_OBJECT)

static GQuark va_graph_quark;

static void
va_option_free (VaOption *option)
{
  g_free (option->pipeline);
  g_free (option->key);
  g_free (option->factory);
  g_free (option->property);
  g_value_unset (&option->value);
  g_free (option);
}

static void
va_pipeline_builder_finalize (GObject *object)
{
  VaPipelineBuilder *self = VA_PIPELINE_BUILDER (object);

  g_clear_pointer (&self->input, g_free);
  g_clear_pointer (&self->output_dir, g_free);
  g_clear_pointer (&self->stem, g_free);
  g_clear_pointer (&self->preview, g_free);
  g_clear_pointer (&self->input_sha256, g_free);
  g_clear_pointer (&self->pipelines, g_ptr_array_unref);
  g_clear_pointer (&self->options, g_ptr_array_unref);
  G_OBJECT_CLASS (va_pipeline_builder_parent_class)->finalize (object);
}

static void
va_pipeline_builder_class_init (VaPipelineBuilderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_pipeline_builder_finalize;
  va_graph_quark = g_quark_from_static_string ("va-pipeline-graph");
}

static void
va_pipeline_builder_init (VaPipelineBuilder *self)
{
  self->pipelines = g_ptr_array_new_with_free_func (g_object_unref);
  self->options = g_ptr_array_new_with_free_func ((GDestroyNotify)va_option_free);
}

VaPipelineBuilder *
va_pipeline_builder_new (void)
{
  return g_object_new (VA_TYPE_PIPELINE_BUILDER, NULL);
}

void
va_pipeline_builder_set_input (VaPipelineBuilder *self, const char *path)
{
  g_return_if_fail (VA_IS_PIPELINE_BUILDER (self));
  g_free (self->input);
  self->input = g_strdup (path);
}

const char *
va_pipeline_builder_get_input (VaPipelineBuilder *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_BUILDER (self), NULL);
  return self->input;
}

void
va_pipeline_builder_set_output_dir (VaPipelineBuilder *self, const char *path)
{
  g_return_if_fail (VA_IS_PIPELINE_BUILDER (self));
  g_free (self->output_dir);
  self->output_dir = g_strdup (path);
}

/**
 * va_pipeline_builder_get_output_dir:
 *
 * Returns: the output directory; `<stem>_output` in the current directory
 *   unless one was set
 */
const char *
va_pipeline_builder_get_output_dir (VaPipelineBuilder *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_BUILDER (self), NULL);
  if (self->output_dir == NULL && self->input != NULL)
    self->output_dir = g_strdup_printf ("%s_output", va_pipeline_builder_get_stem (self));
  return self->output_dir;
}

void
va_pipeline_builder_set_stem (VaPipelineBuilder *self, const char *stem)
{
  g_return_if_fail (VA_IS_PIPELINE_BUILDER (self));
  g_free (self->stem);
  self->stem = g_strdup (stem);
}

/**
 * va_pipeline_builder_set_input_sha256:
 * @sha256: (nullable): the input's SHA-256 in hex, when the caller already
 *   knows it (a job's upload was hashed as it was written); %NULL to have
 *   va_pipeline_builder_build() read the whole input to compute it
 */
void
va_pipeline_builder_set_input_sha256 (VaPipelineBuilder *self, const char *sha256)
{
  g_return_if_fail (VA_IS_PIPELINE_BUILDER (self));
  g_free (self->input_sha256);
  self->input_sha256 = g_strdup (sha256);
}

/**
 * va_pipeline_builder_set_preview:
 * @path: (nullable): where to write an annotated preview video (H.264 in
 *   MP4), or %NULL for none
 */
void
va_pipeline_builder_set_preview (VaPipelineBuilder *self, const char *path)
{
  g_return_if_fail (VA_IS_PIPELINE_BUILDER (self));
  g_free (self->preview);
  self->preview = g_strdup (path);
}

const char *
va_pipeline_builder_get_preview (VaPipelineBuilder *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_BUILDER (self), NULL);
  return self->preview;
}

/**
 * va_pipeline_builder_dup_default_stem:
 * @input: a file path
 *
 * The contract's `<stem>`: the file name without its last extension
 * ("clip.final.mp4" → "clip.final"), or "video" when that leaves nothing.
 */
char *
va_pipeline_builder_dup_default_stem (const char *input)
{
  g_autofree char *base = g_path_get_basename (input);
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base)
    *dot = '\0';
  if (*base == '\0' || g_str_equal (base, ".") || g_str_equal (base, G_DIR_SEPARATOR_S))
    return g_strdup ("video");
  return g_steal_pointer (&base);
}

const char *
va_pipeline_builder_get_stem (VaPipelineBuilder *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_BUILDER (self), NULL);
  if (self->stem == NULL && self->input != NULL)
    self->stem = va_pipeline_builder_dup_default_stem (self->input);
  return self->stem;
}

void
va_pipeline_builder_add_pipeline (VaPipelineBuilder *self, VaPipelineInfo *info)
{
  g_return_if_fail (VA_IS_PIPELINE_BUILDER (self));
  g_return_if_fail (VA_IS_PIPELINE_INFO (info));
  if (!g_ptr_array_find (self->pipelines, info, NULL))
    g_ptr_array_add (self->pipelines, g_object_ref (info));
}

/**
 * va_pipeline_builder_get_pipelines:
 *
 * Returns: (transfer none) (element-type VaPipelineInfo): the selection
 */
GPtrArray *
va_pipeline_builder_get_pipelines (VaPipelineBuilder *self)
{
  g_return_val_if_fail (VA_IS_PIPELINE_BUILDER (self), NULL);
  return self->pipelines;
}

static VaPipelineInfo *
va_pipeline_builder_find (VaPipelineBuilder *self, const char *name)
{
  for (guint i = 0; i < self->pipelines->len; i++) {
    VaPipelineInfo *info = g_ptr_array_index (self->pipelines, i);
    if (g_str_equal (va_pipeline_info_get_name (info), name))
      return info;
  }
  return NULL;
}

/**
 * va_pipeline_builder_set_option:
 * @pipeline: the registry name of a selected pipeline
 * @key: a member of its config schema, e.g. "threshold"
 * @value: the value as text ("40", "true", an enum nick)
 *
 * Checks the value against the property's type and range now, so a bad
 * option fails before any decoding.
 *
 * Returns: %FALSE with %VA_ERROR_INVALID_ARGUMENT for an unknown pipeline or
 *   key, an unparsable value or one out of range
 */
gboolean
va_pipeline_builder_set_option (VaPipelineBuilder *self, const char *pipeline, const char *key,
                                const char *value, GError **error)
{
  VaPipelineInfo *info;
  const char *factory_name = NULL;
  const char *property = NULL;
  g_autoptr (GstElementFactory) factory = NULL;
  g_autoptr (GstPluginFeature) loaded = NULL;
  GObjectClass *klass;
  GParamSpec *pspec;
  g_auto (GValue) parsed = G_VALUE_INIT;
  g_auto (GValue) checked = G_VALUE_INIT;
  VaOption *option;

  g_return_val_if_fail (VA_IS_PIPELINE_BUILDER (self), FALSE);

  info = va_pipeline_builder_find (self, pipeline);
  if (info == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "Option for pipeline “%s”, which is not selected", pipeline);
    return FALSE;
  }
  if (!va_pipeline_info_lookup_option (info, key, &factory_name, &property)) {
    g_autoptr (GList) keys = json_object_get_members (va_pipeline_info_get_config_schema (info));
    g_autoptr (GString) known = g_string_new (NULL);
    for (GList *l = keys; l != NULL; l = l->next)
      g_string_append_printf (known, "%s%s", known->len > 0 ? ", " : "", (char *)l->data);
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "Pipeline “%s” has no option “%s”; its options: %s", pipeline, key,
                 known->len > 0 ? known->str : "none");
    return FALSE;
  }

  factory = gst_element_factory_find (factory_name);
  loaded = factory != NULL ? gst_plugin_feature_load (GST_PLUGIN_FEATURE (factory)) : NULL;
  if (loaded == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "GStreamer element “%s” cannot be loaded",
                 factory_name);
    return FALSE;
  }
  klass = g_type_class_ref (gst_element_factory_get_element_type (GST_ELEMENT_FACTORY (loaded)));
  pspec = g_object_class_find_property (klass, property);
  g_type_class_unref (klass);
  g_return_val_if_fail (pspec != NULL, FALSE);

  g_value_init (&parsed, G_PARAM_SPEC_VALUE_TYPE (pspec));
  if (!gst_value_deserialize (&parsed, value)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "Option %s of pipeline “%s”: “%s” is not a valid %s", key, pipeline, value,
                 g_type_name (G_PARAM_SPEC_VALUE_TYPE (pspec)));
    return FALSE;
  }
  g_value_init (&checked, G_PARAM_SPEC_VALUE_TYPE (pspec));
  g_value_copy (&parsed, &checked);
  /* g_param_value_validate clamps and tells whether it had to */
  if (g_param_value_validate (pspec, &checked)) {
    g_autofree char *fixed = gst_value_serialize (&checked);
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "Option %s of pipeline “%s”: %s is out of range (nearest allowed: %s)", key,
                 pipeline, value, fixed);
    return FALSE;
  }

  option = g_new0 (VaOption, 1);
  option->pipeline = g_strdup (pipeline);
  option->key = g_strdup (key);
  option->factory = g_strdup (factory_name);
  option->property = g_strdup (property);
  g_value_init (&option->value, G_VALUE_TYPE (&parsed));
  g_value_copy (&parsed, &option->value);
  g_ptr_array_add (self->options, option);
  return TRUE;
}

static void
va_pipeline_graph_free (VaPipelineGraph *graph)
{
  g_mutex_clear (&graph->lock);
  g_free (graph->input);
  g_free (graph->container_caps);
  g_clear_pointer (&graph->analysers, g_hash_table_unref);
  g_free (graph);
}

/**
 * va_pipeline_builder_get_graph:
 * @pipeline: a pipeline made by va_pipeline_builder_build()
 *
 * Returns: (transfer none): its run-time link state
 */
VaPipelineGraph *
va_pipeline_builder_get_graph (GstElement *pipeline)
{
  return g_object_get_qdata (G_OBJECT (pipeline), va_graph_quark);
}

char *
va_pipeline_graph_dup_container_caps (VaPipelineGraph *graph)
{
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&graph->lock);
  return g_strdup (graph->container_caps);
}

static gboolean
va_caps_has_prefix (GstCaps *caps, const char *prefix)
{
  GstStructure *s;

  if (caps == NULL || gst_caps_is_empty (caps) || gst_caps_is_any (caps))
    return FALSE;
  s = gst_caps_get_structure (caps, 0);
  return g_str_has_prefix (gst_structure_get_name (s), prefix);
}

/* Files, not live streams: libav's frame threading decodes several
 * pictures at once (its latency costs nothing here) and measured 5 %
 * faster than the decoder's "auto" choice on 720p H.264. */
static void
va_on_deep_element_added (GstBin *decodebin, GstBin *sub_bin, GstElement *element,
                          gpointer user_data)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element), "thread-type");

  if (pspec != NULL && G_IS_PARAM_SPEC_FLAGS (pspec)
      && g_str_has_prefix (G_OBJECT_TYPE_NAME (element), "avdec_"))
    gst_util_set_object_arg (G_OBJECT (element), "thread-type", "frame");
}

/* Called by decodebin for every stream before it plugs more elements.
 * The first call carries what typefinding recognised: remember it, it tells
 * a corrupt file of a known type from something that is not media at all.
 * Streams no branch wants are exposed still compressed: decoding audio for
 * a fakesink would be wasted time. */
static gboolean
va_on_autoplug_continue (GstElement *decodebin, GstPad *pad, GstCaps *caps, gpointer user_data)
{
  VaPipelineGraph *graph = user_data;
  gboolean want_audio;

  g_mutex_lock (&graph->lock);
  if (graph->container_caps == NULL)
    graph->container_caps = gst_caps_to_string (caps);
  want_audio = graph->audio_entry != NULL;
  g_mutex_unlock (&graph->lock);

  if (!want_audio && va_caps_has_prefix (caps, "audio/"))
    return FALSE;
  if (va_caps_has_prefix (caps, "text/") || va_caps_has_prefix (caps, "subpicture/")
      || va_caps_has_prefix (caps, "closedcaption/"))
    return FALSE;
  return TRUE;
}

static void
va_link_to_fakesink (GstElement *pipeline, GstPad *pad)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr (GstPad) sinkpad = NULL;

  if (sink == NULL)
    return;
  /* not async: it joins a pipeline that may already be prerolling */
  g_object_set (sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, NULL);
  gst_bin_add (GST_BIN (pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  sinkpad = gst_element_get_static_pad (sink, "sink");
  gst_pad_link (pad, sinkpad);
}

static void
va_on_pad_added (GstElement *decodebin, GstPad *pad, gpointer user_data)
{
  GstElement *pipeline = user_data;
  VaPipelineGraph *graph = va_pipeline_builder_get_graph (pipeline);
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  GstElement *target = NULL;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);

  g_mutex_lock (&graph->lock);
  if (va_caps_has_prefix (caps, "video/x-raw") && graph->video_entry != NULL
      && !graph->video_linked) {
    target = graph->video_entry;
    graph->video_linked = TRUE;
  } else if (va_caps_has_prefix (caps, "audio/x-raw") && graph->audio_entry != NULL
             && !graph->audio_linked) {
    target = graph->audio_entry;
    graph->audio_linked = TRUE;
  }
  g_mutex_unlock (&graph->lock);

  if (target != NULL) {
    g_autoptr (GstPad) sinkpad = gst_element_get_static_pad (target, "sink");
    GstPadLinkReturn ret = gst_pad_link (pad, sinkpad);
    if (ret != GST_PAD_LINK_OK) {
      g_autoptr (GError) error
          = g_error_new (VA_ERROR, VA_ERROR_PIPELINE, "Cannot link the decoded stream (%s)",
                         gst_pad_link_get_name (ret));
      gst_element_post_message (pipeline,
                                gst_message_new_error (GST_OBJECT (decodebin), error, NULL));
    }
    return;
  }
  /* extra streams (a second video track, unused audio, subtitles) */
  va_link_to_fakesink (pipeline, pad);
}

static void
va_on_no_more_pads (GstElement *decodebin, gpointer user_data)
{
  GstElement *pipeline = user_data;
  VaPipelineGraph *graph = va_pipeline_builder_get_graph (pipeline);
  g_autoptr (GError) error = NULL;
  g_autofree char *base = NULL;

  g_mutex_lock (&graph->lock);
  base = g_path_get_basename (graph->input);
  if (graph->video_entry != NULL && !graph->video_linked)
    error = g_error_new (VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA,
                         "%s has no video stream, which the selected video pipelines need", base);
  else if (graph->audio_entry != NULL && !graph->audio_linked)
    error = g_error_new (VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA,
                         "%s has no audio stream, which the selected audio pipelines need", base);
  g_mutex_unlock (&graph->lock);

  /* the unlinked branch would never preroll: fail instead of waiting */
  if (error != NULL)
    gst_element_post_message (pipeline,
                              gst_message_new_error (GST_OBJECT (decodebin), error, NULL));
}

static GstElement *
va_make_element (const char *factory, const char *name, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, name);

  if (element == NULL)
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "GStreamer element “%s” is not installed",
                 factory);
  return element;
}

/* Adds @element to @bin after @prev (if any); returns it as the new tail. */
static GstElement *
va_chain (GstBin *bin, GstElement *prev, GstElement *element, GError **error)
{
  gst_bin_add (bin, element);
  if (prev != NULL && !gst_element_link (prev, element)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot link %s to %s",
                 GST_ELEMENT_NAME (prev), GST_ELEMENT_NAME (element));
    return NULL;
  }
  return element;
}

static void
va_apply_options (VaPipelineBuilder *self, VaPipelineInfo *info, guint index, GstElement *element)
{
  const char *const *defaults = va_pipeline_info_get_element_properties (info, index);
  const char *factory = va_pipeline_info_get_element_factory (info, index);

  for (guint i = 0; defaults != NULL && defaults[i] != NULL; i++) {
    g_auto (GStrv) kv = g_strsplit (defaults[i], "=", 2);
    if (kv[0] != NULL && kv[1] != NULL)
      gst_util_set_object_arg (G_OBJECT (element), kv[0], kv[1]);
  }
  for (guint i = 0; i < self->options->len; i++) {
    VaOption *option = g_ptr_array_index (self->options, i);
    if (g_str_equal (option->pipeline, va_pipeline_info_get_name (info))
        && g_str_equal (option->factory, factory))
      g_object_set_property (G_OBJECT (element), option->property, &option->value);
  }
}

static void
va_copy_entry (gpointer key, gpointer value, gpointer user_data)
{
  g_hash_table_insert (user_data, key, value);
}

/* One branch: entry elements, the analysers of every selected pipeline of
 * @branch, and the annotation sink writing their files. Returns the entry
 * element (decodebin's pad links to it), or NULL when no pipeline of the
 * selection runs on this branch. */
static GstElement *
va_pipeline_builder_add_branch (VaPipelineBuilder *self, GstBin *bin, VaPipelineBranch branch,
                                VaPipelineGraph *graph, GstElement **sink_out, GstElement **tee_out,
                                GError **error)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_null_terminated (4, NULL, TRUE);
  /* factory → element, placed by earlier pipelines / by the current one */
  g_autoptr (GHashTable) placed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) own = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *pipelines = NULL;
  g_autofree char *location = NULL;
  const char *prefix = branch == VA_PIPELINE_BRANCH_VIDEO ? "video" : "audio";
  g_autofree char *name = NULL;
  GstElement *entry, *tail, *element;

  for (guint i = 0; i < self->pipelines->len; i++) {
    VaPipelineInfo *info = g_ptr_array_index (self->pipelines, i);
    if (va_pipeline_info_get_branch (info) == branch)
      g_ptr_array_add (names, (gpointer)va_pipeline_info_get_name (info));
  }
  if (names->len == 0)
    return NULL;

  name = g_strdup_printf ("%s-queue", prefix);
  entry = va_make_element ("queue", name, error);
  if (entry == NULL || (tail = va_chain (bin, NULL, entry, error)) == NULL)
    return NULL;

  if (branch == VA_PIPELINE_BRANCH_VIDEO) {
    if ((element = va_make_element ("videoconvert", "video-convert", error)) == NULL
        || (tail = va_chain (bin, tail, element, error)) == NULL)
      return NULL;
  } else {
    g_autoptr (GstCaps) caps
        = gst_caps_from_string ("audio/x-raw,format=S16LE,rate=16000,channels=1");
    if ((element = va_make_element ("audioconvert", "audio-convert", error)) == NULL
        || (tail = va_chain (bin, tail, element, error)) == NULL)
      return NULL;
    if ((element = va_make_element ("audioresample", "audio-resample", error)) == NULL
        || (tail = va_chain (bin, tail, element, error)) == NULL)
      return NULL;
    if ((element = va_make_element ("capsfilter", "audio-caps", error)) == NULL)
      return NULL;
    g_object_set (element, "caps", caps, NULL);
    if ((tail = va_chain (bin, tail, element, error)) == NULL)
      return NULL;
  }

  for (guint i = 0; i < self->pipelines->len; i++) {
    VaPipelineInfo *info = g_ptr_array_index (self->pipelines, i);

    GPtrArray *serving;

    if (va_pipeline_info_get_branch (info) != branch)
      continue;
    serving = g_ptr_array_new_with_free_func (g_free);
    g_hash_table_insert (graph->analysers, g_strdup (va_pipeline_info_get_name (info)), serving);
    g_hash_table_remove_all (own);
    for (guint j = 0; j < va_pipeline_info_get_n_elements (info); j++) {
      const char *factory = va_pipeline_info_get_element_factory (info, j);
      GstElement *existing = g_hash_table_lookup (placed, factory);
      g_autofree char *ename
          = g_strdup_printf ("%s-%u-%s", va_pipeline_info_get_name (info), j, factory);

      /* Pipelines of one branch may share an analyser (the audio ones all
       * start with vavad): it runs once, and its metas serve them all; the
       * later pipeline's options apply to it as well. Within one pipeline a
       * repeated factory is meant (two passes) and kept. */
      if (existing != NULL) {
        va_apply_options (self, info, j, existing);
        g_ptr_array_add (serving, gst_element_get_name (existing));
        continue;
      }

      /* the branch queue already separates the first element from decoding */
      if (va_pipeline_info_get_element_heavy (info, j) && tail != entry) {
        g_autofree char *qname
            = g_strdup_printf ("%s-%u-queue", va_pipeline_info_get_name (info), j);
        if ((element = va_make_element ("queue", qname, error)) == NULL)
          return NULL;
        /* vaspeech decodes a whole utterance (up to 30 s) at its end, in one
         * go: with a 1 s queue the audio, then the demuxer, then the video
         * branch stall meanwhile. 16 kHz mono is 32 kB/s, so let the audio
         * run a minute ahead and the video branch go on. */
        if (branch == VA_PIPELINE_BRANCH_AUDIO)
          g_object_set (element, "max-size-time", (guint64)60 * GST_SECOND, "max-size-bytes", 0,
                        "max-size-buffers", 0, NULL);
        if ((tail = va_chain (bin, tail, element, error)) == NULL)
          return NULL;
      }
      if ((element = va_make_element (factory, ename, error)) == NULL)
        return NULL;
      g_ptr_array_add (serving, g_strdup (ename));
      g_hash_table_insert (own, (gpointer)factory, element);
      va_apply_options (self, info, j, element);
      if ((tail = va_chain (bin, tail, element, error)) == NULL)
        return NULL;
    }
    g_hash_table_foreach (own, va_copy_entry, placed);
  }

  /* the preview taps the analysed stream; the sink gets its own queue */
  if (self->preview != NULL) {
    g_autofree char *tname = g_strdup_printf ("%s-tee", prefix);
    g_autofree char *qname = g_strdup_printf ("%s-sink-queue", prefix);
    if ((element = va_make_element ("tee", tname, error)) == NULL
        || (tail = va_chain (bin, tail, element, error)) == NULL)
      return NULL;
    *tee_out = element;
    if ((element = va_make_element ("queue", qname, error)) == NULL
        || (tail = va_chain (bin, tail, element, error)) == NULL)
      return NULL;
  }

  g_free (name);
  name = g_strdup_printf ("%s-sink", prefix);
  if ((element = va_make_element ("vaannotationsink", name, error)) == NULL)
    return NULL;
  pipelines = g_strjoinv (",", (char **)names->pdata);
  location = g_canonicalize_filename (va_pipeline_builder_get_output_dir (self), NULL);
  /* sync=false: annotate as fast as frames decode, not in real time */
  g_object_set (element, "location", location, "stem", va_pipeline_builder_get_stem (self),
                "pipelines", pipelines, "sync", FALSE, NULL);
  if ((tail = va_chain (bin, tail, element, error)) == NULL)
    return NULL;
  *sink_out = element;
  return entry;
}

static gboolean
va_check_input (const char *input, GError **error)
{
  GStatBuf st;

  if (g_stat (input, &st) != 0) {
    int saved = errno;
    if (saved == ENOENT || saved == ENOTDIR)
      g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "No such file: %s", input);
    else
      g_set_error (error, VA_ERROR, saved == EACCES ? VA_ERROR_FORBIDDEN : VA_ERROR_INTERNAL,
                   "Cannot access %s: %s", input, g_strerror (saved));
    return FALSE;
  }
  if (S_ISDIR (st.st_mode)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, "%s is a directory, not a video file",
                 input);
    return FALSE;
  }
  if (g_access (input, R_OK) != 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_FORBIDDEN, "Cannot read %s: %s", input,
                 g_strerror (errno));
    return FALSE;
  }
  if (S_ISREG (st.st_mode) && st.st_size == 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA, "%s is empty", input);
    return FALSE;
  }
  return TRUE;
}

/* The preview file is opened for writing now, so that a path that cannot
 * be written fails before any decoding (root ignores permission bits, so
 * asking access() would not do). */
static gboolean
va_check_preview (const char *preview, const char *abs_input, GError **error)
{
  g_autofree char *abs_preview = g_canonicalize_filename (preview, NULL);
  GStatBuf st;
  int fd;

  if (g_strcmp0 (abs_preview, abs_input) == 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "The preview video %s would overwrite the input", preview);
    return FALSE;
  }
  if (g_stat (abs_preview, &st) == 0 && S_ISDIR (st.st_mode)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "The preview video %s is a directory, not a file", preview);
    return FALSE;
  }
  fd = g_open (abs_preview, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR,
                 saved == EACCES || saved == EPERM || saved == EROFS ? VA_ERROR_FORBIDDEN
                 : saved == ENOENT || saved == ENOTDIR               ? VA_ERROR_NOT_FOUND
                                                                     : VA_ERROR_INTERNAL,
                 "Cannot write the preview video %s: %s", preview, g_strerror (saved));
    return FALSE;
  }
  g_close (fd, NULL);
  return TRUE;
}

static gboolean
va_bin_has_factory (GstBin *bin, const char *factory)
{
  g_autoptr (GstIterator) it = gst_bin_iterate_elements (bin);
  g_auto (GValue) item = G_VALUE_INIT;
  gboolean found = FALSE;

  while (!found && gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElementFactory *f = gst_element_get_factory (g_value_get_object (&item));
    found = f != NULL && g_str_equal (GST_OBJECT_NAME (f), factory);
    g_value_reset (&item);
  }
  return found;
}

/* The preview chains from the branch tees; returns the filesink. */
static GstElement *
va_pipeline_builder_add_preview (VaPipelineBuilder *self, GstBin *bin, GstElement *decodebin,
                                 GstElement *video_tee, GstElement *audio_tee, GError **error)
{
  g_autofree char *location = g_canonicalize_filename (self->preview, NULL);
  GstElement *tail, *element, *overlay, *mux, *sink;
  guint64 latency = 0;
  const char *aac = NULL;

  if ((mux = va_make_element ("mp4mux", "preview-mux", error)) == NULL)
    return NULL;
  gst_bin_add (bin, mux);
  /* not async: the sink must not hold up the pipeline's preroll, which the
   * overlay's wait for the transcript could otherwise turn into a deadlock */
  if ((sink = va_make_element ("filesink", "preview-sink", error)) == NULL)
    return NULL;
  g_object_set (sink, "location", location, "sync", FALSE, "async", FALSE, NULL);
  if (va_chain (bin, mux, sink, error) == NULL)
    return NULL;

  if ((tail = va_make_element ("queue", "preview-queue", error)) == NULL
      || va_chain (bin, NULL, tail, error) == NULL || !gst_element_link (video_tee, tail))
    goto link_failed;
  if ((overlay = va_make_element ("vaoverlay", "preview-overlay", error)) == NULL
      || (tail = va_chain (bin, tail, overlay, error)) == NULL)
    return NULL;
  if ((element = va_make_element ("videoconvert", "preview-convert", error)) == NULL
      || (tail = va_chain (bin, tail, element, error)) == NULL)
    return NULL;
  if ((element = va_make_element ("x264enc", "preview-encoder", error)) == NULL)
    return NULL;
  /* a preview: fast rather than small */
  gst_util_set_object_arg (G_OBJECT (element), "speed-preset", "superfast");
  if ((tail = va_chain (bin, tail, element, error)) == NULL || !gst_element_link (tail, mux))
    goto link_failed;

  if (audio_tee == NULL)
    return sink;

  if (va_bin_has_factory (bin, "vaspeech")) {
    GstElement *queue = va_make_element ("queue", "preview-transcript-queue", error);
    g_autoptr (GstPad) srcpad = NULL;
    g_autoptr (GstPad) sinkpad = NULL;
    if (queue == NULL || va_chain (bin, NULL, queue, error) == NULL
        || !gst_element_link (audio_tee, queue))
      goto link_failed;
    srcpad = gst_element_get_static_pad (queue, "src");
    sinkpad = gst_element_get_static_pad (overlay, "transcript_sink");
    if (gst_pad_link (srcpad, sinkpad) != GST_PAD_LINK_OK)
      goto link_failed;
    g_object_get (overlay, "transcript-latency", &latency, NULL);
    /* the video waits for the transcript: let decodebin's queue (compressed
     * data) hold that much video instead of stalling the audio */
    g_object_set (decodebin, "max-size-time", latency + 5 * GST_SECOND, "max-size-bytes",
                  (guint)(256 * 1024 * 1024), "max-size-buffers", (guint)100000, NULL);
  }

  /* the sound as analysed (16 kHz mono); any AAC encoder will do */
  if (gst_registry_check_feature_version (gst_registry_get (), "avenc_aac", 1, 0, 0))
    aac = "avenc_aac";
  else if (gst_registry_check_feature_version (gst_registry_get (), "voaacenc", 1, 0, 0))
    aac = "voaacenc";
  if (aac == NULL) {
    g_info ("no AAC encoder installed: the preview has no sound");
    return sink;
  }
  if ((element = va_make_element ("queue", "preview-audio-queue", error)) == NULL)
    return NULL;
  /* the muxer takes audio only as fast as the (later) video arrives */
  g_object_set (element, "max-size-time", latency + 5 * GST_SECOND, "max-size-bytes", 0,
                "max-size-buffers", 0, NULL);
  if ((tail = va_chain (bin, NULL, element, error)) == NULL || !gst_element_link (audio_tee, tail))
    goto link_failed;
  if ((element = va_make_element ("audioconvert", "preview-audio-convert", error)) == NULL
      || (tail = va_chain (bin, tail, element, error)) == NULL)
    return NULL;
  if ((element = va_make_element (aac, "preview-audio-encoder", error)) == NULL
      || (tail = va_chain (bin, tail, element, error)) == NULL || !gst_element_link (tail, mux))
    goto link_failed;
  return sink;

link_failed:
  if (error != NULL && *error == NULL)
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INTERNAL, N_ ("Cannot link the preview branch"));
  return NULL;
}

/* The input's SHA-256, read in blocks (it may be gigabytes). A FIFO or a
 * device cannot be read twice: "" (no digest), not an error. */
static char *
va_dup_file_sha256 (const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInputStream) in = NULL;
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *block = NULL;
  GStatBuf st;
  gssize n;

  if (g_stat (path, &st) == 0 && !S_ISREG (st.st_mode))
    return g_strdup ("");
  in = g_file_read (file, NULL, error);
  if (in == NULL)
    return NULL;
  block = g_malloc (256 * 1024);
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), block, 256 * 1024, NULL, error)) > 0)
    g_checksum_update (sum, block, n);
  if (n < 0)
    return NULL;
  return g_strdup (g_checksum_get_string (sum));
}

/* An element's own settings (not those of GstObject, GstElement and the
 * base classes), as GStreamer serializes them; run-time counters left out. */
static void
va_add_element_settings (JsonBuilder *b, GstElement *element)
{
  guint n = 0;
  g_autofree GParamSpec **specs = g_object_class_list_properties (G_OBJECT_GET_CLASS (element), &n);

  json_builder_begin_object (b);
  for (guint i = 0; i < n; i++) {
    g_auto (GValue) value = G_VALUE_INIT;
    g_autofree char *text = NULL;

    if (!(specs[i]->flags & G_PARAM_READABLE)
        || g_type_is_a (GST_TYPE_BASE_TRANSFORM, specs[i]->owner_type)
        || g_str_equal (specs[i]->name, "processing-time")
        || g_str_equal (specs[i]->name, "post-messages"))
      continue;
    g_value_init (&value, specs[i]->value_type);
    g_object_get_property (G_OBJECT (element), specs[i]->name, &value);
    text = gst_value_serialize (&value);
    json_builder_set_member_name (b, specs[i]->name);
    json_builder_add_string_value (b, text != NULL ? text : "");
  }
  json_builder_end_object (b);
}

/* The run's description for the annotation sinks' `provenance`: what made
 * the files (tool, each pipeline's analysers and their settings, the job's
 * options), from what (the input's name and SHA-256) and when. */
static char *
va_pipeline_builder_dup_provenance (VaPipelineBuilder *self, GstElement *pipeline,
                                    const char *abs_input, GError **error)
{
  VaPipelineGraph *graph = va_pipeline_builder_get_graph (pipeline);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *started = g_date_time_format_iso8601 (now);
  g_autofree char *sha256 = self->input_sha256 != NULL ? g_strdup (self->input_sha256)
                                                       : va_dup_file_sha256 (abs_input, error);
  g_autofree char *base = g_path_get_basename (abs_input);

  if (sha256 == NULL)
    return NULL;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "tool");
  json_builder_add_string_value (b, "videoannotator");
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, VA_VERSION);
  json_builder_set_member_name (b, "input_file");
  json_builder_add_string_value (b, base);
  json_builder_set_member_name (b, "input_sha256");
  if (*sha256 != '\0')
    json_builder_add_string_value (b, sha256);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "started_at");
  json_builder_add_string_value (b, started);
  json_builder_set_member_name (b, "pipelines");
  json_builder_begin_object (b);
  for (guint i = 0; i < self->pipelines->len; i++) {
    VaPipelineInfo *info = g_ptr_array_index (self->pipelines, i);
    const char *name = va_pipeline_info_get_name (info);
    GPtrArray *serving = g_hash_table_lookup (graph->analysers, name);

    json_builder_set_member_name (b, name);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "model");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "family");
    json_builder_add_string_value (b, va_pipeline_info_get_family (info));
    json_builder_set_member_name (b, "variant");
    json_builder_add_string_value (b, va_pipeline_info_get_variant (info));
    json_builder_set_member_name (b, "elements");
    json_builder_begin_array (b);
    for (guint j = 0; serving != NULL && j < serving->len; j++) {
      g_autoptr (GstElement) element
          = gst_bin_get_by_name (GST_BIN (pipeline), g_ptr_array_index (serving, j));
      GstElementFactory *factory = element != NULL ? gst_element_get_factory (element) : NULL;

      if (factory == NULL)
        continue;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "element");
      json_builder_add_string_value (b, GST_OBJECT_NAME (factory));
      json_builder_set_member_name (b, "settings");
      va_add_element_settings (b, element);
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    /* the options given for this pipeline (job config, command line) */
    json_builder_set_member_name (b, "config");
    json_builder_begin_object (b);
    for (guint j = 0; j < self->options->len; j++) {
      VaOption *option = g_ptr_array_index (self->options, j);
      g_autofree char *text = NULL;

      if (!g_str_equal (option->pipeline, name))
        continue;
      text = gst_value_serialize (&option->value);
      json_builder_set_member_name (b, option->key);
      json_builder_add_string_value (b, text != NULL ? text : "");
    }
    json_builder_end_object (b);
    json_builder_end_object (b);
  }
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/**
 * va_pipeline_builder_build:
 *
 * Checks the input (exists, is a readable non-empty file) and makes the
 * pipeline. Nothing is decoded yet; media problems surface on the bus.
 *
 * Returns: (transfer full): a GstPipeline, or %NULL with %VA_ERROR_NOT_FOUND,
 *   %VA_ERROR_FORBIDDEN, %VA_ERROR_INVALID_ARGUMENT, %VA_ERROR_UNSUPPORTED_MEDIA
 *   or %VA_ERROR_INTERNAL (an element is missing)
 */
GstElement *
va_pipeline_builder_build (VaPipelineBuilder *self, GError **error)
{
  g_autoptr (GstElement) pipeline = NULL;
  VaPipelineGraph *graph;
  GstElement *src, *decodebin;
  GstElement *video_tee = NULL, *audio_tee = NULL;
  g_autofree char *abs_input = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (VA_IS_PIPELINE_BUILDER (self), NULL);

  if (self->input == NULL) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, N_ ("No input file given"));
    return NULL;
  }
  if (self->pipelines->len == 0) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, N_ ("No pipeline selected"));
    return NULL;
  }
  if (!va_check_input (self->input, error))
    return NULL;
  abs_input = g_canonicalize_filename (self->input, NULL);

  pipeline = gst_object_ref_sink (gst_pipeline_new ("va-annotate"));
  graph = g_new0 (VaPipelineGraph, 1);
  g_mutex_init (&graph->lock);
  graph->input = g_strdup (abs_input);
  graph->analysers
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  g_object_set_qdata_full (G_OBJECT (pipeline), va_graph_quark, graph,
                           (GDestroyNotify)va_pipeline_graph_free);

  if ((src = va_make_element ("filesrc", "source", error)) == NULL)
    return NULL;
  g_object_set (src, "location", abs_input, NULL);
  if ((decodebin = va_make_element ("decodebin", "decode", error)) == NULL)
    return NULL;
  gst_bin_add_many (GST_BIN (pipeline), src, decodebin, NULL);
  if (!gst_element_link (src, decodebin)) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INTERNAL,
                         N_ ("Cannot link filesrc to decodebin"));
    return NULL;
  }

  if (self->preview != NULL) {
    gboolean has_video = FALSE;
    for (guint i = 0; i < self->pipelines->len; i++)
      has_video |= va_pipeline_info_get_branch (g_ptr_array_index (self->pipelines, i))
                   == VA_PIPELINE_BRANCH_VIDEO;
    if (!has_video) {
      g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                           N_ ("A preview video needs at least one video pipeline"));
      return NULL;
    }
    if (!va_check_preview (self->preview, abs_input, error))
      return NULL;
  }

  graph->video_entry
      = va_pipeline_builder_add_branch (self, GST_BIN (pipeline), VA_PIPELINE_BRANCH_VIDEO, graph,
                                        &graph->video_sink, &video_tee, &local_error);
  if (local_error == NULL)
    graph->audio_entry
        = va_pipeline_builder_add_branch (self, GST_BIN (pipeline), VA_PIPELINE_BRANCH_AUDIO, graph,
                                          &graph->audio_sink, &audio_tee, &local_error);
  if (local_error == NULL && self->preview != NULL)
    graph->preview_sink = va_pipeline_builder_add_preview (self, GST_BIN (pipeline), decodebin,
                                                           video_tee, audio_tee, &local_error);
  if (local_error != NULL) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return NULL;
  }
  graph->n_sinks
      = (graph->video_sink != NULL) + (graph->audio_sink != NULL) + (graph->preview_sink != NULL);

  {
    g_autofree char *provenance
        = va_pipeline_builder_dup_provenance (self, pipeline, abs_input, &local_error);
    if (provenance == NULL) {
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot read %s: %s", self->input,
                   local_error->message);
      return NULL;
    }
    if (graph->video_sink != NULL)
      g_object_set (graph->video_sink, "provenance", provenance, NULL);
    if (graph->audio_sink != NULL)
      g_object_set (graph->audio_sink, "provenance", provenance, NULL);
  }

  g_signal_connect (decodebin, "autoplug-continue", G_CALLBACK (va_on_autoplug_continue), graph);
  g_signal_connect (decodebin, "deep-element-added", G_CALLBACK (va_on_deep_element_added), NULL);
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (va_on_pad_added), pipeline);
  g_signal_connect (decodebin, "no-more-pads", G_CALLBACK (va_on_no_more_pads), pipeline);
  return g_steal_pointer (&pipeline);
}
