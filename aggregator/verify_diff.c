/* verify_diff.c: how verify's passes report a difference (verify_int.h). */
#include "verify_int.h"

#include <stdarg.h>

void verify_diff(verify_t *v, const char *fmt, ...)
{
	va_list ap;

	v->diffs++;
	if (!v->out)
		return;
	fputs("DIFF ", v->out);
	va_start(ap, fmt);
	vfprintf(v->out, fmt, ap);
	va_end(ap);
	fputc('\n', v->out);
}

int verify_mdb(int r)
{
	return r > 0 ? -r : r;
}

