/* core/intake.c — recording an incoming export: the content-addressed copy
 * in the workspace, its facts and per-project counts, the intake row and
 * the X05/X07 findings (see intake.h). */
#include "intake.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zip.h>

#include "audit.h"
#include "cycle.h"
#include "hmiscsv.h"
#include "registry.h"
#include "review.h"
#include "spec.h"
#include "validate.h"
#include "validate_store.h"

/* ---- what each cycle kind expects ------------------------------------- */

/* Seed 000: the RDC-direct projects' files are downloaded from the RDC
 * ([1] bullet 2), the outside agencies' files are received ([2] bullet 1),
 * and the reporting group's export is built from the HMIS ([4] bullet 3).
 * The sub-items ticked and the deadlines are the templates' steps. */
static const struct intake_kind_rule kind_rules[] = {
	{ "rdc-download", "rdc", "download", "download" },
	{ "agency-intake", "agency", "receive", "receive" },
	{ "rdc-upload", "hmis", "", "build-export" },
	/* [2] bullet 2: the vendor's demo-site export, validated and reviewed */
	{ "import", "demo", "", "" },
};

const struct intake_kind_rule *intake_kind_rule(const char *kind)
{
	for (size_t i = 0; i < sizeof kind_rules / sizeof kind_rules[0]; i++)
		if (strcmp(kind_rules[i].kind, kind) == 0)
			return &kind_rules[i];
	return NULL;
}

static bool valid_handle(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 32 || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return false;
	return true;
}

bool intake_source_valid(const char *s)
{
	if (!s)
		return false;
	if (strcmp(s, "hmis") == 0 || strcmp(s, "rdc") == 0 || strcmp(s, "demo") == 0)
		return true;
	return strncmp(s, "agency:", 7) == 0 && valid_handle(s + 7);
}

bool intake_is_zip(const char *path)
{
	unsigned char m[4] = { 0 };
	FILE *f = fopen(path, "rb");
	bool z;

	if (!f)
		return false;
	z = fread(m, 1, 4, f) == 4 && m[0] == 'P' && m[1] == 'K' && m[2] == 3 && m[3] == 4;
	fclose(f);
	return z;
}

/* ---- small helpers ------------------------------------------------------- */

/* Copies p[0..len) into dst (size n) as printable UTF-8: control bytes and
 * invalid sequences become '?', cut on a character boundary. */
static void printable(char *dst, size_t n, const char *p, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < n;) {
		unsigned char c = (unsigned char)p[i];
		size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 :
			   (c & 0xF8) == 0xF0 ? 4 : 0;
		bool ok = k > 0 && i + k <= len && !(k == 2 && c < 0xC2);

		for (size_t j = 1; ok && j < k; j++)
			ok = ((unsigned char)p[i + j] & 0xC0) == 0x80;
		if (!ok || (k == 1 && (c < 0x20 || c == 0x7f))) {
			dst[o++] = '?';
			i++;
			continue;
		}
		if (o + k >= n)
			break;
		memcpy(dst + o, p + i, k);
		o += k;
		i += k;
	}
	dst[o] = '\0';
}

static const char *sev_of(const struct spec_checks *cat, const char *check)
{
	const struct spec_check *k = cat ? spec_check_find(cat, check) : NULL;

	return k ? spec_severity_name(k->severity) : "warning";
}

/* Folder of the database ("." when the path has no slash) into buf. */
static enum hmx_rc workspace_dir(struct store *s, char *buf, size_t n, struct hmx_err *err)
{
	const char *p = store_path(s);
	const char *slash = strrchr(p, '/');
	size_t len = slash ? (size_t)(slash - p) : 1;

	if (slash == p)
		len = 1;
	if (len + 1 > n)
		return hmx_err_set(err, HMX_EINVAL, "workspace path too long");
	memcpy(buf, slash ? p : ".", len);
	buf[len] = '\0';
	return HMX_OK;
}

enum hmx_rc intake_blob_path(struct store *s, const char *sha256, char *buf, size_t n,
			     struct hmx_err *err)
{
	char ws[4096];
	enum hmx_rc rc = workspace_dir(s, ws, sizeof ws, err);

	if (rc != HMX_OK)
		return rc;
	if ((size_t)snprintf(buf, n, "%s/files/%s.zip", ws, sha256) >= n)
		return hmx_err_set(err, HMX_EINVAL, "workspace path too long");
	return HMX_OK;
}

/* The files folder next to the database, created 0700 when missing. */
static enum hmx_rc files_dir(struct store *s, char *buf, size_t n, struct hmx_err *err)
{
	char ws[4096];
	struct stat st;
	enum hmx_rc rc = workspace_dir(s, ws, sizeof ws, err);

	if (rc != HMX_OK)
		return rc;
	if ((size_t)snprintf(buf, n, "%s/files", ws) >= n)
		return hmx_err_set(err, HMX_EINVAL, "workspace path too long");
	if (mkdir(buf, 0700) != 0 && errno != EEXIST)
		return hmx_err_set(err, HMX_EIO, "cannot create the files folder %s: %s", buf,
				   strerror(errno));
	if (stat(buf, &st) != 0)
		return hmx_err_set(err, HMX_EIO, "cannot use the files folder %s: %s", buf,
				   strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return hmx_err_set(err, HMX_EIO,
				   "cannot use the files folder %s: it is not a directory (move it away)", buf);
	if (st.st_mode & 077)
		hmx_log(HMX_LOG_WARN, "%s is open to other users (mode %03o): run 'chmod 700 %s'",
			buf, (unsigned)(st.st_mode & 0777), buf);
	return HMX_OK;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* A hint for errors that mean "no room": nothing was kept, make room. */
static const char *space_hint(int e)
{
	return e == ENOSPC || e == EFBIG || e == EDQUOT ?
		" (the disk is full or a file-size limit was reached: nothing was kept; make room "
		"and try again)" : "";
}

/* Reads fd to its end through SHA-256, writing every byte to out_fd too
 * unless it is -1. Sets sha and *size. what names the input for errors. */
static enum hmx_rc hash_fd(int fd, int out_fd, const char *what, const char *to, char sha[65],
			   uint64_t *size, struct hmx_err *err)
{
	enum { CHUNK = 1 << 20 };
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char *buf = malloc(CHUNK);
	enum hmx_rc rc = HMX_OK;
	uint64_t total = 0;

	if (!ctx || !buf || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		rc = hmx_err_set(err, HMX_ENOMEM, "out of memory (SHA-256)");
		goto done;
	}
	for (;;) {
		ssize_t got = read(fd, buf, CHUNK);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = hmx_err_set(err, HMX_EIO, "cannot read %s: %s", what, strerror(errno));
			goto done;
		}
		if (got == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)got);
		total += (uint64_t)got;
		for (ssize_t off = 0; out_fd >= 0 && off < got;) {
			ssize_t w = write(out_fd, buf + off, (size_t)(got - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = hmx_err_set(err, HMX_EIO, "cannot write %s: %s%s", to, strerror(errno),
						 space_hint(errno));
				goto done;
			}
			off += w;
		}
		hmx_progress("storing", total, 0);
	}
	if ((rc = hmx_sha256_hex(ctx, sha, err)) != HMX_OK)
		goto done;
	*size = total;
done:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return rc;
}

/* Syncs, makes read-only and hashes a finished temporary file. */
static enum hmx_rc seal_tmp(const char *tmp, char sha[65], uint64_t *size, struct hmx_err *err)
{
	int fd = open(tmp, O_RDONLY | O_CLOEXEC);
	enum hmx_rc rc;

