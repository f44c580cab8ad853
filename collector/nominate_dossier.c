/*
 * nominate_dossier.c: the documents of a nomination's dossier (see
 * nominate.h): each named by its kind and title, with a council vote on
 * the minutes, and either a file the collector digests (SHA-256, size,
 * and its bytes attached up to [nominations] attach_max_bytes), its bytes
 * as base64 data (the page's uploads, digested the same way), or the
 * digest and size alone.
 */
#include "nominate.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "intake.h"
#include "lnob_err.h"
#include "nominate_int.h"
#include "util.h"

/* Read size while digesting a document. */
#define S_CHUNK ((size_t)65536)

/* True when s is a council vote: "FOR/MEMBERS", optionally followed by a
 * space and text, with FOR <= MEMBERS and MEMBERS >= 1 (each at most 6
 * digits). */
static bool s_valid_vote(const char *s)
{
	long a = 0, b = 0;
	int na = 0, nb = 0;

	while (*s >= '0' && *s <= '9' && na < 7) {
		a = a * 10 + (*s++ - '0');
		na++;
	}
	if (na == 0 || na > 6 || *s++ != '/')
		return false;
	while (*s >= '0' && *s <= '9' && nb < 7) {
		b = b * 10 + (*s++ - '0');
		nb++;
	}
	if (nb == 0 || nb > 6 || b < 1 || a > b)
		return false;
	return *s == '\0' || *s == ' ';
}

/* Frees one document built here. Accepts NULL. */
void nominate_document_free(Lnob__Document *d)
{
	if (d)
		lnob__document__free_unpacked(d, NULL);   /* every field its own malloc */
}

/* A new document with an owned "" title and vote and a 32-byte sha256
 * buffer. NULL when out of memory. */
static Lnob__Document *s_document_new(void)
{
	Lnob__Document *d = malloc(sizeof(*d));

	if (!d)
		return NULL;
	lnob__document__init(d);
	d->title = strdup("");
	d->vote = strdup("");
	d->sha256.data = calloc(1, 32);
	d->sha256.len = 32;
	d->content.data = NULL;
	d->content.len = 0;
	if (!d->title || !d->vote || !d->sha256.data) {
		nominate_document_free(d);
		return NULL;
	}
	return d;
}

size_t nominate_attached_bytes(const Lnob__Nomination *n)
{
	size_t total = 0;

	for (size_t i = 0; i < n->n_dossier; i++)
		total += n->dossier[i]->content.len;
	return total;
}

int nominate_digest_file(const char *path, size_t attach_max, uint8_t ret_sha256[32],
			 uint64_t *ret_size, uint8_t **ret_content)
{
	crypto_hash_sha256_state st;
	struct stat sb;
	uint8_t *buf = NULL, *chunk = NULL;
	uint64_t total = 0;
	bool keep = attach_max > 0;
	int fd, rc = 0;

	if (sodium_init() < 0)
		return LNOB_E_CRYPTO;
	/* Not followed if a symbolic link; a FIFO opens at once, refused below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return errno == ELOOP ? LNOB_E_SYMLINK : -errno;
	if (fstat(fd, &sb) < 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		rc = S_ISDIR(sb.st_mode) ? -EISDIR : LNOB_E_NOTREG;
		goto out;
	}
	if (!(chunk = malloc(S_CHUNK))) {
		rc = -ENOMEM;
		goto out;
	}
	crypto_hash_sha256_init(&st);
	for (;;) {
		ssize_t got = read(fd, chunk, S_CHUNK);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = -errno;
			goto out;
		}
		if (got == 0)
			break;
		crypto_hash_sha256_update(&st, chunk, (unsigned long long)got);
		if (keep && total + (uint64_t)got <= attach_max) {
			uint8_t *nb = realloc(buf, (size_t)total + (size_t)got);

			if (!nb) {
				rc = -ENOMEM;
				goto out;
			}
			buf = nb;
			memcpy(buf + total, chunk, (size_t)got);
		} else if (keep) {
			keep = false;   /* over the limit: digest only */
			free(buf);
			buf = NULL;
		}
		total += (uint64_t)got;
	}
	crypto_hash_sha256_final(&st, ret_sha256);
	*ret_size = total;
	if (ret_content) {
		*ret_content = buf;
		buf = NULL;
	}
out:
	free(buf);
	free(chunk);
	close(fd);
	return rc;
}

/* Refuses a dossier file that is not inside the nomination's folder: an
 * absolute path, a ".." part, or a symbolic link on the way out of it
 * (the folder's real path must prefix the file's). */
