/*
 * unitsearch.c: org units by code or by name, with or without diacritics
 * (unitsearch.h): folding (libunistring), ranked matches, and the nearest
 * units by edit distance when nothing matches.
 */
#include "unitsearch.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <uninorm.h>
#include <unistr.h>

#include "lnob_err.h"
#include "util.h"

/* One matching unit: its index and rank (unitsearch.h), or its distance. */
typedef struct s_hit {
	int idx;
	size_t key;
} s_hit_t;

/* The code point folded text keeps for c (already case folded, NFD):
 * 0 to drop it, ' ' for white space. */
static ucs4_t s_keep(ucs4_t c)
{
	if (c >= 0x300 && c <= 0x36F)        /* combining diacritical marks */
		return 0;
	if (c == 0x111 || c == 0x110 || c == 0xF0 || c == 0xD0)  /* đ Đ, and ð Ð typed for them */
		return 'd';
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0)
		return ' ';
	return c;
}

/* Appends the kept code points of s[0..n) (NFD, folded) to out, spaces
 * made one and trimmed; out has room for n + 1 bytes. Returns its length. */
static size_t s_filter(const uint8_t *s, size_t n, uint8_t *out)
{
	size_t len = 0;
	bool space = false;

	for (size_t i = 0; i < n;) {
		ucs4_t c;
		int k = u8_mbtouc(&c, s + i, n - i);

		i += (size_t)(k > 0 ? k : 1);
		if ((c = s_keep(c)) == 0)
			continue;
		if (c == ' ') {
			space = len > 0;
			continue;
		}
		if (space)
			out[len++] = ' ';
		space = false;
		len += (size_t)u8_uctomb(out + len, c, 6);
	}
	out[len] = '\0';
	return len;
}

char *unit_fold(const char *text)
{
	size_t n = 0;
	uint8_t *cf, *out;

	if (!text || !lnob_utf8_valid(text, strlen(text))) {
		errno = EINVAL;
		return NULL;
	}
	cf = u8_casefold((const uint8_t *)text, strlen(text), NULL, UNINORM_NFD, NULL, &n);
	if (!cf)
		return NULL;
	/* every kept code point is as long as it was, or shorter ('d', ' ') */
	if ((out = malloc(n + 1)) != NULL)
		s_filter(cf, n, out);
	free(cf);
	return (char *)out;
}

/* True when s[pos] starts a word: the start, or after a byte that is not
 * an ASCII letter or digit (folded Vietnamese is ASCII). */
static bool s_word_start(const char *s, size_t pos)
{
	unsigned char p = pos ? (unsigned char)s[pos - 1] : ' ';

	return pos == 0 || (p < 0x80 && !((p >= 'a' && p <= 'z') || (p >= '0' && p <= '9')));
}

/* The rank of a unit (folded name fname, folded code fcode) for folded
 * query fq, or -1 when it does not match. */
static int s_rank(const char *fq, const char *fname, const char *fcode)
{
	size_t ql = strlen(fq);
	const char *p;

	if (strcmp(fcode, fq) == 0)
		return 0;
	if (strcmp(fname, fq) == 0)
		return 1;
	if (strncmp(fname, fq, ql) == 0)
		return 2;
	if (strncmp(fcode, fq, ql) == 0)
		return 3;
	for (p = strstr(fname, fq); p; p = strstr(p + 1, fq))
		if (s_word_start(fname, (size_t)(p - fname)))
			return 3;
	return strstr(fname, fq) || strstr(fcode, fq) ? 4 : -1;
}

/* Orders hits by key, then by file order. */
static int s_hit_cmp(const void *a, const void *b)
{
	const s_hit_t *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Calls fn(fq, fname, fcode, arg) for each unit of root's subtree (-1:
 * all) with its folded name and code; fn returns a key, or SIZE_MAX to
 * leave the unit out. Collects the others sorted into *ret (caller owns),
 * *ret_n how many. Returns 0 or -ENOMEM. */