	if (fd < 0)
		return hmx_err_set(err, HMX_EIO, "cannot read %s: %s", tmp, strerror(errno));
	rc = hash_fd(fd, -1, tmp, NULL, sha, size, err);
	if (rc == HMX_OK && fsync(fd) != 0)
		rc = hmx_err_set(err, HMX_EIO, "cannot write %s: %s", tmp, strerror(errno));
	if (rc == HMX_OK && fchmod(fd, 0400) != 0)
		rc = hmx_err_set(err, HMX_EIO, "cannot protect %s: %s", tmp, strerror(errno));
	close(fd);
	return rc;
}

/* Copies the zip at path to a new temporary file in dir (name into tmp). */
static enum hmx_rc copy_zip(const char *path, const char *dir, char *tmp, size_t n, char sha[65],
			    uint64_t *size, struct hmx_err *err)
{
	int in, out;
	enum hmx_rc rc;

	if ((size_t)snprintf(tmp, n, "%s/.intake-XXXXXX", dir) >= n)
		return hmx_err_set(err, HMX_EINVAL, "workspace path too long");
	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return hmx_err_set(err, HMX_EIO, "cannot read %s: %s", path, strerror(errno));
	out = mkstemp(tmp);
	if (out < 0) {
		rc = hmx_err_set(err, HMX_EIO, "cannot write in %s: %s", dir, strerror(errno));
		close(in);
		tmp[0] = '\0';
		return rc;
	}
	rc = hash_fd(in, out, path, dir, sha, size, err);
	if (rc == HMX_OK && fsync(out) != 0)
		rc = hmx_err_set(err, HMX_EIO, "cannot write in %s: %s%s", dir, strerror(errno),
				 space_hint(errno));
	if (rc == HMX_OK && fchmod(out, 0400) != 0)
		rc = hmx_err_set(err, HMX_EIO, "cannot protect %s: %s", tmp, strerror(errno));
	if (close(out) != 0 && rc == HMX_OK)
		rc = hmx_err_set(err, HMX_EIO, "cannot write in %s: %s%s", dir, strerror(errno),
				 space_hint(errno));
	close(in);
	return rc;
}

/* Zips the entries of the folder package pkg (at path) into a new
 * temporary file in dir, deterministically: entries in path order, fixed
 * DOS time (1980-01-01 00:00), fixed Unix mode 0644, deflate at level 1
 * (fast: the export is read again right away, and kept, not shipped). The same
 * files give the same bytes, so the same folder is recognised. */
static enum hmx_rc pack_folder(struct hmiscsv *pkg, const char *path, const char *dir, char *tmp,
			       size_t n, char sha[65], uint64_t *size, struct hmx_err *err)
{
	static unsigned serial;
	zip_t *za;
	int zerr = 0;
	enum hmx_rc rc = HMX_OK;

	if ((size_t)snprintf(tmp, n, "%s/.intake-%ld-%u.zip", dir, (long)getpid(), ++serial) >= n)
		return hmx_err_set(err, HMX_EINVAL, "workspace path too long");
	za = zip_open(tmp, ZIP_CREATE | ZIP_EXCL, &zerr);
	if (!za) {
		zip_error_t ze;

		zip_error_init_with_code(&ze, zerr);
		rc = hmx_err_set(err, HMX_EIO, "cannot write in %s: %s", dir, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		tmp[0] = '\0';
		return rc;
	}
	for (size_t i = 0; rc == HMX_OK && i < hmiscsv_count(pkg); i++) {
		const struct hmiscsv_entry *e = hmiscsv_entry(pkg, i);
		char full[8192];
		struct stat st;
		zip_source_t *src;
		zip_int64_t idx;
		FILE *fp;
		int fd;

		if ((size_t)snprintf(full, sizeof full, "%s/%s", path, e->path) >= sizeof full) {
			rc = hmx_err_set(err, HMX_EINVAL, "path too long: %s", e->path);
			break;
		}
		fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			rc = hmx_err_set(err, HMX_EIO, "cannot read %s: %s", full,
					 fd < 0 ? strerror(errno) : "not a regular file");
			if (fd >= 0)
				close(fd);
			break;
		}
		if (!(fp = fdopen(fd, "rb"))) {
			close(fd);
			rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
			break;
		}
		if (!(src = zip_source_filep(za, fp, 0, -1))) {
			fclose(fp);
			rc = hmx_err_set(err, HMX_EIO, "cannot pack %s: %s", full, zip_strerror(za));
			break;
		}
		idx = zip_file_add(za, e->path, src, ZIP_FL_ENC_UTF_8);
		if (idx < 0) {
			zip_source_free(src);
			rc = hmx_err_set(err, HMX_EIO, "cannot pack %s: %s", full, zip_strerror(za));
			break;
		}
		if (zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 1) != 0 ||
		    zip_file_set_dostime(za, (zip_uint64_t)idx, 0, (0 << 9) | (1 << 5) | 1, 0) != 0 ||
		    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
						     (zip_uint32_t)0100644 << 16) != 0)
			rc = hmx_err_set(err, HMX_EIO, "cannot pack %s: %s", full, zip_strerror(za));
	}
	if (rc != HMX_OK) {
		zip_discard(za);
		unlink(tmp);
		tmp[0] = '\0';
		return rc;
	}
	if (zip_close(za) != 0) {
		zip_error_t *ze = zip_get_error(za);

		rc = hmx_err_set(err, HMX_EIO, "cannot write the zipped folder in %s: %s%s", dir,
				 zip_strerror(za),
				 zip_error_system_type(ze) == ZIP_ET_SYS ?
					 space_hint(zip_error_code_system(ze)) : "");
		zip_discard(za);
		unlink(tmp);
		tmp[0] = '\0';
		return rc;
	}
	return seal_tmp(tmp, sha, size, err);
}

/* ---- reading the export: facts and counts ------------------------------ */

enum { MAXPICK = 8 };

struct scan {
	sqlite3 *db;                 /* private temporary database */
	sqlite3_stmt *ins;           /* insert of the file being read */
	const char *const *want;     /* column names to find */
	size_t nwant;
	int pos[MAXPICK];            /* header position of want[i], -1 */
	int (*row)(struct scan *sc, const struct hcsv_row *r);
	uint64_t rows;               /* live rows taken */
	uint64_t line;               /* ordinal for Project.csv */
	bool header;
	bool db_failed;
	bool no_memory;
	struct intake_info *info;    /* Export.csv facts go here */
	/* per-file counts (count_row): live rows per ProjectID of the file
	 * being read, its EnrollmentID looked up in e; the last EnrollmentID
	 * and its slot are remembered, as rows of one enrollment come
	 * together */
	sqlite3_stmt *look;
	struct tally {
		char pid[64];
		uint64_t n;
	} *tally;
	size_t ntally, captally, last_slot;
	char last_eid[257];
	size_t last_len;
	bool have_last;
};

static int scan_header(void *ctx, const struct hcsv_header *h)
{
	struct scan *sc = ctx;

	sc->header = true;
	for (size_t k = 0; k < sc->nwant; k++) {
		sc->pos[k] = -1;
		for (size_t i = 0; i < h->ncols; i++) {
			if (h->names[i].len == strlen(sc->want[k]) &&
			    strncasecmp(h->names[i].p, sc->want[k], h->names[i].len) == 0) {
				sc->pos[k] = (int)i;
				break;
			}
		}
	}
	return 0;
}

/* Field k of the wanted columns in r; NULL when absent. */
static const struct hcsv_field *pick(const struct scan *sc, const struct hcsv_row *r, size_t k)
{
	int p = sc->pos[k];

	return p >= 0 && (size_t)p < r->nfields ? &r->f[p] : NULL;
}

static bool empty(const struct hcsv_field *f)
{
	return !f || f->len == 0;
}

static int scan_row(void *ctx, const struct hcsv_header *h, const struct hcsv_row *r)
{
	struct scan *sc = ctx;

	(void)h;
	return sc->row(sc, r);
}

static const char *const export_cols[] = { "ExportID",     "SourceName",      "SoftwareName",
					   "CSVVersion",   "ExportDate",      "ExportStartDate",
					   "ExportEndDate", "HashStatus" };

static void take(char *dst, size_t n, const struct hcsv_field *f)
{
	if (f)
		printable(dst, n, f->p, f->len);
	else
		dst[0] = '\0';
}

static int export_row(struct scan *sc, const struct hcsv_row *r)
{
	struct intake_info *in = sc->info;
	const struct hcsv_field *hs = pick(sc, r, 7);
	char num[16];

	take(in->export_id, sizeof in->export_id, pick(sc, r, 0));
	take(in->source_name, sizeof in->source_name, pick(sc, r, 1));
	take(in->software, sizeof in->software, pick(sc, r, 2));
	take(in->csv_version, sizeof in->csv_version, pick(sc, r, 3));
	take(in->export_date, sizeof in->export_date, pick(sc, r, 4));
	take(in->export_start, sizeof in->export_start, pick(sc, r, 5));
	take(in->export_end, sizeof in->export_end, pick(sc, r, 6));
	in->hash_status = -1;
	if (hs && hs->len > 0 && hs->len < sizeof num) {
		char *end;
		long v;

		memcpy(num, hs->p, hs->len);
		num[hs->len] = '\0';
		v = strtol(num, &end, 10);
		if (!*end && v >= 0 && v < 100)
			in->hash_status = (int)v;
	}
	sc->rows++;
	return 1; /* the first record is all we need */
}

