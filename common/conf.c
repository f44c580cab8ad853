/*
 * conf.c: INI configuration files (conf.h). inih does the parsing; this file
 * feeds it one physical line at a time so that every key keeps the line it
 * came from, refuses keys given twice, and turns values into typed settings
 * with messages that name the file, the line and the [section] key.
 */
#include "conf.h"

#include <assert.h>
#include <errno.h>
#include <ini.h>
#include <inttypes.h>
#include <search.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lnob_err.h"
#include "util.h"

/* Largest configuration file conf_load() accepts. */
#define CONF_MAX_BYTES ((size_t)1 << 20)

/* One key = value line. The three strings live in buf, after the struct. */
typedef struct conf_entry {
	const char *section;
	const char *key;
	const char *value;
	unsigned line;
	char buf[];
} conf_entry_t;

struct conf {
	char *name;             /* file name for messages */
	conf_entry_t **entries; /* in file order */
	size_t count;
	size_t cap;
	void *index;            /* tsearch() tree of entries by (section, key) */
};

/* State shared by the line reader and the inih handler during one parse. */
typedef struct s_parse {
	conf_t *conf;
	const char *pos;        /* next unread byte */
	const char *end;        /* end of the text */
	unsigned line;          /* line last handed to inih */
	int failed;             /* 0, or the code of the first error */
	unsigned fail_line;     /* line of the first error (0: none) */
	char *err;
	size_t errlen;
} s_parse_t;

/* Orders entries by section, then key: the key of the tsearch() index. */
static int s_entry_cmp(const void *a, const void *b)
{
	const conf_entry_t *x = a, *y = b;
	int c = strcmp(x->section, y->section);

	return c ? c : strcmp(x->key, y->key);
}

/* tdestroy() wants a function for each node; entries are freed elsewhere. */
static void s_noop_free(void *p)
{
	(void)p;
}

/* Returns the entry for section/key, or NULL when the file lacks it. */
static const conf_entry_t *s_lookup(const conf_t *self, const char *section, const char *key)
{
	conf_entry_t probe = { .section = section, .key = key };
	void *node;

	if (!section || !key)
		return NULL;
	node = tfind(&probe, &self->index, s_entry_cmp);
	return node ? *(conf_entry_t **)node : NULL;
}

