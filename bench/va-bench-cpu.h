/* CPU time of the benchmark tools' own process, for "CPU-s" columns that,
 * unlike wall-clock time, barely depend on what else the machine runs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <sys/resource.h>

/* User + system seconds of this process so far, all threads. */
static inline double
va_bench_process_cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec
         + ru.ru_stime.tv_usec / 1e6;
}
