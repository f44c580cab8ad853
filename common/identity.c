/* identity.c: node identity files: generate, save, load (see identity.h). */
#include "identity.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inifile.h"
#include "lnob_err.h"
#include "util.h"

int identity_generate(const char *node_id, identity_t *ret)
{
	identity_t id;

	if (!lnob_valid_id(node_id))
		return LNOB_E_INVALID;
	if (sodium_init() < 0)
		return LNOB_E_CRYPTO;
	memset(&id, 0, sizeof(id));
	lnob_strlcpy(id.pub.node_id, node_id, sizeof(id.pub.node_id));
	if (crypto_sign_ed25519_keypair(id.pub.sign_pk, id.sign_sk) != 0 ||
	    crypto_box_keypair(id.pub.curve_pk, id.curve_sk) != 0) {
		identity_wipe(&id);
		return LNOB_E_CRYPTO;
	}
	*ret = id;
	identity_wipe(&id);
	return 0;
}

static int s_format(const identity_t *id, bool secret, char *out, size_t outlen)
{
	char spk[65], ssk[129], cpk[41], csk[41];
	int n;

	lnob_hex(spk, id->pub.sign_pk, 32);
	lnob_z85_key(cpk, id->pub.curve_pk);
	if (secret) {
		lnob_hex(ssk, id->sign_sk, 64);
		lnob_z85_key(csk, id->curve_sk);
		n = snprintf(out, outlen,
			     "# lnob node identity: SECRET, keep mode 0600\n"
			     "[node]\nid = %s\nsign_public = %s\nsign_secret = %s\n"
			     "curve_public = %s\ncurve_secret = %s\n",
			     id->pub.node_id, spk, ssk, cpk, csk);
		sodium_memzero(ssk, sizeof(ssk));
		sodium_memzero(csk, sizeof(csk));
	} else {
		n = snprintf(out, outlen,
			     "# lnob node public keys: enroll these\n"
			     "[node]\nid = %s\nsign_public = %s\ncurve_public = %s\n",
			     id->pub.node_id, spk, cpk);
	}
	return (n < 0 || (size_t)n >= outlen) ? -ENOBUFS : n;
}

int identity_format_public(const identity_t *id, char *out, size_t outlen)
{
	return s_format(id, false, out, outlen);
}

int identity_save(const identity_t *id, const char *path)
{
	char text[1024], pubpath[4096];
	int n, r;

	if (access(path, F_OK) == 0)
		return -EEXIST;
	if (snprintf(pubpath, sizeof(pubpath), "%s.pub", path) >= (int)sizeof(pubpath))
		return -ENAMETOOLONG;
	n = s_format(id, true, text, sizeof(text));
	if (n < 0)
		return n;
	r = lnob_write_file_atomic(path, text, (size_t)n, 0600);
	sodium_memzero(text, sizeof(text));
	if (r < 0)
		return r;
	n = s_format(id, false, text, sizeof(text));
	if (n < 0)
		return n;
	return lnob_write_file_atomic(pubpath, text, (size_t)n, 0644);
}

/* Parse state for one key file. */
struct s_parse {
	identity_t id;
	bool secret;           /* secret keys expected */
	unsigned seen;         /* bit per field */
	char err[256];
};

enum { F_ID = 1, F_SPK = 2, F_SSK = 4, F_CPK = 8, F_CSK = 16 };

