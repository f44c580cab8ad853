/*
 * log.h: the one logging API (after OpenBSD's log.h). Only daemon-level
 * code logs; library modules return codes.
 *
 * Lines go to stderr as "<time> <prog>[<pid>] <level>: <message>"; under
 * systemd (JOURNAL_STREAM set: stderr is the journal, which stamps time and
 * pid) as "<N><level>: <message>", N the syslog priority; with
 * log_to_syslog() to syslog(3) as "<level>: <message>" (facility daemon,
 * with the pid, at the level's priority). The plain forms
 * append ": <strerror(errno)>"; the x forms do not.
 * fatal()/fatalx() log and exit(1).
 */
#ifndef LNOB_LOG_H
#define LNOB_LOG_H

#include <stdnoreturn.h>

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Sets the program name shown in each line and the most verbose level
 * printed. May be called again. */
void log_init(const char *progname, enum log_level level);
/* Parses "error", "warn", "info" or "debug"; returns -1 for anything else. */
int log_level_parse(const char *s);
/* Parses [log] target: "stderr" 0, "syslog" 1, anything else -1. */
int log_target_parse(const char *s);
/* Sends the lines to syslog(3) from now on (on), or to stderr again. */
void log_to_syslog(int on);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
