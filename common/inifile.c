/*
 * inifile.c: the INI reader (inifile.h). inih's ini_parse_stream() is fed one
 * physical line at a time by s_read_line(), which also notes where the
 * [section] headers are; inih's handler keeps each key = value with its
 * line. The reader, the handler and inih each find errors; the first by
 * line is the one reported (lnob_fail_t keeps ours).
 */
#include "inifile.h"

#include <assert.h>
#include <errno.h>
#include <ini.h>
#include <pthread.h>
#include <search.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

/* A section while it is built: the public part and its key array. */
typedef struct s_sec {
	inifile_section_t pub;
	inifile_kv_t *kv;
	size_t cap;
	char *block;            /* name, type and id */
} s_sec_t;

/* One key = value line; its strings live in buf, after the struct. */
typedef struct s_entry {
	inifile_kv_t kv;
	char buf[];
} s_entry_t;

struct inifile {
	unsigned flags;
	s_sec_t *secs;
	size_t nsecs, capsecs;
	s_entry_t **entries;    /* file order */
	size_t nentries, capentries;
	void *index;            /* INIFILE_KEYS_ONCE: tsearch() tree of entries */
};

/* State of one parse, shared by the reader and the handler. */
typedef struct s_parse {
	inifile_t *ini;
	const char *name;
	const char *pos, *end;  /* the text not yet handed to inih */
	unsigned line;          /* line last handed to inih */
	const char *cur;        /* what inih has not had of that line ... */
	size_t cur_left;        /* ... and its length with the newline */
	unsigned hdr_line;      /* line of the last [section] header seen */
	bool hdr_open;          /* a header was seen ... */
	bool hdr_used;          /* ... and has had a key */
	bool empty_failed;      /* the failure is an empty section */
	lnob_fail_t fail;
} s_parse_t;

static bool s_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Orders entries by section, then key: the tsearch() index. */
static int s_entry_cmp(const void *a, const void *b)
{
	const inifile_kv_t *x = a, *y = b;
	int c = strcmp(x->section, y->section);

	return c ? c : strcmp(x->key, y->key);
}

/* tdestroy() wants a function for each node; entries are freed elsewhere. */
static void s_noop_free(void *p)
{
	(void)p;
}

/* Records "<file>:<line>: <message>" (the first error wins) and returns
 * 0, inih's "stop". */
static int s_refuse(s_parse_t *ps, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int s_refuse(s_parse_t *ps, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lnob_vfail_at(&ps->fail, LNOB_E_CONFIG, ps->name, line, fmt, ap);
	va_end(ap);
	return 0;
}

/* Records "out of memory" and returns 0. */
static int s_oom(s_parse_t *ps)
{
	lnob_fail(&ps->fail, -ENOMEM, ps->line, "%s: out of memory", ps->name);
	return 0;
}

/* ---- the reader ---------------------------------------------------------- */

/*
 * Takes the next line from [*pos, end): *ret_p and *ret_len get its text
 * without a UTF-8 BOM (on line 1), leading blanks and its line end; *pos
 * moves past it and *line counts it. Returns false at the end of the text.
 */
static bool s_next_line(const char **pos, const char *end, unsigned *line, const char **ret_p,
			size_t *ret_len)
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

/* Refuses the last header when it had no key (INIFILE_SECTIONS). */
static void s_check_empty_section(s_parse_t *ps)
{
	if (!(ps->ini->flags & INIFILE_SECTIONS) || !ps->hdr_open || ps->hdr_used || ps->fail.code)
		return;
	s_refuse(ps, ps->hdr_line, "empty section");
	ps->empty_failed = true;
}

/* Starts the next physical line: notes a [section] header, refuses a line
 * longer than INIFILE_LINE_MAX. Returns false at the end or on failure. */
static bool s_start_line(s_parse_t *ps)
{
	const char *p;
	size_t len;

	if (!s_next_line(&ps->pos, ps->end, &ps->line, &p, &len)) {
		s_check_empty_section(ps);
		ps->hdr_open = false;
		return false;
	}
	if (len > INIFILE_LINE_MAX) {
		s_refuse(ps, ps->line, "line longer than %d bytes", INIFILE_LINE_MAX);
		return false;
	}
	if (len > 0 && *p == '[') {
		s_check_empty_section(ps);
		ps->hdr_line = ps->line;
		ps->hdr_open = true;
		ps->hdr_used = false;
	}
	ps->cur = p;
	ps->cur_left = len + 1;  /* and its newline */
	return true;
}

/*
 * inih's fgets-style reader: copies into str[num] what fits of the current
 * physical line, which ends in a bare newline; inih grows its buffer and
 * asks again until it has the newline (s_inih_setup()). Returns str, or
 * NULL at the end or on failure (inih then stops: nothing after the first
 * error is read).
 */
static char *s_read_line(char *str, int num, void *stream)
{
	s_parse_t *ps = stream;
	size_t n;

	if (ps->fail.code || num < 2)
		return NULL;
	if (ps->cur_left == 0 && !s_start_line(ps))
		return NULL;
	n = ps->cur_left < (size_t)num - 1 ? ps->cur_left : (size_t)num - 1;
	if (n == ps->cur_left) {
		memcpy(str, ps->cur, n - 1);
		str[n - 1] = '\n';
	} else {
		memcpy(str, ps->cur, n);
	}
	str[n] = '\0';
	ps->cur += n;
	ps->cur_left -= n;
	return str;
}

/* inih's line buffer: on the heap, grown as a line needs, up to the longest
 * line, its newline and NUL (Debian's inih takes these at run time). Set
 * once per process, before any parse. */
static void s_inih_once(void)
{
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_initial_alloc = 256;
	ini_max_line = INIFILE_LINE_MAX + 3;
}

void inifile_setup_inih(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, s_inih_once);
}

