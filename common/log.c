/* log.c: the one logging implementation (see log.h). */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static const char *s_prog = "lnob";
static enum log_level s_level = LOG_LVL_INFO;
/* stderr goes to the journal (systemd sets JOURNAL_STREAM): it stamps the
 * time and the pid itself, and takes the priority from a "<N>" prefix. */
static int s_journal = -1;
static int s_syslog;

void log_to_syslog(int on)
{
	if (on && !s_syslog)
		openlog(s_prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (!on && s_syslog)
		closelog();
	s_syslog = on;
}

int log_target_parse(const char *s)
{
	if (strcmp(s, "stderr") == 0)
		return 0;
	return strcmp(s, "syslog") == 0 ? 1 : -1;
}

void log_init(const char *progname, enum log_level level)
{
	s_prog = progname;
	s_level = level;
}

/* The syslog priority of lvl (sd-daemon.h's SD_ERR .. SD_DEBUG). */
static int s_priority(enum log_level lvl)
{
	static const int prio[] = { 3, 4, 6, 7 };

	return lvl <= LOG_LVL_DEBUG ? prio[lvl] : 6;
}

int log_level_parse(const char *s)
{
	static const char *names[] = { "error", "warn", "info", "debug" };

	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

__attribute__((format(printf, 4, 0)))
static void s_vlog(enum log_level lvl, const char *tag, int err, const char *fmt, va_list ap)
{
	char msg[2048], ts[32];
	struct timespec now;
	struct tm tm;

	if (lvl > s_level)
		return;
	/* ap is the caller's, begun by va_start(); the analyzer loses that
	 * through the format attribute clang's -Wformat-nonliteral needs. */
	vsnprintf(msg, sizeof(msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	if (s_syslog) {
		if (err)
			syslog(s_priority(lvl), "%s: %s: %s", tag, msg, strerror(err));
		else
			syslog(s_priority(lvl), "%s: %s", tag, msg);
		return;
	}
	if (s_journal < 0)
		s_journal = getenv("JOURNAL_STREAM") != NULL;
	if (s_journal) {
		if (err)
			fprintf(stderr, "<%d>%s: %s: %s\n", s_priority(lvl), tag, msg, strerror(err));
		else
			fprintf(stderr, "<%d>%s: %s\n", s_priority(lvl), tag, msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	if (err)
		fprintf(stderr, "%s.%03ldZ %s[%ld] %s: %s: %s\n", ts, now.tv_nsec / 1000000,
			s_prog, (long)getpid(), tag, msg, strerror(err));
	else
		fprintf(stderr, "%s.%03ldZ %s[%ld] %s: %s\n", ts, now.tv_nsec / 1000000,
			s_prog, (long)getpid(), tag, msg);
}

#define S_DEFINE(name, lvl, tag, witherr)              \
	void name(const char *fmt, ...)                 \
	{                                               \
		int e = (witherr) ? errno : 0;          \
		va_list ap;                             \
		va_start(ap, fmt);                      \
		s_vlog(lvl, tag, e, fmt, ap);           \
		va_end(ap);                             \
	}
S_DEFINE(log_warn, LOG_LVL_WARN, "warning", 1)
S_DEFINE(log_warnx, LOG_LVL_WARN, "warning", 0)
S_DEFINE(log_info, LOG_LVL_INFO, "info", 0)
S_DEFINE(log_debug, LOG_LVL_DEBUG, "debug", 0)

void fatal(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	s_vlog(LOG_LVL_ERROR, "fatal", e, fmt, ap);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s_vlog(LOG_LVL_ERROR, "fatal", 0, fmt, ap);
	va_end(ap);
	exit(1);
}
