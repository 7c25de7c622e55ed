/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-rttm-writer.h"

#include "va-output-file.h"
#include "va-speaker-turn-meta.h"

/**
 * va_rttm_writer_build:
 * @length: (out) (optional): length of the returned text
 * @n_turns: (out) (optional): number of lines
 *
 * Builds `<stem>_speaker_diarization.rttm` (NIST RTTM as pyannote writes it,
 * contract §5.2): one line per speaker turn in time order,
 *
 *     SPEAKER <uri> 1 <start> <duration> <NA> <NA> SPEAKER_NN <NA> <NA>
 *
 * with times in seconds and 3 decimals ("." decimal point), single spaces,
 * "\n" line ends. `<uri>` is the file stem (1.4 wrote the literal `video`;
 * RTTM readers use the field to tell recordings apart, and the stem does
 * that). Characters that would split the field (whitespace) are replaced by
 * `_`. No turn gives an empty file.
 *
 * Returns: (transfer full): the RTTM text.
 */
char *
va_rttm_writer_build (VaAnnotationModel *model, gsize *length, guint *n_turns)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *uri = g_strdup (va_annotation_model_get_stem (model));
  guint n = va_annotation_model_get_n_speaker_turns (model);
  char start[G_ASCII_DTOSTR_BUF_SIZE], duration[G_ASCII_DTOSTR_BUF_SIZE];

  for (char *c = uri; *c != '\0'; c++)
    if (g_ascii_isspace (*c))
      *c = '_';

  for (guint i = 0; i < n; i++) {
    const VaSpeakerTurn *turn = va_annotation_model_get_speaker_turn (model, i);
    g_autofree char *label = va_speaker_turn_meta_format_label (turn->speaker);

    g_ascii_formatd (start, sizeof start, "%.3f", (gdouble)turn->start / GST_SECOND);
    g_ascii_formatd (duration, sizeof duration, "%.3f",
                     (gdouble)(turn->end - turn->start) / GST_SECOND);
    g_string_append_printf (out, "SPEAKER %s 1 %s %s <NA> <NA> %s <NA> <NA>\n", uri, start,
                            duration, label);
  }

  if (length != NULL)
    *length = out->len;
  if (n_turns != NULL)
    *n_turns = n;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * va_rttm_writer_write:
 * @path: file to write (replaced atomically)
 * @n_turns: (out) (optional): number of turns written
 *
 * Returns: %TRUE on success; on failure @error is in the %G_FILE_ERROR domain.
 */
gboolean
va_rttm_writer_write (VaAnnotationModel *model, const char *path, guint *n_turns, GError **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (VA_IS_ANNOTATION_MODEL (model), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  data = va_rttm_writer_build (model, &length, n_turns);
  if (!va_output_file_write (path, data, length, error))
    return FALSE;
  /* RTTM has no place for it: the provenance goes beside the file */
  if (va_annotation_model_get_provenance (model) != NULL) {
    g_autofree char *side = g_strconcat (path, VA_RTTM_PROVENANCE_SUFFIX, NULL);
    g_autofree char *base = g_path_get_basename (path);
    g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);

    json_node_take_object (root, json_object_new ());
    json_object_set_string_member (json_node_get_object (root), "file", base);
    if (!va_output_file_write_json_with_provenance (root, model, side, error))
      return FALSE;
  }
  return TRUE;
}
