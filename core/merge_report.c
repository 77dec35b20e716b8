/* core/merge_report.c — the upload export's result as text and as JSON
 * (merge.h): what was written, each input, each source project kept or
 * left out with the reason and its rows per file, the rows per file, the
 * reporting-group projects no input brings, and the X03/X04 findings.
 * Only IDs, project codes, file names and counts reach the output. */
#include "merge.h"

#include "json.h"

#include <string.h>

#define TEXT_FINDINGS 50 /* findings listed in the text summary */

static uint64_t sum_rows(const struct merge_project *p, size_t nfiles, int which)
{
	uint64_t t = 0;

	for (size_t f = 0; f < nfiles; f++)
		t += which == 0 ? p->rows[f].kept : which == 1 ? p->rows[f].left : p->rows[f].dup;
	return t;
}

static const char *severity(const struct merge_finding *fd)
{
	(void)fd;
	return "blocking"; /* X03 and X04 both are (checks.csv) */
}

static void finding_text(char *buf, size_t n, const struct merge_finding *fd)
{
	if (strcmp(fd->check, "X03") == 0)
		snprintf(buf, n, "input %zu writes the HUD ProjectID of rdc-direct project %s",
			fd->input_a + 1, fd->project);
	else
		snprintf(buf, n, "inputs %zu and %zu hold different records under this ID",
			fd->input_a + 1, fd->input_b + 1);
}

void merge_write_text(FILE *f, const struct merge_result *r)
{
	char size[32], d1[11], d2[11];

	if (r->written) {
		hmx_human_size(size, sizeof size, r->out_bytes);
		fprintf(f, "export %s: %s written (ExportID %s, period %s..%s, CSV %s, %s)\n",
			r->cycle[0] ? r->cycle : "-", r->out, r->export_id, cal_format(r->start, d1),
			cal_format(r->end, d2), r->csv_version, size);
	} else {
		fprintf(f, "export %s: %s NOT written%s\n", r->cycle[0] ? r->cycle : "-", r->out,
			r->refused ? " (refused: see the findings)" : "");
	}
	if (r->ninputs)
		fprintf(f, "\ninputs\n");
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct merge_input_info *in = &r->inputs[i];

		hmx_human_size(size, sizeof size, in->bytes);
		fprintf(f, "  %zu  %s%s%s%s  ExportID %s, CSV %s, export %s, %s: %zu project%s, %zu "
			"kept", i + 1, in->label, in->source[0] ? " (" : "", in->source,
			in->source[0] ? ")" : "", in->export_id[0] ? in->export_id : "?",
			in->csv_version[0] ? in->csv_version : "?", in->period, size, in->projects,
			in->projects == 1 ? "" : "s", in->kept);
		if (in->orphans)
			fprintf(f, "; %llu row%s tied to no project of the input left out",
				(unsigned long long)in->orphans, in->orphans == 1 ? "" : "s");
		fputc('\n', f);
	}
	if (r->nprojects) {
		fprintf(f, "\nprojects\n  %-3s %-14s %-28s %8s %12s %12s %10s  %s\n", "IN",
			"PROJECTID", "PROJECT", "ENROLL", "ROWS KEPT", "ROWS LEFT", "DUPLICATE",
			"DECISION");
	}
	for (size_t i = 0; i < r->nprojects; i++) {
		const struct merge_project *p = &r->projects[i];
		char dec[64];

		if (p->why == MERGE_KEPT)
			snprintf(dec, sizeof dec, "kept");
		else
			snprintf(dec, sizeof dec, "left out: %s", merge_why_name(p->why));
		fprintf(f, "  %-3zu %-14s %-28s %8llu %12llu %12llu %10llu  %s\n", p->input + 1,
			p->src_id, p->project[0] ? p->project : "-", (unsigned long long)p->enrollments,
			(unsigned long long)sum_rows(p, r->nfiles, 0),
			(unsigned long long)sum_rows(p, r->nfiles, 1),
			(unsigned long long)sum_rows(p, r->nfiles, 2), dec);
	}
	if (r->written) {
		fprintf(f, "\nfiles\n  %-28s %12s %12s %12s\n", "FILE", "KEPT", "LEFT OUT", "DUPLICATE");
		for (size_t k = 0; k < r->nfiles; k++)
			fprintf(f, "  %-28s %12llu %12llu %12llu\n", r->files[k],
				(unsigned long long)r->totals[k].kept, (unsigned long long)r->totals[k].left,
				(unsigned long long)r->totals[k].dup);
	}
	if (r->nmissing) {
		fprintf(f, "\nreporting-group projects with no data in the inputs:");
		for (size_t i = 0; i < r->nmissing; i++)
			fprintf(f, "%s %s", i ? "," : "", r->missing[i]);
		fputc('\n', f);
	}
	if (r->nfindings)
		fprintf(f, "\nfindings: %zu X03, %zu X04%s\n", r->n_x03, r->n_x04,
			r->written && r->n_x04 ? " (written with --allow-collisions)" : "");
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct merge_finding *fd = &r->findings[i];
		char what[160];

		if (i == TEXT_FINDINGS) {
			fprintf(f, "  ... and %zu more (all of them with --format json)\n",
				r->nfindings - i);
			break;
		}
		finding_text(what, sizeof what, fd);
		fprintf(f, "  %s %s %s %s: %s\n", fd->check, severity(fd), fd->file, fd->key, what);
	}
}