static int s_handler(void *user, const char *section, const char *name, const char *value)
{
	struct s_parse *p = user;
	int r = 0;
	unsigned bit;

	if (p->err[0])
		return 0;   /* keep the first error */
	if (strcmp(section, "node") != 0) {
		snprintf(p->err, sizeof(p->err), "unexpected section [%s]", section);
		return 0;
	}
	if (strcmp(name, "id") == 0) {
		bit = F_ID;
		if (!lnob_valid_id(value))
			r = LNOB_E_KEYFILE;
		else
			lnob_strlcpy(p->id.pub.node_id, value, sizeof(p->id.pub.node_id));
	} else if (strcmp(name, "sign_public") == 0) {
		bit = F_SPK;
		r = lnob_unhex(p->id.pub.sign_pk, 32, value);
	} else if (strcmp(name, "curve_public") == 0) {
		bit = F_CPK;
		r = lnob_unz85_key(p->id.pub.curve_pk, value);
	} else if (p->secret && strcmp(name, "sign_secret") == 0) {
		bit = F_SSK;
		r = lnob_unhex(p->id.sign_sk, 64, value);
	} else if (p->secret && strcmp(name, "curve_secret") == 0) {
		bit = F_CSK;
		r = lnob_unz85_key(p->id.curve_sk, value);
	} else if (!p->secret && (strcmp(name, "sign_secret") == 0 ||
				   strcmp(name, "curve_secret") == 0)) {
		snprintf(p->err, sizeof(p->err), "this is a node's SECRET key file, not its public "
			 "file: give the .pub file keygen wrote beside it, and keep this one private");
		return 0;
	} else {
		snprintf(p->err, sizeof(p->err), "unknown key '%s'", name);
		return 0;
	}
	if (r < 0) {
		snprintf(p->err, sizeof(p->err), "bad value for '%s'", name);
		return 0;
	}
	if (p->seen & bit) {
		snprintf(p->err, sizeof(p->err), "'%s' given twice", name);
		return 0;
	}
	p->seen |= bit;
	return 1;
}

/* Opens path, refuses loose permissions for secret files, parses it. */
static int s_load(const char *path, bool secret, struct s_parse *p, char *err, size_t errlen)
{
	struct stat st;
	FILE *f;
	int fd, line;
	unsigned want = secret ? (F_ID | F_SPK | F_SSK | F_CPK | F_CSK) : (F_ID | F_SPK | F_CPK);

	memset(p, 0, sizeof(*p));
	p->secret = secret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return LNOB_E_KEYFILE;
	}
	if (secret && (st.st_mode & 077)) {
		snprintf(err, errlen, "%s: secret key file has mode %04o; it must not be "
			 "readable or writable by group or others (chmod 600 %s)",
			 path, (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return LNOB_E_KEYPERM;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	inifile_setup_inih();
	line = ini_parse_file(f, s_handler, p);
	fclose(f);
	if (line != 0 || p->err[0]) {
		snprintf(err, errlen, "%s:%d: %s", path, line > 0 ? line : 0,
			 p->err[0] ? p->err : "syntax error");
		sodium_memzero(p, sizeof(*p));
		return LNOB_E_KEYFILE;
	}
	if ((p->seen & want) != want) {
		snprintf(err, errlen, "%s: incomplete key file (needs id, sign_public, curve_public%s)",
			 path, secret ? ", sign_secret, curve_secret" : "");
		sodium_memzero(p, sizeof(*p));
		return LNOB_E_KEYFILE;
	}
	return 0;
}

int identity_load(const char *path, identity_t *ret, char *err, size_t errlen)
{
	struct s_parse p;
	uint8_t pk[32];
	int r;

	if (sodium_init() < 0)
		return LNOB_E_CRYPTO;
	r = s_load(path, true, &p, err, errlen);
	if (r < 0)
		return r;
	/* Each public key must belong to its secret key. */
	crypto_sign_ed25519_sk_to_pk(pk, p.id.sign_sk);
	if (sodium_memcmp(pk, p.id.pub.sign_pk, 32) != 0) {
		snprintf(err, errlen, "%s: sign_public does not match sign_secret", path);
		sodium_memzero(&p, sizeof(p));
		return LNOB_E_KEYFILE;
	}
	crypto_scalarmult_base(pk, p.id.curve_sk);
	if (sodium_memcmp(pk, p.id.pub.curve_pk, 32) != 0) {
		snprintf(err, errlen, "%s: curve_public does not match curve_secret", path);
		sodium_memzero(&p, sizeof(p));
		return LNOB_E_KEYFILE;
	}
	*ret = p.id;
	sodium_memzero(&p, sizeof(p));
	return 0;
}

int identity_load_public(const char *path, identity_pub_t *ret, char *err, size_t errlen)
{
	struct s_parse p;
	int r = s_load(path, false, &p, err, errlen);

	if (r < 0)
		return r;
	*ret = p.id.pub;
	return 0;
}

