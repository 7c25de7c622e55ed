/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gst/gst.h>

#include "va-error.h"
#include "va-pipeline-info-private.h"
#include "va-pipeline-registry.h"

/**
 * VaPipelineRegistry:
 *
 * The annotation pipelines this build knows. Each is a row of the table
 * below; a new detector is added by adding a row (its element chain and the
 * contract fields). Names resolve as in the contract: the registry name,
 * `<family>_<variant>`, or the bare family, which picks the most stable
 * member whose elements are installed (ties by alphabetical order).
 */
struct _VaPipelineRegistry {
  GObject parent_instance;

  GPtrArray *infos;     /* VaPipelineInfo, sorted by name */
  GHashTable *by_alias; /* name or alias → VaPipelineInfo (borrowed) */
};

G_DEFINE_FINAL_TYPE (VaPipelineRegistry, va_pipeline_registry, G_TYPE_OBJECT)

#define STRV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const VaPipelineDesc registry_table[] = {
  {
      .name = "scene_detection",
      .display_name = "Scene Detection",
      .description = "Finds shot changes (hard cuts, fades, dissolves) from the change of "
                     "colour distribution and picture structure between frames; one COCO "
                     "annotation per scene.",
      .family = "scene",
      .variant = "content-histogram",
      .stability = "beta",
      .tasks = STRV ("scene-detection"),
      .modalities = STRV ("video"),
      .capabilities = STRV ("hard-cuts", "gradual-transitions", "scene-segments"),
      .backends = STRV ("gstreamer"),
      .notes = STRV ("scene_type and all_scores are not computed (no CLIP model): every scene "
                     "has score 1.0 and an empty label, as the reference does without CLIP"),
      .output_format = "COCO",
      .output_types = STRV ("scene"),
      .branch = VA_PIPELINE_BRANCH_VIDEO,
      .elements = { { .factory = "vascenedetect" } },
  },
  {
      .name = "motion_analysis",
      .display_name = "Motion Analysis",
      .description = "Measures how much the picture moves (mean absolute luma difference "
                     "between analysed frames, share of moving area, optional region grid); "
                     "one CSV row per analysed frame.",
      .family = "motion",
      .variant = "frame-difference",
      .stability = "beta",
      .tasks = STRV ("motion-analysis"),
      .modalities = STRV ("video"),
      .capabilities = STRV ("motion-energy", "moving-fraction", "region-grid"),
      .backends = STRV ("gstreamer"),
      .notes = STRV ("not part of the reference registry: an addition of this implementation"),
      .output_format = "CSV",
      .output_types = STRV ("motion"),
      .branch = VA_PIPELINE_BRANCH_VIDEO,
      .elements = { { .factory = "vamotion" } },
  },
  {
      .name = "face_analysis",
      .display_name = "Face Analysis",
      .description = "Finds faces with MediaPipe BlazeFace through OpenCV DNN when the model "
                     "is installed (videoannotator models install), otherwise with OpenCV "
                     "cascade classifiers (Haar by default, LBP as an option), on sampled "
                     "frames, tracks them in between so every frame has its faces with stable "
                     "ids; one COCO annotation per face per frame.",
      .family = "face",
      .variant = "opencv-cascade",
      .stability = "beta",
      .tasks = STRV ("face-detection", "face-tracking"),
      .modalities = STRV ("video"),
      .capabilities = STRV ("face-boxes", "track-ids"),
      .backends = STRV ("opencv"),
      .notes = STRV ("emotion, emotion_confidence, emotion_scores, age, gender, "
                     "gender_confidence and gender_scores are written once a second per face "
                     "when the emotion and age-gender models are installed (videoannotator "
                     "models install), from grey face crops; otherwise they are left out "
                     "(the job logs a warning)",
                     "score is the detector's confidence (neighbouring detections mapped to "
                     "0..1), not a calibrated probability; the reference writes 1.0",
                     "face_id is the face's track id; the person_* link fields are not "
                     "written",
                     "the backend field says which model found a face: blazeface, or "
                     "opencv-haar/opencv-lbp when BlazeFace is not installed (the job then "
                     "logs a warning)",
                     "the cascades find frontal faces only; with them and automatic "
                     "downscale the smallest face found is about 1/6 of the frame height "
                     "(126 px at 720p)"),
      .output_format = "COCO",
      .output_types = STRV ("face"),
      .branch = VA_PIPELINE_BRANCH_VIDEO,
      .elements = { { .factory = "vafacedetect", .heavy = TRUE } },
      .model = "blazeface",
      .fallback_backend = "opencv-haar",
  },
  {
      .name = "person_tracking",
      .display_name = "Person Tracking",
      .description = "Finds people with CenterNet through OpenCV DNN when the model is "
                     "installed (videoannotator models install centernet), otherwise with "
                     "OpenCV's HOG people detector (or the upper-body cascade), on sampled "
                     "frames, and tracks them with stable ids across frames; COCO person "
                     "annotations plus the list of person tracks.",
      .family = "person",
      .variant = "opencv-hog-tracker",
      .stability = "beta",
      .tasks = STRV ("person-detection", "person-tracking"),
      .modalities = STRV ("video"),
      .capabilities = STRV ("person-boxes", "track-ids"),
      .backends = STRV ("opencv"),
      .notes = STRV ("no body keypoints are estimated: keypoints are 51 zeros and "
                     "num_keypoints is 0",
                     "people are not identified or labelled: person_label is \"unknown\", "
                     "label_confidence 0.0 and labeling_method \"none\"; person_id is "
                     "person_<stem>_NNN from the track id",
                     "score is the detector's confidence (SVM margin mapped to 0..1), not a "
                     "calibrated probability",
                     "the backend field says which model found a person: centernet, or "
                     "opencv-hog/opencv-haar when CenterNet is not installed (the job then "
                     "logs a warning)",
                     "with HOG and the automatic downscale people shorter than about 1/4 of "
                     "the frame height (190 px at 720p) are not found; set downscale below 1 "
                     "for small people (slower)",
                     "the files keep the boxes of one frame per second (every int(fps)th "
                     "frame, as the reference's server samples with pps 1); detection and "
                     "tracking run at predictions_per_second in between"),
      .output_format = "COCO",
      .output_types = STRV ("person"),
      .branch = VA_PIPELINE_BRANCH_VIDEO,
      .elements = { { .factory = "vapersondetect", .heavy = TRUE } },
      .model = "centernet",
      .fallback_backend = "opencv-hog",
  },
  {
      .name = "voice_activity",
      .display_name = "Voice Activity Detection",
      .description = "Finds the stretches of speech: per-band spectral level over an adaptive "
                     "noise estimate every 10 ms, with onset and hangover smoothing; one CSV "
                     "row (start, end, duration) per voice segment.",
      .family = "audio",
      .variant = "spectral-vad",
      .stability = "beta",
      .tasks = STRV ("voice-activity-detection"),
      .modalities = STRV ("audio"),
      .capabilities = STRV ("voice-segments"),
      .backends = STRV ("gstreamer"),
      .notes = STRV ("not part of the reference registry: an addition of this implementation",
                     "speech and other sounds with speech-like spectra (singing, a television) "
                     "are not told apart"),
      .output_format = "CSV",
      .output_types = STRV ("voice_segment"),
      .branch = VA_PIPELINE_BRANCH_AUDIO,
      .elements = { { .factory = "vavad" } },
  },
  {
      .name = "speech_recognition",
      .display_name = "Speech Recognition",
      .description = "Transcribes English speech with pocketsphinx (the Debian en-us models), "
                     "one utterance per voice segment, with word times; a WebVTT cue per "
                     "utterance.",
      .family = "audio",
      .variant = "pocketsphinx",
      .stability = "stable",
      .tasks = STRV ("speech-recognition"),
      .modalities = STRV ("audio"),
      .capabilities = STRV ("transcript", "word-timestamps"),
      .backends = STRV ("pocketsphinx"),
      .notes = STRV ("English only (pocketsphinx-en-us); there is no language detection and no "
                     "translation task",
                     "Whisper's options (whisper_model, beam_size, best_of, temperature, "
                     "patience, length_penalty) do not exist; the models are set with the hmm, "
                     "lm and dict options",
                     "accuracy is far below Whisper's: 29.6% word error rate on the five "
                     "LibriVox clips of pocketsphinx-testdata (docs/accuracy.md)",
                     "the reference writes no file when this pipeline runs alone; this one "
                     "writes <stem>_speech_recognition.vtt"),
      .output_format = "WebVTT",
      .output_types = STRV ("transcript"),
      .branch = VA_PIPELINE_BRANCH_AUDIO,
      .elements = { { .factory = "vavad" }, { .factory = "vaspeech", .heavy = TRUE } },
  },
  {
      .name = "speaker_diarization",
      .display_name = "Speaker Diarization",
      .description = "Finds who spoke when: mel cepstra of voice segment windows clustered "
                     "with the Bayesian information criterion, the number of speakers found "
                     "automatically between min-speakers and max-speakers; one RTTM line per "
                     "turn.",
      .family = "audio",
      .variant = "mfcc-bic",
      .stability = "stable",
      .tasks = STRV ("speaker-diarization"),
      .modalities = STRV ("audio"),
      .capabilities = STRV ("speaker-turns", "speaker-count"),
      .backends = STRV ("gstreamer"),
      .notes = STRV ("overlapping speech is not detected: every moment has at most one "
                     "speaker",
                     "a speaker change inside a voice segment is found at the resolution of "
                     "the window option (1.5 s)",
                     "the RTTM <uri> field is the file stem (the reference writes \"video\")",
                     "the reference writes no file when this pipeline runs alone; this one "
                     "writes <stem>_speaker_diarization.rttm"),
      .output_format = "RTTM",
      .output_types = STRV ("speaker_turn"),
      .branch = VA_PIPELINE_BRANCH_AUDIO,
      .elements = { { .factory = "vavad" }, { .factory = "vadiarize" } },
  },
  {
      .name = "audio_processing",
      .display_name = "Audio Processing",
      .description = "Voice activity, speech recognition and speaker diarization on one audio "
                     "branch: the WebVTT transcript and the RTTM speaker turns, the same as "
                     "speech_recognition and speaker_diarization write, under this "
                     "pipeline's own file names.",
      .family = "audio",
      .variant = "pocketsphinx-bic",
      .stability = "beta",
      .tasks = STRV ("speech-recognition", "speaker-diarization"),
      .modalities = STRV ("audio"),
      .capabilities = STRV ("transcript", "word-timestamps", "speaker-turns", "speaker-count"),
      .backends = STRV ("pocketsphinx", "gstreamer"),
      .notes = STRV ("Whisper and pyannote are replaced by pocketsphinx and our BIC "
                     "clustering; see speech_recognition and speaker_diarization for what "
                     "differs",
                     "the RTTM <uri> field is the file stem (the reference writes \"video\")",
                     "sample_rate is fixed at 16000 (the models' rate); enable_diarization "
                     "does not exist: select speech_recognition alone for a transcript "
                     "without speakers",
                     "the reference names its files <stem>_speech_recognition.vtt and "
                     "<stem>_speaker_diarization.rttm; this one writes "
                     "<stem>_audio_processing.vtt and <stem>_audio_processing.rttm, so that "
                     "a job that also selects speech_recognition or speaker_diarization has "
                     "one file per pipeline"),
      .output_format = "WebVTT",
      .output_types = STRV ("transcript", "speaker_turn"),
      .branch = VA_PIPELINE_BRANCH_AUDIO,
      .elements = { { .factory = "vavad" },
                    { .factory = "vaspeech", .heavy = TRUE },
                    { .factory = "vadiarize" } },
  },
};

