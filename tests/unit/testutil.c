/* testutil.c: temporary directories and files for unit tests. */
#include "testutil.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *tu_tmpdir(void)
{
	static char path[4096];
	const char *base = getenv("TMPDIR");

	snprintf(path, sizeof(path), "%s/lnob-test-XXXXXX", base && *base ? base : "/tmp");
	assert_non_null(mkdtemp(path));
	return path;
}

static int s_rm(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

void tu_rmtree(const char *path)
{
	if (path)
		nftw(path, s_rm, 16, FTW_DEPTH | FTW_PHYS);
}

const char *tu_write(const char *dir, const char *name, const char *text, unsigned mode)
{
	static char path[4096];
	int fd;
	size_t len = strlen(text);

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

void tu_adhoc(Lnob__AdhocRequest *q, const char *campaign, const char *id, char **units,
	      size_t nunits, char **inds, size_t ninds, const char *due)
{
	lnob__adhoc_request__init(q);
	q->campaign = (char *)campaign;
	q->id = (char *)id;
	q->units = units;
	q->n_units = nunits;
	q->indicators = inds;
	q->n_indicators = ninds;
	q->due = (char *)due;
	q->note = (char *)"";
	q->created_at = 1672531200;   /* 2023-01-01T00:00:00Z */
}

void tu_assert_hier_same(const hier_t *h, const hier_t *g)
{
	assert_int_equal(hier_count(h), hier_count(g));
	for (size_t i = 0; i < hier_count(h); i++) {
		const hier_unit_t *a = hier_unit(h, (int)i), *b = hier_unit(g, (int)i);
		const int *ka, *kb;
		size_t n = hier_children(h, (int)i, &ka);

		assert_string_equal(a->code, b->code);
		assert_string_equal(a->name, b->name);
		assert_string_equal(a->parent_code, b->parent_code);
		assert_string_equal(a->level, b->level);
		assert_string_equal(a->kind, b->kind);
		assert_int_equal(a->line, b->line);
		assert_int_equal(a->parent, b->parent);
		assert_int_equal(a->depth, b->depth);
		assert_int_equal(hier_by_code(h, i), hier_by_code(g, i));
		assert_int_equal(hier_children(g, (int)i, &kb), n);
		if (n)
			assert_memory_equal(ka, kb, n * sizeof(*ka));
		assert_int_equal(hier_find(g, a->code), (int)i);
	}
}
