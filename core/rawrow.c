/* core/rawrow.c — see rawrow.h. The record is found by streaming the file
 * of the export through a small CSV state machine (quotes, doubled quotes,
 * newlines inside quotes, CRLF, a UTF-8 BOM) that counts physical lines,
 * so the line of a finding (where its record starts) points at the same
 * record as the validator's. Only the header and that record are kept. */
#include "rawrow.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "hmiscsv.h"
#include "intake.h"
#include "review.h"
#include "spec.h"

#define RR_MAX_COLS 512
#define RR_MAX_FIELD 1024

static const char *const rr_private[] = {
	"FirstName", "MiddleName", "LastName", "NameSuffix", "SSN", "DOB",
};

bool rawrow_column_private(const char *name)
{
	for (size_t i = 0; i < sizeof rr_private / sizeof rr_private[0]; i++)
		if (strcasecmp(name, rr_private[i]) == 0)
			return true;
	return false;
}

void rawrow_free(struct rawrow *r)
{
	if (!r)
		return;
	free(r->fields);
	r->fields = NULL;
	r->nfields = 0;
}

/* One record's fields, each cut at RR_MAX_FIELD - 1 bytes. */
struct rr_rec {
	char (*f)[RR_MAX_FIELD];
	size_t n;
};

struct rr_parse {
	int64_t target;      /* line where the wanted record starts */
	int64_t line;        /* physical line of the next byte */
	int64_t rec_start;   /* line where the current record started */
	int64_t recno;       /* 1 = header */
	bool in_quotes, quote_seen, field_start;
	size_t flen;
	bool bom_checked;
	size_t skip;         /* BOM bytes still to skip */
	struct rr_rec header, rec, *keep; /* keep: where fields go, NULL: not kept */
	bool done;
};

static void rr_add_char(struct rr_parse *p, char c)
{
	if (p->keep && p->keep->n < RR_MAX_COLS && p->flen + 1 < RR_MAX_FIELD)
		p->keep->f[p->keep->n][p->flen++] = c;
}

static void rr_end_field(struct rr_parse *p)
{
	if (p->keep && p->keep->n < RR_MAX_COLS) {
		p->keep->f[p->keep->n][p->flen] = '\0';
		p->keep->n++;
	}
	p->flen = 0;
	p->field_start = true;
}

static void rr_end_record(struct rr_parse *p)
{
	rr_end_field(p);
	if (p->keep == &p->rec)
		p->done = true;
	p->recno++;
	p->rec_start = p->line;
	p->keep = p->rec_start == p->target ? &p->rec : NULL;
}

static void rr_feed(struct rr_parse *p, const char *buf, size_t len)
{
	for (size_t i = 0; i < len && !p->done; i++) {
		char c = buf[i];

		if (p->skip) {
			p->skip--;
			continue;
		}
		if (p->quote_seen) {
			p->quote_seen = false;
			if (c == '"') {
				rr_add_char(p, '"');
				continue;
			}
			p->in_quotes = false;
		}
		if (p->in_quotes) {
			if (c == '"') {
				p->quote_seen = true;
				continue;
			}
			if (c == '\n')
				p->line++;
			rr_add_char(p, c);
			continue;
		}
		switch (c) {
		case '"':
			if (p->field_start)
				p->in_quotes = true;
			else
				rr_add_char(p, c);
			p->field_start = false;
			break;
		case ',':
			rr_end_field(p);
			break;
		case '\r':
			break;
		case '\n':
			p->line++;
			rr_end_record(p);
			break;
		default:
			p->field_start = false;
			rr_add_char(p, c);
			break;
		}
	}
}

/* The export a validation run read, and the spec it used. */
static enum hmx_rc rr_run_source(struct store *s, int64_t run, char *path, size_t pn,
				 char *spec, size_t sn, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT path, coalesce(sha256, ''), spec "
					 "FROM validation_run WHERE id = ?1", err);
	char sha[80] = "";
	struct stat sb;
	int rc;

	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, run);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		store_col_text(st, 0, path, pn);
		store_col_text(st, 1, sha, sizeof sha);
		store_col_text(st, 2, spec, sn);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE
			       ? hmx_err_set(err, HMX_ENOTFOUND, "no validation run %lld", (long long)run)
			       : store_fail(s, err, "cannot read the validation run");
	if (stat(path, &sb) == 0)
		return HMX_OK;
	if (sha[0] && intake_blob_path(s, sha, path, pn, err) == HMX_OK && stat(path, &sb) == 0)
		return HMX_OK;
	return hmx_err_set(err, HMX_ENOTFOUND, "the export of run %lld is no longer on disk",
			   (long long)run);
}