static void
va_pipeline_registry_finalize (GObject *object)
{
  VaPipelineRegistry *self = VA_PIPELINE_REGISTRY (object);

  g_clear_pointer (&self->by_alias, g_hash_table_unref);
  g_clear_pointer (&self->infos, g_ptr_array_unref);
  G_OBJECT_CLASS (va_pipeline_registry_parent_class)->finalize (object);
}

static void
va_pipeline_registry_class_init (VaPipelineRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_pipeline_registry_finalize;
}

static int
va_compare_info_by_name (gconstpointer a, gconstpointer b)
{
  VaPipelineInfo *ia = *(VaPipelineInfo **)a;
  VaPipelineInfo *ib = *(VaPipelineInfo **)b;

  return g_strcmp0 (va_pipeline_info_get_name (ia), va_pipeline_info_get_name (ib));
}

/* Bare family alias → most stable member whose elements are installed;
 * ties go to the alphabetically first (infos are sorted by name). */
static void
va_pipeline_registry_add_family_aliases (VaPipelineRegistry *self)
{
  g_autoptr (GHashTable) best = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < self->infos->len; i++) {
    VaPipelineInfo *info = g_ptr_array_index (self->infos, i);
    const char *family = va_pipeline_info_get_family (info);
    VaPipelineInfo *current = g_hash_table_lookup (best, family);
    int rank, current_rank;

    if (current == NULL) {
      g_hash_table_insert (best, (gpointer)family, info);
      continue;
    }
    /* disabled members rank after every enabled one */
    rank = va_pipeline_info_get_stability_rank (info)
           + (va_pipeline_info_get_enabled (info) ? 0 : 100);
    current_rank = va_pipeline_info_get_stability_rank (current)
                   + (va_pipeline_info_get_enabled (current) ? 0 : 100);
    if (rank < current_rank)
      g_hash_table_insert (best, (gpointer)family, info);
  }

  for (guint i = 0; i < self->infos->len; i++) {
    VaPipelineInfo *info = g_ptr_array_index (self->infos, i);
    const char *family = va_pipeline_info_get_family (info);

    if (g_hash_table_lookup (best, family) == info
        && !g_hash_table_contains (self->by_alias, family)) {
      va_pipeline_info_add_alias (info, family);
      g_hash_table_insert (self->by_alias, (gpointer)family, info);
    }
  }
}

