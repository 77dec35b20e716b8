/* core/report.c — json, csv and text reports of a validation (report.h).
 * Every string written comes from the validator, which already keeps to
 * IDs, column names and categories; this file only escapes and lays out. */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct example {
	char file[64];
	uint64_t line;
	char key[112];
	char column[64];
	char detail[16];
	char project[64];
};

struct report {
	FILE *out;
	struct report_opts o;
	bool summarized;
	uint64_t nfindings;
	/* text: examples[check * 3 + sev][0..nex) */
	size_t nchecks;
	struct example *ex;
	size_t *nex;
	const struct validate_result *res;
	int err;
};

bool report_format_parse(const char *s, enum report_format *out)
{
	if (!s)
		return false;
	if (strcmp(s, "text") == 0)
		*out = REPORT_TEXT;
	else if (strcmp(s, "csv") == 0)
		*out = REPORT_CSV;
	else if (strcmp(s, "json") == 0)
		*out = REPORT_JSON;
	else
		return false;
	return true;
}

enum hmx_rc report_open(FILE *out, const struct report_opts *o, struct report **rep,
	struct hmx_err *err)
{
	struct report *r = calloc(1, sizeof *r);

	*rep = NULL;
	if (!r)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	r->out = out;
	r->o = *o;
	*rep = r;
	return HMX_OK;
}

/* ---- escaping ---- */

static void csv_str(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* 1234567 -> "1,234,567" into buf (at least 32 bytes). */
static const char *num(char *buf, uint64_t v)
{
	char t[32];
	int n = snprintf(t, sizeof t, "%llu", (unsigned long long)v), k = 0;

	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = t[i];
	}
	buf[k] = '\0';
	return buf;
}

/* ---- summary ---- */

static void json_summary(struct report *r, const struct validate_result *res)
{
	FILE *f = r->out;
	bool first = true;
	const char *spec = spec_version_name(res->spec);

	fputs("{\"version\":", f);
	json_str(f, res->version);
	fputs(",\"spec\":", f);
	if (spec)
		json_str(f, spec);
	else
		fputs("null", f);
	fputs(",\"files\":{", f);
	for (size_t i = 0; i < res->nfiles; i++) {
		const struct validate_file_info *fi = &res->files[i];
		fprintf(f, "%s", i ? "," : "");
		json_str(f, fi->name);
		fprintf(f, ":{\"rows\":%llu,\"deleted\":%llu,\"present\":%s,\"bytes\":%llu%s}",
			(unsigned long long)fi->rows, (unsigned long long)fi->deleted,
			fi->present ? "true" : "false", (unsigned long long)fi->bytes,
			fi->halted ? ",\"halted\":true" : "");
	}
	fputs("},\"counts\":{", f);
	for (size_t i = 0; i < res->nchecks; i++) {
		if (!res->checks[i].total)
			continue;
		fprintf(f, "%s", first ? "" : ",");
		first = false;
		json_str(f, res->checks[i].check->id);
		fprintf(f, ":%llu", (unsigned long long)res->checks[i].total);
	}
	fprintf(f, "},\"totals\":{\"blocking\":%llu,\"error\":%llu,\"warning\":%llu}",
		(unsigned long long)res->by_sev[SPEC_SEV_BLOCKING],
		(unsigned long long)res->by_sev[SPEC_SEV_ERROR],
		(unsigned long long)res->by_sev[SPEC_SEV_WARNING]);
	fputs(",\"export\":{\"ExportID\":", f);
	json_str(f, res->export_id);
	fputs(",\"SourceName\":", f);
	json_str(f, res->source_name);
	fputs(",\"ExportDate\":", f);
	json_str(f, res->export_date);
	fputs(",\"ExportStartDate\":", f);
	json_str(f, res->start_date);
	fputs(",\"ExportEndDate\":", f);
	json_str(f, res->end_date);
	fprintf(f, ",\"HashStatus\":%d}", res->hash_status);
	fprintf(f, ",\"unreadable\":%s,\"stopped\":%s,\"findings\":[",
		res->unreadable ? "true" : "false", res->stopped ? "true" : "false");
}

