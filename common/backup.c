/* backup.c: backups of a daemon's store (see backup.h). */
#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lnob_err.h"
#include "util.h"

#define S_PATH 4200
/* Largest manifest read back. */
#define S_MANIFEST_MAX ((size_t)1 << 20)

/* The SHA-256 (hex) and size of the file open at fd, read from its start. */
static int s_digest_fd(int fd, char hex[65], long long *ret_bytes)
{
	crypto_hash_sha256_state h;
	unsigned char buf[1 << 16], d[crypto_hash_sha256_BYTES];
	long long total = 0;
	ssize_t n;

	crypto_hash_sha256_init(&h);
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		crypto_hash_sha256_update(&h, buf, (unsigned long long)n);
		total += n;
	}
	crypto_hash_sha256_final(&h, d);
	sodium_bin2hex(hex, 65, d, sizeof(d));
	*ret_bytes = total;
	return 0;
}

/* Syncs the directory dir. */
static int s_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

int backup_fresh(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[S_PATH];
	struct stat st;
	int r;

	if ((r = lnob_mkdirs(dir)) < 0)
		return lnob_errf(err, errlen, r, "%s: cannot create directory: %s", dir,
				 lnob_strerror(r));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (lstat(path, &st) == 0)
		return lnob_errf(err, errlen, LNOB_E_EXISTS, "%s: exists already; give a new "
				 "directory", path);
	return 0;
}

/* Copies the store into dir/data.mdb (a temporary renamed), its digest
 * and size into hex and *bytes. */
static int s_copy(store_t *st, const char *dir, char hex[65], long long *bytes, char *err,
		  size_t errlen)
{
	char tmp[S_PATH], path[S_PATH];
	int fd, r;

	snprintf(tmp, sizeof(tmp), "%s/data.mdb.tmp.%ld", dir, (long)getpid());
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return lnob_errf(err, errlen, -errno, "%s: %s", tmp, strerror(errno));
	if ((r = store_copy_to_fd(st, fd)) < 0) {
		lnob_errf(err, errlen, r, "%s: copying the store %s: %s", tmp, store_dir(st),
			  lnob_strerror(r));
	} else {
		if (fsync(fd) < 0)
			r = -errno;
		else
			r = s_digest_fd(fd, hex, bytes);
		if (r < 0)
			lnob_errf(err, errlen, r, "%s: %s", tmp, lnob_strerror(r));
	}
	close(fd);
	if (r == 0 && rename(tmp, path) < 0)
		r = lnob_errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (r < 0)
		unlink(tmp);
	return r == 0 ? s_sync_dir(dir) : r;
}

int backup_write(store_t *st, const char *dir, const char *program, const char *node,
		 const json_t *extra, char *err, size_t errlen)
{
	char hex[65], path[S_PATH], *text;
	long long bytes = 0;
	json_t *m;
	int r;

	if ((r = backup_fresh(dir, "manifest.json", err, errlen)) < 0 ||
	    (r = backup_fresh(dir, "data.mdb", err, errlen)) < 0 ||
	    (r = s_copy(st, dir, hex, &bytes, err, errlen)) < 0)
		return r;
	m = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "format", BACKUP_FORMAT,
		      "program", program, "node", node, "source", store_dir(st),
		      "created_at", (json_int_t)lnob_now_s(), "bytes", (json_int_t)bytes,
		      "sha256", hex);
	if (m && extra)
		json_object_update(m, (json_t *)extra);
	text = m ? json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(m);
	if (!text)
		return lnob_errf(err, errlen, -ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	r = lnob_write_file_atomic(path, text, strlen(text), 0600);
	free(text);
	return r < 0 ? lnob_errf(err, errlen, r, "%s: %s", path, lnob_strerror(r)) : 0;
}

