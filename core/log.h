/*
 * log.h — messages to standard error, one line each, with a level.
 *
 * The level threshold is part of the logger the caller owns (no global):
 * main sets it from --verbose/--quiet and hands the logger down.
 */
#ifndef MOISSON_LOG_H
#define MOISSON_LOG_H

#include "result.h"

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_SILENT };

struct log {
    enum log_level level;
};

void log_msg(const struct log *log, enum log_level level, const char *fmt, ...) MO_PRINTF(3, 4);

#define log_debug(l, ...) log_msg((l), LOG_DEBUG, __VA_ARGS__)
#define log_info(l, ...) log_msg((l), LOG_INFO, __VA_ARGS__)
#define log_warn(l, ...) log_msg((l), LOG_WARN, __VA_ARGS__)
#define log_error(l, ...) log_msg((l), LOG_ERROR, __VA_ARGS__)

#endif
