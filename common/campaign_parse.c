/*
 * campaign_parse.c: the campaign loader's helpers (campaign_int.h): the
 * first error of a load as "<file>:<line>: <problem>", the keys a section
 * may hold, list keys joined over lines, period lists, dates, decimals,
 * whole numbers and booleans.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_int.h"
#include "lnob_err.h"

int cload_fail(cload_t *b, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lnob_vfail_at(&b->fail, LNOB_E_CONFIG, b->file, line, fmt, ap);
	va_end(ap);
	return b->fail.code;
}

int cload_oom(cload_t *b)
{
	return lnob_fail(&b->fail, -ENOMEM, 0, "%s: out of memory", b->file);
}

char *cload_trimdup(const char *s, size_t len)
{
	char *r;

	while (len > 0 && cload_blank(*s)) {
		s++;
		len--;
	}
	while (len > 0 && cload_blank(s[len - 1]))
		len--;
	r = malloc(len + 1);
	if (r) {
		memcpy(r, s, len);
		r[len] = '\0';
	}
	return r;
}

/* True when key matches spec key k ("prefix.*": any key after "prefix."). */
static bool s_key_matches(const char *k, const char *key)
{
	size_t l = strlen(k);

	if (l >= 2 && strcmp(k + l - 2, ".*") == 0)
		return strncmp(key, k, l - 1) == 0 && key[l - 1];
	return strcmp(key, k) == 0;
}

int cload_check_keys(cload_t *b, const inifile_section_t *s, const cload_keyspec_t *spec)
{
	for (size_t i = 0; i < s->n; i++) {
		const inifile_kv_t *kv = &s->kv[i];
		const cload_keyspec_t *k;

		for (k = spec; k->key && !s_key_matches(k->key, kv->key); k++)
			;
		if (!k->key)
			return cload_fail(b, kv->line, "[%s] %s: unknown key", s->name, kv->key);
		if (!k->list && cload_key_once(b, s, i))
			return b->fail.code;
	}
	return 0;
}

int cload_object(cload_t *b, const inifile_section_t *s, const char *what,
		 const cload_keyspec_t *spec)
{
	if (!lnob_valid_id(s->id))
		return cload_fail(b, s->line, "[%s]: bad %s id '%s' (1..64 of A-Za-z0-9._-)", s->name,
				  what, s->id);
	return cload_check_keys(b, s, spec);
}

const char *cload_text(const inifile_section_t *s, const char *key)
{
	const inifile_kv_t *kv = inifile_section_get(s, key);

	return kv ? kv->value : "";
}

int cload_key_once(cload_t *b, const inifile_section_t *s, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(s->kv[j].key, s->kv[i].key) == 0)
			return cload_fail(b, s->kv[i].line, "[%s] %s: given twice (first on line %u)",
					  s->name, s->kv[i].key, s->kv[j].line);
	return 0;
}

const inifile_kv_t *cload_need(cload_t *b, const inifile_section_t *s, const char *key)
{
	const inifile_kv_t *kv = inifile_section_get(s, key);

	if (!kv)
		cload_fail(b, s->line, "[%s] %s: missing", s->name, key);
	else if (!*kv->value)
		cload_fail(b, kv->line, "[%s] %s: empty", s->name, key);
	return b->fail.code ? NULL : kv;
}

int cload_list(cload_t *b, const inifile_section_t *s, const char *key,
	       cload_item_t **ret_items, size_t *ret_n)
{
	size_t n = 0, cap = 0;
	cload_item_t *items = NULL;

	*ret_items = NULL;
	*ret_n = 0;
	for (size_t i = 0; i < s->n; i++) {
		const inifile_kv_t *kv = &s->kv[i];
		const char *p = kv->value;

		if (strcmp(kv->key, key) != 0)
			continue;
		for (;;) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			char *item = campaign_own(b->c, cload_trimdup(p, len));

			if (!item)
				goto oom;
			if (!*item) {
				free(items);
				return cload_fail(b, kv->line, "[%s] %s: empty item in list", s->name, key);
			}
			if (lnob_grow(&items, n, &cap, sizeof(*items), 8) < 0)
				goto oom;
			items[n++] = (cload_item_t){ item, kv->line };
			if (!comma)
				break;
			p = comma + 1;
		}
	}
	if (n && !campaign_own(b->c, items))
		return cload_oom(b);
	*ret_items = items;
	*ret_n = n;
	return 0;
