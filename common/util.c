/* util.c: clocks, big-endian keys, bounded copies, key text,
 * file I/O, UTF-8 (see util.h). */
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdint.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lnob_err.h"

int64_t lnob_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t lnob_now_s(void)
{
	return (int64_t)time(NULL);
}

int64_t lnob_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void lnob_be64_put(uint8_t out[8], uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

uint64_t lnob_be64_get(const uint8_t in[8])
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | in[i];
	return v;
}

void lnob_be32_put(uint8_t out[4], uint32_t v)
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

uint32_t lnob_be32_get(const uint8_t in[4])
{
	return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
}

int lnob_grow(void *vp, size_t n, size_t *cap, size_t size, size_t first)
{
	size_t ncap = *cap ? *cap : first;
	void *v, *nv;

	if (n < *cap)
		return 0;
	if (*cap && ncap > SIZE_MAX / 2)
		return -ENOMEM;
	ncap = *cap ? *cap * 2 : ncap;
	if (!size || ncap > SIZE_MAX / size)
		return -ENOMEM;
	memcpy(&v, vp, sizeof(v));   /* vp points at a T *: read it as void * */
	if (!(nv = realloc(v, ncap * size)))
		return -ENOMEM;
	memcpy(vp, &nv, sizeof(nv));
	*cap = ncap;
	return 0;
}

int lnob_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size == 0)
		return -ENAMETOOLONG;
	if (n >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -ENAMETOOLONG;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

bool lnob_valid_id(const char *s)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
		if (n >= 64)
			return false;
	}
	return n >= 1;
}

bool lnob_parse_digits(const char *s, int64_t max, int64_t *ret)
{
	int64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (*s - '0')) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	*ret = v;
	return true;
}

bool lnob_parse_duration(const char *s, int64_t max_s, int64_t *ret)
{
	static const struct { char unit; int64_t s; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	};
	char digits[24];
	size_t n = strlen(s);
	int64_t v;

	if (n < 2 || n > sizeof(digits))
		return false;
	memcpy(digits, s, n - 1);
	digits[n - 1] = '\0';
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (s[n - 1] == units[i].unit) {
			if (!lnob_parse_digits(digits, max_s / units[i].s, &v))
				return false;
			*ret = v * units[i].s;
			return true;
		}
	return false;
}

char *lnob_hex(char *out, const uint8_t *bin, size_t n)
{
	return sodium_bin2hex(out, 2 * n + 1, bin, n);
}

int lnob_unhex(uint8_t *out, size_t n, const char *hex)
{
	size_t got = 0;
	const char *end = NULL;

	if (strlen(hex) != 2 * n)
		return LNOB_E_KEYFILE;
	if (sodium_hex2bin(out, n, hex, 2 * n, NULL, &got, &end) != 0 || got != n)
		return LNOB_E_KEYFILE;
	return 0;
}

int lnob_read_file(const char *path, size_t max, char **ret_buf, size_t *ret_len)
{
	/* O_NONBLOCK: a FIFO opens at once (and is refused below) instead of
	 * waiting for a writer; it changes nothing for a regular file. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap;
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = S_ISDIR(st.st_mode) ? -EISDIR : LNOB_E_NOTREG;
		goto out;
	}
	if ((uintmax_t)st.st_size > max) {
		r = LNOB_E_TOOBIG;   /* refused at once, nothing of it read */
		goto out;
	}
	cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
	if (cap > max + 1)
		cap = max + 1;
	buf = malloc(cap + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;
			if (cap > max) {
				r = LNOB_E_TOOBIG;
				goto out;
			}
			cap *= 2;
			if (cap > max + 1)
				cap = max + 1;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				r = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		r = LNOB_E_TOOBIG;
		goto out;
	}
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return r;
}

static int s_fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd, r = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		r = -errno;
	if (fd >= 0)
		close(fd);
	free(copy);
	return r;
}

int lnob_write_file_atomic(const char *path, const void *buf, size_t len, unsigned mode)
{
	char tmp[4096];
	const uint8_t *p = buf;
	int fd, r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) < 0) {
		r = -errno;
		goto fail;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0) {
		r = -errno;
		goto fail;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	return s_fsync_dir_of(path);
fail:
	close(fd);
	unlink(tmp);
	return r;
}

int lnob_mkdirs(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] == '/' || buf[i] == '\0') {
			char c = buf[i];
			buf[i] = '\0';
			if (mkdir(buf, 0700) < 0 && errno != EEXIST)
				return -errno;
			buf[i] = c;
		}
	}
	return 0;
}

/*
 * Decodes the sequence at p, of which n > 0 bytes are there: its code point
 * into *ret_cp and its length, or 0 when p does not start a well-formed
 * sequence (Unicode table 3-7: the lead bytes C0, C1 and F5..FF never
 * occur; E0 and F0 exclude overlong forms, ED the surrogates, F4 what lies
 * above U+10FFFF; a sequence must not run past n). The one UTF-8 decoder
 * of lnob.
 */
