/* core/reviewer.c — reviewers, their keys and scope, and their lines in
 * an authorized_keys file (reviewer.h). */
#include "reviewer.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "audit.h"

#define COMMENT_PREFIX "hmx-reviewer:"

bool reviewer_name_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 32 || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return false;
	return true;
}

/* ---- keys ---------------------------------------------------------------------- */

static const char *const key_types[] = {
	"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
};

enum hmx_rc reviewer_parse_key(const char *line, char *type, char *b64, size_t b64n,
			       char *fingerprint, struct hmx_err *err)
{
	const char *p = line, *t0, *b0;
	size_t tl, bl, pad = 0;
	unsigned char *blob, md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int dl;
	bool known = false;
	char fp[64];

	while (*p == ' ' || *p == '\t')
		p++;
	t0 = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	tl = (size_t)(p - t0);
	while (*p == ' ' || *p == '\t')
		p++;
	b0 = p;
	while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
		p++;
	bl = (size_t)(p - b0);
	for (size_t i = 0; i < sizeof key_types / sizeof key_types[0]; i++)
		if (strlen(key_types[i]) == tl && strncmp(key_types[i], t0, tl) == 0)
			known = true;
	if (!known)
		return hmx_err_set(err, HMX_EINVAL,
				   "not an OpenSSH public key (\"ssh-ed25519 AAAA... comment\"): give the "
				   ".pub file");
	if (bl == 0 || bl % 4 != 0 || bl + 1 > b64n)
		return hmx_err_set(err, HMX_EINVAL, "the public key's base64 part is malformed");
	for (size_t i = 0; i < bl; i++)
		if (!isalnum((unsigned char)b0[i]) && !strchr("+/=", b0[i]))
			return hmx_err_set(err, HMX_EINVAL, "the public key's base64 part is malformed");
	if (!(blob = malloc(bl)))
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	dl = EVP_DecodeBlock(blob, (const unsigned char *)b0, (int)bl);
	if (b0[bl - 1] == '=')
		pad++;
	if (bl > 1 && b0[bl - 2] == '=')
		pad++;
	if (dl < 0 || (size_t)dl < pad + 4) {
		free(blob);
		return hmx_err_set(err, HMX_EINVAL, "the public key's base64 part is malformed");
	}
	dl -= (int)pad;
	{
		uint32_t n = (uint32_t)blob[0] << 24 | (uint32_t)blob[1] << 16 | (uint32_t)blob[2] << 8 |
			     blob[3];
		if (n != tl || (size_t)dl < 4 + tl || memcmp(blob + 4, t0, tl) != 0) {
			free(blob);
			return hmx_err_set(err, HMX_EINVAL,
					   "the public key's blob does not match its type %.*s", (int)tl, t0);
		}
	}
	if (!EVP_Digest(blob, (size_t)dl, md, &mdlen, EVP_sha256(), NULL)) {
		free(blob);
		return hmx_err_set(err, HMX_EINVAL, "cannot compute the key's fingerprint");
	}
	free(blob);
	memcpy(fp, "SHA256:", 7);
	EVP_EncodeBlock((unsigned char *)fp + 7, md, (int)mdlen);
	for (char *q = fp + 7; *q; q++)
		if (*q == '=') {
			*q = '\0';
			break;
		}
	memcpy(type, t0, tl);
	type[tl] = '\0';
	memcpy(b64, b0, bl);
	b64[bl] = '\0';
	hmx_strlcpy(fingerprint, fp, 64);
	return HMX_OK;
}

static enum hmx_rc read_key_file(const char *path, char *buf, size_t n, struct hmx_err *err)
{
	FILE *f = fopen(path, "r");
	size_t len;

	if (!f)
		return hmx_err_set(err, errno == ENOENT ? HMX_ENOTFOUND : HMX_EIO, "cannot read %s: %s",
				   path, strerror(errno));
	len = fread(buf, 1, n - 1, f);
	buf[len] = '\0';
	fclose(f);
	if (strstr(buf, "PRIVATE KEY"))
		return hmx_err_set(err, HMX_EINVAL,
				   "%s is a private key: give the public one (%s.pub)", path, path);
	return HMX_OK;
}

/* ---- scope --------------------------------------------------------------------- */

