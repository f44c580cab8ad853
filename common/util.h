/*
 * util.h: small helpers shared by every part: clocks, big-endian keys,
 * bounded string copies, key encodings, whole-file I/O, the one way to
 * fill an error buffer, plain numbers, the one UTF-8 check and text
 * columns. Times and dates, and the range of them lnob accepts, are the
 * calendar's (calendar.h).
 */
#ifndef LNOB_UTIL_H
#define LNOB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Wall clock, Unix milliseconds / seconds. */
int64_t lnob_now_ms(void);
int64_t lnob_now_s(void);
/* Monotonic clock in milliseconds, for timeouts. */
int64_t lnob_mono_ms(void);

void lnob_be64_put(uint8_t out[8], uint64_t v);
uint64_t lnob_be64_get(const uint8_t in[8]);
void lnob_be32_put(uint8_t out[4], uint32_t v);
uint32_t lnob_be32_get(const uint8_t in[4]);

/* Copies src into dst[size], always NUL-terminated. Returns 0, or -ENAMETOOLONG
 * (dst untouched but for a terminated prefix) when src does not fit. */
int lnob_strlcpy(char *dst, const char *src, size_t size);

/* Room for one more element in a growing array: when its n elements (of
 * size bytes) fill its *cap, the allocation doubles (first elements the
 * first time). vp is the address of the array's pointer (a T **).
 * Returns 0, or -ENOMEM with the array as it was. */
int lnob_grow(void *vp, size_t n, size_t *cap, size_t size, size_t first);

/* True when s is a valid node id or org-unit code: 1..64 bytes of
 * [A-Za-z0-9._-]. */
bool lnob_valid_id(const char *s);

/* Parses s, plain decimal digits (no sign, no blanks, at least one), as a
 * number up to max (max >= 0). Returns true with *ret set, else false. */
bool lnob_parse_digits(const char *s, int64_t max, int64_t *ret);

/* Parses a duration: digits and one unit, s, m, h or d ("90s", "36h",
 * "7d"), up to max_s seconds. Returns true with *ret in seconds, else
 * false. */
bool lnob_parse_duration(const char *s, int64_t max_s, int64_t *ret);

/* Hex of n bytes into out[2n+1] (libsodium). Returns out. */
char *lnob_hex(char *out, const uint8_t *bin, size_t n);
/* Exactly n bytes from hex text. Returns 0 or LNOB_E_KEYFILE. */
int lnob_unhex(uint8_t *out, size_t n, const char *hex);
/* Z85 (ZeroMQ's key text) of a 32-byte key into out[41]. */
char *lnob_z85_key(char out[41], const uint8_t key[32]);
/* A 32-byte key from 40 Z85 characters. Returns 0 or LNOB_E_KEYFILE. */
int lnob_unz85_key(uint8_t key[32], const char *z85);

/* Reads a whole file (at most max bytes) into a NUL-terminated buffer the
 * caller owns. A FIFO, a device or a socket is refused at once (never
 * waited on), a directory too; a file whose size is over max is refused
 * before any of it is read. Returns 0, -errno (-EISDIR), LNOB_E_NOTREG
 * or LNOB_E_TOOBIG. */
int lnob_read_file(const char *path, size_t max, char **ret_buf, size_t *ret_len);
/* Writes a file atomically: a temporary beside it, fsync, rename, fsync of
 * the directory. mode applies to the new file. Returns 0 or -errno. */
int lnob_write_file_atomic(const char *path, const void *buf, size_t len, unsigned mode);

/* Creates a directory and its parents (mode 0700 for new ones). 0 or -errno. */
int lnob_mkdirs(const char *path);

/* Formats a message into err[errlen] (nothing when err is NULL or errlen
 * is 0) and returns code: the one way modules fill a caller's error buffer.
 * A message cut short by errlen is cut at a code point boundary, so that
 * UTF-8 arguments give a UTF-8 message (a NACK's detail must be). */
int lnob_errf(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same with a va_list. */
int lnob_verrf(char *err, size_t errlen, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* The first error of a parse that goes on after an error (inih and libcsv
 * call back to the end of a line or of the text): later errors are
 * ignored, so that the message names the first. Zero it, set err and
 * errlen (err may be NULL), then record with lnob_fail(). */
typedef struct lnob_fail {
	int code;           /* 0, or the code of the first error */
	unsigned line;      /* its line (0: not on a line) */
	char *err;          /* its message, as lnob_errf() writes it */
	size_t errlen;
} lnob_fail_t;

/* Records code, line and the message unless an error is recorded already.
 * Returns f->code: the first error's code. */
int lnob_fail(lnob_fail_t *f, int code, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same with the message after "<file>:<line>: ". */
int lnob_vfail_at(lnob_fail_t *f, int code, const char *file, unsigned line, const char *fmt,
		  va_list ap) __attribute__((format(printf, 5, 0)));

/* Unix seconds t as "YYYY-MM-DD HH:MM:SS" UTC into buf, or "-" for 0 (or
 * a time that cannot be shown). Returns buf. */
const char *lnob_utc_text(int64_t t, char *buf, size_t len);

/* How much of an offending value a message quotes back. */
#define LNOB_QUOTE_MAX 64
/* Copies s into out for a message: at most LNOB_QUOTE_MAX bytes, then
 * "..." when s is longer (cut at a code point boundary). A byte that is
 * not part of well-formed UTF-8 and a control character (U+0001..U+001F,
 * U+007F) are written as a backslash, 'x' and two hex digits, so that the
 * quote is UTF-8 text of one line whatever s holds. Returns out. */
const char *lnob_quote(char out[LNOB_QUOTE_MAX + 4], const char *s);
/* The same for text of any length that came from elsewhere (a NACK's
 * detail from upstream) before it is kept or logged: s (NULL: "") into
 * out[outlen], outlen >= 4, escaped as lnob_quote() does, cut with "..."
 * when it does not fit. Returns out. */
const char *lnob_text_safe(char *out, size_t outlen, const char *s);

/* True when s[0..len) is well-formed UTF-8 (RFC 3629; Unicode table 3-7):
 * no overlong forms, no surrogates (U+D800..U+DFFF), nothing above
 * U+10FFFF, no sequence cut short by the end, and no NUL (U+0000) byte
 * anywhere in the len bytes. Other control characters (tab, line breaks,
 * DEL, C1) are well-formed and allowed here: a field that must be one line
 * checks them itself. s may be NULL only when len is 0. The one UTF-8
 * check of lnob: every text taken from a file or a message goes through
 * it. */
bool lnob_utf8_valid(const char *s, size_t len);

/* Terminal columns UTF-8 text s takes: one per code point, none for
 * combining marks (U+0300..U+036F); a byte that does not start a
 * well-formed sequence takes one. */
size_t lnob_utf8_width(const char *s);
/* The bytes of the longest start of s[0..n) that takes at most width
 * columns (as lnob_utf8_width() counts them; combining marks after its
 * last code point kept with it); *ret_width (when not NULL) the columns it
 * takes. */
size_t lnob_utf8_prefix(const char *s, size_t n, size_t width, size_t *ret_width);
/* Writes s to out padded with spaces to width columns (left-aligned when
 * left, else right-aligned); text wider than width is cut at a code point
 * boundary. */
void lnob_fput_col(FILE *out, const char *s, size_t width, bool left);

#endif
