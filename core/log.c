#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const level_names[] = {"debug", "info", "warning", "error", ""};

void log_msg(const struct log *log, enum log_level level, const char *fmt, ...)
{
    if (log && level < log->level)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "moisson: %s: ", level_names[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
