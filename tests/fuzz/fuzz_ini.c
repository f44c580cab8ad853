/*
 * fuzz_ini.c: the INI readers of common/ on arbitrary text:
 * inifile_parse() (common/inifile.h) under each of its flag sets (the
 * first input byte picks them: bit 0 INIFILE_SECTIONS, bit 1
 * INIFILE_KEYS_ONCE; the rest is the text), walking every section and key
 * it returns; and conf_load_mem() (common/conf.h) with conf_check_keys()
 * and the typed getters conf_str(), conf_u64() and conf_bool() on every
 * key of the text.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "inifile.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* Every section's keys lie within the entries, and lookups find keys. */
static void s_walk(const inifile_t *ini)
{
	size_t keys = 0;

	for (size_t i = 0; i < inifile_section_count(ini); i++) {
		const inifile_section_t *s = inifile_section(ini, i);

		keys += s->n;
		for (size_t k = 0; k < s->n; k++)
			if (!inifile_section_get(s, s->kv[k].key))
				fuzz_die("key '%s' of [%s] is not found in it", s->kv[k].key, s->name);
	}
	if (keys > inifile_entry_count(ini))
		fuzz_die("sections hold %zu keys of %zu entries", keys, inifile_entry_count(ini));
}

/* The getters on each key of the parsed text (under INIFILE_KEYS_ONCE
 * section names are plain strings). */
static void s_getters(const conf_t *conf, const inifile_t *ini)
{
	static const char *const allowed[] = { "node.id", "uplink.window", "log.level", NULL };
	char err[512];

	(void)conf_check_keys(conf, allowed, err, sizeof(err));
	for (size_t i = 0; i < inifile_entry_count(ini); i++) {
		const inifile_kv_t *kv = inifile_entry(ini, i);
		const char *s;
		uint64_t u;
		bool b;

		(void)conf_str(conf, kv->section, kv->key, NULL, &s, err, sizeof(err));
		(void)conf_u64(conf, kv->section, kv->key, true, 0, 1, UINT64_MAX / 2, &u, err,
			       sizeof(err));
		(void)conf_bool(conf, kv->section, kv->key, false, &b, err, sizeof(err));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	inifile_t *ini = NULL;
	conf_t *conf = NULL;
	char err[512], *text;
	unsigned flags;

	if (size < 1)
		return 0;
	flags = data[0] & (INIFILE_SECTIONS | INIFILE_KEYS_ONCE);
	text = fuzz_text(data + 1, size - 1);
	if (inifile_parse(text, "fuzz.ini", flags, &ini, err, sizeof(err)) == 0) {
		s_walk(ini);
		inifile_destroy(&ini);
	}
	if (conf_load_mem(text, "fuzz.conf", &conf, err, sizeof(err)) == 0) {
		if (inifile_parse(text, "fuzz.conf", INIFILE_KEYS_ONCE, &ini, err, sizeof(err)) < 0)
			fuzz_die("conf_load_mem() took what inifile_parse(KEYS_ONCE) refuses: %s", err);
		s_getters(conf, ini);
		inifile_destroy(&ini);
		conf_destroy(&conf);
	}
	free(text);
	return 0;
}