static size_t s_utf8_decode(const unsigned char *p, size_t n, uint32_t *ret_cp)
{
	unsigned char lo = 0x80, hi = 0xbf;   /* the range of the second byte */
	uint32_t cp;
	size_t len;

	assert(n > 0);
	if (p[0] < 0x80) {
		*ret_cp = p[0];
		return 1;
	}
	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	if (p[0] < 0xe0) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] < 0xf0) {
		len = 3;
		cp = p[0] & 0x0f;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else {
		len = 4;
		cp = p[0] & 0x07;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	cp = cp << 6 | (p[1] & 0x3f);
	for (size_t i = 2; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	*ret_cp = cp;
	return len;
}

bool lnob_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	assert(s || len == 0);
	while (len > 0) {
		uint32_t cp;
		size_t k = s_utf8_decode(p, len, &cp);

		if (k == 0 || cp == 0)
			return false;
		p += k;
		len -= k;
	}
	return true;
}

/* The length of the code point at p (n > 0 bytes there) as text is
 * walked for display: a bad byte counts as one code point of one byte.
 * *ret_mark tells whether it is a combining diacritical mark
 * (U+0300..U+036F), which takes no column. */
static size_t s_utf8_step(const unsigned char *p, size_t n, bool *ret_mark)
{
	uint32_t cp = 0;
	size_t k = s_utf8_decode(p, n, &cp);

	*ret_mark = k > 0 && cp >= 0x300 && cp <= 0x36f;
	return k > 0 ? k : 1;
}

size_t lnob_utf8_prefix(const char *s, size_t n, size_t width, size_t *ret_width)
{
	const unsigned char *p = (const unsigned char *)s, *end = p;
	size_t w = 0;

	/* Stop at the first code point that does not fit, keeping trailing marks. */
	while (n > 0) {
		bool mark;
		size_t k = s_utf8_step(end, n, &mark);

		if (!mark && w == width)
			break;
		end += k;
		n -= k;
		if (!mark)
			w++;
	}
	if (ret_width)
		*ret_width = w;
	return (size_t)(end - p);
}

size_t lnob_utf8_width(const char *s)
{
	size_t w;

	lnob_utf8_prefix(s, strlen(s), SIZE_MAX, &w);
	return w;
}

void lnob_fput_col(FILE *out, const char *s, size_t width, bool left)
{
	size_t w, len = lnob_utf8_prefix(s, strlen(s), width, &w);

	if (!left)
		for (size_t i = w; i < width; i++)
			fputc(' ', out);
	fwrite(s, 1, len, out);
	if (left)
		for (size_t i = w; i < width; i++)
			fputc(' ', out);
}

int lnob_verrf(char *err, size_t errlen, int code, const char *fmt, va_list ap)
{
	size_t n, i;
	int w;

	if (!err || errlen == 0)
		return code;
	w = vsnprintf(err, errlen, fmt, ap);
	if (w < 0 || (size_t)w < errlen)
		return code;
	/* Cut short: drop a sequence the cut left incomplete (at most 3 bytes
	 * of a 4-byte one). */
	n = strlen(err);
	i = n;
	while (i > 0 && n - i < 3 && ((unsigned char)err[i - 1] & 0xc0) == 0x80)
		i--;
	if (i > 0 && (unsigned char)err[i - 1] >= 0xc0) {
		uint32_t cp;

		if (s_utf8_decode((const unsigned char *)err + i - 1, n - i + 1, &cp) == 0)
			err[i - 1] = '\0';
	}
	return code;
}

int lnob_errf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lnob_verrf(err, errlen, code, fmt, ap);
	va_end(ap);
	return code;
}

int lnob_fail(lnob_fail_t *f, int code, unsigned line, const char *fmt, ...)
{
	va_list ap;

	assert(f && code);
	if (f->code)
		return f->code;
	f->code = code;
	f->line = line;
	va_start(ap, fmt);
	lnob_verrf(f->err, f->errlen, code, fmt, ap);
	va_end(ap);
	return code;
}

int lnob_vfail_at(lnob_fail_t *f, int code, const char *file, unsigned line, const char *fmt,
		  va_list ap)
{
	int n;

	assert(f && code);
	if (f->code)
		return f->code;
	f->code = code;
	f->line = line;
	if (!f->err || f->errlen == 0)
		return code;
	n = snprintf(f->err, f->errlen, "%s:%u: ", file, line);
	if (n >= 0 && (size_t)n < f->errlen)
		lnob_verrf(f->err + n, f->errlen - (size_t)n, code, fmt, ap);
	return code;
}

/* Writes s into out, escaped as lnob_quote() says, at most max bytes of it
 * then "..." when s is longer; out holds max + 4 bytes. */
static const char *s_escape(char *out, size_t max, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), o = 0;

	while (n > 0) {
		uint32_t cp = 0;
		size_t k = s_utf8_decode(p, n, &cp);
		bool escape = k == 0 || cp < 0x20 || cp == 0x7f;
		size_t need = escape ? 4 : k;

		if (o + need > max) {
			memcpy(out + o, "...", 4);
			return out;
		}
		if (escape) {
			snprintf(out + o, 5, "\\x%02x", p[0]);
			k = 1;
		} else {
			memcpy(out + o, p, k);
		}
		o += need;
		p += k;
		n -= k;
	}
	out[o] = '\0';
	return out;
}

const char *lnob_quote(char out[LNOB_QUOTE_MAX + 4], const char *s)
{
	return s_escape(out, LNOB_QUOTE_MAX, s);
}

const char *lnob_text_safe(char *out, size_t outlen, const char *s)
{
	assert(outlen >= 4);
	return s_escape(out, outlen - 4, s ? s : "");
}

const char *lnob_utc_text(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == 0 || !gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "-");
	return buf;
}