/* Records the first error of a parse; later ones are ignored. */
static void s_fail(s_parse_t *ps, unsigned line, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void s_fail(s_parse_t *ps, unsigned line, int code, const char *fmt, ...)
{
	va_list ap;

	if (ps->failed)
		return;
	ps->failed = code;
	ps->fail_line = line;
	va_start(ap, fmt);
	if (ps->err && ps->errlen > 0)
		vsnprintf(ps->err, ps->errlen, fmt, ap);
	va_end(ap);
}

/*
 * inih's fgets-style reader: copies the next physical line into str[num],
 * ending it with a bare newline, and counts it. Leading blanks and, on line 1, a
 * UTF-8 BOM are dropped here, so that an indented key is a key and never
 * inih's multi-line continuation. A line that does not fit fails the parse.
 * Returns str, or NULL at the end or on failure.
 */
static char *s_read_line(char *str, int num, void *stream)
{
	s_parse_t *ps = stream;
	const char *p;
	size_t len;

	if (ps->failed || num < 2 || !conf_next_line(&ps->pos, ps->end, &ps->line, &p, &len))
		return NULL;
	if (!conf_give_line(str, num, p, len)) {
		s_fail(ps, ps->line, LNOB_E_CONFIG, "%s:%u: line longer than %d bytes",
		       ps->conf->name, ps->line, num - 2);
		return NULL;
	}
	return str;
}

bool conf_next_line(const char **pos, const char *end, unsigned *line,
		    const char **ret_p, size_t *ret_len)
{
	const char *p = *pos, *nl, *stop;
	size_t len;

	if (p >= end)
		return false;
	nl = memchr(p, '\n', (size_t)(end - p));
	stop = nl ? nl + 1 : end;
	*pos = stop;
	(*line)++;
	if (*line == 1 && stop - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < stop && (*p == ' ' || *p == '\t'))
		p++;
	len = (size_t)(stop - p);
	if (len > 0 && p[len - 1] == '\n')
		len--;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	*ret_p = p;
	*ret_len = len;
	return true;
}

char *conf_give_line(char *str, int num, const char *p, size_t len)
{
	if (num < 2 || len > (size_t)num - 2)
		return NULL;
	memcpy(str, p, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

/*
 * inih's handler: keeps one key = value with the line being parsed. Refuses
 * a key outside any [section], an empty key and a key given twice in a
 * section. Returns 1 to go on, 0 on error (the error is in ps).
 */
static int s_handler(void *user, const char *section, const char *name, const char *value)
{
	s_parse_t *ps = user;
	conf_t *self = ps->conf;
	size_t ls, lk, lv;
	conf_entry_t *e;
	void *node;

	if (ps->failed)
		return 0;
	if (!value)
		value = "";
	if (!*section) {
		s_fail(ps, ps->line, LNOB_E_CONFIG, "%s:%u: %s: key outside any [section]",
		       self->name, ps->line, name);
		return 0;
	}
	if (!*name) {
		s_fail(ps, ps->line, LNOB_E_CONFIG, "%s:%u: [%s]: empty key",
		       self->name, ps->line, section);
		return 0;
	}
	if (self->count == self->cap) {
		size_t ncap = self->cap ? self->cap * 2 : 16;
		conf_entry_t **nv = realloc(self->entries, ncap * sizeof(conf_entry_t *));

		if (!nv) {
			s_fail(ps, ps->line, -ENOMEM, "%s: out of memory", self->name);
			return 0;
		}
		self->entries = nv;
		self->cap = ncap;
	}
	ls = strlen(section);
	lk = strlen(name);
	lv = strlen(value);
	e = malloc(sizeof(*e) + ls + lk + lv + 3);
	if (!e) {
		s_fail(ps, ps->line, -ENOMEM, "%s: out of memory", self->name);
		return 0;
	}
	memcpy(e->buf, section, ls + 1);
	memcpy(e->buf + ls + 1, name, lk + 1);
	memcpy(e->buf + ls + lk + 2, value, lv + 1);
	e->section = e->buf;
	e->key = e->buf + ls + 1;
	e->value = e->buf + ls + lk + 2;
	e->line = ps->line;

	node = tsearch(e, &self->index, s_entry_cmp);
	if (!node) {
		free(e);
		s_fail(ps, ps->line, -ENOMEM, "%s: out of memory", self->name);
		return 0;
	}
	if (*(conf_entry_t **)node != e) {
		const conf_entry_t *first = *(conf_entry_t **)node;

		s_fail(ps, ps->line, LNOB_E_CONFIG,
		       "%s:%u: [%s] %s: given twice (first on line %u)",
		       self->name, ps->line, section, name, first->line);
		free(e);
		return 0;
	}
	self->entries[self->count++] = e;
	return 1;
}

int conf_load_mem(const char *text, const char *name, conf_t **ret, char *err, size_t errlen)
{
	s_parse_t ps = { 0 };
	conf_t *self;
	int r;

	if (!text || !ret)
		return -EINVAL;
	if (!name)
		name = "<memory>";
	self = calloc(1, sizeof(*self));
	if (!self || !(self->name = strdup(name))) {
		free(self);
		lnob_errf(err, errlen, 0, "%s: out of memory", name);
		return -ENOMEM;
	}
	ps.conf = self;
	ps.pos = text;
	ps.end = text + strlen(text);
	ps.err = err;
	ps.errlen = errlen;

	r = ini_parse_stream(s_read_line, &ps, s_handler, &ps);
	/*
	 * inih reports the first line it could not parse (or whose handler
	 * failed); the reader and handler report theirs in ps. The earlier
	 * line wins. inih stops neither on a syntax error nor on a handler
	 * error, but the reader ends the text at the first recorded failure.
	 */
	if (r > 0 && (!ps.failed || (unsigned)r < ps.fail_line)) {
		ps.failed = 0;
		s_fail(&ps, (unsigned)r, LNOB_E_CONFIG,
		       "%s:%d: syntax error (expected [section] or key = value)", self->name, r);
	} else if (r < 0 && !ps.failed) {
		s_fail(&ps, 0, -ENOMEM, "%s: out of memory", self->name);
	}
	if (ps.failed) {
		r = ps.failed;
		conf_destroy(&self);
		return r;
	}
	*ret = self;
	return 0;
}

int conf_read_text(const char *path, size_t max, char **ret_text, size_t *ret_len,
		   char *err, size_t errlen)
{
	char *text = NULL;
	const char *z;
	size_t len = 0;
	int r = lnob_read_file(path, max, &text, &len);

	if (r == LNOB_E_TOOBIG) {
		lnob_errf(err, errlen, 0, "%s: larger than %zu bytes", path, max);
		return LNOB_E_CONFIG;
	}
	if (r < 0) {
		lnob_errf(err, errlen, 0, "%s: cannot read: %s", path, lnob_strerror(r));
		return r;
	}
	/* inih sees text up to its first NUL: refuse one. */
	if ((z = memchr(text, '\0', len))) {
		unsigned line = 1;

		for (const char *q = text; q < z; q++)
			line += *q == '\n';
		lnob_errf(err, errlen, 0, "%s:%u: NUL byte in line", path, line);
		free(text);
		return LNOB_E_CONFIG;
	}
	*ret_text = text;
	*ret_len = len;
	return 0;
}

int conf_load(const char *path, conf_t **ret, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	if (!path || !ret)
		return -EINVAL;
	if ((r = conf_read_text(path, CONF_MAX_BYTES, &text, &len, err, errlen)) < 0)
		return r;
	r = conf_load_mem(text, path, ret, err, errlen);
	free(text);
	return r;
}

void conf_destroy(conf_t **self_p)
{
	conf_t *self;

	if (!self_p || !*self_p)
		return;
	self = *self_p;
	tdestroy(self->index, s_noop_free);
	for (size_t i = 0; i < self->count; i++)
		free(self->entries[i]);
	free(self->entries);
	free(self->name);
	free(self);
	*self_p = NULL;
}

const char *conf_name(const conf_t *self)
{
	return self ? self->name : NULL;
}

/* True when "section.key" is one of the NULL-terminated allowed strings. */
static bool s_allowed(const char *const *allowed, const char *section, const char *key)
{
	size_t ls = strlen(section);

	for (; allowed && *allowed; allowed++) {
		const char *a = *allowed;

		if (strncmp(a, section, ls) == 0 && a[ls] == '.' && strcmp(a + ls + 1, key) == 0)
			return true;
	}
	return false;
}

int conf_check_keys(const conf_t *self, const char *const *allowed, char *err, size_t errlen)
{
	assert(self);
	for (size_t i = 0; i < self->count; i++) {
		const conf_entry_t *e = self->entries[i];

		if (!s_allowed(allowed, e->section, e->key)) {
			lnob_errf(err, errlen, 0, "%s:%u: [%s] %s: unknown key",
			      self->name, e->line, e->section, e->key);
			return LNOB_E_CONFIG;
		}
	}
	return 0;
}

int conf_str(const conf_t *self, const char *section, const char *key,
	     const char *def, const char **ret, char *err, size_t errlen)
{
	assert(self);
	const conf_entry_t *e = s_lookup(self, section, key);

	if (e) {
		*ret = e->value;
		return 0;
	}
	if (!def) {
		lnob_errf(err, errlen, 0, "%s: [%s] %s: missing", self->name, section, key);
		return LNOB_E_CONFIG;
	}
	*ret = def;
	return 0;
}

/*
 * Parses a plain decimal number: digits only, no plus sign, no blanks, no
 * trailing text. Returns 0; -ERANGE for a negative number or one above
 * UINT64_MAX; -EINVAL for anything else.
 */
static int s_parse_u64(const char *s, uint64_t *ret)
{
	unsigned long long v;
	char *end = NULL;
	bool neg = *s == '-';

	if (neg)
		s++;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || neg)
		return -ERANGE;
	if (errno)
		return -EINVAL;
	*ret = (uint64_t)v;
	return 0;
}

int conf_u64(const conf_t *self, const char *section, const char *key,
	     bool required, uint64_t def, uint64_t min, uint64_t max,
	     uint64_t *ret, char *err, size_t errlen)
{
	assert(self);
	const conf_entry_t *e = s_lookup(self, section, key);
	uint64_t v = 0;
	int r;

	if (!e) {
		if (required) {
			lnob_errf(err, errlen, 0, "%s: [%s] %s: missing", self->name, section, key);
			return LNOB_E_CONFIG;
		}
		*ret = def;
		return 0;
	}
	r = s_parse_u64(e->value, &v);
	if (r == -EINVAL) {
		lnob_errf(err, errlen, 0, "%s:%u: [%s] %s: not a number: '%s'",
		      self->name, e->line, section, key, e->value);
		return LNOB_E_CONFIG;
	}
	if (r < 0 || v < min || v > max) {
		lnob_errf(err, errlen, 0, "%s:%u: [%s] %s: out of range (min %" PRIu64 ", max %" PRIu64 "): '%s'",
		      self->name, e->line, section, key, min, max, e->value);
		return LNOB_E_CONFIG;
	}
	*ret = v;
	return 0;
}

int conf_bool(const conf_t *self, const char *section, const char *key,
	      bool def, bool *ret, char *err, size_t errlen)
{
	assert(self);
	static const char *const yes[] = { "yes", "true", "1", "on" };
	static const char *const no[] = { "no", "false", "0", "off" };
	const conf_entry_t *e = s_lookup(self, section, key);

	if (!e) {
		*ret = def;
		return 0;
	}
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(e->value, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(e->value, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	lnob_errf(err, errlen, 0, "%s:%u: [%s] %s: not a boolean (yes/no/true/false/1/0/on/off): '%s'",
	      self->name, e->line, section, key, e->value);
	return LNOB_E_CONFIG;
}