/* Writes the scope rows of reviewer rid (inside the caller's transaction). */
static enum hmx_rc write_scope(struct store *s, int64_t rid, const char *projects,
			       const char *agency, struct hmx_err *err)
{
	sqlite3_stmt *st;
	int64_t aid = 0;
	int rc, count = 0;

	if ((!projects || !*projects) == (!agency || !*agency))
		return hmx_err_set(err, HMX_EINVAL, "give the reviewer's projects (--projects P1,P2) "
				   "or agency (--agency A), one of the two");
	if (agency && *agency) {
		if ((aid = store_lookup_id(s, "SELECT id FROM agency WHERE code = ?1", agency, err)) < 0)
			return HMX_EDB;
		if (!aid)
			return hmx_err_set(err, HMX_ENOTFOUND, "no agency \"%s\" (see 'hmx project agencies')",
					   agency);
	}
	st = store_prepare(s, "DELETE FROM reviewer_project WHERE reviewer_id = ?1", err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, rid);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, err, "cannot change the reviewer's projects");
	st = store_prepare(s, "UPDATE reviewer SET agency_id = ?2 WHERE id = ?1", err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, rid);
	if (aid)
		sqlite3_bind_int64(st, 2, aid);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, err, "cannot change the reviewer's agency");
	if (aid)
		return HMX_OK;
	for (const char *p = projects; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char code[64];
		int64_t pid;

		if (len == 0 || len >= sizeof code)
			return hmx_err_set(err, HMX_EINVAL, "bad project list \"%s\": codes separated by commas",
					   projects);
		memcpy(code, p, len);
		code[len] = '\0';
		if ((pid = store_lookup_id(s, "SELECT id FROM project WHERE code = ?1", code, err)) < 0)
			return HMX_EDB;
		if (!pid)
			return hmx_err_set(err, HMX_ENOTFOUND, "no project \"%s\" (see 'hmx project list')",
					   code);
		if (++count > REVIEWER_MAX_PROJECTS)
			return hmx_err_set(err, HMX_EINVAL, "at most %d projects per reviewer: use --agency",
					   REVIEWER_MAX_PROJECTS);
		st = store_prepare(s, "INSERT OR IGNORE INTO reviewer_project(reviewer_id, project_id) "
				      "VALUES (?1, ?2)", err);
		if (!st)
			return HMX_EDB;
		sqlite3_bind_int64(st, 1, rid);
		sqlite3_bind_int64(st, 2, pid);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return store_fail(s, err, "cannot record the reviewer's projects");
		p = e ? e + 1 : p + len;
	}
	return HMX_OK;
}

static void scope_text(char *buf, size_t n, const char *projects, const char *agency)
{
	if (agency && *agency)
		snprintf(buf, n, "agency %.60s", agency);
	else
		snprintf(buf, n, "projects %.200s", projects ? projects : "");
}

/* ---- add, set, remove, read ------------------------------------------------------------ */

enum hmx_rc reviewer_add(struct store *s, const char *name, const char *pubkey_file,
			 const char *projects, const char *agency, struct hmx_err *err)
{
	char line[16384], type[40], fp[64], now[21], object[64], after[300];
	char *b64 = NULL;
	sqlite3_stmt *st;
	int64_t rid;
	enum hmx_rc rc;
	int src;

	if (!reviewer_name_valid(name))
		return hmx_err_set(err, HMX_EINVAL,
				   "bad reviewer name \"%s\": use 1-32 letters, digits, '-', '_' or '.'",
				   name ? name : "");
	if ((!projects || !*projects) == (!agency || !*agency))
		return hmx_err_set(err, HMX_EINVAL, "give the reviewer's projects (--projects P1,P2) "
				   "or agency (--agency A), one of the two");
	if ((rc = read_key_file(pubkey_file, line, sizeof line, err)) != HMX_OK)
		return rc;
	if (!(b64 = malloc(sizeof line)))
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	if ((rc = reviewer_parse_key(line, type, b64, sizeof line, fp, err)) != HMX_OK) {
		free(b64);
		return rc;
	}
	if ((rc = store_begin(s, err)) != HMX_OK) {
		free(b64);
		return rc;
	}
	if ((rid = store_lookup_id(s, "SELECT id FROM reviewer WHERE name = ?1", name, err)) != 0) {
		rc = rid < 0 ? HMX_EDB : hmx_err_set(err, HMX_EEXIST, "reviewer %s exists", name);
		goto fail;
	}
	if ((rid = store_lookup_id(s, "SELECT id FROM reviewer WHERE fingerprint = ?1", fp, err)) != 0) {
		rc = rid < 0 ? HMX_EDB
			     : hmx_err_set(err, HMX_EEXIST,
					   "this key (%s) already belongs to another reviewer", fp);
		goto fail;
	}
	hmx_now_utc(now);
	st = store_prepare(s, "INSERT INTO reviewer(name, key_type, pubkey, fingerprint, created_at, "
			      "created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err);
	if (!st) {
		rc = HMX_EDB;
		goto fail;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, b64, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, fp, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, hmx_actor(), -1, SQLITE_TRANSIENT);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		rc = store_fail(s, err, "cannot add the reviewer");
		goto fail;
	}
	rid = sqlite3_last_insert_rowid(store_db(s));
	if ((rc = write_scope(s, rid, projects, agency, err)) != HMX_OK)
		goto fail;
	snprintf(object, sizeof object, "reviewer/%s", name);
	scope_text(after, sizeof after, projects, agency);
	snprintf(after + strlen(after), sizeof after - strlen(after), ", key %s %s", type, fp);
	if ((rc = audit_write(s, "reviewer.add", object, NULL, after, err)) != HMX_OK)
		goto fail;
	free(b64);
	return store_commit(s, err);
fail:
	free(b64);
	store_rollback(s);
	return rc;
}