/* The manifest of dir, checked for program. */
static int s_manifest(const char *dir, const char *program, json_t **ret, char *err,
		      size_t errlen)
{
	char path[S_PATH], *text = NULL;
	json_error_t je;
	json_t *m;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	if ((r = lnob_read_file(path, S_MANIFEST_MAX, &text, &len)) < 0)
		return lnob_errf(err, errlen, r, "%s: %s (not a finished backup)", path,
				 lnob_strerror(r));
	m = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	free(text);
	if (!m || !json_is_object(m))
		r = lnob_errf(err, errlen, LNOB_E_INVALID, "%s:%d:%d: %s", path, je.line, je.column,
			      m ? "not a JSON object" : je.text);
	else if (!json_is_string(json_object_get(m, "format")) ||
		 strcmp(json_string_value(json_object_get(m, "format")), BACKUP_FORMAT) != 0)
		r = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: format: not %s", path,
			      BACKUP_FORMAT);
	else if (!json_is_string(json_object_get(m, "program")) ||
		 strcmp(json_string_value(json_object_get(m, "program")), program) != 0)
		r = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: program: a backup of %s, not of %s",
			      path, json_is_string(json_object_get(m, "program")) ?
			      json_string_value(json_object_get(m, "program")) : "?", program);
	if (r < 0) {
		json_decref(m);
		return r;
	}
	*ret = m;
	return 0;
}

int backup_check(const char *dir, const char *program, json_t **ret, char *err,
		 size_t errlen)
{
	char path[S_PATH], hex[65];
	const char *want;
	long long bytes = 0;
	json_t *m = NULL;
	int fd, r;

	if ((r = s_manifest(dir, program, &m, err, errlen)) < 0)
		return r;
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		r = lnob_errf(err, errlen, -errno, "%s: %s", path, strerror(errno));
	else if ((r = s_digest_fd(fd, hex, &bytes)) < 0)
		lnob_errf(err, errlen, r, "%s: %s", path, lnob_strerror(r));
	if (fd >= 0)
		close(fd);
	want = json_string_value(json_object_get(m, "sha256"));
	if (r == 0 && (!want || strcmp(want, hex) != 0 ||
		       json_integer_value(json_object_get(m, "bytes")) != bytes))
		r = lnob_errf(err, errlen, LNOB_E_INVALID, "%s: %lld bytes, SHA-256 %s: not what "
			      "manifest.json says (damaged or changed since the backup)", path,
			      bytes, hex);
	if (r == 0 && ret)
		*ret = json_incref(m);
	json_decref(m);
	return r;
}

/* Writes all of buf[0..n) to fd. */
static int s_write_all(int fd, const unsigned char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Copies the open in to the open out, to its end. */
static int s_stream(int in, int out)
{
	unsigned char buf[1 << 16];
	ssize_t n;
	int r;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if ((r = s_write_all(out, buf, (size_t)n)) < 0)
			return r;
	}
	return fsync(out) < 0 ? -errno : 0;
}

/* Copies src to dir/data.mdb (a temporary renamed), 0600, synced. */
static int s_copy_file(const char *src, const char *dir, char *err, size_t errlen)
{
	char tmp[S_PATH], dst[S_PATH];
	int in, out, r;

	snprintf(tmp, sizeof(tmp), "%s/data.mdb.tmp.%ld", dir, (long)getpid());
	snprintf(dst, sizeof(dst), "%s/data.mdb", dir);
	if ((in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return lnob_errf(err, errlen, -errno, "%s: %s", src, strerror(errno));
	if ((out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		r = lnob_errf(err, errlen, -errno, "%s: %s", tmp, strerror(errno));
		close(in);
		return r;
	}
	if ((r = s_stream(in, out)) < 0)
		lnob_errf(err, errlen, r, "%s: %s", tmp, lnob_strerror(r));
	close(in);
	close(out);
	if (r == 0 && rename(tmp, dst) < 0)
		r = lnob_errf(err, errlen, -errno, "%s: %s", dst, strerror(errno));
	if (r < 0)
		unlink(tmp);
	return r == 0 ? s_sync_dir(dir) : r;
}

int backup_install(const char *dir, const char *data_dir, char *err, size_t errlen)
{
	char src[S_PATH];
	int r;

	if ((r = backup_fresh(data_dir, "data.mdb", err, errlen)) < 0)
		return r;
	snprintf(src, sizeof(src), "%s/data.mdb", dir);
	return s_copy_file(src, data_dir, err, errlen);
}

int backup_restore(const char *dir, const char *data_dir, const char *program, char *err,
		   size_t errlen)
{
	int r = backup_check(dir, program, NULL, err, errlen);

	return r < 0 ? r : backup_install(dir, data_dir, err, errlen);
}