/* Binds field f (as text, at most cap bytes) to parameter i. */
static void bind_field(sqlite3_stmt *st, int i, const struct hcsv_field *f, size_t cap)
{
	if (!f)
		sqlite3_bind_text(st, i, "", 0, SQLITE_STATIC);
	else
		sqlite3_bind_text(st, i, f->p, (int)(f->len < cap ? f->len : cap), SQLITE_STATIC);
}

static int insert_row(struct scan *sc)
{
	int rc = sqlite3_step(sc->ins);

	sqlite3_reset(sc->ins);
	if (rc != SQLITE_DONE) {
		sc->db_failed = true;
		return 1;
	}
	sc->rows++;
	return 0;
}

static const char *const project_cols[] = { "ProjectID", "ProjectName", "DateDeleted" };

static int project_row(struct scan *sc, const struct hcsv_row *r)
{
	const struct hcsv_field *id = pick(sc, r, 0), *name = pick(sc, r, 1);
	char buf[128];

	sc->line++;
	if (empty(id) || !empty(pick(sc, r, 2)))
		return 0;
	take(buf, sizeof buf, name);
	bind_field(sc->ins, 1, id, 63);
	sqlite3_bind_text(sc->ins, 2, buf, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(sc->ins, 3, (sqlite3_int64)sc->line);
	return insert_row(sc);
}

static const char *const enrollment_cols[] = { "EnrollmentID", "PersonalID", "ProjectID",
					       "DateDeleted" };

static int enrollment_row(struct scan *sc, const struct hcsv_row *r)
{
	const struct hcsv_field *eid = pick(sc, r, 0);

	if (empty(eid) || !empty(pick(sc, r, 3)))
		return 0;
	bind_field(sc->ins, 1, eid, 256);
	bind_field(sc->ins, 2, pick(sc, r, 1), 256);
	bind_field(sc->ins, 3, pick(sc, r, 2), 63);
	return insert_row(sc);
}

static const char *const exit_cols[] = { "EnrollmentID", "DateDeleted" };

static int exit_row(struct scan *sc, const struct hcsv_row *r)
{
	const struct hcsv_field *eid = pick(sc, r, 0);

	if (empty(eid) || !empty(pick(sc, r, 1)))
		return 0;
	bind_field(sc->ins, 1, eid, 256);
	return insert_row(sc);
}

static const char *const count_cols[] = { "EnrollmentID", "DateDeleted" };

/* The tally slot of ProjectID pid[0..len) ('' for an unknown enrollment),
 * added when new; SIZE_MAX when out of memory. */
static size_t tally_slot(struct scan *sc, const char *pid, size_t len)
{
	if (len >= sizeof sc->tally[0].pid)
		len = sizeof sc->tally[0].pid - 1;
	for (size_t i = 0; i < sc->ntally; i++)
		if (strlen(sc->tally[i].pid) == len && memcmp(sc->tally[i].pid, pid, len) == 0)
			return i;
	if (sc->ntally == sc->captally) {
		size_t cap = sc->captally ? 2 * sc->captally : 16;
		struct tally *t = realloc(sc->tally, cap * sizeof *t);

		if (!t)
			return SIZE_MAX;
		sc->tally = t;
		sc->captally = cap;
	}
	memcpy(sc->tally[sc->ntally].pid, pid, len);
	sc->tally[sc->ntally].pid[len] = '\0';
	sc->tally[sc->ntally].n = 0;
	return sc->ntally++;
}

/* A live row of a file whose rows belong to an enrollment: counted under
 * its enrollment's ProjectID, or '' when the EnrollmentID is empty or
 * names no live enrollment. */
static int count_row(struct scan *sc, const struct hcsv_row *r)
{
	const struct hcsv_field *eid = pick(sc, r, 0);
	size_t len = eid ? eid->len : 0;

	if (!empty(pick(sc, r, 1)))
		return 0;
	if (len > 256)
		len = 256;
	if (!sc->have_last || len != sc->last_len ||
	    (len && memcmp(sc->last_eid, eid->p, len) != 0)) {
		const char *pid = "";
		size_t plen = 0, slot;
		int rc = SQLITE_DONE;

		if (len) {
			sqlite3_bind_text(sc->look, 1, eid->p, (int)len, SQLITE_STATIC);
			rc = sqlite3_step(sc->look);
			if (rc == SQLITE_ROW) {
				pid = (const char *)sqlite3_column_text(sc->look, 0);
				plen = (size_t)sqlite3_column_bytes(sc->look, 0);
				if (!pid)
					pid = "";
			}
		}
		slot = rc == SQLITE_ROW || rc == SQLITE_DONE ? tally_slot(sc, pid, plen) : SIZE_MAX;
		sqlite3_reset(sc->look);
		if (slot == SIZE_MAX) {
			if (rc == SQLITE_ROW || rc == SQLITE_DONE)
				sc->no_memory = true;
			else
				sc->db_failed = true;
			return 1;
		}
		if (len)
			memcpy(sc->last_eid, eid->p, len);
		sc->last_len = len;
		sc->last_slot = slot;
		sc->have_last = true;
	}
	sc->tally[sc->last_slot].n++;
	sc->rows++;
	return 0;
}

/* Reads file name of pkg (in base) with the wanted columns through row.
 * *found: the entry exists. *complete: read to its end with every wanted
 * column present. */
static enum hmx_rc scan_file(struct scan *sc, struct hmiscsv *pkg, const char *name,
			     const char *const *want, size_t nwant,
			     int (*row)(struct scan *, const struct hcsv_row *), const char *ins_sql,
			     bool *found, bool *complete, struct hmx_err *err)
{
	const struct hmiscsv_entry *e = hmiscsv_find(pkg, name);
	struct hcsv_handler h = { .on_header = scan_header, .on_row = scan_row, .ctx = sc };
	struct hcsv_stats st;
	enum hmx_rc rc;

	*found = e != NULL;
	*complete = false;
	if (!e)
		return HMX_OK;
	sc->want = want;
	sc->nwant = nwant;
	sc->row = row;
	sc->rows = 0;
	sc->line = 0;
	sc->header = false;
	sc->ins = NULL;
	for (size_t k = 0; k < MAXPICK; k++)
		sc->pos[k] = -1;
	if (ins_sql && sqlite3_prepare_v2(sc->db, ins_sql, -1, &sc->ins, NULL) != SQLITE_OK)
		return hmx_err_set(err, HMX_EIO, "temporary database: %s", sqlite3_errmsg(sc->db));
	rc = hmiscsv_read(pkg, e, NULL, &h, &st, err);
	sqlite3_finalize(sc->ins);
	sc->ins = NULL;
	if (sc->db_failed)
		return hmx_err_set(err, HMX_EIO, "temporary database: %s", sqlite3_errmsg(sc->db));
	if (sc->no_memory)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	if (rc != HMX_OK)
		return rc;
	*complete = !st.halted;
	for (size_t k = 0; k < nwant; k++)
		if (sc->pos[k] < 0 && strcmp(want[k], "DateDeleted") != 0)
			*complete = false;
	return HMX_OK;
}

static enum hmx_rc tmp_exec(sqlite3 *db, const char *sql, struct hmx_err *err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return hmx_err_set(err, HMX_EIO, "temporary database: %s", sqlite3_errmsg(db));
	return HMX_OK;
}

static int64_t tmp_count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Whether the rows of spec file f belong to an enrollment: it has an
 * EnrollmentID column that is a foreign key to Enrollment.EnrollmentID.
 * Exit.csv is one, but file_project counts it already (exited
 * enrollments), so it is left to exit_row. */
static bool per_enrollment(const struct spec_file *f)
{
	if (strcasecmp(f->name, "Exit.csv") == 0)
		return false;
	for (size_t i = 0; i < f->ncolumns; i++) {
		const struct spec_column *c = &f->columns[i];

		if (c->fk_file && c->fk_column && strcmp(c->name, "EnrollmentID") == 0 &&
		    strcmp(c->fk_file->name, "Enrollment.csv") == 0 &&
		    strcmp(c->fk_column->name, "EnrollmentID") == 0)
			return true;
	}
	return false;
}

/* Counts the live rows per ProjectID of every file whose rows belong to an
 * enrollment (the spec of the export's CSVVersion; the newest when it is
 * unknown) into table c of the temporary database, each file read once.
 * A file absent from the export has no rows. *all turns false when a file
 * stopped early or has no EnrollmentID column. */
static enum hmx_rc count_files(struct scan *sc, struct hmiscsv *pkg, bool *all,
			       struct hmx_err *err)
{
	const struct intake_info *info = sc->info;
	enum spec_version v = spec_detect(info->csv_version, strlen(info->csv_version));
	struct spec *spec = NULL;
	sqlite3_stmt *ins = NULL;
	enum hmx_rc rc;

	if ((rc = spec_load(v == SPEC_UNKNOWN ? SPEC_FY2026 : v, &spec, err)) != HMX_OK)
		return rc;
	if (sqlite3_prepare_v2(sc->db, "SELECT pid FROM e WHERE eid = ?1", -1, &sc->look, NULL) !=
		    SQLITE_OK ||
	    sqlite3_prepare_v2(sc->db, "INSERT INTO c(file, ord, pid, n) VALUES (?1, ?2, ?3, ?4)",
			       -1, &ins, NULL) != SQLITE_OK) {
		rc = hmx_err_set(err, HMX_EIO, "temporary database: %s", sqlite3_errmsg(sc->db));
		goto done;
	}
	for (size_t i = 0; i < spec_nfiles(spec); i++) {
		const struct spec_file *f = spec_file_at(spec, i);
		bool found, complete;

		if (!per_enrollment(f))
			continue;
		sc->ntally = 0;
		sc->have_last = false;
		rc = scan_file(sc, pkg, f->name, count_cols, 2, count_row, NULL, &found, &complete,
			       err);
		if (rc != HMX_OK)
			goto done;
		*all = *all && (complete || !found);
		for (size_t k = 0; k < sc->ntally; k++) {
			sqlite3_bind_text(ins, 1, f->name, -1, SQLITE_STATIC);
			sqlite3_bind_int64(ins, 2, (sqlite3_int64)f->order);
			sqlite3_bind_text(ins, 3, sc->tally[k].pid, -1, SQLITE_STATIC);
			sqlite3_bind_int64(ins, 4, (sqlite3_int64)sc->tally[k].n);
			if (sqlite3_step(ins) != SQLITE_DONE) {
				rc = hmx_err_set(err, HMX_EIO, "temporary database: %s",
						 sqlite3_errmsg(sc->db));
				goto done;
			}
			sqlite3_reset(ins);
		}
	}
done:
	sqlite3_finalize(ins);
	sqlite3_finalize(sc->look);
	sc->look = NULL;
	free(sc->tally);
	sc->tally = NULL;
	sc->ntally = sc->captally = 0;
	spec_free(&spec);
	return rc;
}

/* Reads the facts and counts of the export at zip (a temporary copy) into
 * info and the temporary database sc->db (tables p, e, x). label names the
 * input in messages. Refuses what is not an HMIS export. */
static enum hmx_rc scan_export(struct scan *sc, const char *zip, const char *label,
			       struct intake_info *info, struct hmx_err *err)
{
	struct hmiscsv *pkg = NULL;
	bool found, complete, all = true;
	char why[sizeof err->msg];
	enum hmx_rc rc;

	if ((rc = tmp_exec(sc->db,
			   "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-8192;"
			   "PRAGMA temp_store=FILE;"
			   "CREATE TABLE p(pid TEXT PRIMARY KEY, name TEXT, ord INTEGER);"
			   "CREATE TABLE e(eid TEXT PRIMARY KEY, person TEXT, pid TEXT) WITHOUT ROWID;"
			   "CREATE TABLE x(eid TEXT PRIMARY KEY) WITHOUT ROWID;"
			   "CREATE TABLE c(file TEXT, ord INTEGER, pid TEXT, n INTEGER);"
			   "BEGIN",
			   err)) != HMX_OK)
		return rc;
	if ((rc = hmiscsv_open(zip, NULL, NULL, NULL, &pkg, err)) != HMX_OK) {
		hmx_strlcpy(why, err ? err->msg : "", sizeof why);
		return hmx_err_set(err, HMX_EINVAL, "%s cannot be read as an export: %s", label, why);
	}
	sc->info = info;
	rc = scan_file(sc, pkg, "Export.csv", export_cols, 8, export_row, NULL, &found, &complete,
		       err);
	if (rc == HMX_OK && !found)
		rc = hmx_err_set(err, HMX_EINVAL, "%s is not an HMIS CSV export: it has no Export.csv",
				 label);
	else if (rc == HMX_OK && (!sc->header || sc->pos[0] < 0))
		rc = hmx_err_set(err, HMX_EINVAL,
				 "%s: Export.csv cannot be read (no ExportID column): not a usable HMIS export",
				 label);
	else if (rc == HMX_OK && (sc->rows == 0 || !info->export_id[0]))
		rc = hmx_err_set(err, HMX_EINVAL, "%s: Export.csv has no export record (ExportID empty)",
				 label);
	else if (rc != HMX_OK) {
		hmx_strlcpy(why, err ? err->msg : "", sizeof why);
		rc = hmx_err_set(err, HMX_EINVAL, "%s: Export.csv cannot be read: %s", label, why);
	}
	if (rc != HMX_OK)
		goto done;
	rc = scan_file(sc, pkg, "Project.csv", project_cols, 3, project_row,
		       "INSERT OR IGNORE INTO p(pid, name, ord) VALUES (?1, ?2, ?3)", &found, &complete,
		       err);
	if (rc == HMX_OK && (!found || sc->rows == 0))
		rc = hmx_err_set(err, HMX_EINVAL,
				 "%s: Project.csv %s: there is no project to map (is this the right file?)",
				 label, !found ? "is missing" : "has no project rows");
	if (rc != HMX_OK)
		goto done;
	all = complete;
	rc = scan_file(sc, pkg, "Enrollment.csv", enrollment_cols, 4, enrollment_row,
		       "INSERT OR IGNORE INTO e(eid, person, pid) VALUES (?1, ?2, ?3)", &found,
		       &complete, err);
	if (rc != HMX_OK)
		goto done;
	all = all && (complete || !found);
	rc = scan_file(sc, pkg, "Exit.csv", exit_cols, 2, exit_row,
		       "INSERT OR IGNORE INTO x(eid) VALUES (?1)", &found, &complete, err);
	if (rc != HMX_OK)
		goto done;
	all = all && (complete || !found);
	if ((rc = count_files(sc, pkg, &all, err)) != HMX_OK)
		goto done;
	if ((rc = tmp_exec(sc->db, "CREATE INDEX e_pid ON e(pid, person); COMMIT", err)) != HMX_OK)
		goto done;
	info->counts_complete = all;
	info->projects = (uint64_t)tmp_count(sc->db, "SELECT count(*) FROM p");
	info->enrollments = (uint64_t)tmp_count(sc->db, "SELECT count(*) FROM e");
	info->clients = (uint64_t)tmp_count(sc->db, "SELECT count(DISTINCT person) FROM e");
	info->exits = (uint64_t)tmp_count(sc->db, "SELECT count(*) FROM x JOIN e USING (eid)");
done:
	hmiscsv_close(&pkg);
	return rc;
}

/* ---- findings ------------------------------------------------------------ */

/* The readable detail of an intake finding from what is stored: the
 * category, the file's export dates, the cycle's period and kind, and the
 * arrival day. */
static void describe(struct intake_finding *f, const struct intake_info *in, const char *kind,
		     cal_day start, cal_day end)
{
	char a[11], b[11], r[11], d[11];

	if (strcmp(f->check, "X05") == 0 && strcmp(f->category, "no-dates") == 0) {
		snprintf(f->detail, sizeof f->detail, "export dates missing or invalid; period %s..%s",
			 cal_format(start, a), cal_format(end, b));
	} else if (strcmp(f->check, "X05") == 0) {
		snprintf(f->detail, sizeof f->detail, "export %.10s..%.10s does not cover the period %s..%s",
			 in->export_start, in->export_end, cal_format(start, a), cal_format(end, b));
	} else if (strcmp(f->check, "X07") == 0) {
		const struct intake_kind_rule *rule = intake_kind_rule(kind);
		long late = strtol(f->category + 5, NULL, 10);

		snprintf(f->detail, sizeof f->detail, "received %s, %ld day%s after the %s deadline of step %s",
			 cal_format(in->received, r), late, late == 1 ? "" : "s",
			 cal_format(in->received - (cal_day)late, d), rule ? rule->late_step : "?");
	} else {
		hmx_strlcpy(f->detail, f->category, sizeof f->detail);
	}
}

static struct intake_finding *add_finding(struct intake_info *in, const struct spec_checks *cat,
					  const char *check, const char *category)
{
	struct intake_finding *f;

	if (in->nfindings == INTAKE_MAX_FINDINGS)
		return NULL;
	f = &in->findings[in->nfindings++];
	memset(f, 0, sizeof *f);
	hmx_strlcpy(f->check, check, sizeof f->check);
	hmx_strlcpy(f->severity, sev_of(cat, check), sizeof f->severity);
	hmx_strlcpy(f->category, category, sizeof f->category);
	return f;
}

/* X05 and X07 for one intake (checks.md: one per export, one per file). */
static enum hmx_rc evaluate(struct store *s, const struct cycle_info *c, struct intake_info *in,
			    struct hmx_err *err)
{
	const struct intake_kind_rule *rule = intake_kind_rule(c->kind);
	struct spec_checks *cat = NULL;
	struct intake_finding *f;
	cal_day ds, de;
	enum hmx_rc rc;

	if ((rc = spec_checks_load(&cat, err)) != HMX_OK)
		return rc;
	if (!cal_parse_date(in->export_start, &ds) || !cal_parse_date(in->export_end, &de))
		f = add_finding(in, cat, "X05", "no-dates");
	else if (ds > c->start || de < c->end)
		f = add_finding(in, cat, "X05",
				ds > c->start && de < c->end ? "both" : ds > c->start ? "late-start" :
											  "early-end");
	else
		f = NULL;
	if (f)
		describe(f, in, c->kind, c->start, c->end);
	if (rule && rule->late_step[0]) {
		struct step_info si;

		if (step_get(s, c->code, rule->late_step, &si, NULL) == HMX_OK &&
		    si.deadline != CAL_NO_DAY && in->received > si.deadline) {
			char category[32];

			snprintf(category, sizeof category, "late-%ldd",
				 (long)in->received - (long)si.deadline);
			if ((f = add_finding(in, cat, "X07", category)))
				describe(f, in, c->kind, c->start, c->end);
		}
	}
	spec_checks_free(&cat);
	return HMX_OK;
}

/* ---- the database side --------------------------------------------------- */

#define INTAKE_SELECT                                                                         \
	"SELECT i.id, i.file_id, c.code, f.sha256, i.source, i.received, i.at, i.who, f.size, " \
	"f.packed, f.export_id, f.source_name, f.software_name, f.csv_version, f.export_date, " \
	"f.export_start, f.export_end, f.hash_status, f.projects, f.enrollments, f.clients, "   \
	"f.exits, f.counts_complete, coalesce(vr.status, ''), vr.blocking, vr.errors, "        \
	"vr.warnings, coalesce(i.validation_run_id, 0), coalesce(i.checks_run_id, 0), c.kind, "  \
	"c.start_day, c.end_day "                                                              \
	"FROM intake i JOIN file f ON f.id = i.file_id JOIN cycle c ON c.id = i.cycle_id "       \
	"LEFT JOIN validation_run vr ON vr.id = i.validation_run_id "

/* What read_intake reads besides struct intake_info. */
struct intake_row {
	struct intake_info in;
	int64_t checks_run;
	char kind[32];
	cal_day start, end;
};

static void read_intake(sqlite3_stmt *st, void *row)
{
	struct intake_row *ir = row;
	struct intake_info *in = &ir->in;
	char day[16], status[16];

	in->id = sqlite3_column_int64(st, 0);
	in->file_id = sqlite3_column_int64(st, 1);
	store_col_text(st, 2, in->cycle, sizeof in->cycle);
	store_col_text(st, 3, in->sha256, sizeof in->sha256);
	store_col_text(st, 4, in->source, sizeof in->source);
	store_col_text(st, 5, day, sizeof day);
	if (!cal_parse_date(day, &in->received))
		in->received = CAL_NO_DAY;
	store_col_text(st, 6, in->at, sizeof in->at);
	store_col_text(st, 7, in->who, sizeof in->who);
	in->size = (uint64_t)sqlite3_column_int64(st, 8);
	in->packed = sqlite3_column_int(st, 9) != 0;
	store_col_text(st, 10, in->export_id, sizeof in->export_id);
	store_col_text(st, 11, in->source_name, sizeof in->source_name);
	store_col_text(st, 12, in->software, sizeof in->software);
	store_col_text(st, 13, in->csv_version, sizeof in->csv_version);
	store_col_text(st, 14, in->export_date, sizeof in->export_date);
	store_col_text(st, 15, in->export_start, sizeof in->export_start);
	store_col_text(st, 16, in->export_end, sizeof in->export_end);
	in->hash_status = sqlite3_column_type(st, 17) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 17);
	in->projects = (uint64_t)sqlite3_column_int64(st, 18);
	in->enrollments = (uint64_t)sqlite3_column_int64(st, 19);
	in->clients = (uint64_t)sqlite3_column_int64(st, 20);
	in->exits = (uint64_t)sqlite3_column_int64(st, 21);
	in->counts_complete = sqlite3_column_int(st, 22) != 0;
	store_col_text(st, 23, status, sizeof status);
	in->validated = strcmp(status, "done") == 0;
	in->n_blocking = (uint64_t)sqlite3_column_int64(st, 24);
	in->n_error = (uint64_t)sqlite3_column_int64(st, 25);
	in->n_warning = (uint64_t)sqlite3_column_int64(st, 26);
	in->validation_run = sqlite3_column_int64(st, 27);
	ir->checks_run = sqlite3_column_int64(st, 28);
	store_col_text(st, 29, ir->kind, sizeof ir->kind);
	ir->start = (cal_day)sqlite3_column_int(st, 30);
	ir->end = (cal_day)sqlite3_column_int(st, 31);
}