static void
va_pipeline_registry_init (VaPipelineRegistry *self)
{
  /* Reading factories needs an initialised GStreamer; gst_init_check is a
   * no-op when the program already did it. */
  if (!gst_is_initialized ())
    gst_init_check (NULL, NULL, NULL);

  self->infos = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_alias = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < G_N_ELEMENTS (registry_table); i++)
    g_ptr_array_add (self->infos, va_pipeline_info_new (&registry_table[i]));
  g_ptr_array_sort (self->infos, va_compare_info_by_name);

  for (guint i = 0; i < self->infos->len; i++) {
    VaPipelineInfo *info = g_ptr_array_index (self->infos, i);
    const char *const *aliases = va_pipeline_info_get_aliases (info);

    g_hash_table_insert (self->by_alias, (gpointer)va_pipeline_info_get_name (info), info);
    for (guint j = 0; aliases[j] != NULL; j++)
      g_hash_table_insert (self->by_alias, (gpointer)aliases[j], info);
  }
  va_pipeline_registry_add_family_aliases (self);
}

VaPipelineRegistry *
va_pipeline_registry_new (void)
{
  return g_object_new (VA_TYPE_PIPELINE_REGISTRY, NULL);
}

/**
 * va_pipeline_registry_list:
 *
 * Returns: (transfer container) (element-type VaPipelineInfo): every
 *   pipeline, sorted by name, including those whose elements are missing
 */