typedef size_t (*s_key_fn)(const char *fq, const char *fname, const char *fcode);
static int s_collect(const hier_t *h, const char *fq, int root, s_key_fn fn, s_hit_t **ret,
		     size_t *ret_n)
{
	size_t count = hier_count(h), n = 0;
	s_hit_t *hits = malloc((count ? count : 1) * sizeof(*hits));

	if (!hits)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		const hier_unit_t *u = hier_unit(h, (int)i);
		char *fname, *fcode;
		size_t key = SIZE_MAX;

		if (root >= 0 && !hier_in_subtree(h, root, (int)i))
			continue;
		fname = unit_fold(u->name);
		fcode = unit_fold(u->code);
		if (fname && fcode)
			key = fn(fq, fname, fcode);
		free(fname);
		free(fcode);
		if ((!fname || !fcode) && errno == ENOMEM) {
			free(hits);
			return -ENOMEM;
		}
		if (key != SIZE_MAX)
			hits[n++] = (s_hit_t){ .idx = (int)i, .key = key };
	}
	qsort(hits, n, sizeof(*hits), s_hit_cmp);
	*ret = hits;
	*ret_n = n;
	return 0;
}

static size_t s_rank_key(const char *fq, const char *fname, const char *fcode)
{
	int r = s_rank(fq, fname, fcode);

	return r < 0 ? SIZE_MAX : (size_t)r;
}

/* The ranked matches of q: *ret (caller owns; NULL when q folds to
 * nothing or is not UTF-8), *ret_n. Returns 0 or -ENOMEM. */
static int s_matches(const hier_t *h, const char *q, int root, s_hit_t **ret, size_t *ret_n)
{
	char *fq = unit_fold(q);
	int r = 0;

	*ret = NULL;
	*ret_n = 0;
	if (!fq)
		return errno == ENOMEM ? -ENOMEM : 0;
	if (fq[0])
		r = s_collect(h, fq, root, s_rank_key, ret, ret_n);
	free(fq);
	return r;
}

int unit_search(const hier_t *h, const char *q, int root, int *out, size_t max,
		size_t *ret_n)
{
	s_hit_t *hits;
	size_t n, k;
	int r;

	if ((r = s_matches(h, q, root, &hits, &n)) < 0)
		return r;
	for (k = 0; k < n && k < max; k++)
		out[k] = hits[k].idx;
	free(hits);
	*ret_n = k;
	return 0;
}

/* Code points of s[0..n) into out (room for n), returns how many. */
static size_t s_ucs4(const char *s, size_t n, ucs4_t *out)
{
	size_t m = 0;

	for (size_t i = 0; i < n; m++) {
		int k = u8_mbtouc(&out[m], (const uint8_t *)s + i, n - i);

		i += (size_t)(k > 0 ? k : 1);
	}
	return m;
}

/* Levenshtein distance between a[0..an) and b[0..bn) in code points
 * (SIZE_MAX when out of memory). */
static size_t s_distance(const char *a, size_t an, const char *b, size_t bn)
{
	ucs4_t *x = malloc((an + bn + 1) * sizeof(*x)), *y;
	size_t *row = malloc((bn + 1) * sizeof(*row)), xn, yn, d = SIZE_MAX;

	if (x && row) {
		y = x + an;
		xn = s_ucs4(a, an, x);
		yn = s_ucs4(b, bn, y);
		for (size_t j = 0; j <= yn; j++)
			row[j] = j;
		for (size_t i = 1; i <= xn; i++) {
			size_t diag = row[0];

			row[0] = i;
			for (size_t j = 1; j <= yn; j++) {
				size_t up = row[j], best = diag + (x[i - 1] != y[j - 1]);

				best = up + 1 < best ? up + 1 : best;
				best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
				diag = up;
				row[j] = best;
			}
		}
		d = row[yn];
	}
	free(x);
	free(row);
	return d;
}

/* The number of words (one space apart) of folded s. */
static size_t s_words(const char *s)
{
	size_t n = 1;

	for (; *s; s++)
		n += *s == ' ';
	return n;
}

/* The smallest distance from fq to the code, the name, or a run of as
 * many of the name's words as fq has. */
static size_t s_near_key(const char *fq, const char *fname, const char *fcode)
{
	size_t ql = strlen(fq), k = s_words(fq), best, d;

	best = s_distance(fq, ql, fcode, strlen(fcode));
	if ((d = s_distance(fq, ql, fname, strlen(fname))) < best)
		best = d;
	for (const char *w = fname; w; w = strchr(w, ' ') ? strchr(w, ' ') + 1 : NULL) {
		const char *end = w;

		for (size_t i = 0; i < k && end; i++)
			end = strchr(end + (i > 0), ' ');
		d = s_distance(fq, ql, w, end ? (size_t)(end - w) : strlen(w));
		best = d < best ? d : best;
	}
	return best;
}