static void jrows(FILE *f, const struct merge_rows *r)
{
	bool first = true;

	fputc('{', f);
	json_ku(f, &first, "kept", r->kept);
	json_ku(f, &first, "left", r->left);
	json_ku(f, &first, "duplicate", r->dup);
	fputc('}', f);
}

void merge_write_json(FILE *f, const struct merge_result *r)
{
	bool first = true;
	char d[11];

	fputc('{', f);
	json_kv(f, &first, "cycle", r->cycle);
	json_kb(f, &first, "written", r->written);
	json_kb(f, &first, "refused", r->refused);
	json_kv(f, &first, "output", r->out);
	json_kv(f, &first, "export_id", r->export_id);
	json_kv(f, &first, "csv_version", r->csv_version);
	json_kv(f, &first, "start", r->start != CAL_NO_DAY ? cal_format(r->start, d) : "");
	json_kv(f, &first, "end", r->end != CAL_NO_DAY ? cal_format(r->end, d) : "");
	json_ku(f, &first, "bytes", r->out_bytes);
	fputs(",\"inputs\":[", f);
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct merge_input_info *in = &r->inputs[i];

		first = true;
		fputs(i ? ",{" : "{", f);
		json_ku(f, &first, "input", i + 1);
		json_kv(f, &first, "label", in->label);
		json_kv(f, &first, "source", in->source);
		json_kv(f, &first, "export_id", in->export_id);
		json_kv(f, &first, "csv_version", in->csv_version);
		json_kv(f, &first, "period", in->period);
		json_ku(f, &first, "bytes", in->bytes);
		json_ku(f, &first, "projects", in->projects);
		json_ku(f, &first, "kept", in->kept);
		json_ku(f, &first, "orphans", in->orphans);
		fputc('}', f);
	}
	fputs("],\"projects\":[", f);
	for (size_t i = 0; i < r->nprojects; i++) {
		const struct merge_project *p = &r->projects[i];
		bool ff = true;

		first = true;
		fputs(i ? ",{" : "{", f);
		json_ku(f, &first, "input", p->input + 1);
		json_kv(f, &first, "source_project_id", p->src_id);
		json_kv(f, &first, "project", p->project);
		json_kv(f, &first, "state", p->why == MERGE_KEPT ? "kept" : "left-out");
		json_kv(f, &first, "reason", merge_why_name(p->why));
		json_ku(f, &first, "enrollments", p->enrollments);
		fputs(",\"rows\":{", f);
		for (size_t k = 0; k < r->nfiles; k++) {
			const struct merge_rows *rw = &p->rows[k];
			if (!rw->kept && !rw->left && !rw->dup)
				continue;
			fputs(ff ? "" : ",", f);
			ff = false;
			json_str(f, r->files[k]);
			fputc(':', f);
			jrows(f, rw);
		}
		fputs("}}", f);
	}
	fputs("],\"files\":[", f);
	for (size_t k = 0; k < r->nfiles; k++) {
		first = true;
		fputs(k ? ",{" : "{", f);
		json_kv(f, &first, "file", r->files[k]);
		json_ku(f, &first, "kept", r->totals[k].kept);
		json_ku(f, &first, "left", r->totals[k].left);
		json_ku(f, &first, "duplicate", r->totals[k].dup);
		fputc('}', f);
	}
	fputs("],\"missing\":[", f);
	for (size_t i = 0; i < r->nmissing; i++) {
		if (i)
			fputc(',', f);
		json_str(f, r->missing[i]);
	}
	fputs("],\"findings\":[", f);
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct merge_finding *fd = &r->findings[i];
		char what[160];

		first = true;
		fputs(i ? ",{" : "{", f);
		json_kv(f, &first, "check", fd->check);
		json_kv(f, &first, "severity", severity(fd));
		json_kv(f, &first, "file", fd->file);
		json_kv(f, &first, "key", fd->key);
		fprintf(f, ",\"inputs\":[%zu,%zu]", fd->input_a + 1, fd->input_b + 1);
		json_kv(f, &first, "project", fd->project);
		finding_text(what, sizeof what, fd);
		json_kv(f, &first, "detail", what);
		fputc('}', f);
	}
	fputs("]", f);
	first = false;
	fputs(",\"counts\":{", f);
	first = true;
	json_ku(f, &first, "X03", r->n_x03);
	json_ku(f, &first, "X04", r->n_x04);
	fputs("}}\n", f);
}