/* Reads the intakes selected by st (always finalized) with their findings
 * into a malloc'd array of struct intake_info. */
static enum hmx_rc load_intakes(struct store *s, sqlite3_stmt *st, struct intake_info **out,
				size_t *n, struct hmx_err *err)
{
	struct spec_checks *cat = NULL;
	struct intake_row *rows;
	struct intake_info *arr;
	sqlite3_stmt *fq;
	enum hmx_rc rc;
	size_t count;
	void *v;

	*out = NULL;
	*n = 0;
	if ((rc = store_collect(s, st, sizeof *rows, read_intake, &v, &count,
				"cannot list the files", err)) != HMX_OK)
		return rc;
	rows = v;
	if (count == 0)
		return HMX_OK;
	(void)spec_checks_load(&cat, NULL);
	fq = store_prepare(s, "SELECT check_id, detail FROM finding WHERE run_id = ?1 "
			      "ORDER BY check_id, seq", err);
	for (size_t i = 0; fq && rc == HMX_OK && i < count; i++) {
		struct intake_info *in = &rows[i].in;
		int src;

		in->nfindings = 0;
		if (!rows[i].checks_run)
			continue;
		sqlite3_bind_int64(fq, 1, rows[i].checks_run);
		while ((src = sqlite3_step(fq)) == SQLITE_ROW) {
			struct intake_finding *f;

			if (in->nfindings == INTAKE_MAX_FINDINGS)
				continue;
			f = &in->findings[in->nfindings++];
			memset(f, 0, sizeof *f);
			store_col_text(fq, 0, f->check, sizeof f->check);
			store_col_text(fq, 1, f->category, sizeof f->category);
			hmx_strlcpy(f->severity, sev_of(cat, f->check), sizeof f->severity);
			describe(f, in, rows[i].kind, rows[i].start, rows[i].end);
		}
		if (src != SQLITE_DONE)
			rc = store_fail(s, err, "cannot read the intake findings");
		sqlite3_reset(fq);
	}
	if (!fq)
		rc = HMX_EDB;
	sqlite3_finalize(fq);
	spec_checks_free(&cat);
	if (rc != HMX_OK) {
		free(rows);
		return rc;
	}
	if (!(arr = malloc(count * sizeof *arr))) {
		free(rows);
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < count; i++)
		arr[i] = rows[i].in;
	free(rows);
	*out = arr;
	*n = count;
	return HMX_OK;
}

