/* Dialogues of real recorded speech: turns cut at pauses from the
 * single-speaker recordings Debian ships (codec2-examples,
 * pocketsphinx-testdata), laid out in a given speaker order so that
 * speakers come back. Shared by the diarization test and bench/.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "va-test-audio.h"

G_BEGIN_DECLS

/* One recording (or set of recordings) of one speaker, cut into stretches
 * of speech at its pauses; turns are taken from it in order. */
typedef struct _VaTestVoice VaTestVoice;

/* @name: one of va_test_voice_names() */
VaTestVoice *va_test_voice_new (const char *name, GError **error);
void va_test_voice_free (VaTestVoice *voice);
const char *const *va_test_voice_names (void);
const char *va_test_voice_get_name (const VaTestVoice *voice);
gdouble va_test_voice_get_speech (const VaTestVoice *voice);
/* Whether turns have started again from the beginning of the recording. */
gboolean va_test_voice_get_reused (const VaTestVoice *voice);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaTestVoice, va_test_voice_free)

/* Appends to @layout the next stretches of @voice, at least @seconds of
 * audio (or the rest of the recording) from its pause-to-pause stretches,
 * with their own pauses inside; the true segment spans them, as speaker
 * @speaker. */
void va_test_layout_turn (VaTestLayout *layout, VaTestVoice *voice, gdouble seconds, guint speaker);

VaTestLayout *va_test_dialogue_new (const char *const *names, const char *order, guint n_turns,
                                    gdouble turn_min, gdouble turn_max, guint32 seed,
                                    GString *label, GError **error);

G_END_DECLS