static int s_inside(const nominate_parse_t *p, const char *path, const char *file,
		    const char *full)
{
	char q[LNOB_QUOTE_MAX + 4], base[PATH_MAX], real[PATH_MAX];
	const char *dir = p->base_dir && p->base_dir[0] ? p->base_dir : ".";
	size_t n;

	if (file[0] == '/')
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s.file: '%s' is an "
				 "absolute path: a dossier file must be in the nomination's folder",
				 p->name, path, lnob_quote(q, file));
	for (const char *s = file; *s;) {
		size_t len = strcspn(s, "/");

		if (len == 2 && s[0] == '.' && s[1] == '.')
			return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s.file: '%s' leads "
					 "out of the nomination's folder ('..')", p->name, path,
					 lnob_quote(q, file));
		s += len;
		s += *s == '/';
	}
	if (!realpath(dir, base) || !realpath(full, real))
		return 0;   /* not there: reading it says so */
	n = strlen(base);
	if (strncmp(real, base, n) != 0 ||
	    (real[n] != '/' && real[n] != '\0' && !(n == 1 && base[0] == '/')))
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s.file: '%s' leads out of "
				 "the nomination's folder (through a symbolic link, to %s)", p->name,
				 path, lnob_quote(q, file), real);
	return 0;
}

/* The file of a document: digest, size and (maybe) the bytes into d;
 * have_sha/have_size: d already holds the values the JSON gave, which the
 * file must match. */
static int s_doc_file(const nominate_parse_t *p, const char *path, const char *file,
		      Lnob__Document *d, bool have_sha, bool have_size)
{
	char q[LNOB_QUOTE_MAX + 4], hex[65], full[4200];
	uint8_t sha[32] = { 0 }, *content = NULL;
	uint64_t size = 0;
	int rc;

	if (!p->base_dir || !p->base_dir[0] || strcmp(p->base_dir, ".") == 0)
		rc = snprintf(full, sizeof(full), "%s", file);
	else
		rc = snprintf(full, sizeof(full), "%s/%s", p->base_dir, file);
	if (rc < 0 || (size_t)rc >= sizeof(full))
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s.file: path too long: '%s'",
			      p->name, path, lnob_quote(q, file));
	if ((rc = s_inside(p, path, file, full)) < 0)
		return rc;
	rc = nominate_digest_file(full, p->o->attach_max, sha, &size, &content);
	if (rc == -ENOMEM)
		return lnob_errf(p->err, p->errlen, rc, "%s: out of memory", p->name);
	if (rc < 0)
		return lnob_errf(p->err, p->errlen, rc, "%s: %s.file: cannot read '%s': %s", p->name,
			      path, full, lnob_strerror(rc));
	if (have_sha && memcmp(sha, d->sha256.data, 32) != 0) {
		free(content);
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s.sha256: does not match "
			      "the file '%s' (its SHA-256 is %s)", p->name, path, full,
			      lnob_hex(hex, sha, 32));
	}
	if (have_size && d->size != size) {
		free(content);
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s.size: %llu, but the file "
			      "'%s' has %llu bytes", p->name, path, (unsigned long long)d->size,
			      full, (unsigned long long)size);
	}
	memcpy(d->sha256.data, sha, 32);
	d->size = size;
	d->content.data = content;
	d->content.len = content ? (size_t)size : 0;
	return 0;
}

/* The bytes of a document given as data (standard base64 with padding,
 * libsodium): digest, size and (up to attach_max) the bytes into d, which
 * must match the sha256 and size the JSON gave. */
static int s_doc_data(const nominate_parse_t *p, const char *path, const char *b64, size_t len,
		      Lnob__Document *d, bool have_sha, bool have_size)
{
	size_t max = len / 4 * 3 + 3, size = 0;
	uint8_t sha[32], *bin = malloc(max ? max : 1);
	char hex[65];
	int rc = 0;

	if (!bin)
		return lnob_errf(p->err, p->errlen, -ENOMEM, "%s: out of memory", p->name);
	if (sodium_init() < 0 ||
	    sodium_base642bin(bin, max, b64, len, NULL, &size, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		rc = lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s.data: not base64 (RFC 4648, "
			       "with padding)", p->name, path);
	else if (crypto_hash_sha256(sha, bin, size), have_sha && memcmp(sha, d->sha256.data, 32) != 0)
		rc = lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s.sha256: does not match "
			       "the data (its SHA-256 is %s)", p->name, path, lnob_hex(hex, sha, 32));
	else if (have_size && d->size != size)
		rc = lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s.size: %llu, but the data "
			       "has %zu bytes", p->name, path, (unsigned long long)d->size, size);
	if (rc < 0) {
		free(bin);
		return rc;
	}
	if (size == 0 || p->o->attach_max == 0 || size > p->o->attach_max) {
		free(bin);   /* digest only */
		bin = NULL;
	}
	memcpy(d->sha256.data, sha, 32);
	d->size = size;
	d->content.data = bin;
	d->content.len = bin ? size : 0;
	return 0;
}