void report_summary(void *ctx, const struct validate_result *res)
{
	struct report *r = ctx;

	r->summarized = true;
	r->res = res;
	switch (r->o.format) {
	case REPORT_JSON:
		json_summary(r, res);
		break;
	case REPORT_CSV:
		fputs("check,severity,file,line,key,column,detail,project\n", r->out);
		break;
	case REPORT_TEXT:
		r->nchecks = res->nchecks;
		if (r->o.max_examples) {
			size_t slots = res->nchecks * VALIDATE_NSEV;
			r->nex = calloc(slots ? slots : 1, sizeof *r->nex);
			r->ex = calloc((slots ? slots : 1) * r->o.max_examples, sizeof *r->ex);
			if (!r->nex || !r->ex) {
				free(r->nex);
				free(r->ex);
				r->nex = NULL;
				r->ex = NULL;
				r->err = ENOMEM;
			}
		}
		break;
	}
}

/* ---- findings ---- */

static void copy(char *dst, size_t n, const char *s)
{
	hmx_strlcpy(dst, s ? s : "", n);
}

static size_t check_index(const struct report *r, const char *id)
{
	for (size_t i = 0; i < r->res->nchecks; i++)
		if (strcmp(r->res->checks[i].check->id, id) == 0)
			return i;
	return SIZE_MAX;
}

int report_finding(void *ctx, const struct validate_finding *fd)
{
	struct report *r = ctx;
	FILE *f = r->out;

	switch (r->o.format) {
	case REPORT_JSON:
		fputs(r->nfindings ? ",\n{\"check\":" : "\n{\"check\":", f);
		json_str(f, fd->check);
		fputs(",\"severity\":", f);
		json_str(f, validate_severity_name(fd->severity));
		fputs(",\"file\":", f);
		json_str(f, fd->file);
		fprintf(f, ",\"line\":%llu,\"key\":", (unsigned long long)fd->line);
		json_str(f, fd->key);
		if (fd->column[0]) {
			fputs(",\"column\":", f);
			json_str(f, fd->column);
		}
		if (fd->detail[0]) {
			fputs(",\"detail\":", f);
			json_str(f, fd->detail);
		}
		if (fd->project[0]) {
			fputs(",\"project\":", f);
			json_str(f, fd->project);
		}
		fputc('}', f);
		break;
	case REPORT_CSV:
		fprintf(f, "%s,%s,", fd->check, validate_severity_name(fd->severity));
		csv_str(f, fd->file);
		fprintf(f, ",%llu,", (unsigned long long)fd->line);
		csv_str(f, fd->key);
		fputc(',', f);
		csv_str(f, fd->column);
		fputc(',', f);
		csv_str(f, fd->detail);
		fputc(',', f);
		csv_str(f, fd->project);
		fputc('\n', f);
		break;
	case REPORT_TEXT:
		if (r->ex && r->res) {
			size_t ci = check_index(r, fd->check);
			size_t slot;
			if (ci == SIZE_MAX)
				break;
			slot = ci * VALIDATE_NSEV + (size_t)fd->severity;
			if (r->nex[slot] < r->o.max_examples) {
				struct example *e = &r->ex[slot * r->o.max_examples + r->nex[slot]++];
				copy(e->file, sizeof e->file, fd->file);
				e->line = fd->line;
				copy(e->key, sizeof e->key, fd->key);
				copy(e->column, sizeof e->column, fd->column);
				copy(e->detail, sizeof e->detail, fd->detail);
				copy(e->project, sizeof e->project, fd->project);
			}
		}
		break;
	}
	r->nfindings++;
	return ferror(f) ? 1 : 0;
}

/* ---- text ---- */