GPtrArray *
va_pipeline_registry_list (VaPipelineRegistry *self)
{
  GPtrArray *list;

  g_return_val_if_fail (VA_IS_PIPELINE_REGISTRY (self), NULL);
  list = g_ptr_array_new_full (self->infos->len, g_object_unref);
  for (guint i = 0; i < self->infos->len; i++)
    g_ptr_array_add (list, g_object_ref (g_ptr_array_index (self->infos, i)));
  return list;
}

/**
 * va_pipeline_registry_get_defaults:
 *
 * What `annotate` runs when no pipeline is named: every installed video
 * pipeline, in registry order.
 *
 * Returns: (transfer container) (element-type VaPipelineInfo):
 */
GPtrArray *
va_pipeline_registry_get_defaults (VaPipelineRegistry *self)
{
  GPtrArray *list;

  g_return_val_if_fail (VA_IS_PIPELINE_REGISTRY (self), NULL);
  list = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < G_N_ELEMENTS (registry_table); i++) {
    VaPipelineInfo *info = g_hash_table_lookup (self->by_alias, registry_table[i].name);
    if (va_pipeline_info_get_enabled (info)
        && va_pipeline_info_get_branch (info) == VA_PIPELINE_BRANCH_VIDEO)
      g_ptr_array_add (list, g_object_ref (info));
  }
  return list;
}

/**
 * va_pipeline_registry_lookup:
 * @name: a registry name or alias
 *
 * Returns: (transfer none) (nullable): the pipeline, or %NULL if unknown
 */
VaPipelineInfo *
va_pipeline_registry_lookup (VaPipelineRegistry *self, const char *name)
{
  g_return_val_if_fail (VA_IS_PIPELINE_REGISTRY (self), NULL);
  if (name == NULL)
    return NULL;
  return g_hash_table_lookup (self->by_alias, name);
}

/**
 * va_pipeline_registry_dup_known_names:
 *
 * Returns: (transfer full): the registry names, comma-separated
 */