/* ---- the handler --------------------------------------------------------- */

/* Under INIFILE_SECTIONS, refuses a name inih may have cut and a name given
 * before. Returns true when refused (the error is in ps). */
static bool s_section_refused(s_parse_t *ps, const char *name, unsigned line)
{
	const inifile_t *ini = ps->ini;

	if (strlen(name) > INIFILE_NAME_MAX)
		return !s_refuse(ps, line, "[%s]: section name longer than %d bytes", name,
				 INIFILE_NAME_MAX);
	for (size_t i = 0; i < ini->nsecs; i++)
		if (strcmp(ini->secs[i].pub.name, name) == 0)
			return !s_refuse(ps, line, "[%s]: section given twice (first on line %u)", name,
					 ini->secs[i].pub.line);
	return false;
}

/* Sets s's name (as inih gave it; under INIFILE_SECTIONS without leading
 * blanks), type (the first word) and id (the rest, trimmed) in one block.
 * Returns false when memory runs out. */
static bool s_name_section(s_sec_t *s, const char *name, bool objects)
{
	const char *sp, *id, *idend, *word = name;
	size_t ln, lt, li;

	while (*word && s_blank(*word))
		word++;
	if (objects)
		name = word;
	for (sp = word; *sp && !s_blank(*sp); sp++)
		;
	for (id = sp; *id && s_blank(*id); id++)
		;
	for (idend = id + strlen(id); idend > id && s_blank(idend[-1]); idend--)
		;
	ln = strlen(name);
	lt = (size_t)(sp - word);
	li = (size_t)(idend - id);
	if (!(s->block = malloc(ln + lt + li + 3)))
		return false;
	memcpy(s->block, name, ln + 1);
	memcpy(s->block + ln + 1, word, lt);
	s->block[ln + 1 + lt] = '\0';
	memcpy(s->block + ln + lt + 2, id, li);
	s->block[ln + lt + 2 + li] = '\0';
	s->pub.name = s->block;
	s->pub.type = s->block + ln + 1;
	s->pub.id = s->block + ln + lt + 2;
	return true;
}

/* Starts a section named name, on the line of its header. Returns it, or
 * NULL (the error in ps). */
