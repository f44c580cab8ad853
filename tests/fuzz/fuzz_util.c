/* fuzz_util.c: what the libFuzzer targets share (see fuzz.h). */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "lnob_err.h"

static char s_dir[4096];
static pid_t s_dir_owner;

void fuzz_die(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void fuzz_note(const char *fmt, ...)
{
	static int verbose = -1;
	va_list ap;

	if (verbose < 0) {
		const char *v = getenv("LNOB_FUZZ_VERBOSE");

		verbose = v && strcmp(v, "1") == 0;
	}
	if (!verbose)
		return;
	fputs("fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

char *fuzz_text(const uint8_t *data, size_t size)
{
	char *t = malloc(size + 1);

	if (!t)
		fuzz_die("out of memory copying %zu bytes", size);
	if (size)
		memcpy(t, data, size);
	t[size] = '\0';
	return t;
}

static int s_rm(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

void fuzz_rmtree(const char *dir)
{
	if (dir && dir[0])
		nftw(dir, s_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* atexit: the directory goes with the process that made it (not with a
 * child that exits). */
static void s_dir_remove(void)
{
	if (s_dir[0] && getpid() == s_dir_owner)
		fuzz_rmtree(s_dir);
}

const char *fuzz_dir(void)
{
	const char *base = getenv("TMPDIR");

	if (s_dir[0])
		return s_dir;
	snprintf(s_dir, sizeof(s_dir), "%s/lnob-fuzz-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(s_dir))
		fuzz_die("mkdtemp %s failed", s_dir);
	s_dir_owner = getpid();
	atexit(s_dir_remove);
	return s_dir;
}

const char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
	static char path[4096 + 256];
	size_t off = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		fuzz_die("cannot write %s", path);
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0)
			fuzz_die("writing %s failed", path);
		off += (size_t)n;
	}
	close(fd);
	return path;
}

const identity_t *fuzz_identity(void)
{
	static identity_t id;
	static int made;
	uint8_t seed[32];

	if (made)
		return &id;
	if (sodium_init() < 0)
		fuzz_die("sodium_init failed");
	memset(seed, FUZZ_SEED_BYTE, sizeof(seed));
	snprintf(id.pub.node_id, sizeof(id.pub.node_id), "%s", FUZZ_SIGNER);
	if (crypto_sign_ed25519_seed_keypair(id.pub.sign_pk, id.sign_sk, seed) != 0 ||
	    crypto_box_seed_keypair(id.pub.curve_pk, id.curve_sk, seed) != 0)
		fuzz_die("cannot make the fixed identity");
	made = 1;
	return &id;
}

int fuzz_signer(void *ctx, const char *id, admit_key_t *ret)
{
	(void)ctx;
	memset(ret, 0, sizeof(*ret));
	if (strcmp(id, FUZZ_SIGNER) == 0 || strcmp(id, "revoked-node") == 0) {
		ret->has_key = true;
		memcpy(ret->sign_pk, fuzz_identity()->pub.sign_pk, 32);
		ret->revoked = strcmp(id, "revoked-node") == 0;
		return 0;
	}
	if (strcmp(id, "keyless-node") == 0)
		return 0;
	if (strcmp(id, "broken-node") == 0)
		return -EIO;
	return LNOB_E_NOTFOUND;
}

const char *fuzz_source(const char *rel)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", FUZZ_SOURCE_DIR, rel);
	return path;
}

const hier_t *fuzz_hier(void)
{
	static hier_t *hier;
	char err[512];

	if (!hier && hier_load_csv(fuzz_source("deploy/samples/province/units.csv"), &hier, err,
				   sizeof(err)) < 0)
		fuzz_die("sample hierarchy: %s", err);
	return hier;
}

const campaigns_t *fuzz_campaigns(void)
{
	static campaigns_t camps;
	static int loaded;
	char text[4096 + 64], err[1024];
	conf_t *conf = NULL;

	if (loaded)
		return &camps;
	snprintf(text, sizeof(text), "[campaign]\nfiles = %s\n",
		 fuzz_source("deploy/samples/campaigns/daknong.ini"));
	if (conf_load_mem(text, "fuzz.conf", &conf, err, sizeof(err)) < 0 ||
	    campaigns_load(&camps, conf, fuzz_hier(), err, sizeof(err)) < 0)
		fuzz_die("sample campaign: %s", err);
	conf_destroy(&conf);
	loaded = 1;
	return &camps;
}