char *
va_pipeline_registry_dup_known_names (VaPipelineRegistry *self)
{
  g_autoptr (GString) names = g_string_new (NULL);

  g_return_val_if_fail (VA_IS_PIPELINE_REGISTRY (self), NULL);
  for (guint i = 0; i < self->infos->len; i++) {
    if (names->len > 0)
      g_string_append (names, ", ");
    g_string_append (names, va_pipeline_info_get_name (g_ptr_array_index (self->infos, i)));
  }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

/**
 * va_pipeline_registry_resolve:
 * @name: a registry name or alias (surrounding blanks ignored)
 *
 * Like va_pipeline_registry_lookup() for a name that has to run here.
 *
 * Returns: (transfer full): the pipeline, or %NULL with %VA_ERROR_INVALID_ARGUMENT
 *   (unknown name; the message lists the known ones) or %VA_ERROR_INTERNAL
 *   (known but its elements are not installed)
 */
VaPipelineInfo *
va_pipeline_registry_resolve (VaPipelineRegistry *self, const char *name, GError **error)
{
  g_autofree char *key = NULL;
  VaPipelineInfo *info;

  g_return_val_if_fail (VA_IS_PIPELINE_REGISTRY (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  key = g_strstrip (g_strdup (name));
  info = va_pipeline_registry_lookup (self, key);
  if (info == NULL) {
    g_autofree char *known = va_pipeline_registry_dup_known_names (self);
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "Unknown pipeline “%s”; known pipelines: %s", key, known);
    return NULL;
  }
  if (!va_pipeline_info_get_enabled (info)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Pipeline “%s” is not available: %s",
                 va_pipeline_info_get_name (info), va_pipeline_info_get_unavailable_reason (info));
    return NULL;
  }
  return g_object_ref (info);
}

/**
 * va_pipeline_registry_resolve_list:
 * @names: (nullable): comma-separated names or aliases; %NULL or empty for the defaults
 *
 * Resolves each name, dropping repeats (an alias and its name count once)
 * and keeping the order given.
 *
 * Returns: (transfer container) (element-type VaPipelineInfo): the
 *   pipelines, or %NULL with the error of the first bad name
 */
GPtrArray *
va_pipeline_registry_resolve_list (VaPipelineRegistry *self, const char *names, GError **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto (GStrv) parts = NULL;
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (VA_IS_PIPELINE_REGISTRY (self), NULL);

  trimmed = names != NULL ? g_strstrip (g_strdup (names)) : NULL;
  if (trimmed == NULL || *trimmed == '\0')
    return va_pipeline_registry_get_defaults (self);

  parts = g_strsplit (names, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++) {
    g_autoptr (VaPipelineInfo) info = NULL;

    if (*g_strstrip (parts[i]) == '\0') {
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, "Empty pipeline name in “%s”",
                   names);
      return NULL;
    }
    info = va_pipeline_registry_resolve (self, parts[i], error);
    if (info == NULL)
      return NULL;
    if (!g_ptr_array_find (list, info, NULL))
      g_ptr_array_add (list, g_steal_pointer (&info));
  }
  return g_steal_pointer (&list);
}

/**
 * va_pipeline_registry_set_models_dir:
 *
 * Where the detectors look for the neural models (the models-dir
 * setting): each pipeline with one then reports, in its "model" member,
 * whether it is installed and which backend a run would use.
 */
void
va_pipeline_registry_set_models_dir (VaPipelineRegistry *self, const char *models_dir)
{
  g_return_if_fail (VA_IS_PIPELINE_REGISTRY (self));
  for (guint i = 0; i < self->infos->len; i++)
    va_pipeline_info_set_models_dir (g_ptr_array_index (self->infos, i), models_dir);
}

/**
 * va_pipeline_registry_list_to_json:
 * @pipelines: (element-type VaPipelineInfo): from va_pipeline_registry_list()
 * @include_unavailable: also list pipelines a job could not select
 *
 * The pipelines document of `GET /api/v1/pipelines` and of
 * `videoannotator pipelines --json`, so that both say the same. As in the
 * 1.5 service, unavailable pipelines are left out unless asked for.
 *
 * Returns: (transfer full): `{pipelines, total, restart_required}`
 */
JsonNode *
va_pipeline_registry_list_to_json (GPtrArray *pipelines, gboolean include_unavailable)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  guint total = 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pipelines");
  json_builder_begin_array (b);
  for (guint i = 0; i < pipelines->len; i++) {
    if (!include_unavailable && !va_pipeline_info_get_enabled (pipelines->pdata[i]))
      continue;
    json_builder_add_value (b, va_pipeline_info_to_json (pipelines->pdata[i]));
    total++;
  }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, total);
  /* pipelines come from the plugins found at start: nothing installed
   * while a server runs is waiting for a restart */
  json_builder_set_member_name (b, "restart_required");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