oom:
	free(items);
	return cload_oom(b);
}

int cload_periods(cload_t *b, const inifile_section_t *s, const campaign_period_kind_t *occasion,
		  const char *occasion_name, const int **ret, size_t *ret_n)
{
	campaign_t *c = b->c;
	cload_item_t *items;
	size_t n;
	int *pi;

	*ret = NULL;
	*ret_n = 0;
	if (cload_list(b, s, "periods", &items, &n))
		return b->fail.code;
	if (n == 0)
		return 0;
	if (!(pi = campaign_zalloc(c, n * sizeof(*pi))))
		return cload_oom(b);
	for (size_t i = 0; i < n; i++) {
		const campaign_period_t *p = campaign_period_find(c, items[i].text);

		if (!p)
			return cload_fail(b, items[i].line, "[%s] periods: unknown period '%s'", s->name,
					  items[i].text);
		if (occasion && p->kind != *occasion)
			return cload_fail(b, items[i].line, "[%s] periods: '%s' is not a period of the "
					  "occasion's kind (%s)", s->name, p->id, occasion_name);
		pi[i] = (int)(p - c->periods);
		for (size_t j = 0; j < i; j++)
			if (pi[j] == pi[i])
				return cload_fail(b, items[i].line, "[%s] periods: '%s' given twice",
						  s->name, items[i].text);
	}
	*ret = pi;
	*ret_n = n;
	return 0;
}

int cload_date_key(cload_t *b, const inifile_section_t *s, const char *key, int32_t *ret_day,
		   int *ret_year)
{
	const inifile_kv_t *kv = cload_need(b, s, key);
	int y, m, d;

	if (!kv)
		return b->fail.code;
	if (!calendar_parse_date(kv->value, 1900, 9999, &y, &m, &d))
		return cload_fail(b, kv->line, "[%s] %s: not a date (YYYY-MM-DD): '%s'",
				  s->name, key, kv->value);
	*ret_day = (int32_t)calendar_days(y, m, d);
	*ret_year = y;
	return 0;
}

int cload_parse_e4(const char *s, bool pct, int64_t *ret)
{
	int64_t v = 0;
	int places = -1, digits = 0;

	for (; *s; s++) {
		if (*s == '.' && places < 0) {
			places = 0;
			continue;
		}
		if (*s == '%' && pct && s[1] == '\0')
			break;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		digits++;
		if (places >= 0 && ++places > 4)
			return -EINVAL;
		if (v > (CAMPAIGN_E4_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (*s - '0');
	}
	if (digits == 0 || places == 0)
		return -EINVAL;    /* "", "%", "3." */
	for (int i = places < 0 ? 0 : places; i < 4; i++) {
		if (v > CAMPAIGN_E4_MAX / 10)
			return -ERANGE;
		v *= 10;
	}
	*ret = v;
	return 0;
}

bool cload_period_kind(const char *s, const char *year_word, campaign_period_kind_t *ret)
{
	if (strcmp(s, year_word) == 0)
		*ret = CAMPAIGN_PERIOD_YEAR;
	else if (strcmp(s, "midterm") == 0)
		*ret = CAMPAIGN_PERIOD_MIDTERM;
	else if (strcmp(s, "final") == 0)
		*ret = CAMPAIGN_PERIOD_FINAL;
	else
		return false;
	return true;
}

bool cload_parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "1", "on" };
	static const char *const no[] = { "no", "false", "0", "off" };

	for (size_t i = 0; i < 4; i++) {
		if (strcmp(s, yes[i]) == 0) {
			*ret = true;
			return true;
		}
		if (strcmp(s, no[i]) == 0) {
			*ret = false;
			return true;
		}
	}
	return false;
}