enum hmx_rc reviewer_set_scope(struct store *s, const char *name, const char *projects,
			       const char *agency, struct hmx_err *err)
{
	struct reviewer r;
	char object[64], before[600], after[300];
	enum hmx_rc rc;

	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	if ((rc = reviewer_get(s, name, &r, err)) != HMX_OK ||
	    (rc = write_scope(s, r.id, projects, agency, err)) != HMX_OK)
		goto fail;
	snprintf(object, sizeof object, "reviewer/%s", name);
	scope_text(before, sizeof before, r.projects, r.agency);
	scope_text(after, sizeof after, projects, agency);
	if ((rc = audit_write(s, "reviewer.set", object, before, after, err)) != HMX_OK)
		goto fail;
	return store_commit(s, err);
fail:
	store_rollback(s);
	return rc;
}

enum hmx_rc reviewer_remove(struct store *s, const char *name, struct hmx_err *err)
{
	struct reviewer r;
	sqlite3_stmt *st;
	char object[64], before[600];
	enum hmx_rc rc;
	int src;

	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	if ((rc = reviewer_get(s, name, &r, err)) != HMX_OK)
		goto fail;
	st = store_prepare(s, "DELETE FROM reviewer WHERE id = ?1", err);
	if (!st) {
		rc = HMX_EDB;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, r.id);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		rc = store_fail(s, err, "cannot remove the reviewer");
		goto fail;
	}
	snprintf(object, sizeof object, "reviewer/%s", name);
	scope_text(before, sizeof before, r.projects, r.agency);
	snprintf(before + strlen(before), sizeof before - strlen(before), ", key %s", r.fingerprint);
	if ((rc = audit_write(s, "reviewer.remove", object, before, NULL, err)) != HMX_OK)
		goto fail;
	return store_commit(s, err);
fail:
	store_rollback(s);
	return rc;
}

#define REVIEWER_SELECT                                                                          \
	"SELECT r.id, r.name, r.key_type, r.fingerprint, coalesce(a.code, ''), "                 \
	"coalesce((SELECT group_concat(code, ',') FROM (SELECT p.code FROM reviewer_project rp " \
	"JOIN project p ON p.id = rp.project_id WHERE rp.reviewer_id = r.id ORDER BY p.code)), "  \
	"''), r.created_at, r.created_by FROM reviewer r LEFT JOIN agency a ON a.id = r.agency_id "

static void read_reviewer(sqlite3_stmt *st, void *row)
{
	struct reviewer *r = row;

	r->id = sqlite3_column_int64(st, 0);
	store_col_text(st, 1, r->name, sizeof r->name);
	store_col_text(st, 2, r->key_type, sizeof r->key_type);
	store_col_text(st, 3, r->fingerprint, sizeof r->fingerprint);
	store_col_text(st, 4, r->agency, sizeof r->agency);
	store_col_text(st, 5, r->projects, sizeof r->projects);
	store_col_text(st, 6, r->created_at, sizeof r->created_at);
	store_col_text(st, 7, r->created_by, sizeof r->created_by);
}

