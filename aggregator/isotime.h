/*
 * isotime.h — dates as partners write them, made typed.
 *
 * Records carry ISO 8601 text: a year, a year and month, a date, a date and
 * time with or without seconds, fraction and zone.  isotime_literal turns
 * such text into a timestamptz literal PostgreSQL accepts as is, or says it
 * is none: the C twin of moisson_parse_ts (schemas/001_init.sql), which the
 * store no longer calls per row (a plpgsql call per date cost more than the
 * rest of a record's typed columns).  A test compares both on a table of
 * inputs.
 *
 *   "2019"                    → 2019-01-01 00:00:00+00:00
 *   "2019-06"                 → 2019-06-01 00:00:00+00:00
 *   " 2019-06-30T12:05Z "     → 2019-06-30 12:05:00+00:00
 *   "2019-06-30 12:05:07.25+02" → 2019-06-30 12:05:07.25+02:00
 *   "2019-02-30", "juin 2019", "" → none
 */
#ifndef MOISSON_ISOTIME_H
#define MOISSON_ISOTIME_H

#include <stddef.h>

#define ISOTIME_LITERAL_MAX 64

/* Writes the literal into out (at least ISOTIME_LITERAL_MAX bytes) and
 * returns 1, or returns 0 when text (may be NULL) is not such a date. */
int isotime_literal(const char *text, char *out, size_t size);

#endif