static s_sec_t *s_new_section(s_parse_t *ps, const char *name)
{
	inifile_t *ini = ps->ini;
	unsigned line = ps->hdr_open ? ps->hdr_line : ps->line;
	bool objects = ini->flags & INIFILE_SECTIONS;
	s_sec_t *s;

	if (objects && s_section_refused(ps, name, line))
		return NULL;
	if (lnob_grow(&ini->secs, ini->nsecs, &ini->capsecs, sizeof(*ini->secs), 16) < 0) {
		s_oom(ps);
		return NULL;
	}
	s = &ini->secs[ini->nsecs];
	*s = (s_sec_t){ .pub.line = line };
	if (!s_name_section(s, name, objects)) {
		s_oom(ps);
		return NULL;
	}
	ini->nsecs++;
	for (const char *q = s->pub.id; objects && *q; q++) {
		if (s_blank(*q)) {
			s_refuse(ps, line, "[%s]: a section name is a type and at most one id",
				 s->pub.name);
			return NULL;
		}
	}
	return s;
}

/* Adds key = value to section s; under INIFILE_KEYS_ONCE refuses a key the
 * section's name has already. Returns 1, or 0 (the error in ps). */
static int s_add_key(s_parse_t *ps, s_sec_t *s, const char *key, const char *value)
{
	inifile_t *ini = ps->ini;
	size_t lk = strlen(key), lv = strlen(value);
	s_entry_t *e;
	inifile_kv_t *kv;

	/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	if (lnob_grow(&ini->entries, ini->nentries, &ini->capentries, sizeof(*ini->entries), 16) < 0)
		return s_oom(ps);
	if (lnob_grow(&s->kv, s->pub.n, &s->cap, sizeof(*s->kv), 8) < 0)
		return s_oom(ps);
	kv = s->kv;
	s->pub.kv = kv;
	if (!(e = malloc(sizeof(*e) + lk + lv + 2)))
		return s_oom(ps);
	memcpy(e->buf, key, lk + 1);
	memcpy(e->buf + lk + 1, value, lv + 1);
	e->kv = (inifile_kv_t){ s->pub.name, e->buf, e->buf + lk + 1, ps->line };
	if (ini->flags & INIFILE_KEYS_ONCE) {
		void *node = tsearch(e, &ini->index, s_entry_cmp);
		const s_entry_t *first = node ? *(const s_entry_t **)node : NULL;

		if (first != e) {
			free(e);
			if (!first)
				return s_oom(ps);
			return s_refuse(ps, ps->line, "[%s] %s: given twice (first on line %u)",
					s->pub.name, key, first->kv.line);
		}
	}
	ini->entries[ini->nentries++] = e;
	s->kv[s->pub.n++] = e->kv;
	return 1;
}

/* inih's handler: one key = value of the line being parsed. Returns 1 to
 * go on, 0 on error (the error is in ps). */
static int s_handler(void *user, const char *section, const char *key, const char *value)
{
	s_parse_t *ps = user;
	inifile_t *ini = ps->ini;

	if (ps->fail.code)
		return 0;
	if (!value)
		value = "";
	if (!*section)
		return s_refuse(ps, ps->line, "%s: key outside any [section]", key);
	if (!*key)
		return s_refuse(ps, ps->line, "[%s]: empty key", section);
	if ((ini->flags & INIFILE_SECTIONS) && strlen(key) > INIFILE_NAME_MAX)
		return s_refuse(ps, ps->line, "[%s] %s: key longer than %d bytes", section, key,
				INIFILE_NAME_MAX);
	/* A header not used yet starts a new section, even one named like the
	 * last (a repeated header). */
	if (ini->nsecs == 0 || !ps->hdr_used ||
	    strcmp(ini->secs[ini->nsecs - 1].pub.name, section) != 0) {
		if (!s_new_section(ps, section))
			return 0;
	}
	ps->hdr_used = true;
	return s_add_key(ps, &ini->secs[ini->nsecs - 1], key, value);
}

/* ---- the API --------------------------------------------------------------- */