static enum hmx_rc cycle_id_of(struct store *s, const char *cycle, int64_t *id, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT id FROM cycle WHERE code = ?1", err);
	int rc;

	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, cycle, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return hmx_err_set(err, HMX_ENOTFOUND, "no cycle \"%s\" (see 'hmx cycle list --all')",
				   cycle);
	if (rc != SQLITE_ROW)
		return store_fail(s, err, "cannot read the cycle");
	return HMX_OK;
}

enum hmx_rc intake_list(struct store *s, const char *cycle, struct intake_info **out, size_t *n,
			struct hmx_err *err)
{
	sqlite3_stmt *st;
	int64_t cid;
	enum hmx_rc rc;

	*out = NULL;
	*n = 0;
	if ((rc = cycle_id_of(s, cycle, &cid, err)) != HMX_OK)
		return rc;
	if (!(st = store_prepare(s, INTAKE_SELECT "WHERE i.cycle_id = ?1 ORDER BY i.id", err)))
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, cid);
	return load_intakes(s, st, out, n, err);
}

enum hmx_rc intake_get(struct store *s, const char *cycle, const char *ref,
		       struct intake_info *out, struct hmx_err *err)
{
	struct intake_info *arr;
	size_t n, len = strlen(ref), hit = 0, at = 0;
	enum hmx_rc rc;

	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)ref[i]))
			return hmx_err_set(err, HMX_EINVAL,
					   "bad file \"%s\": give its SHA-256 or the first 6 or more hex "
					   "digits (see 'hmx files %s')", ref, cycle);
	if (len < 6 || len > 64)
		return hmx_err_set(err, HMX_EINVAL,
				   "bad file \"%s\": give its SHA-256 or the first 6 or more hex digits "
				   "(see 'hmx files %s')", ref, cycle);
	if ((rc = intake_list(s, cycle, &arr, &n, err)) != HMX_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (strncasecmp(arr[i].sha256, ref, len) == 0) {
			hit++;
			at = i;
		}
	}
	if (hit == 1)
		*out = arr[at];
	free(arr);
	if (hit == 0)
		return hmx_err_set(err, HMX_ENOTFOUND, "no file %s in cycle %s (see 'hmx files %s')",
				   ref, cycle, cycle);
	if (hit > 1)
		return hmx_err_set(err, HMX_EINVAL, "file \"%s\" is ambiguous in cycle %s: give more digits",
				   ref, cycle);
	return HMX_OK;
}