/* True when s is exactly 64 hex digits. */
static bool s_is_hex64(const char *s)
{
	size_t i = 0;

	for (; s[i]; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return false;
	}
	return i == 64;
}

/* vote of a document of kind (path its JSON path): council minutes only,
 * and required there. */
static int s_doc_vote(const nominate_parse_t *p, const char *path, json_t *obj, int kind,
		      Lnob__Document *d)
{
	char sub[96], q[LNOB_QUOTE_MAX + 4];
	const char *vote = NULL;
	size_t len;
	int rc;

	snprintf(sub, sizeof(sub), "%s.vote", path);
	if ((rc = nominate_json_str(p, sub, json_object_get(obj, "vote"), &vote, &len)) < 0)
		return rc;
	if (kind != LNOB__DOCUMENT_KIND__DOCUMENT_COUNCIL_MINUTES) {
		if (vote)
			return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s: only "
					 "council_minutes carry a vote", p->name, sub);
		return 0;
	}
	if (!vote || !*vote)
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s: missing (the council "
				 "minutes carry the vote, e.g. \"9/11\")", p->name, sub);
	if (strlen(vote) != len || !s_valid_vote(vote))
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s: not FOR/MEMBERS with "
				 "FOR <= MEMBERS (e.g. \"9/11\"): '%s'", p->name, sub,
				 lnob_quote(q, vote));
	return nominate_json_text(p, sub, json_object_get(obj, "vote"), true, NOMINATE_NAME_MAX,
				  true, &d->vote);
}

/* sha256 and size of a document as given into d; *ret_sha and *ret_size
 * say whether they were. */
static int s_doc_digest(const nominate_parse_t *p, const char *path, json_t *obj,
			Lnob__Document *d, bool *ret_sha, bool *ret_size)
{
	char sub[96], q[LNOB_QUOTE_MAX + 4];
	const char *sha = NULL;
	json_t *size;
	size_t len;
	int rc;

	snprintf(sub, sizeof(sub), "%s.sha256", path);
	if ((rc = nominate_json_str(p, sub, json_object_get(obj, "sha256"), &sha, &len)) < 0)
		return rc;
	if (sha && (strlen(sha) != len || !s_is_hex64(sha) || lnob_unhex(d->sha256.data, 32, sha) < 0))
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s: not 64 hex digits: '%s'",
				 p->name, sub, lnob_quote(q, sha));
	size = json_object_get(obj, "size");
	if (size && json_is_null(size))
		size = NULL;
	if (size) {
		if (!json_is_integer(size) || json_integer_value(size) < 0)
			return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s.size: not an "
					 "integer >= 0: '%s'", p->name, path, intake_json_quote(q, size));
		d->size = (uint64_t)json_integer_value(size);
	}
	*ret_sha = sha != NULL;
	*ret_size = size != NULL;
	return 0;
}

/* The file of a document, its data, or the digest alone (then sha256 and
 * size are both required). */
static int s_doc_source(const nominate_parse_t *p, const char *path, json_t *obj,
			Lnob__Document *d, bool have_sha, bool have_size)
{
	const char *file = NULL, *data = NULL;
	char sub[96], dsub[96];
	size_t len, dlen = 0;
	int rc;

	snprintf(sub, sizeof(sub), "%s.file", path);
	snprintf(dsub, sizeof(dsub), "%s.data", path);
	if ((rc = nominate_json_str(p, sub, json_object_get(obj, "file"), &file, &len)) < 0 ||
	    (rc = nominate_json_str(p, dsub, json_object_get(obj, "data"), &data, &dlen)) < 0)
		return rc;
	if (file && p->o->no_files)
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s: not taken here: send "
				 "the document's bytes as data (base64)", p->name, sub);
	if (file && data)
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s: give file or data, not "
				 "both", p->name, dsub);
	if (file && (!*file || strlen(file) != len))
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s: empty", p->name, sub);
	if (file)
		return s_doc_file(p, path, file, d, have_sha, have_size);
	if (data)
		return s_doc_data(p, path, data, dlen, d, have_sha, have_size);
	if (!have_sha && !have_size)
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s: needs a %s, or sha256 "
				 "and size", p->name, path, p->o->no_files ? "data" : "file");
	if (!have_sha)
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s.sha256: missing (without "
				 "a file, give sha256 and size)", p->name, path);
	if (!have_size)
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s.size: missing (without "
				 "a file, give sha256 and size)", p->name, path);
	return 0;
}

