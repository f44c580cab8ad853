/*
 * inifile.h: the INI reader under the daemons' configuration (conf.h) and the
 * campaign file (campaign.h). inih parses; this module hands it one
 * physical line at a time so that every key keeps the line it came from,
 * and keeps the file as sections of key = value lines in file order. Errors
 * are "<file>:<line>: <problem>", the first one found (in the order of the
 * lines, inih's syntax errors included):
 *   "t.conf:7: syntax error (expected [section] or key = value)"
 *   "t.conf:3: [a] x: given twice (first on line 2)"      (INIFILE_KEYS_ONCE)
 *   "c.ini:9: [target t1]: section given twice (first on line 4)"
 *
 * The text: UTF-8, a BOM on line 1 is dropped; ";" or "#" starts a comment
 * line and " ;" an inline comment (inih); leading blanks are dropped, so an
 * indented line is a key, never inih's continuation; a line is at most
 * INIFILE_LINE_MAX bytes. Always refused: a line longer than that, a key
 * outside any [section], an empty key.
 */
#ifndef LNOB_INIFILE_H
#define LNOB_INIFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Longest [section] name or key under INIFILE_SECTIONS: inih keeps at most 49
 * bytes of one, so 49 and more may have been cut. */
#define INIFILE_NAME_MAX 48

/* Longest line, without its line end: a configuration or campaign file's
 * own limit (1 MiB), so no line of a file lnob reads is too long. */
#define INIFILE_LINE_MAX (1 << 20)

/* Sets inih's process-wide line buffer to grow up to INIFILE_LINE_MAX (once;
 * inifile_parse() calls it). Call it before any other use of inih. */
void inifile_setup_inih(void);

/* What inifile_parse() refuses besides the syntax, as flags. */
enum {
	/* Sections are objects (the campaign file): each [type] or [type id]
	 * header names one section, given at most once and never empty; a
	 * name is a type and at most one id; names and keys are at most
	 * INIFILE_NAME_MAX bytes. Without it a header may repeat (its keys then
	 * count as the earlier section's for INIFILE_KEYS_ONCE) and be empty. */
	INIFILE_SECTIONS = 1 << 0,
	/* A key at most once per section name (the configuration). */
	INIFILE_KEYS_ONCE = 1 << 1,
};

typedef struct inifile inifile_t;

/* One key = value line. Borrowed from the inifile_t, valid until destroy. */
typedef struct inifile_kv {
	const char *section;    /* its section's name */
	const char *key;
	const char *value;      /* "" when the line has none */
	unsigned line;
} inifile_kv_t;

/* One [section]: a header and the keys under it, in file order (a header
 * without keys is a section only under INIFILE_SECTIONS, where it is refused). */
typedef struct inifile_section {
	const char *name;       /* as inih gave it (INIFILE_SECTIONS: without
	                           leading blanks) */
	const char *type;       /* the first word of name */
	const char *id;         /* the rest, trimmed; "" when none */
	unsigned line;          /* the line of its header */
	const inifile_kv_t *kv;     /* n keys, file order */
	size_t n;
} inifile_section_t;

/* Parses text (NUL-terminated: inih stops at a NUL) as the file `name`
 * (for messages; NULL: "<memory>") with flags. Returns 0 with *ret set
 * (caller owns it: inifile_destroy()), or LNOB_E_CONFIG or -ENOMEM with err as
 * "<file>:<line>: <problem>" (*ret not written). */
int inifile_parse(const char *text, const char *name, unsigned flags, inifile_t **ret, char *err,
	      size_t errlen);
/* Accepts NULL and *self_p == NULL; sets *self_p to NULL. */
void inifile_destroy(inifile_t **self_p);

/* Sections in file order (0 <= i < count; else NULL). */
size_t inifile_section_count(const inifile_t *self);
const inifile_section_t *inifile_section(const inifile_t *self, size_t i);
/* Every key = value in file order (0 <= i < count; else NULL). */
size_t inifile_entry_count(const inifile_t *self);
const inifile_kv_t *inifile_entry(const inifile_t *self, size_t i);
/* The key = value of section/key: with INIFILE_KEYS_ONCE the only one (found
 * in O(log n)), else the first in file order. NULL when the file lacks it
 * or section or key is NULL. */
const inifile_kv_t *inifile_get(const inifile_t *self, const char *section, const char *key);
/* The first key = value of s named key, or NULL. */
const inifile_kv_t *inifile_section_get(const inifile_section_t *s, const char *key);

/* Reads the INI file at path (at most max bytes) into *ret_text (caller
 * frees; NUL-terminated, *ret_len bytes). Refuses, with err naming the
 * file (and line), a file over max bytes or holding a NUL byte
 * (LNOB_E_CONFIG) and one that cannot be read (-errno). */
int inifile_read_text(const char *path, size_t max, char **ret_text, size_t *ret_len, char *err,
		  size_t errlen);

#endif
