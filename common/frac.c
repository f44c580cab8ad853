/*
 * frac.c: exact fractions over 128-bit terms and the 256-bit products
 * that compare and divide them (frac.h). Multiplication is schoolbook over
 * 64-bit words; division is shift and subtract, one bit at a time.
 */
#include "frac.h"

#include <assert.h>

frac_u128 frac_abs128(frac_i128 v)
{
	return v < 0 ? (frac_u128)0 - (frac_u128)v : (frac_u128)v;
}

int frac_sign128(frac_i128 v)
{
	return (v > 0) - (v < 0);
}

frac_u256_t frac_u256_mul(frac_u128 a, frac_u128 b)
{
	uint64_t x[2] = { (uint64_t)a, (uint64_t)(a >> 64) };
	uint64_t y[2] = { (uint64_t)b, (uint64_t)(b >> 64) };
	frac_u256_t r = { { 0, 0, 0, 0 } };

	for (int i = 0; i < 2; i++) {
		frac_u128 carry = 0;

		for (int j = 0; j < 2; j++) {
			frac_u128 t = (frac_u128)x[i] * y[j] + r.w[i + j] + carry;

			r.w[i + j] = (uint64_t)t;
			carry = t >> 64;
		}
		r.w[i + 2] += (uint64_t)carry;
	}
	return r;
}

frac_u256_t frac_u256_mul_small(frac_u256_t a, uint64_t m)
{
	frac_u128 carry = 0;

	for (int i = 0; i < 4; i++) {
		frac_u128 t = (frac_u128)a.w[i] * m + carry;

		a.w[i] = (uint64_t)t;
		carry = t >> 64;
	}
	assert(carry == 0);
	return a;
}

int frac_u256_cmp(const frac_u256_t *a, const frac_u256_t *b)
{
	for (int i = 3; i >= 0; i--)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

bool frac_u256_is_zero(const frac_u256_t *a)
{
	return !(a->w[0] | a->w[1] | a->w[2] | a->w[3]);
}

/* r −= d, for r >= d. */
static void s_u256_sub(frac_u256_t *r, const frac_u256_t *d)
{
	uint64_t borrow = 0;

	for (int i = 0; i < 4; i++) {
		uint64_t di = d->w[i], t = r->w[i] - di - borrow;

		borrow = r->w[i] < di || (r->w[i] == di && borrow) ? 1 : 0;
		r->w[i] = t;
	}
}

frac_u256_t frac_u256_div(frac_u256_t n, const frac_u256_t *d, bool *ret_exact)
{
	frac_u256_t q = { { 0, 0, 0, 0 } }, r = { { 0, 0, 0, 0 } };

	assert(!frac_u256_is_zero(d));
	/* r < d < 2^255 throughout, so r << 1 cannot overflow. */
	assert(!(d->w[3] >> 63));
	for (int bit = 255; bit >= 0; bit--) {
		for (int i = 3; i > 0; i--)
			r.w[i] = r.w[i] << 1 | r.w[i - 1] >> 63;
		r.w[0] = r.w[0] << 1 | (n.w[bit / 64] >> (bit % 64) & 1);
		if (frac_u256_cmp(&r, d) >= 0) {
			s_u256_sub(&r, d);
			q.w[bit / 64] |= (uint64_t)1 << (bit % 64);
		}
	}
	*ret_exact = frac_u256_is_zero(&r);
	return q;
}

frac_t frac_make(frac_i128 n, frac_i128 d)
{
	assert(d > 0);
	return (frac_t){ n, d };
}

int frac_cmp(frac_t a, frac_t b)
{
	int sa = frac_sign128(a.n), sb = frac_sign128(b.n), c;
	frac_u256_t x, y;

	if (sa != sb)
		return sa < sb ? -1 : 1;
	if (sa == 0)
		return 0;
	x = frac_u256_mul(frac_abs128(a.n), (frac_u128)b.d);
	y = frac_u256_mul(frac_abs128(b.n), (frac_u128)a.d);
	c = frac_u256_cmp(&x, &y);
	return sa > 0 ? c : -c;
}

frac_t frac_sub(frac_t a, frac_t b)
{
	assert(frac_abs128(a.n) < ((frac_u128)1 << 62) && a.d < ((frac_i128)1 << 62));
	assert(frac_abs128(b.n) < ((frac_u128)1 << 62) && b.d < ((frac_i128)1 << 62));
	return frac_make(a.n * b.d - b.n * a.d, a.d * b.d);
}

int64_t frac_bp(frac_t a, frac_t b, bool *ret_exact)
{
	frac_u256_t num, den, q;
	bool big;

	assert(b.n > 0);
	num = frac_u256_mul_small(frac_u256_mul(frac_abs128(a.n), (frac_u128)b.d), FRAC_BP);
	den = frac_u256_mul((frac_u128)a.d, (frac_u128)b.n);
	q = frac_u256_div(num, &den, ret_exact);
	big = q.w[1] || q.w[2] || q.w[3] || q.w[0] > (uint64_t)INT64_MAX - 1;
	if (a.n >= 0)
		return big ? INT64_MAX : (int64_t)q.w[0];
	if (big)
		return INT64_MIN;
	return -(int64_t)q.w[0] - (*ret_exact ? 0 : 1);
}

double frac_double(frac_t a)
{
	return (double)a.n / (double)a.d;
}