/* One document of the dossier, dossier[i], into *ret (caller owns). */
static int s_json_document(const nominate_parse_t *p, size_t i, json_t *obj, Lnob__Document **ret)
{
	static const char *const known[] = { "kind", "title", "file", "data", "sha256", "size",
		"vote", NULL };
	char path[64], sub[96], q[LNOB_QUOTE_MAX + 4];
	Lnob__Document *d;
	bool have_sha = false, have_size = false;
	int kind = 0, rc;

	snprintf(path, sizeof(path), "dossier[%zu]", i);
	if (!json_is_object(obj))
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: %s: not an object: '%s'",
			      p->name, path, intake_json_quote(q, obj));
	snprintf(sub, sizeof(sub), "%s.", path);
	if ((rc = nominate_json_known(p, sub, obj, known)) < 0)
		return rc;
	if (!(d = s_document_new()))
		return lnob_errf(p->err, p->errlen, -ENOMEM, "%s: out of memory", p->name);
	snprintf(sub, sizeof(sub), "%s.kind", path);
	if ((rc = nominate_json_enum(p, sub, json_object_get(obj, "kind"), NOMINATE_DOCUMENT,
				     "kind", &kind)) < 0)
		goto fail;
	d->kind = (Lnob__DocumentKind)kind;
	snprintf(sub, sizeof(sub), "%s.title", path);
	if ((rc = nominate_json_text(p, sub, json_object_get(obj, "title"), true,
				     NOMINATE_NAME_MAX, true, &d->title)) < 0 ||
	    (rc = s_doc_vote(p, path, obj, kind, d)) < 0 ||
	    (rc = s_doc_digest(p, path, obj, d, &have_sha, &have_size)) < 0 ||
	    (rc = s_doc_source(p, path, obj, d, have_sha, have_size)) < 0)
		goto fail;
	*ret = d;
	return 0;
fail:
	nominate_document_free(d);
	return rc;
}

/* The dossier array into n, then the check that the three documents are
 * there. */
int nominate_json_dossier(const nominate_parse_t *p, json_t *arr, Lnob__Nomination *n)
{
	static const int need[] = { LNOB__DOCUMENT_KIND__DOCUMENT_PROPOSAL,
		LNOB__DOCUMENT_KIND__DOCUMENT_COUNCIL_MINUTES,
		LNOB__DOCUMENT_KIND__DOCUMENT_ACHIEVEMENT_REPORT };
	char q[LNOB_QUOTE_MAX + 4];
	size_t count;
	int rc;

	if (!arr || json_is_null(arr))
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: dossier: missing (a proposal, "
			      "council_minutes and achievement_report)", p->name);
	if (!json_is_array(arr))
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: dossier: not an array of "
			      "documents: '%s'", p->name, intake_json_quote(q, arr));
	count = json_array_size(arr);
	if (count > NOMINATE_DOSSIER_MAX)
		return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: dossier: %zu documents, more "
			      "than %d", p->name, count, NOMINATE_DOSSIER_MAX);
	if (count > 0 && !(n->dossier = calloc(count, sizeof(Lnob__Document *))))
		return lnob_errf(p->err, p->errlen, -ENOMEM, "%s: out of memory", p->name);
	for (size_t i = 0; i < count; i++) {
		Lnob__Document *d = NULL;

		if ((rc = s_json_document(p, i, json_array_get(arr, i), &d)) < 0)
			return rc;
		assert(d != NULL);
		n->dossier[n->n_dossier++] = d;
	}
	for (size_t k = 0; k < sizeof(need) / sizeof(need[0]); k++) {
		size_t i = 0;

		while (i < n->n_dossier && (int)n->dossier[i]->kind != need[k])
			i++;
		if (i == n->n_dossier)
			return lnob_errf(p->err, p->errlen, LNOB_E_INVALID, "%s: dossier: no %s (the "
				      "dossier needs a proposal, council_minutes and "
				      "achievement_report)", p->name,
				      nominate_code_name(NOMINATE_DOCUMENT, need[k]));
	}
	return 0;
}