static const char *sev_title(int s)
{
	return s == SPEC_SEV_BLOCKING ? "BLOCKING" : s == SPEC_SEV_ERROR ? "ERROR" : "WARNING";
}

/* Q24's buckets (APR 6e), flagged or not; nothing when no record had both
 * dates. */
static void timeliness_report(FILE *f, const struct validate_result *res)
{
	static const char *const what[2] = { "entries", "exits" };
	static const char *const bucket[5] = { "0", "1-3", "4-6", "7-10", "11+" };
	uint64_t all = 0;
	char a[32];

	for (int k = 0; k < 2; k++)
		for (int b = 0; b < 5; b++)
			all += res->timeliness[k][b];
	if (!all)
		return;
	fprintf(f, "\nTimeliness (APR 6e): records by days from entry or exit to creation "
		"(Q24 flags more than %u)\n", res->timeliness_days);
	for (int k = 0; k < 2; k++) {
		fprintf(f, "  %-8s", what[k]);
		for (int b = 0; b < 5; b++)
			fprintf(f, "  %s: %s", bucket[b], num(a, res->timeliness[k][b]));
		fputc('\n', f);
	}
}

static void text_report(struct report *r, const struct validate_result *res)
{
	FILE *f = r->out;
	char a[32], b[32], c[32];
	uint64_t rows = 0, deleted = 0;
	size_t present = 0;
	const char *spec = spec_version_name(res->spec);

	fprintf(f, "hmx validate: %s\n", r->o.input ? r->o.input : "");
	if (res->export_id[0] || res->version[0]) {
		fprintf(f, "Export %s", res->export_id[0] ? res->export_id : "(no ExportID)");
		if (res->source_name[0])
			fprintf(f, " from %s", res->source_name);
		if (res->software[0])
			fprintf(f, " (%s)", res->software);
		fputc('\n', f);
		fprintf(f, "CSVVersion \"%s\": %s%s\n", res->version, spec ? spec : "unknown version",
			res->spec_forced ? " (forced by --spec)" : "");
		if (res->export_date[0] || res->start_date[0])
			fprintf(f, "Exported %s, period %s to %s, HashStatus %d\n", res->export_date,
				res->start_date[0] ? res->start_date : "?",
				res->end_date[0] ? res->end_date : "?", res->hash_status);
	} else if (spec) {
		fprintf(f, "Validated as %s%s\n", spec, res->spec_forced ? " (forced by --spec)" : "");
	}
	for (size_t i = 0; i < res->nfiles; i++) {
		present += res->files[i].present;
		rows += res->files[i].rows;
		deleted += res->files[i].deleted;
	}
	fprintf(f, "Read %zu of %zu files, %s rows (%s deleted), %.1f MB in %.2f s\n\n", present,
		res->nfiles, num(a, rows), num(b, deleted), (double)res->bytes / 1e6, res->seconds);

	fprintf(f, "Findings: %s blocking, %s errors, %s warnings\n",
		num(a, res->by_sev[SPEC_SEV_BLOCKING]), num(b, res->by_sev[SPEC_SEV_ERROR]),
		num(c, res->by_sev[SPEC_SEV_WARNING]));
	for (int s = SPEC_SEV_BLOCKING; s >= SPEC_SEV_WARNING; s--) {
		if (!res->by_sev[s])
			continue;
		fprintf(f, "\n%s (%s)\n", sev_title(s), num(a, res->by_sev[s]));
		for (size_t i = 0; i < res->nchecks; i++) {
			const struct validate_check_count *cc = &res->checks[i];
			size_t slot = i * VALIDATE_NSEV + (size_t)s;
			if (!cc->by_sev[s])
				continue;
			fprintf(f, "  %-4s %10s  %s\n", cc->check->id, num(a, cc->by_sev[s]),
				cc->check->summary);
			for (size_t k = 0; r->ex && k < r->nex[slot]; k++) {
				const struct example *e = &r->ex[slot * r->o.max_examples + k];
				fprintf(f, "         %s:%llu", e->file[0] ? e->file : "(package)",
					(unsigned long long)e->line);
				if (e->key[0])
					fprintf(f, "  %s", e->key);
				if (e->column[0])
					fprintf(f, "  column %s", e->column);
				if (e->detail[0])
					fprintf(f, "  (%s)", e->detail);
				if (e->project[0])
					fprintf(f, "  project %s", e->project);
				fputc('\n', f);
			}
			if (r->nex && r->nex[slot] && cc->by_sev[s] > r->nex[slot])
				fprintf(f, "         ... and %s more\n", num(a, cc->by_sev[s] - r->nex[slot]));
		}
	}

	timeliness_report(f, res);

	if (res->nprojects) {
		fprintf(f, "\nBy project\n  %-20s %10s %10s %10s  %s\n", "ProjectID", "blocking",
			"error", "warning", "name");
		for (size_t i = 0; i < res->nprojects; i++) {
			const struct validate_project_info *p = &res->projects[i];
			fprintf(f, "  %-20s %10s %10s %10s  %s\n", p->id,
				num(a, p->by_sev[SPEC_SEV_BLOCKING]), num(b, p->by_sev[SPEC_SEV_ERROR]),
				num(c, p->by_sev[SPEC_SEV_WARNING]), p->name);
		}
		fprintf(f, "  %-20s %10s %10s %10s  %s\n", "(none)",
			num(a, res->no_project[SPEC_SEV_BLOCKING]), num(b, res->no_project[SPEC_SEV_ERROR]),
			num(c, res->no_project[SPEC_SEV_WARNING]), "package, header, client and user findings");
	}

	fputc('\n', f);
	if (res->unreadable)
		fprintf(f, "Verdict: UNREADABLE: the input is not a folder of CSV files nor a readable zip.\n");
	else if (res->by_sev[SPEC_SEV_BLOCKING])
		fprintf(f, "Verdict: BLOCKED: %s blocking finding%s; the export must not be uploaded or "
			"taken live.%s\n", num(a, res->by_sev[SPEC_SEV_BLOCKING]),
			res->by_sev[SPEC_SEV_BLOCKING] == 1 ? "" : "s",
			res->stopped ? " Validation stopped early." : "");
	else if (res->by_sev[SPEC_SEV_ERROR])
		fprintf(f, "Verdict: PASSED WITH ERRORS: no blocking finding; %s error%s to fix or explain "
			"in review.\n", num(a, res->by_sev[SPEC_SEV_ERROR]),
			res->by_sev[SPEC_SEV_ERROR] == 1 ? "" : "s");
	else if (res->by_sev[SPEC_SEV_WARNING])
		fprintf(f, "Verdict: PASSED: no blocking finding, no error; %s warning%s.\n",
			num(a, res->by_sev[SPEC_SEV_WARNING]),
			res->by_sev[SPEC_SEV_WARNING] == 1 ? "" : "s");
	else
		fprintf(f, "Verdict: CLEAN: no finding.\n");
}

enum hmx_rc report_close(struct report **rep, const struct validate_result *res,
	struct hmx_err *err)
{
	struct report *r;
	int e = 0;

	if (!rep || !*rep)
		return HMX_OK;
	r = *rep;
	if (res && r->summarized) {
		if (r->o.format == REPORT_JSON)
			fputs(r->nfindings ? "\n]}\n" : "]}\n", r->out);
		else if (r->o.format == REPORT_TEXT)
			text_report(r, res);
	}
	if (fflush(r->out) != 0 || ferror(r->out))
		e = errno ? errno : EIO;
	if (!e && r->err)
		e = r->err;
	free(r->ex);
	free(r->nex);
	free(r);
	*rep = NULL;
	if (e)
		return hmx_err_set(err, e == ENOMEM ? HMX_ENOMEM : HMX_EIO, "cannot write the report: %s",
			strerror(e));
	return HMX_OK;
}