static enum hmx_rc rr_read(const char *path, const char *file, struct rr_parse *p,
			   struct hmx_err *err)
{
	struct hmiscsv_limits lim;
	struct hmiscsv *pkg = NULL;
	struct hmiscsv_stream *in = NULL;
	const struct hmiscsv_entry *e;
	char buf[65536];
	long long got = 0;
	enum hmx_rc rc;

	hmiscsv_limits_default(&lim);
	if ((rc = hmiscsv_open(path, &lim, NULL, NULL, &pkg, err)) != HMX_OK)
		return rc;
	e = hmiscsv_find(pkg, file);
	if (!e) {
		hmiscsv_close(&pkg);
		return hmx_err_set(err, HMX_ENOTFOUND, "%s is not in the export", file);
	}
	if ((rc = hmiscsv_stream_open(pkg, e, &in, err)) != HMX_OK) {
		hmiscsv_close(&pkg);
		return rc;
	}
	while (!p->done && (got = hmiscsv_stream_read(in, buf, sizeof buf, err)) > 0) {
		size_t off = 0;
		if (!p->bom_checked) {
			p->bom_checked = true;
			if (got >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
				off = 3;
		}
		rr_feed(p, buf + off, (size_t)got - off);
	}
	if (!p->done && p->keep && (p->flen || p->keep->n))
		rr_end_record(p); /* the last record, without a final newline */
	hmiscsv_stream_close(&in);
	hmiscsv_close(&pkg);
	if (got < 0)
		return err->rc;
	return HMX_OK;
}

static bool rr_shown(const struct spec_file *sf, const char *name)
{
	const struct spec_column *c;

	if (!sf || rawrow_column_private(name))
		return false;
	c = spec_column_find(sf, name, strlen(name), NULL);
	if (!c)
		return false;
	return c->pk || c->fk_column || c->group_key || c->nlists > 0 || c->type != SPEC_STRING;
}

enum hmx_rc rawrow_of_item(struct store *s, int64_t item, struct rawrow *out,
			   struct hmx_err *err)
{
	struct review_item it;
	struct rr_parse p;
	struct spec *sp = NULL;
	const struct spec_file *sf;
	char path[4200], specname[16] = "";
	enum spec_version v;
	enum hmx_rc rc;

	memset(out, 0, sizeof *out);
	memset(&p, 0, sizeof p);
	if ((rc = review_get(s, item, &it, err)) != HMX_OK)
		return rc;
	hmx_strlcpy(out->file, it.file, sizeof out->file);
	out->line = it.line;
	if (it.line < 2)
		return hmx_err_set(err, HMX_EINVAL, "finding %lld has no record line", (long long)item);
	if ((rc = rr_run_source(s, it.last_run, path, sizeof path, specname, sizeof specname,
				err)) != HMX_OK)
		return rc;
	p.header.f = calloc(RR_MAX_COLS, sizeof *p.header.f);
	p.rec.f = calloc(RR_MAX_COLS, sizeof *p.rec.f);
	if (!p.header.f || !p.rec.f) {
		rc = hmx_err_set(err, HMX_ENOMEM, "out of memory reading the record");
		goto out;
	}
	p.target = it.line;
	p.line = p.rec_start = p.recno = 1;
	p.field_start = true;
	p.keep = &p.header;
	if ((rc = rr_read(path, it.file, &p, err)) != HMX_OK)
		goto out;
	if (!p.done) {
		rc = hmx_err_set(err, HMX_ENOTFOUND, "no record starts at line %lld of %s",
				 (long long)it.line, it.file);
		goto out;
	}
	v = spec_version_from_name(specname);
	if ((rc = spec_load(v == SPEC_UNKNOWN ? SPEC_FY2024 : v, &sp, err)) != HMX_OK)
		goto out;
	sf = spec_file_find(sp, it.file);
	out->fields = calloc(p.header.n ? p.header.n : 1, sizeof *out->fields);
	if (!out->fields) {
		rc = hmx_err_set(err, HMX_ENOMEM, "out of memory reading the record");
		goto out;
	}
	for (size_t i = 0; i < p.header.n; i++) {
		const char *val = i < p.rec.n ? p.rec.f[i] : "";

		if (!rr_shown(sf, p.header.f[i])) {
			out->hidden++;
			continue;
		}
		if (!val[0])
			continue;
		hmx_strlcpy(out->fields[out->nfields].name, p.header.f[i],
			    sizeof out->fields[0].name);
		hmx_strlcpy(out->fields[out->nfields].value, val, sizeof out->fields[0].value);
		out->nfields++;
	}
out:
	spec_free(&sp);
	free(p.header.f);
	free(p.rec.f);
	if (rc != HMX_OK)
		rawrow_free(out);
	return rc;
}
