/* core/hmx.c — status codes, error buffer, hooks, clock and actor. */
#include "hmx.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>

static struct hmx_hooks hooks;

enum hmx_rc hmx_err_set(struct hmx_err *err, enum hmx_rc rc, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		err->rc = rc;
	}
	return rc;
}

void hmx_err_clear(struct hmx_err *err)
{
	if (err) {
		err->rc = HMX_OK;
		err->msg[0] = '\0';
	}
}

const char *hmx_rc_name(enum hmx_rc rc)
{
	switch (rc) {
	case HMX_OK: return "ok";
	case HMX_EINVAL: return "invalid input";
	case HMX_ENOTFOUND: return "not found";
	case HMX_EEXIST: return "already exists";
	case HMX_ESTATE: return "refused";
	case HMX_EDB: return "database error";
	case HMX_ENEWER: return "database from a newer hmx";
	case HMX_EIO: return "i/o error";
	case HMX_ENOMEM: return "out of memory";
	}
	return "unknown error";
}

void hmx_hooks_install(const struct hmx_hooks *h)
{
	if (h)
		hooks = *h;
	else
		memset(&hooks, 0, sizeof hooks);
}

void hmx_log(enum hmx_log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!hooks.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	hooks.log(hooks.ctx, level, line);
}

void hmx_progress(const char *what, uint64_t done, uint64_t total)
{
	if (hooks.progress)
		hooks.progress(hooks.ctx, what, done, total);
}

bool hmx_confirm(const char *question)
{
	return hooks.confirm ? hooks.confirm(hooks.ctx, question) : false;
}

void hmx_now_utc(char buf[static 21])
{
	const char *fixed = getenv("HMX_NOW");
	time_t t;
	struct tm tm;

	if (fixed && strlen(fixed) == 20) {
		memcpy(buf, fixed, 21);
		return;
	}
	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

const char *hmx_actor(void)
{
	static char name[64];
	const char *s = getenv("HMX_USER");
	struct passwd *pw;

	if (!s || !*s)
		s = getenv("USER");
	if (!s || !*s) {
		pw = getpwuid(getuid());
		s = pw ? pw->pw_name : "unknown";
	}
	hmx_strlcpy(name, s, sizeof name);
	return name;
}

char *hmx_strlcpy(char *dst, const char *src, size_t n)
{
	size_t len;

	if (n == 0)
		return dst;
	len = strlen(src);
	if (len >= n) {
		len = n - 1;
		/* back up over UTF-8 continuation bytes so no character is cut */
		while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(dst, src, len);
	dst[len] = '\0';
	return dst;
}

void *hmx_grow(void *arr, size_t *cap, size_t count, size_t elem)
{
	size_t ncap;
	void *n;

	if (count < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap > SIZE_MAX / elem)
		return NULL;
	n = realloc(arr, ncap * elem);
	if (n)
		*cap = ncap;
	return n;
}

char *hmx_human_size(char *buf, size_t n, uint64_t size)
{
	if (size < 1024)
		snprintf(buf, n, "%llu B", (unsigned long long)size);
	else if (size < 1024 * 1024)
		snprintf(buf, n, "%.1f KiB", (double)size / 1024);
	else if (size < 1024ull * 1024 * 1024)
		snprintf(buf, n, "%.1f MiB", (double)size / (1024.0 * 1024));
	else
		snprintf(buf, n, "%.1f GiB", (double)size / (1024.0 * 1024 * 1024));
	return buf;
}

int hmx_name_index(const char *const *names, int n, const char *s)
{
	for (int i = 0; s && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* ---- SHA-256 ------------------------------------------------------------------ */

void hmx_hex(const unsigned char *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

enum hmx_rc hmx_sha256_fd(EVP_MD_CTX *md, int fd, uint64_t n, const char *path,
			  struct hmx_err *err)
{
	char *buf = malloc(1u << 20);
	uint64_t off = 0;

	if (!buf)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	while (off < n) {
		size_t want = n - off < (1u << 20) ? (size_t)(n - off) : (1u << 20);
		ssize_t k = pread(fd, buf, want, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k == 0 && n == UINT64_MAX)
			break;
		if (k <= 0 || !EVP_DigestUpdate(md, buf, (size_t)k)) {
			int e = errno;

			free(buf);
			return hmx_err_set(err, HMX_EIO, "%s: cannot read: %s", path,
					   k < 0 ? strerror(e) : "shorter than expected");
		}
		off += (uint64_t)k;
	}
	free(buf);
	return HMX_OK;
}

enum hmx_rc hmx_sha256_hex(EVP_MD_CTX *md, char hex[65], struct hmx_err *err)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_DigestFinal_ex(md, d, &n) || n != 32)
		return hmx_err_set(err, HMX_EIO, "SHA-256 failed");
	hmx_hex(d, 32, hex);
	return HMX_OK;
}

enum hmx_rc hmx_sha256_file(const char *path, char hex[65], struct hmx_err *err)
{
	EVP_MD_CTX *md;
	enum hmx_rc rc;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return hmx_err_set(err, HMX_EIO, "%s: %s", path, strerror(errno));
	if (!(md = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
	else if ((rc = hmx_sha256_fd(md, fd, UINT64_MAX, path, err)) == HMX_OK)
		rc = hmx_sha256_hex(md, hex, err);
	EVP_MD_CTX_free(md);
	close(fd);
	return rc;
}
