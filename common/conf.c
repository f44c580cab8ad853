/*
 * conf.c: INI configuration files (conf.h). The INI reader (ini.h) parses
 * the file, keeping every key with its line and refusing keys given twice;
 * this file turns values into typed settings with messages that name the
 * file, the line and the [section] key.
 */
#include "conf.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inifile.h"
#include "lnob_err.h"
#include "util.h"

/* Largest configuration file conf_load() accepts. */
#define CONF_MAX_BYTES ((size_t)1 << 20)

struct conf {
	char *name;             /* file name for messages */
	inifile_t *ini;             /* the file, INIFILE_KEYS_ONCE */
};

int conf_load_mem(const char *text, const char *name, conf_t **ret, char *err, size_t errlen)
{
	conf_t *self;
	int r;

	if (!text || !ret)
		return -EINVAL;
	if (!name)
		name = "<memory>";
	self = calloc(1, sizeof(*self));
	if (!self || !(self->name = strdup(name))) {
		free(self);
		return lnob_errf(err, errlen, -ENOMEM, "%s: out of memory", name);
	}
	if ((r = inifile_parse(text, self->name, INIFILE_KEYS_ONCE, &self->ini, err, errlen)) != 0) {
		conf_destroy(&self);
		return r;
	}
	*ret = self;
	return 0;
}

int conf_load(const char *path, conf_t **ret, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	if (!path || !ret)
		return -EINVAL;
	if ((r = inifile_read_text(path, CONF_MAX_BYTES, &text, &len, err, errlen)) < 0)
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
	inifile_destroy(&self->ini);
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
	for (size_t i = 0; i < inifile_entry_count(self->ini); i++) {
		const inifile_kv_t *e = inifile_entry(self->ini, i);

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
	const inifile_kv_t *e = inifile_get(self->ini, section, key);

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
	const inifile_kv_t *e = inifile_get(self->ini, section, key);
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
	const inifile_kv_t *e = inifile_get(self->ini, section, key);

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
