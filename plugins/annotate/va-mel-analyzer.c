/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-mel-analyzer.h"

#include <math.h>

/* Power below this is treated as digital silence; it keeps log() finite and
 * equals -120 dBFS for a full-scale reference of 1.0. */
#define VA_MEL_POWER_FLOOR 1e-12

struct _VaMelAnalyzer {
  guint rate;
  guint frame_len;
  guint fft_len;
  guint log2_fft_len;
  guint n_bands;

  gdouble *window;
  gdouble *re;
  gdouble *im;
  gdouble *cos_table;
  gdouble *sin_table;
  guint *bitrev;

  /* Band b covers bins [band_first[b], band_first[b] + band_len[b]) with
   * weights taken from weights[band_offset[b]...]. */
  guint *band_first;
  guint *band_len;
  guint *band_offset;
  gdouble *weights;

  gdouble *log_bands;
  gdouble *dct; /* n_bands x n_bands DCT-II basis, row c = coefficient c */
};

static gdouble
hz_to_mel (gdouble hz)
{
  return 2595.0 * log10 (1.0 + hz / 700.0);
}

static gdouble
mel_to_hz (gdouble mel)
{
  return 700.0 * (pow (10.0, mel / 2595.0) - 1.0);
}

static void
build_filter_bank (VaMelAnalyzer *self, gdouble fmin, gdouble fmax)
{
  guint n_bins = self->fft_len / 2 + 1;
  gdouble mel_lo = hz_to_mel (fmin);
  gdouble mel_hi = hz_to_mel (fmax);
  g_autofree gdouble *edges = g_new (gdouble, self->n_bands + 2);
  g_autoptr (GArray) weights = g_array_new (FALSE, FALSE, sizeof (gdouble));

  for (guint i = 0; i < self->n_bands + 2; i++)
    edges[i] = mel_to_hz (mel_lo + (mel_hi - mel_lo) * i / (self->n_bands + 1)) * self->fft_len
               / self->rate;

  self->band_first = g_new0 (guint, self->n_bands);
  self->band_len = g_new0 (guint, self->n_bands);
  self->band_offset = g_new0 (guint, self->n_bands);

  for (guint b = 0; b < self->n_bands; b++) {
    gdouble lo = edges[b], mid = edges[b + 1], hi = edges[b + 2];
    gboolean started = FALSE;
    gdouble sum = 0.0;
    guint offset = weights->len;

    for (guint k = 0; k < n_bins; k++) {
      gdouble w = 0.0;

      if (k > lo && k <= mid)
        w = (k - lo) / (mid - lo);
      else if (k > mid && k < hi)
        w = (hi - k) / (hi - mid);
      if (w <= 0.0) {
        if (started)
          break;
        continue;
      }
      if (!started) {
        self->band_first[b] = k;
        started = TRUE;
      }
      g_array_append_val (weights, w);
      sum += w;
      self->band_len[b]++;
    }

    /* Narrow low bands may fall between bins; give them the nearest bin
     * rather than leaving them empty (an empty band would read as silence). */
    if (self->band_len[b] == 0) {
      gdouble w = 1.0;

      self->band_first[b] = MIN ((guint)lround (mid), n_bins - 1);
      self->band_len[b] = 1;
      g_array_append_val (weights, w);
      sum = 1.0;
    }

    /* Normalise to unit area so a band reads as mean power per bin, which
     * keeps band levels comparable regardless of band width. */
    for (guint i = offset; i < weights->len; i++)
      g_array_index (weights, gdouble, i) /= sum;
    self->band_offset[b] = offset;
  }

  self->weights = (gdouble *)g_array_free (g_steal_pointer (&weights), FALSE);
}

VaMelAnalyzer *
va_mel_analyzer_new (guint rate, guint frame_len, guint n_bands, gdouble fmin, gdouble fmax)
{
  VaMelAnalyzer *self;

  g_return_val_if_fail (rate > 0 && frame_len > 1 && n_bands > 0, NULL);
  g_return_val_if_fail (fmin >= 0.0 && fmax > fmin && fmax <= rate / 2.0, NULL);

  self = g_new0 (VaMelAnalyzer, 1);
  self->rate = rate;
  self->frame_len = frame_len;
  self->n_bands = n_bands;
  self->fft_len = 1;
  while (self->fft_len < frame_len) {
    self->fft_len <<= 1;
    self->log2_fft_len++;
  }

  self->window = g_new (gdouble, frame_len);
  for (guint i = 0; i < frame_len; i++)
    self->window[i] = 0.5 - 0.5 * cos (2.0 * G_PI * i / (frame_len - 1));

  self->re = g_new0 (gdouble, self->fft_len);
  self->im = g_new0 (gdouble, self->fft_len);
  self->cos_table = g_new (gdouble, self->fft_len / 2);
  self->sin_table = g_new (gdouble, self->fft_len / 2);
  for (guint i = 0; i < self->fft_len / 2; i++) {
    self->cos_table[i] = cos (2.0 * G_PI * i / self->fft_len);
    self->sin_table[i] = -sin (2.0 * G_PI * i / self->fft_len);
  }
  self->bitrev = g_new (guint, self->fft_len);
  for (guint i = 0; i < self->fft_len; i++) {
    guint r = 0;

    for (guint b = 0; b < self->log2_fft_len; b++)
      r |= ((i >> b) & 1u) << (self->log2_fft_len - 1 - b);
    self->bitrev[i] = r;
  }

  build_filter_bank (self, fmin, fmax);
  self->log_bands = g_new (gdouble, n_bands);
  self->dct = g_new (gdouble, n_bands * n_bands);
  for (guint c = 0; c < n_bands; c++)
    for (guint b = 0; b < n_bands; b++)
      self->dct[c * n_bands + b] = cos (G_PI * c * (b + 0.5) / n_bands) * sqrt (2.0 / n_bands);

  return self;
}