static void read_project(sqlite3_stmt *st, void *row)
{
	struct intake_project *p = row;

	store_col_text(st, 0, p->id, sizeof p->id);
	store_col_text(st, 1, p->name, sizeof p->name);
	p->enrollments = (uint64_t)sqlite3_column_int64(st, 2);
	p->clients = (uint64_t)sqlite3_column_int64(st, 3);
	p->exits = (uint64_t)sqlite3_column_int64(st, 4);
}

enum hmx_rc intake_projects(struct store *s, int64_t file_id, struct intake_project **out,
			    size_t *n, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT source_project_id, name, enrollments, clients, exits "
					 "FROM file_project WHERE file_id = ?1 ORDER BY ord",
					 err);
	enum hmx_rc rc;
	void *v;

	*out = NULL;
	*n = 0;
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, file_id);
	rc = store_collect(s, st, sizeof **out, read_project, &v, n, "cannot read the file's projects",
			   err);
	*out = v;
	return rc;
}

/* The intake of file sha in cycle cid, if any (0 when none). */
static int64_t find_intake(struct store *s, int64_t cid, const char *sha)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT i.id FROM intake i JOIN file f ON f.id = i.file_id "
					 "WHERE i.cycle_id = ?1 AND f.sha256 = ?2",
					 NULL);
	int64_t id = 0;

	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_text(st, 2, sha, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

static enum hmx_rc step_done(struct store *s, sqlite3_stmt *st, const char *doing,
			     struct hmx_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? HMX_OK : store_fail(s, err, doing);
}

/* Copies the per-file counts of table c of the temporary database into
 * file_count. Inside the caller's transaction. */
static enum hmx_rc save_counts(struct store *s, sqlite3 *tmp, int64_t file_id,
			       struct hmx_err *err)
{
	sqlite3_stmt *q = NULL, *st;
	enum hmx_rc rc = HMX_OK;
	int src;

	if (sqlite3_prepare_v2(tmp, "SELECT file, ord, pid, n FROM c", -1, &q, NULL) != SQLITE_OK) {
		sqlite3_finalize(q);
		return hmx_err_set(err, HMX_EIO, "temporary database: %s", sqlite3_errmsg(tmp));
	}
	st = store_prepare(s,
			   "INSERT INTO file_count(file_id, file, ord, source_project_id, rows) "
			   "VALUES (?1, ?2, ?3, ?4, ?5)",
			   err);
	if (!st) {
		sqlite3_finalize(q);
		return HMX_EDB;
	}
	while (rc == HMX_OK && (src = sqlite3_step(q)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(q, 2);
		char id[64];

		printable(id, sizeof id, t ? (const char *)t : "",
			  (size_t)sqlite3_column_bytes(q, 2));
		sqlite3_bind_int64(st, 1, file_id);
		sqlite3_bind_text(st, 2, (const char *)sqlite3_column_text(q, 0), -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, sqlite3_column_int64(q, 1));
		sqlite3_bind_text(st, 4, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 5, sqlite3_column_int64(q, 3));
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = store_fail(s, err, "cannot record the file's counts per file");
		sqlite3_reset(st);
	}
	if (rc == HMX_OK && src != SQLITE_DONE)
		rc = hmx_err_set(err, HMX_EIO, "temporary database: %s", sqlite3_errmsg(tmp));
	sqlite3_finalize(q);
	sqlite3_finalize(st);
	return rc;
}

/* Inserts the file row and its projects (copied from the temporary
 * database) unless a file with this SHA-256 is known; a known file taken
 * in before per-file counts (file_counts 0) gets them now. Inside the
 * caller's transaction. */
static enum hmx_rc save_file(struct store *s, sqlite3 *tmp, struct intake_info *in,
			     struct hmx_err *err)
{
	sqlite3_stmt *st, *q = NULL;
	enum hmx_rc rc;
	char now[21];
	bool counted = true;
	int src;

	st = store_prepare(s, "SELECT id, file_counts FROM file WHERE sha256 = ?1", err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, in->sha256, -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		in->file_id = sqlite3_column_int64(st, 0);
		counted = sqlite3_column_int(st, 1) != 0;
	}
	sqlite3_finalize(st);
	if (src == SQLITE_ROW && !counted) {
		/* known from before per-file counts: they are filled in now */
		if ((rc = save_counts(s, tmp, in->file_id, err)) != HMX_OK)
			return rc;
		st = store_prepare(s, "UPDATE file SET file_counts = 1 WHERE id = ?1", err);
		if (!st)
			return HMX_EDB;
		sqlite3_bind_int64(st, 1, in->file_id);
		return step_done(s, st, "cannot record the file's counts per file", err);
	}
	if (src == SQLITE_ROW)
		return HMX_OK;
	if (src != SQLITE_DONE)
		return store_fail(s, err, "cannot read the files");
	hmx_now_utc(now);
	st = store_prepare(s,
			   "INSERT INTO file(sha256, size, packed, export_id, source_name, software_name, "
			   "csv_version, export_date, export_start, export_end, hash_status, projects, "
			   "enrollments, clients, exits, counts_complete, stored_at, stored_by, "
			   "file_counts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
			   "?13, ?14, ?15, ?16, ?17, ?18, 1)",
			   err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, in->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)in->size);
	sqlite3_bind_int(st, 3, in->packed);
	sqlite3_bind_text(st, 4, in->export_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, in->source_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, in->software, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, in->csv_version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, in->export_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, in->export_start, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, in->export_end, -1, SQLITE_STATIC);
	if (in->hash_status >= 0)
		sqlite3_bind_int(st, 11, in->hash_status);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)in->projects);
	sqlite3_bind_int64(st, 13, (sqlite3_int64)in->enrollments);
	sqlite3_bind_int64(st, 14, (sqlite3_int64)in->clients);
	sqlite3_bind_int64(st, 15, (sqlite3_int64)in->exits);
	sqlite3_bind_int(st, 16, in->counts_complete);
	sqlite3_bind_text(st, 17, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 18, hmx_actor(), -1, SQLITE_TRANSIENT);
	if ((rc = step_done(s, st, "cannot record the file", err)) != HMX_OK)
		return rc;
	in->file_id = sqlite3_last_insert_rowid(store_db(s));

	if (sqlite3_prepare_v2(tmp,
			       "SELECT p.pid, p.name, "
			       "(SELECT count(*) FROM e WHERE e.pid = p.pid), "
			       "(SELECT count(DISTINCT person) FROM e WHERE e.pid = p.pid), "
			       "(SELECT count(*) FROM x JOIN e USING (eid) WHERE e.pid = p.pid) "
			       "FROM p ORDER BY p.ord",
			       -1, &q, NULL) != SQLITE_OK) {
		sqlite3_finalize(q);
		return hmx_err_set(err, HMX_EIO, "temporary database: %s", sqlite3_errmsg(tmp));
	}
	st = store_prepare(s,
			   "INSERT INTO file_project(file_id, ord, source_project_id, name, enrollments, "
			   "clients, exits) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			   err);
	if (!st) {
		sqlite3_finalize(q);
		return HMX_EDB;
	}
	rc = HMX_OK;
	for (int ord = 1; rc == HMX_OK && (src = sqlite3_step(q)) == SQLITE_ROW; ord++) {
		char id[64], name[128];
		const unsigned char *t;

		t = sqlite3_column_text(q, 0);
		printable(id, sizeof id, t ? (const char *)t : "",
			  (size_t)sqlite3_column_bytes(q, 0));
		t = sqlite3_column_text(q, 1);
		hmx_strlcpy(name, t ? (const char *)t : "", sizeof name);
		sqlite3_bind_int64(st, 1, in->file_id);
		sqlite3_bind_int(st, 2, ord);
		sqlite3_bind_text(st, 3, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, name, -1, SQLITE_TRANSIENT);
		for (int k = 0; k < 3; k++)
			sqlite3_bind_int64(st, 5 + k, sqlite3_column_int64(q, 2 + k));
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = store_fail(s, err, "cannot record the file's projects");
		sqlite3_reset(st);
	}
	if (rc == HMX_OK && src != SQLITE_DONE)
		rc = hmx_err_set(err, HMX_EIO, "temporary database: %s", sqlite3_errmsg(tmp));
	sqlite3_finalize(q);
	sqlite3_finalize(st);
	if (rc != HMX_OK)
		return rc;
	return save_counts(s, tmp, in->file_id, err);
}