/* Writes "'text' is no unit's code or name; did you mean: A, B?" into
 * out. Returns 0 or -ENOMEM. */
static int s_suggest(const hier_t *h, const char *text, const char *fq, int root, FILE *out)
{
	size_t n, limit = 1 + u8_mbsnlen((const uint8_t *)fq, strlen(fq)) / 3, shown = 0;
	s_hit_t *hits;
	int r;

	if ((r = s_collect(h, fq, root, s_near_key, &hits, &n)) < 0)
		return r;
	fprintf(out, "'%s' is no unit's code or name", text);
	for (size_t i = 0; i < n && shown < UNIT_SUGGEST_MAX && hits[i].key <= limit; i++) {
		const hier_unit_t *u = hier_unit(h, hits[i].idx);

		fprintf(out, "%s%s %s", shown++ ? ", " : "; did you mean: ", u->code, u->name);
	}
	fputs(shown ? "?" : "; no unit's code or name is near it", out);
	free(hits);
	return 0;
}

/* Writes "'text' names N units: A (level), ...; name one by its code". */
static void s_ambiguous(const hier_t *h, const char *text, const s_hit_t *hits, size_t n,
			FILE *out)
{
	fprintf(out, "'%s' names %zu units: ", text, n);
	for (size_t i = 0; i < n && i < UNIT_CANDIDATES_MAX; i++) {
		const hier_unit_t *u = hier_unit(h, hits[i].idx);

		fprintf(out, "%s%s %s (%s)", i ? ", " : "", u->code, u->name, u->level);
	}
	if (n > UNIT_CANDIDATES_MAX)
		fprintf(out, ", and %zu more", n - UNIT_CANDIDATES_MAX);
	fputs("; name one by its code", out);
}

/* The one unit hits[0..n) (ranked) name, or -1: the one exact code, else
 * the one exact name, else the one match. */
static int s_one(const s_hit_t *hits, size_t n)
{
	for (size_t rank = 0; rank <= 1; rank++)
		if (n > 0 && hits[0].key == rank)
			return n == 1 || hits[1].key != rank ? hits[0].idx : -1;
	return n == 1 ? hits[0].idx : -1;
}

/* Resolves to an index (>= 0), or writes why not to out and returns a
 * negative code. */
static int s_resolve(const hier_t *h, const char *text, int root, FILE *out)
{
	int i = hier_find(h, text), r;
	s_hit_t *hits = NULL;
	size_t n = 0;
	char *fq;

	if (i >= 0 && (root < 0 || hier_in_subtree(h, root, i)))
		return i;
	if (i >= 0) {
		fprintf(out, "'%s' (%s) is not under %s %s", text, hier_unit(h, i)->name,
			hier_unit(h, root)->code, hier_unit(h, root)->name);
		return LNOB_E_NOTFOUND;
	}
	if (!(fq = unit_fold(text))) {
		if (errno == ENOMEM)
			return -ENOMEM;
		char q[LNOB_QUOTE_MAX + 4];

		fprintf(out, "'%s' is not valid UTF-8", lnob_quote(q, text));
		return LNOB_E_INVALID;
	}
	if ((r = s_matches(h, text, root, &hits, &n)) == 0) {
		if ((i = s_one(hits, n)) >= 0)
			r = i;
		else if (n > 0) {
			s_ambiguous(h, text, hits, n, out);
			r = LNOB_E_INVALID;
		} else if ((r = s_suggest(h, text, fq, root, out)) == 0)
			r = LNOB_E_NOTFOUND;
	}
	free(hits);
	free(fq);
	return r;
}

int unit_resolve(const hier_t *h, const char *text, int root, int *ret,
		 char *err, size_t errlen)
{
	char *msg = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&msg, &len);
	int r;

	if (!out)
		return lnob_errf(err, errlen, -ENOMEM, "out of memory");
	r = s_resolve(h, text, root, out);
	if (fclose(out) != 0 || !msg)
		r = -ENOMEM;
	if (r >= 0)
		*ret = r;
	else if (r == -ENOMEM)
		lnob_errf(err, errlen, r, "out of memory");
	else
		lnob_errf(err, errlen, r, "%s", msg);
	free(msg);
	return r < 0 ? r : 0;
}