enum hmx_rc reviewer_get(struct store *s, const char *name, struct reviewer *out,
			 struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, REVIEWER_SELECT "WHERE r.name = ?1", err);
	enum hmx_rc rc;
	bool found;

	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if ((rc = store_get_one(s, st, sizeof *out, read_reviewer, out, &found,
				"cannot read the reviewer", err)) != HMX_OK)
		return rc;
	return found ? HMX_OK
		     : hmx_err_set(err, HMX_ENOTFOUND,
				   "no reviewer \"%s\" (see 'hmx reviewer list')", name);
}

enum hmx_rc reviewer_list(struct store *s, struct reviewer **out, size_t *n, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, REVIEWER_SELECT "ORDER BY r.name", err);

	*out = NULL;
	*n = 0;
	if (!st)
		return HMX_EDB;
	return store_collect(s, st, sizeof **out, read_reviewer, (void **)out, n,
			     "cannot read the reviewers", err);
}

/* ---- authorized_keys ------------------------------------------------------------------- */

static bool path_ok(const char *p)
{
	if (!p || p[0] != '/')
		return false;
	for (; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
			return false;
	return true;
}

/* Appends s single-quoted for the shell ('\'' for a quote). */
static size_t put_quoted(char *buf, size_t n, size_t k, const char *s)
{
	k += (size_t)snprintf(buf + k, k < n ? n - k : 0, "'");
	for (; *s; s++) {
		if (*s == '\'')
			k += (size_t)snprintf(buf + k, k < n ? n - k : 0, "'\\''");
		else
			k += (size_t)snprintf(buf + k, k < n ? n - k : 0, "%c", *s);
	}
	return k + (size_t)snprintf(buf + k, k < n ? n - k : 0, "'");
}

enum hmx_rc reviewer_key_line(struct store *s, const char *name, const char *hmx_path,
			      const char *db_path, char *buf, size_t n, struct hmx_err *err)
{
	sqlite3_stmt *st;
	char type[40] = "", *b64 = NULL;
	size_t k = 0;
	int rc;

	if (!path_ok(hmx_path) || !path_ok(db_path))
		return hmx_err_set(err, HMX_EINVAL,
				   "the hmx and database paths must be absolute and hold no '\"', '\\' "
				   "or control characters");
	st = store_prepare(s, "SELECT key_type, pubkey FROM reviewer WHERE name = ?1", err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		store_col_text(st, 0, type, sizeof type);
		b64 = strdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? hmx_err_set(err, HMX_ENOTFOUND,
						       "no reviewer \"%s\" (see 'hmx reviewer list')", name)
					 : store_fail(s, err, "cannot read the reviewer");
	if (!b64)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	k += (size_t)snprintf(buf + k, n, "command=\"");
	k = put_quoted(buf, n, k, hmx_path);
	k += (size_t)snprintf(buf + k, k < n ? n - k : 0, " --db ");
	k = put_quoted(buf, n, k, db_path);
	k += (size_t)snprintf(buf + k, k < n ? n - k : 0,
			      " review --as %s\",restrict,pty %s %s " COMMENT_PREFIX "%s", name, type,
			      b64, name);
	free(b64);
	if (k >= n)
		return hmx_err_set(err, HMX_EINVAL, "the authorized_keys line is too long");
	return HMX_OK;
}

enum hmx_rc reviewer_default_keys_path(char *buf, size_t n, struct hmx_err *err)
{
	const char *home = getenv("HOME");

	if (!home || !*home)
		return hmx_err_set(err, HMX_EINVAL, "HOME is not set: give --authorized-keys FILE");
	if ((size_t)snprintf(buf, n, "%s/.ssh/authorized_keys", home) >= n)
		return hmx_err_set(err, HMX_EINVAL, "path too long");
	return HMX_OK;
}

/* Is this line the one of reviewer name? Its last field is the marker. */
static bool is_ours(const char *line, size_t len, const char *name)
{
	char marker[64];
	size_t ml;

	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	ml = (size_t)snprintf(marker, sizeof marker, " " COMMENT_PREFIX "%s", name);
	return len >= ml && memcmp(line + len - ml, marker, ml) == 0;
}

/* Does the line hold the base64 blob b64 as a field? */
static bool holds_key(const char *line, size_t len, const char *b64)
{
	size_t bl = strlen(b64);

	for (size_t i = 0; i + bl <= len; i++)
		if ((i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t') &&
		    memcmp(line + i, b64, bl) == 0 &&
		    (i + bl == len || line[i + bl] == ' ' || line[i + bl] == '\t' ||
		     line[i + bl] == '\r'))
			return true;
	return false;
}

/* The base64 field of one of our lines: the field before the marker. */
static void key_of_line(const char *line, char *b64, size_t n)
{
	const char *end = strrchr(line, ' '), *start;

	b64[0] = '\0';
	if (!end)
		return;
	start = end;
	while (start > line && start[-1] != ' ')
		start--;
	if ((size_t)(end - start) < n) {
		memcpy(b64, start, (size_t)(end - start));
		b64[end - start] = '\0';
	}
}

enum hmx_rc reviewer_write_keys(const char *path, const char *name, const char *line,
				struct hmx_err *err)
{
	char dir[4096], tmp[4200], b64[12288];
	char *data = NULL;
	size_t len = 0, cap = 0;
	const char *slash = strrchr(path, '/');
	FILE *in, *out = NULL;
	int fd, lineno = 0;
	bool failed = false;

	if (!reviewer_name_valid(name))
		return hmx_err_set(err, HMX_EINVAL, "bad reviewer name \"%s\"", name);
	if (slash && (size_t)(slash - path) >= sizeof dir)
		return hmx_err_set(err, HMX_EINVAL, "path too long: %s", path);
	if (slash) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		if (!dir[0])
			strcpy(dir, "/");
	} else {
		strcpy(dir, ".");
	}
	if (line)
		key_of_line(line, b64, sizeof b64);
	/* read the current file whole (small) */
	if ((in = fopen(path, "r")) != NULL) {
		char chunk[8192];
		size_t got;

		while ((got = fread(chunk, 1, sizeof chunk, in)) > 0) {
			char *nd;
			if (len + got + 1 > cap) {
				cap = (len + got + 1) * 2;
				if (!(nd = realloc(data, cap))) {
					free(data);
					fclose(in);
					return hmx_err_set(err, HMX_ENOMEM, "out of memory");
				}
				data = nd;
			}
			memcpy(data + len, chunk, got);
			len += got;
		}
		fclose(in);
	} else if (errno != ENOENT) {
		return hmx_err_set(err, HMX_EIO, "cannot read %s: %s", path, strerror(errno));
	} else if (!line) {
		return HMX_OK;
	} else if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		return hmx_err_set(err, HMX_EIO, "cannot create %s: %s", dir, strerror(errno));
	}
	/* another line with the same key wins in sshd: refuse */
	for (size_t i = 0; line && i < len;) {
		const char *e = memchr(data + i, '\n', len - i);
		size_t ll = e ? (size_t)(e - (data + i)) : len - i;

		lineno++;
		if (!is_ours(data + i, ll, name) && b64[0] && holds_key(data + i, ll, b64)) {
			free(data);
			return hmx_err_set(err, HMX_EEXIST,
					   "%s line %d already holds this key: sshd would use that line, "
					   "not the restricted one; remove it first",
					   path, lineno);
		}
		i += ll + 1;
	}
	if ((size_t)snprintf(tmp, sizeof tmp, "%s/.hmx-keys.XXXXXX", dir) >= sizeof tmp) {
		free(data);
		return hmx_err_set(err, HMX_EINVAL, "path too long: %s", path);
	}
	if ((fd = mkstemp(tmp)) < 0 || fchmod(fd, 0600) != 0 || !(out = fdopen(fd, "w"))) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(data);
		return hmx_err_set(err, HMX_EIO, "cannot write in %s: %s", dir, strerror(e));
	}
	for (size_t i = 0; i < len;) {
		const char *e = memchr(data + i, '\n', len - i);
		size_t ll = e ? (size_t)(e - (data + i)) : len - i;

		if (!is_ours(data + i, ll, name)) {
			fwrite(data + i, 1, ll, out);
			fputc('\n', out);
		}
		i += ll + 1;
	}
	if (line)
		fprintf(out, "%s\n", line);
	free(data);
	if (fflush(out) != 0 || fsync(fileno(out)) != 0)
		failed = true;
	if (fclose(out) != 0)
		failed = true;
	if (failed || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		return hmx_err_set(err, HMX_EIO, "cannot write %s: %s", path, strerror(e));
	}
	return HMX_OK;
}