/* The intake's X05/X07 as a validation_run of their own with one finding
 * row each (the validator's tables), linked from the intake. Inside the
 * caller's transaction; nothing when there is no finding. */
static enum hmx_rc save_findings(struct store *s, int64_t cid, const char *blob,
				 struct intake_info *in, struct hmx_err *err)
{
	uint64_t by[3] = { 0, 0, 0 }; /* warning, error, blocking */
	char counts[128] = "{", key[96];
	sqlite3_stmt *st;
	int64_t run;
	enum hmx_rc rc;

	if (in->nfindings == 0)
		return HMX_OK;
	for (size_t i = 0; i < in->nfindings; i++) {
		const char *sv = in->findings[i].severity;

		by[strcmp(sv, "blocking") == 0 ? 2 : strcmp(sv, "error") == 0 ? 1 : 0]++;
		snprintf(counts + strlen(counts), sizeof counts - strlen(counts), "%s\"%s\":1",
			 i ? "," : "", in->findings[i].check);
	}
	snprintf(counts + strlen(counts), sizeof counts - strlen(counts), "}");
	st = store_prepare(s,
			   "INSERT INTO validation_run(cycle_id, path, sha256, spec, version, export_id, "
			   "started_at, finished_at, status, blocking, errors, warnings, counts, "
			   "created_by) VALUES (?1, ?2, ?3, '', ?4, ?5, ?6, ?6, 'done', ?7, ?8, ?9, ?10, ?11)",
			   err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_text(st, 2, blob, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, in->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, in->csv_version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, in->export_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, in->at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)by[2]);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)by[1]);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)by[0]);
	sqlite3_bind_text(st, 10, counts, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, in->who, -1, SQLITE_STATIC);
	if ((rc = step_done(s, st, "cannot record the intake checks", err)) != HMX_OK)
		return rc;
	run = sqlite3_last_insert_rowid(store_db(s));
	snprintf(key, sizeof key, "ExportID=%s", in->export_id);
	for (size_t i = 0; i < in->nfindings; i++) {
		const struct intake_finding *f = &in->findings[i];
		bool x05 = strcmp(f->check, "X05") == 0;
		const char *col = !x05 ? "" : strcmp(f->category, "late-start") == 0 ? "ExportStartDate" :
				  strcmp(f->category, "early-end") == 0 ? "ExportEndDate" : "";

		st = store_prepare(s,
				   "INSERT INTO finding(run_id, seq, check_id, severity, file, line, key, "
				   "col, detail, project) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8, '')",
				   err);
		if (!st)
			return HMX_EDB;
		sqlite3_bind_int64(st, 1, run);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, f->check, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, f->severity, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, x05 ? "Export.csv" : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, col, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, f->category, -1, SQLITE_STATIC);
		if ((rc = step_done(s, st, "cannot record the intake findings", err)) != HMX_OK)
			return rc;
	}
	st = store_prepare(s, "UPDATE intake SET checks_run_id = ?1 WHERE id = ?2", err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, in->id);
	return step_done(s, st, "cannot record the intake checks", err);
}

static enum hmx_rc save_intake(struct store *s, sqlite3 *tmp, int64_t cid, const char *blob,
			       struct intake_info *in, struct hmx_err *err)
{
	sqlite3_stmt *st;
	char object[128], after[272], day[11], fl[32] = "";
	enum hmx_rc rc;

	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	if ((in->id = find_intake(s, cid, in->sha256)) != 0) {
		store_rollback(s);
		in->already = true;
		return HMX_OK;
	}
	if ((rc = save_file(s, tmp, in, err)) != HMX_OK)
		goto fail;
	hmx_now_utc(in->at);
	hmx_strlcpy(in->who, hmx_actor(), sizeof in->who);
	st = store_prepare(s,
			   "INSERT INTO intake(cycle_id, file_id, source, received, at, who) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			   err);
	if (!st) {
		rc = HMX_EDB;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, in->file_id);
	sqlite3_bind_text(st, 3, in->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, cal_format(in->received, day), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, in->at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, in->who, -1, SQLITE_STATIC);
	if ((rc = step_done(s, st, "cannot record the intake", err)) != HMX_OK)
		goto fail;
	in->id = sqlite3_last_insert_rowid(store_db(s));
	if ((rc = save_findings(s, cid, blob, in, err)) != HMX_OK)
		goto fail;
	for (size_t i = 0; i < in->nfindings; i++)
		snprintf(fl + strlen(fl), sizeof fl - strlen(fl), " %s", in->findings[i].check);
	snprintf(object, sizeof object, "%s/file/%.12s", in->cycle, in->sha256);
	snprintf(after, sizeof after,
		 "source=%s; received=%s; size=%llu; projects=%llu; enrollments=%llu; findings=%s",
		 in->source, day, (unsigned long long)in->size, (unsigned long long)in->projects,
		 (unsigned long long)in->enrollments, fl[0] ? fl + 1 : "none");
	if ((rc = audit_write(s, "file.intake", object, NULL, after, err)) != HMX_OK)
		goto fail;
	return store_commit(s, err);
fail:
	store_rollback(s);
	return rc;
}

/* ---- VALIDATION HOOK ------------------------------------------------------
 * The one place where an intaken file is validated (issue 6: "validation
 * runs on intake and its findings are stored with the cycle"): the
 * validator (core/validate.h) runs on the stored zip, its findings go to
 * a validation_run of the cycle (core/validate_store.h), and the intake
 * points at that run, in one transaction with an audit row. The intake is
 * already committed: a validation that cannot run is reported, never
 * undoes the intake (`hmx validate --cycle` can be run again by hand). */
static enum hmx_rc intake_validate(struct store *s, struct intake_info *info, const char *blob,
				   struct hmx_err *err)
{
	struct validate_result res;
	struct vstore *vs = NULL;
	sqlite3_stmt *st;
	char object[128], after[128];
	int64_t run;
	enum hmx_rc rc;