void
va_mel_analyzer_free (VaMelAnalyzer *self)
{
  if (self == NULL)
    return;
  g_free (self->window);
  g_free (self->re);
  g_free (self->im);
  g_free (self->cos_table);
  g_free (self->sin_table);
  g_free (self->bitrev);
  g_free (self->band_first);
  g_free (self->band_len);
  g_free (self->band_offset);
  g_free (self->weights);
  g_free (self->log_bands);
  g_free (self->dct);
  g_free (self);
}

guint
va_mel_analyzer_get_frame_len (VaMelAnalyzer *self)
{
  return self->frame_len;
}

guint
va_mel_analyzer_get_n_bands (VaMelAnalyzer *self)
{
  return self->n_bands;
}

static void
fft (VaMelAnalyzer *self)
{
  gdouble *re = self->re, *im = self->im;
  guint n = self->fft_len;

  for (guint i = 0; i < n; i++) {
    guint j = self->bitrev[i];

    if (j > i) {
      gdouble t = re[i];

      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }

  for (guint size = 2; size <= n; size <<= 1) {
    guint half = size / 2, step = n / size;

    for (guint start = 0; start < n; start += size) {
      for (guint k = 0; k < half; k++) {
        gdouble wr = self->cos_table[k * step], wi = self->sin_table[k * step];
        guint a = start + k, b = a + half;
        gdouble tr = re[b] * wr - im[b] * wi;
        gdouble ti = re[b] * wi + im[b] * wr;

        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

/**
 * va_mel_analyzer_process:
 * @frame: frame_len samples
 * @band_power: (out caller-allocates): n_bands mean powers (full scale = 1.0)
 * @frame_power: (out) (optional): mean square of the frame (full scale = 1.0)
 */
void
va_mel_analyzer_process (VaMelAnalyzer *self, const gint16 *frame, gdouble *band_power,
                         gdouble *frame_power)
{
  gdouble energy = 0.0, mean = 0.0;
  /* Scale so a full-scale sine reads about 0 dB in a band it fills. */
  gdouble norm = 4.0 / ((gdouble)self->frame_len * self->frame_len);

  for (guint i = 0; i < self->frame_len; i++)
    mean += frame[i];
  mean /= self->frame_len;

  for (guint i = 0; i < self->frame_len; i++) {
    /* Remove DC: a constant offset is not sound and would look like energy. */
    gdouble x = (frame[i] - mean) / 32768.0;

    energy += x * x;
    self->re[i] = x * self->window[i];
    self->im[i] = 0.0;
  }
  for (guint i = self->frame_len; i < self->fft_len; i++)
    self->re[i] = self->im[i] = 0.0;

  fft (self);

  for (guint b = 0; b < self->n_bands; b++) {
    const gdouble *w = self->weights + self->band_offset[b];
    gdouble p = 0.0;

    for (guint i = 0; i < self->band_len[b]; i++) {
      guint k = self->band_first[b] + i;

      p += w[i] * (self->re[k] * self->re[k] + self->im[k] * self->im[k]);
    }
    band_power[b] = MAX (p * norm, VA_MEL_POWER_FLOOR);
  }

  if (frame_power != NULL)
    *frame_power = MAX (energy / self->frame_len, VA_MEL_POWER_FLOOR);
}

/**
 * va_mel_analyzer_cepstrum:
 * @band_power: n_bands powers from va_mel_analyzer_process()
 * @ceps: (out caller-allocates): n_ceps coefficients c0..c(n_ceps-1)
 *
 * Mel-frequency cepstral coefficients: DCT-II of the natural log band powers.
 */
void
va_mel_analyzer_cepstrum (VaMelAnalyzer *self, const gdouble *band_power, gdouble *ceps,
                          guint n_ceps)
{
  guint n = self->n_bands;

  g_return_if_fail (n_ceps <= n);

  for (guint b = 0; b < n; b++)
    self->log_bands[b] = log (band_power[b]);

  for (guint c = 0; c < n_ceps; c++) {
    const gdouble *basis = self->dct + c * n;
    gdouble sum = 0.0;

    for (guint b = 0; b < n; b++)
      sum += self->log_bands[b] * basis[b];
    ceps[c] = sum;
  }
}