int inifile_parse(const char *text, const char *name, unsigned flags, inifile_t **ret, char *err,
	      size_t errlen)
{
	s_parse_t ps = { .fail = { .err = err, .errlen = errlen } };
	int r;

	if (!text || !ret)
		return -EINVAL;
	ps.name = name ? name : "<memory>";
	ps.pos = text;
	ps.end = text + strlen(text);
	if (!(ps.ini = calloc(1, sizeof(*ps.ini))))
		return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", ps.name);
	ps.ini->flags = flags;
	inifile_setup_inih();
	r = ini_parse_stream(s_read_line, &ps, s_handler, &ps);
	/*
	 * inih reports the first line it could not parse (or whose handler
	 * failed); the reader and handler record theirs in ps. The earlier
	 * line wins, and on the same line ours, unless it is an "empty
	 * section" that inih found malformed. inih stops neither on a syntax
	 * error nor on a handler error, but the reader ends the text at the
	 * first recorded failure.
	 */
	if (r > 0 && (!ps.fail.code || (unsigned)r < ps.fail.line ||
		      ((unsigned)r == ps.fail.line && ps.empty_failed))) {
		ps.fail.code = 0;
		lnob_fail(&ps.fail, LNOB_E_CONFIG, (unsigned)r,
			  "%s:%d: syntax error (expected [section] or key = value)", ps.name, r);
	} else if (r < 0 && !ps.fail.code) {
		lnob_fail(&ps.fail, -ENOMEM, 0, "%s: out of memory", ps.name);
	}
	if (ps.fail.code) {
		inifile_destroy(&ps.ini);
		return ps.fail.code;
	}
	*ret = ps.ini;
	return 0;
}

void inifile_destroy(inifile_t **self_p)
{
	inifile_t *self;

	if (!self_p || !*self_p)
		return;
	self = *self_p;
	tdestroy(self->index, s_noop_free);
	for (size_t i = 0; i < self->nentries; i++)
		free(self->entries[i]);
	free(self->entries);
	for (size_t i = 0; i < self->nsecs; i++) {
		free(self->secs[i].kv);
		free(self->secs[i].block);
	}
	free(self->secs);
	free(self);
	*self_p = NULL;
}

size_t inifile_section_count(const inifile_t *self)
{
	assert(self);
	return self->nsecs;
}

const inifile_section_t *inifile_section(const inifile_t *self, size_t i)
{
	assert(self);
	return i < self->nsecs ? &self->secs[i].pub : NULL;
}

size_t inifile_entry_count(const inifile_t *self)
{
	assert(self);
	return self->nentries;
}

const inifile_kv_t *inifile_entry(const inifile_t *self, size_t i)
{
	assert(self);
	return i < self->nentries ? &self->entries[i]->kv : NULL;
}

const inifile_kv_t *inifile_get(const inifile_t *self, const char *section, const char *key)
{
	inifile_kv_t probe = { .section = section, .key = key };
	void *node;

	assert(self);
	if (!section || !key)
		return NULL;
	if (self->flags & INIFILE_KEYS_ONCE) {
		node = tfind(&probe, &self->index, s_entry_cmp);
		return node ? *(const inifile_kv_t **)node : NULL;
	}
	for (size_t i = 0; i < self->nentries; i++)
		if (s_entry_cmp(&probe, &self->entries[i]->kv) == 0)
			return &self->entries[i]->kv;
	return NULL;
}

const inifile_kv_t *inifile_section_get(const inifile_section_t *s, const char *key)
{
	assert(s);
	for (size_t i = 0; key && i < s->n; i++)
		if (strcmp(s->kv[i].key, key) == 0)
			return &s->kv[i];
	return NULL;
}

int inifile_read_text(const char *path, size_t max, char **ret_text, size_t *ret_len, char *err,
		  size_t errlen)
{
	char *text = NULL;
	const char *z;
	size_t len = 0;
	int r = lnob_read_file(path, max, &text, &len);

	if (r == LNOB_E_TOOBIG)
		return lnob_errf(err, errlen, LNOB_E_CONFIG, "%s: larger than %zu bytes", path, max);
	if (r < 0)
		return lnob_errf(err, errlen, r, "%s: cannot read: %s", path, lnob_strerror(r));
	/* inih sees text up to its first NUL: refuse one. */
	if ((z = memchr(text, '\0', len))) {
		unsigned line = 1;

		for (const char *q = text; q < z; q++)
			line += *q == '\n';
		free(text);
		return lnob_errf(err, errlen, LNOB_E_CONFIG, "%s:%u: NUL byte in line", path, line);
	}
	*ret_text = text;
	*ret_len = len;
	return 0;
}