	memset(&res, 0, sizeof res);
	if ((rc = vstore_begin(s, info->cycle, blob, &vs, err)) != HMX_OK)
		return rc;
	run = vstore_run_id(vs);
	rc = validate_run(blob, NULL, vstore_finding, vs, &res, err);
	if (rc != HMX_OK) {
		vstore_abort(&vs, err ? err->msg : "validation failed");
		validate_result_free(&res);
		return rc;
	}
	if ((rc = vstore_finish(&vs, &res, err)) != HMX_OK) {
		validate_result_free(&res);
		return rc;
	}
	info->validated = true;
	info->validation_run = run;
	info->n_blocking = res.by_sev[SPEC_SEV_BLOCKING];
	info->n_error = res.by_sev[SPEC_SEV_ERROR];
	info->n_warning = res.by_sev[SPEC_SEV_WARNING];
	validate_result_free(&res);
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	st = store_prepare(s, "UPDATE intake SET validation_run_id = ?1 WHERE id = ?2", err);
	if (!st) {
		store_rollback(s);
		return HMX_EDB;
	}
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, info->id);
	snprintf(object, sizeof object, "%s/file/%.12s", info->cycle, info->sha256);
	snprintf(after, sizeof after, "run %lld: %llu blocking, %llu errors, %llu warnings",
		 (long long)run, (unsigned long long)info->n_blocking,
		 (unsigned long long)info->n_error, (unsigned long long)info->n_warning);
	if ((rc = step_done(s, st, "cannot link the validation run", err)) != HMX_OK ||
	    (rc = audit_write(s, "file.validate", object, NULL, after, err)) != HMX_OK) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}

/* The default source of a cycle kind; for agency-intake the one agency
 * with active outside-agency projects. */
static enum hmx_rc default_source(struct store *s, const struct cycle_info *c, char *buf, size_t n,
				  struct hmx_err *err)
{
	const struct intake_kind_rule *rule = intake_kind_rule(c->kind);
	enum reg_source src = REG_SRC_OUTSIDE_AGENCY;
	struct reg_project *ps;
	size_t np;
	const char *agency = NULL;
	bool several = false;
	enum hmx_rc rc;

	if (!rule || strcmp(rule->source, "agency") != 0) {
		hmx_strlcpy(buf, rule ? rule->source : "hmis", n);
		return HMX_OK;
	}
	if ((rc = reg_project_list(s, &src, &ps, &np, err)) != HMX_OK)
		return rc;
	for (size_t i = 0; i < np; i++) {
		if (!ps[i].active)
			continue;
		if (agency && strcmp(agency, ps[i].agency_code) != 0)
			several = true;
		agency = ps[i].agency_code;
	}
	if (agency && !several)
		snprintf(buf, n, "agency:%s", agency);
	free(ps);
	if (!agency || several)
		return hmx_err_set(err, HMX_EINVAL,
				   "say which agency sent the file: --source agency:CODE (see 'hmx project agencies')");
	return HMX_OK;
}

enum hmx_rc intake_add(struct store *s, const char *cycle, const char *path,
		       const struct intake_opts *opts, struct intake_info *out,
		       struct hmx_err *err)
{
	struct intake_opts none = { NULL, CAL_NO_DAY, false };
	struct cycle_info c;
	struct intake_info in;
	struct hmiscsv *pkg = NULL;
	struct scan sc;
	struct stat st;
	char dir[4096], tmp[4200] = "", final[4200], abs[PATH_MAX], rb[11];
	cal_day today = cal_today();
	int64_t cid;
	bool folder;
	enum hmx_rc rc;

	memset(out, 0, sizeof *out);
	memset(&in, 0, sizeof in);
	memset(&sc, 0, sizeof sc);
	if (!opts)
		opts = &none;
	/* a read-only or locked database refuses now, before anything is copied */
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	store_rollback(s);
	if ((rc = cycle_get(s, cycle, today, &c, err)) != HMX_OK ||
	    (rc = cycle_id_of(s, cycle, &cid, err)) != HMX_OK)
		return rc;
	hmx_strlcpy(in.cycle, c.code, sizeof in.cycle);
	if (opts->source) {
		if (!intake_source_valid(opts->source))
			return hmx_err_set(err, HMX_EINVAL,
					   "bad source \"%s\": use hmis, rdc, demo or agency:CODE", opts->source);
		hmx_strlcpy(in.source, opts->source, sizeof in.source);
	} else if ((rc = default_source(s, &c, in.source, sizeof in.source, err)) != HMX_OK) {
		return rc;
	}
	if (strncmp(in.source, "agency:", 7) == 0 && !reg_agency_exists(s, in.source + 7))
		return hmx_err_set(err, HMX_ENOTFOUND,
				   "no agency \"%s\" (see 'hmx project agencies')", in.source + 7);
	in.received = opts->received == CAL_NO_DAY ? today : opts->received;
	if (in.received > today)
		return hmx_err_set(err, HMX_EINVAL, "received date %s is in the future",
				   cal_format(in.received, rb));

	/* what was given: a zip or a folder holding an Export.csv */
	if (stat(path, &st) != 0)
		return hmx_err_set(err, errno == ENOENT ? HMX_ENOTFOUND : HMX_EIO, "cannot open %s: %s",
				   path, strerror(errno));
	folder = S_ISDIR(st.st_mode);
	if (!folder && !S_ISREG(st.st_mode))
		return hmx_err_set(err, HMX_EINVAL, "%s is neither a zip file nor a folder", path);
	if ((rc = hmiscsv_open(path, NULL, NULL, NULL, &pkg, err)) != HMX_OK) {
		if (rc == HMX_ENOTFOUND || rc == HMX_EINVAL)
			return hmx_err_set(err, HMX_EINVAL, "%s is not a zip archive nor a folder of CSV files",
					   path);
		return rc;
	}
	if (!hmiscsv_find(pkg, "Export.csv")) {
		hmiscsv_close(&pkg);
		return hmx_err_set(err, HMX_EINVAL, "%s is not an HMIS CSV export: it has no Export.csv",
				   path);
	}

	/* the copy, under a temporary name in the files folder */
	if ((rc = files_dir(s, dir, sizeof dir, err)) != HMX_OK) {
		hmiscsv_close(&pkg);
		return rc;
	}
	if (folder)
		rc = pack_folder(pkg, path, dir, tmp, sizeof tmp, in.sha256, &in.size, err);
	else
		rc = copy_zip(path, dir, tmp, sizeof tmp, in.sha256, &in.size, err);
	hmiscsv_close(&pkg);
	in.packed = folder;
	if (rc != HMX_OK)
		goto fail;

	/* facts and counts, read from exactly the bytes kept */
	if (sqlite3_open_v2("", &sc.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = hmx_err_set(err, HMX_EIO, "cannot open a temporary database");
		goto fail;
	}
	if ((rc = scan_export(&sc, tmp, path, &in, err)) != HMX_OK)
		goto fail;
	if ((rc = evaluate(s, &c, &in, err)) != HMX_OK)
		goto fail;

	/* the final name: a whole file or nothing */
	if ((rc = intake_blob_path(s, in.sha256, final, sizeof final, err)) != HMX_OK)
		goto fail;
	if (stat(final, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == in.size) {
		unlink(tmp);
	} else {
		if (rename(tmp, final) != 0) {
			rc = hmx_err_set(err, HMX_EIO, "cannot store %s: %s", final, strerror(errno));
			goto fail;
		}
		fsync_dir(dir);
		in.new_file = true;
	}
	tmp[0] = '\0';
	if (!realpath(final, abs))
		hmx_strlcpy(abs, final, sizeof abs);

	if ((rc = save_intake(s, sc.db, cid, abs, &in, err)) != HMX_OK)
		goto fail;
	sqlite3_close(sc.db);
	sc.db = NULL;
	{
		bool new_file = in.new_file, already = in.already;

		if ((rc = intake_get(s, cycle, in.sha256, out, err)) != HMX_OK)
			return rc;
		out->new_file = new_file;
		out->already = already;
	}
	if (out->already || opts->skip_validation)
		return HMX_OK;
	{
		struct hmx_err verr;

		hmx_err_clear(&verr);
		if (intake_validate(s, out, abs, &verr) != HMX_OK) {
			hmx_log(HMX_LOG_WARN, "file %.12s is recorded but its validation failed: %s "
				"(run 'hmx validate %s --cycle %s')", out->sha256, verr.msg, abs, cycle);
		} else if (strcmp(out->source, "demo") == 0) {
			/* the demo-site export: its findings go to the review */
			struct review_sync_result rs;

			if (review_sync(s, out->cycle, out->validation_run, &rs, &verr) != HMX_OK)
				hmx_log(HMX_LOG_WARN, "file %.12s is validated but its review was not "
					"updated: %s", out->sha256, verr.msg);
			else
				hmx_log(HMX_LOG_INFO, "review of %s: %lld new, %lld still found, "
					"%lld reopened, %lld resolved", out->cycle, (long long)rs.opened,
					(long long)rs.persisted, (long long)rs.reopened,
					(long long)rs.resolved);
		}
	}
	return HMX_OK;
fail:
	if (tmp[0])
		unlink(tmp);
	if (sc.db)
		sqlite3_close(sc.db);
	return rc;
}
