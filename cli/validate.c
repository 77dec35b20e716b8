/* cli/validate.c — the verbs that read exports: validate, intake, files, map
 * and export build. */
#include "cli/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/intake.h"
#include "core/json.h"
#include "core/mapping.h"
#include "core/merge.h"
#include "core/registry.h"
#include "core/report.h"
#include "core/review.h"
#include "core/validate.h"
#include "core/validate_store.h"

/* ---- validate ------------------------------------------------------------ */

/* Where findings go: the report, and the database with --cycle. */
struct vcli {
	struct report *rep;
	struct vstore *vs;
	struct reg_project *rdc;  /* rdc-direct projects (X03), with --cycle */
	const char **rdc_ids;     /* their HUD ProjectIDs, into rdc */
};

/* X03 needs the HUD ProjectIDs of the registry's rdc-direct projects. */
static enum hmx_rc vcli_load_rdc(struct vcli *c, struct validate_opts *vo, struct hmx_err *err)
{
	enum reg_source rd = REG_SRC_RDC_DIRECT;
	size_t np = 0;
	enum hmx_rc rc = reg_project_list(cli_store(), &rd, &c->rdc, &np, err);

	if (rc != HMX_OK)
		return rc;
	if (!(c->rdc_ids = calloc(np + 1, sizeof *c->rdc_ids)))
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	for (size_t i = 0; i < np; i++)
		if (c->rdc[i].hud_project_id[0])
			c->rdc_ids[vo->n_rdc_direct++] = c->rdc[i].hud_project_id;
	vo->rdc_direct = c->rdc_ids;
	return HMX_OK;
}

static void vcli_free(struct vcli *c)
{
	free(c->rdc);
	free(c->rdc_ids);
	c->rdc = NULL;
	c->rdc_ids = NULL;
}

static int vcli_finding(void *ctx, const struct validate_finding *f)
{
	struct vcli *c = ctx;

	if (report_finding(c->rep, f))
		return 1;
	return c->vs ? vstore_finding(c->vs, f) : 0;
}

static void vcli_summary(void *ctx, const struct validate_result *res)
{
	report_summary(((struct vcli *)ctx)->rep, res);
}

/* The progress bar on stderr: file, MB done of the total, MB/s, ETA. */
struct pbar {
	double t0, last;
	bool shown;
};

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pbar_progress(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	struct pbar *pb = ctx;
	double now = mono_now(), el = now - pb->t0, rate, mb = (double)done / 1e6;
	char bar[21];
	int fill, eta;

	if (now - pb->last < 0.1)
		return;
	pb->last = now;
	pb->shown = true;
	rate = el > 0 ? mb / el : 0;
	if (total < done)
		total = done;
	fill = total ? (int)(20.0 * (double)done / (double)total) : 0;
	for (int i = 0; i < 20; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[20] = '\0';
	eta = rate > 0 ? (int)(((double)(total - done) / 1e6) / rate + 0.5) : 0;
	fprintf(stderr, "\r[%s] %-26.26s %8.1f/%.1f MB %7.1f MB/s ETA %d:%02d ", bar,
		what ? what : "", mb, (double)total / 1e6, rate, eta / 60, eta % 60);
	fflush(stderr);
}

/* In a cycle that reviews its demo-site export (import), what is validated
 * is that export: the run goes to the review (core/review.h). */
static void review_after_validate(const char *cycle, int64_t run)
{
	struct hmx_err err = { 0 };
	struct cycle_info ci;
	struct review_sync_result r;

	if (cycle_get(cli_store(), cycle, cal_today(), &ci, &err) != HMX_OK ||
	    !review_cycle_reviews(ci.kind))
		return;
	if (review_sync(cli_store(), cycle, run, &r, &err) != HMX_OK) {
		fprintf(stderr, "%s: warning: the review of %s was not updated: %s\n", cli_progname, cycle,
			err.msg);
		return;
	}
	fprintf(stderr,
		"%s: review of %s: %lld new, %lld still found, %lld reopened, %lld resolved\n",
		cli_progname, cycle, (long long)r.opened, (long long)r.persisted,
		(long long)r.reopened, (long long)r.resolved);
}

int cli_validate(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct validate_opts vo;
	struct validate_result res;
	struct report_opts ro = { REPORT_TEXT, 5, a->pos[0] };
	struct vcli c = { 0 };
	struct pbar pb = { 0, 0, false };
	const char *fmt = cli_opt(a, "format"), *spec = cli_opt(a, "spec"),
		   *cycle = cli_opt(a, "cycle");
	const char *mx = cli_opt(a, "max-examples"), *outp = cli_opt(a, "output"),
		   *th = cli_opt(a, "threads");
	char tmp[4200] = "";
	struct stat outst;
	FILE *out = stdout;
	enum hmx_rc rc;
	int exit_rc;

	validate_opts_default(&vo);
	if (fmt && !report_format_parse(fmt, &ro.format))
		return cli_usage_error("bad --format \"%s\": use text, csv or json", fmt);
	if (spec && (vo.spec = spec_version_from_name(spec)) == SPEC_UNKNOWN)
		return cli_usage_error("bad --spec \"%s\": use FY2024 or FY2026", spec);
	if (mx) {
		char *end;
		long n = strtol(mx, &end, 10);
		if (*end || end == mx || n < 0 || n > 1000)
			return cli_usage_error("bad --max-examples \"%s\": use a number from 0 to 1000", mx);
		ro.max_examples = (size_t)n;
	}
	if (th) {
		char *end;
		long n = strtol(th, &end, 10);
		if (*end || end == th || n < 1 || n > 64)
			return cli_usage_error("bad --threads \"%s\": use a number from 1 to 64",
					       th);
		vo.threads = (unsigned)n;
	}
	{
		/* the policy's limits: Q24 timeliness and Q25 inactivity */
		static const struct { const char *name; long lo, hi; } lim[] = {
			{ "timeliness-days", 0, 365 }, { "inactive-days", 1, 3650 },
		};
		for (size_t i = 0; i < 2; i++) {
			const char *v = cli_opt(a, lim[i].name);
			char *end;
			long n;

			if (!v)
				continue;
			n = strtol(v, &end, 10);
			if (*end || end == v || n < lim[i].lo || n > lim[i].hi)
				return cli_usage_error(
					"bad --%s \"%s\": use a number from %ld to %ld",
					lim[i].name, v, lim[i].lo, lim[i].hi);
			if (i == 0)
				vo.timeliness_days = (unsigned)n;
			else
				vo.inactive_days = (unsigned)n;
		}
	}
	if (cycle) {
		int r = cli_open_store(g, 0, &err);
		if (r != CLI_EXIT_OK)
			return r;
		if (vstore_begin(cli_store(), cycle, a->pos[0], &c.vs, &err) != HMX_OK)
			return cli_fail(&err);
	}
	if (outp && stat(outp, &outst) == 0 && !S_ISREG(outst.st_mode)) {
		/* a device or pipe (e.g. /dev/stdout): write to it directly; a
		 * rename would replace it with a regular file */
		if (!(out = fopen(outp, "w"))) {
			fprintf(stderr, "%s: cannot write %s: %s\n", cli_progname, outp, strerror(errno));
			vstore_abort(&c.vs, "cannot write the report");
			return CLI_EXIT_RUNTIME;
		}
	} else if (outp) {
		int fd;
		if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", outp) >= sizeof tmp) {
			vstore_abort(&c.vs, "bad --output");
			return cli_usage_error("--output path too long");
		}
		fd = mkstemp(tmp);
		if (fd < 0 || !(out = fdopen(fd, "w"))) {
			fprintf(stderr, "%s: cannot write %s: %s\n", cli_progname, outp, strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(tmp);
			}
			vstore_abort(&c.vs, "cannot write the report");
			return CLI_EXIT_RUNTIME;
		}
	}
	if (report_open(out, &ro, &c.rep, &err) != HMX_OK) {
		vstore_abort(&c.vs, "out of memory");
		if (outp) {
			fclose(out);
			if (tmp[0])
				unlink(tmp);
		}
		return cli_fail(&err);
	}
	if (isatty(STDERR_FILENO) && !cli_flag(a, "quiet")) {
		struct hmx_hooks hooks = { .log = cli_log, .progress = pbar_progress, .ctx = &pb };
		pb.t0 = pb.last = mono_now();
		hmx_hooks_install(&hooks);
	}
	vo.on_summary = vcli_summary;
	if (c.vs && (rc = vcli_load_rdc(&c, &vo, &err)) != HMX_OK)
		memset(&res, 0, sizeof res);
	else
		rc = validate_run(a->pos[0], &vo, vcli_finding, &c, &res, &err);
	vcli_free(&c);
	if (pb.shown)
		fputs("\r\033[K", stderr);
	{
		struct hmx_hooks hooks = { .log = cli_log };
		hmx_hooks_install(&hooks);
	}
	if (rc == HMX_OK) {
		rc = report_close(&c.rep, &res, &err);
	} else {
		struct hmx_err e2;
		report_close(&c.rep, NULL, &e2);
	}
	if (c.vs) {
		int64_t run = vstore_run_id(c.vs);

		if (rc == HMX_OK)
			rc = vstore_finish(&c.vs, &res, &err);
		else
			vstore_abort(&c.vs, err.msg);
		if (rc == HMX_OK && !res.unreadable)
			review_after_validate(cycle, run);
	}
	if (outp && !tmp[0]) {
		if (fclose(out) != 0 && rc == HMX_OK)
			rc = hmx_err_set(&err, HMX_EIO, "cannot write %s: %s", outp, strerror(errno));
	} else if (outp) {
		bool ok = rc == HMX_OK && fflush(out) == 0 && fsync(fileno(out)) == 0;
		if (fclose(out) != 0)
			ok = false;
		if (ok && rename(tmp, outp) != 0) {
			hmx_err_set(&err, HMX_EIO, "cannot write %s: %s", outp, strerror(errno));
			rc = HMX_EIO;
		}
		if (!ok || rc != HMX_OK)
			unlink(tmp);
		if (!ok && rc == HMX_OK)
			rc = hmx_err_set(&err, HMX_EIO, "cannot write %s: %s", outp, strerror(errno));
	}
	if (rc != HMX_OK) {
		validate_result_free(&res);
		fprintf(stderr, "%s: %s\n", cli_progname, err.msg[0] ? err.msg : hmx_rc_name(rc));
		return CLI_EXIT_RUNTIME;
	}
	if (res.unreadable) {
		fprintf(stderr, "%s: %s: cannot be read: not a folder of CSV files nor a readable zip "
			"archive (P01)\n", cli_progname, a->pos[0]);
		exit_rc = CLI_EXIT_RUNTIME;
	} else {
		exit_rc = validate_blocking(&res) ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
	}
	validate_result_free(&res);
	return exit_rc;
}

/* ---- intake, files, map (core/intake.h, core/mapping.h) ------------------ */

/* One file (intake) as a JSON object, without the closing brace. */
static void json_intake(FILE *f, const struct intake_info *in)
{
	bool first = true;
	char path[4200];
	struct hmx_err err;

	fputc('{', f);
	json_kv(f, &first, "file", in->sha256);
	json_kv(f, &first, "cycle", in->cycle);
	json_kv(f, &first, "source", in->source);
	cli_json_kday(f, &first, "received", in->received);
	json_kv(f, &first, "at", in->at);
	json_kv(f, &first, "by", in->who);
	json_ki(f, &first, "size", (long long)in->size);
	json_kb(f, &first, "packed", in->packed);
	if (intake_blob_path(cli_store(), in->sha256, path, sizeof path, &err) == HMX_OK)
		json_kv(f, &first, "path", path);
	fputs(",\"export\":{", f);
	first = true;
	json_kv(f, &first, "export_id", in->export_id);
	json_kv(f, &first, "source_name", in->source_name);
	json_kv(f, &first, "software", in->software);
	json_kv(f, &first, "csv_version", in->csv_version);
	json_kv(f, &first, "export_date", in->export_date);
	json_kv(f, &first, "start", in->export_start);
	json_kv(f, &first, "end", in->export_end);
	fputs(",\"hash_status\":", f);
	if (in->hash_status < 0)
		fputs("null", f);
	else
		fprintf(f, "%d", in->hash_status);
	fputs("},\"counts\":{", f);
	first = true;
	json_ki(f, &first, "projects", (long long)in->projects);
	json_ki(f, &first, "enrollments", (long long)in->enrollments);
	json_ki(f, &first, "clients", (long long)in->clients);
	json_ki(f, &first, "exits", (long long)in->exits);
	json_kb(f, &first, "complete", in->counts_complete);
	fputs("},\"findings\":[", f);
	for (size_t i = 0; i < in->nfindings; i++) {
		first = true;
		fputs(i ? ",{" : "{", f);
		json_kv(f, &first, "check", in->findings[i].check);
		json_kv(f, &first, "severity", in->findings[i].severity);
		json_kv(f, &first, "category", in->findings[i].category);
		json_kv(f, &first, "detail", in->findings[i].detail);
		fputc('}', f);
	}
	fputs("],\"validation\":", f);
	if (!in->validated) {
		fputs("null", f);
	} else {
		first = true;
		fputc('{', f);
		json_ki(f, &first, "run", in->validation_run);
		json_ki(f, &first, "blocking", (long long)in->n_blocking);
		json_ki(f, &first, "errors", (long long)in->n_error);
		json_ki(f, &first, "warnings", (long long)in->n_warning);
		fputc('}', f);
	}
}

static void print_validation(const struct intake_info *in)
{
	if (in->validated)
		printf("  validation: %llu blocking, %llu errors, %llu warnings (run %lld; see 'hmx "
		       "validate')\n", (unsigned long long)in->n_blocking, (unsigned long long)in->n_error,
		       (unsigned long long)in->n_warning, (long long)in->validation_run);
	else
		printf("  validation: not run\n");
	if (in->validated && strcmp(in->source, "demo") == 0) {
		struct review_filter f;
		struct review_item *it = NULL;
		struct hmx_err err = { 0 };
		size_t n = 0;

		review_filter_init(&f);
		f.pending = true;
		if (review_list(cli_store(), in->cycle, &f, &it, &n, &err) == HMX_OK)
			printf("  review: %zu finding%s pending (see 'hmx findings %s --pending')\n", n,
			       n == 1 ? "" : "s", in->cycle);
		free(it);
	}
}

/* The text summary of a newly intaken file (hmx intake, hmx pull --cycle). */
void cli_print_intake_new(const struct intake_info *in)
{
	char d[11], size[32];

	hmx_human_size(size, sizeof size, in->size);
	printf("intake %.12s into %s: %s, %llu project%s, %llu enrollment%s, %llu client%s, "
	       "%llu exit%s%s\n", in->sha256, in->cycle,
	       in->new_file ? "new file" : "file already stored", (unsigned long long)in->projects,
	       in->projects == 1 ? "" : "s", (unsigned long long)in->enrollments,
	       in->enrollments == 1 ? "" : "s", (unsigned long long)in->clients,
	       in->clients == 1 ? "" : "s", (unsigned long long)in->exits, in->exits == 1 ? "" : "s",
	       in->counts_complete ? "" : " (counts incomplete)");
	printf("  source %s, received %s, %s%s, ExportID %s, CSV %s, export %s..%s\n", in->source,
	       cal_format(in->received, d), size, in->packed ? " (folder zipped)" : "",
	       in->export_id, in->csv_version[0] ? in->csv_version : "?",
	       in->export_start[0] ? in->export_start : "?", in->export_end[0] ? in->export_end : "?");
	for (size_t i = 0; i < in->nfindings; i++)
		printf("  %s %s: %s\n", in->findings[i].check, in->findings[i].severity,
		       in->findings[i].detail);
	print_validation(in);
}

int cli_intake(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct intake_opts o = { cli_opt(a, "source"), CAL_NO_DAY, cli_flag(a, "no-validate") };
	struct intake_info in;
	const char *rcv = cli_opt(a, "received");
	char size[32];
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (rcv && !cal_parse_date(rcv, &o.received))
		return cli_usage_error("bad --received \"%s\": use YYYY-MM-DD", rcv);
	if (o.source && !intake_source_valid(o.source))
		return cli_usage_error("bad --source \"%s\": use hmis, rdc or agency:CODE",
				       o.source);
	/* a write past a file-size limit fails (EFBIG) instead of killing hmx */
	signal(SIGXFSZ, SIG_IGN);
	if (intake_add(cli_store(), a->pos[0], a->pos[1], &o, &in, &err) != HMX_OK)
		return cli_fail(&err);
	if (json) {
		json_intake(stdout, &in);
		printf(",\"already\":%s,\"new_file\":%s}\n", in.already ? "true" : "false",
		       in.new_file ? "true" : "false");
	} else if (in.already) {
		printf("file %.12s is already in %s (received %s from %s, recorded %s by %s): "
		       "nothing changed\n", in.sha256, in.cycle, cal_format(in.received, size),
		       in.source, in.at, in.who);
	} else {
		cli_print_intake_new(&in);
		printf("  next: hmx map %s\n", in.cycle);
	}
	return in.validated && in.n_blocking ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}

int cli_files(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct intake_info *in;
	size_t n;
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (intake_list(cli_store(), a->pos[0], &in, &n, &err) != HMX_OK)
		return cli_fail(&err);
	if (json) {
		printf("{\"cycle\":");
		json_str(stdout, a->pos[0]);
		printf(",\"files\":[");
	} else if (n == 0) {
		printf("no files in %s yet (add one with 'hmx intake %s PATH')\n", a->pos[0], a->pos[0]);
	} else {
		printf("%-12s  %-14s %-10s %10s  %-21s %8s %8s  %-8s %s\n", "FILE", "SOURCE", "RECEIVED",
		       "SIZE", "EXPORT PERIOD", "PROJECTS", "ENROLL", "FINDINGS", "VALIDATION");
	}
	for (size_t i = 0; i < n; i++) {
		if (json) {
			if (i)
				fputc(',', stdout);
			json_intake(stdout, &in[i]);
			fputc('}', stdout);
		} else {
			char size[32], d[11], period[32], fl[32] = "", val[48];

			hmx_human_size(size, sizeof size, in[i].size);
			snprintf(period, sizeof period, "%.10s..%.10s", in[i].export_start, in[i].export_end);
			for (size_t k = 0; k < in[i].nfindings; k++)
				snprintf(fl + strlen(fl), sizeof fl - strlen(fl), "%s%s", k ? "," : "",
					 in[i].findings[k].check);
			if (in[i].validated)
				snprintf(val, sizeof val, "%llu blocking, %llu errors",
					 (unsigned long long)in[i].n_blocking, (unsigned long long)in[i].n_error);
			else
				snprintf(val, sizeof val, "not run");
			printf("%-12.12s  %-14s %-10s %10s  %-21s %8llu %8llu  %-8s %s\n", in[i].sha256,
			       in[i].source, cal_format(in[i].received, d), size, period,
			       (unsigned long long)in[i].projects, (unsigned long long)in[i].enrollments,
			       fl[0] ? fl : "-", val);
		}
	}
	if (json)
		printf("]}\n");
	free(in);
	return CLI_EXIT_OK;
}

static void print_ticks(const struct map_tick *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("  step %s: %s -> %s (%s)\n", t[i].step, step_state_name(t[i].from),
		       step_state_name(t[i].to), t[i].note);
}

/* "hac-cataumet (alias)", "? hac-cataumet (name 80)", "not ours: ...". */
static void map_cell(char *buf, size_t n, const struct map_row *r)
{
	const struct map_proposal *p = &r->proposal;

	if (r->state == MAP_MAPPED)
		snprintf(buf, n, "%s%s", r->project, r->project_active ? "" : " (inactive)");
	else if (r->state == MAP_NOT_OURS)
		snprintf(buf, n, "not ours: %s", r->reason);
	else if (p->via == MAP_VIA_NONE)
		snprintf(buf, n, "-");
	else if (p->not_ours)
		snprintf(buf, n, "? not ours (alias: %s)", p->reason);
	else if (p->via == MAP_VIA_NAME)
		snprintf(buf, n, "? %s (name %d)", p->project, p->score);
	else
		snprintf(buf, n, "? %s (%s%s)", p->project, mapping_via_name(p->via),
			 p->inactive ? ", inactive" : "");
}

static void map_print_json(const struct map_view *v)
{
	bool first = true;

	fputc('{', stdout);
	json_kv(stdout, &first, "cycle", v->cycle);
	json_kv(stdout, &first, "kind", v->kind);
	json_ki(stdout, &first, "unmapped", (long long)v->n_unmapped);
	fputs(",\"files\":[", stdout);
	for (size_t i = 0; i < v->nfiles; i++) {
		size_t und = 0, tot = 0;

		for (size_t j = 0; j < v->nrows; j++)
			if (v->rows[j].file == i) {
				tot++;
				und += v->rows[j].state == MAP_UNMAPPED;
			}
		if (i)
			fputc(',', stdout);
		json_intake(stdout, &v->files[i]);
		first = false;
		json_kv(stdout, &first, "status", und == 0 ? "mapped" : und == tot ? "unmapped" : "partial");
		fputs(",\"projects\":[", stdout);
		for (size_t j = 0, k = 0; j < v->nrows; j++) {
			const struct map_row *r = &v->rows[j];

			if (r->file != i)
				continue;
			first = true;
			fputs(k++ ? ",{" : "{", stdout);
			json_kv(stdout, &first, "source_project_id", r->src_id);
			json_kv(stdout, &first, "name", r->name);
			json_ki(stdout, &first, "enrollments", (long long)r->enrollments);
			json_ki(stdout, &first, "clients", (long long)r->clients);
			json_ki(stdout, &first, "exits", (long long)r->exits);
			json_kv(stdout, &first, "state", mapping_state_name(r->state));
			json_kv(stdout, &first, "project", r->project);
			json_kv(stdout, &first, "reason", r->reason);
			json_kb(stdout, &first, "duplicate_ok", r->duplicate_ok);
			json_kv(stdout, &first, "decided_via", mapping_via_name(r->decided_via));
			json_kv(stdout, &first, "decided_at", r->decided_at);
			json_kv(stdout, &first, "decided_by", r->decided_by);
			fputs(",\"proposal\":{", stdout);
			first = true;
			json_kv(stdout, &first, "via", mapping_via_name(r->proposal.via));
			json_kv(stdout, &first, "project", r->proposal.project);
			json_ki(stdout, &first, "score", r->proposal.score);
			json_kb(stdout, &first, "not_ours", r->proposal.not_ours);
			json_kv(stdout, &first, "reason", r->proposal.reason);
			json_kb(stdout, &first, "inactive", r->proposal.inactive);
			fputs("}}", stdout);
		}
		fputs("]}", stdout);
	}
	fputs("],\"flags\":[", stdout);
	for (size_t i = 0; i < v->nflags; i++) {
		const struct map_flag *f = &v->flags[i];

		first = true;
		fputs(i ? ",{" : "{", stdout);
		json_kv(stdout, &first, "check", f->check);
		json_kv(stdout, &first, "severity", f->severity);
		json_kv(stdout, &first, "file", f->file >= 0 ? v->files[f->file].sha256 : "");
		json_kv(stdout, &first, "source_project_id", f->src_id);
		json_kv(stdout, &first, "project", f->project);
		json_kv(stdout, &first, "detail", f->detail);
		fputc('}', stdout);
	}
	fputs("]}\n", stdout);
}

static void map_print_text(const struct map_view *v)
{
	printf("%s (%s): %zu file%s, %zu project%s without a decision\n", v->cycle, v->kind, v->nfiles,
	       v->nfiles == 1 ? "" : "s", v->n_unmapped, v->n_unmapped == 1 ? "" : "s");
	if (v->nfiles == 0)
		printf("no files yet (add one with 'hmx intake %s PATH')\n", v->cycle);
	for (size_t i = 0; i < v->nfiles; i++) {
		const struct intake_info *in = &v->files[i];
		char size[32], d[11];
		size_t und = 0, tot = 0;

		for (size_t j = 0; j < v->nrows; j++)
			if (v->rows[j].file == i) {
				tot++;
				und += v->rows[j].state == MAP_UNMAPPED;
			}
		hmx_human_size(size, sizeof size, in->size);
		printf("\nfile %.12s  %s, received %s, %s, ExportID %s, export %.10s..%.10s: %s\n",
		       in->sha256, in->source, cal_format(in->received, d), size, in->export_id,
		       in->export_start, in->export_end,
		       und == 0 ? "mapped" : und == tot ? "unmapped" : "partly mapped");
		printf("  %-12s %-34s %7s  %-9s %s\n", "PROJECTID", "NAME", "ENROLL", "STATE",
		       "PROJECT / PROPOSAL");
		for (size_t j = 0; j < v->nrows; j++) {
			const struct map_row *r = &v->rows[j];
			char cell[320];

			if (r->file != i)
				continue;
			map_cell(cell, sizeof cell, r);
			printf("  %-12s %-34.34s %7llu  %-9s %s\n", r->src_id, r->name,
			       (unsigned long long)r->enrollments, mapping_state_name(r->state), cell);
		}
	}
	if (v->nflags)
		printf("\nflags:\n");
	for (size_t i = 0; i < v->nflags; i++) {
		const struct map_flag *f = &v->flags[i];
		char what[128];

		if (f->file >= 0 && f->src_id[0])
			snprintf(what, sizeof what, "file %.12s ProjectID=%s", v->files[f->file].sha256,
				 f->src_id);
		else if (f->file >= 0)
			snprintf(what, sizeof what, "file %.12s", v->files[f->file].sha256);
		else
			snprintf(what, sizeof what, "project %s", f->project);
		printf("  %-8s %-8s %s: %s\n", f->check, f->severity, what, f->detail);
	}
}

int cli_map(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct map_tick *ticks = NULL;
	size_t nticks = 0;
	const char *cycle = a->pos[0], *file = a->npos > 1 ? a->pos[1] : NULL;
	const char *src = a->npos > 2 ? a->pos[2] : NULL, *project = a->npos > 3 ? a->pos[3] : NULL;
	const char *not_ours = cli_opt(a, "not-ours"), *create = cli_opt(a, "create");
	bool accept = cli_flag(a, "accept"), clear = cli_flag(a, "clear");
	unsigned flags = cli_flag(a, "allow-duplicate") ? MAP_ALLOW_DUPLICATE : 0;
	int json = cli_want_json(a), actions;
	enum hmx_rc rc;

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	actions = (project != NULL) + (not_ours != NULL) + (create != NULL) + accept + clear;
	if (actions > 1)
		return cli_usage_error("give one of PROJECT, --not-ours, --create, --clear or --accept");
	if (!accept && ((file && !src) || (src && actions == 0)))
		return cli_usage_error(
			"usage: hmx map CYCLE FILE PROJECTID PROJECT|--not-ours REASON|"
			"--create CODE|--clear, or hmx map CYCLE [FILE] --accept");
	if (accept && src)
		return cli_usage_error("--accept takes the cycle and optionally one FILE, no PROJECTID");
	if (!src && !accept) {
		struct map_view v;

		if (mapping_view(cli_store(), cycle, &v, &err) != HMX_OK)
			return cli_fail(&err);
		if (json)
			map_print_json(&v);
		else
			map_print_text(&v);
		mapping_view_free(&v);
		return CLI_EXIT_OK;
	}
	if (accept) {
		size_t acc = 0, skip = 0;

		rc = mapping_accept(cli_store(), cycle, file, &acc, &skip, &ticks, &nticks, &err);
		if (rc == HMX_OK)
			printf("accepted %zu alias and HUD ProjectID proposal%s; %zu project%s left to decide\n",
			       acc, acc == 1 ? "" : "s", skip, skip == 1 ? "" : "s");
	} else if (project) {
		rc = mapping_set(cli_store(), cycle, file, src, project, flags, &ticks, &nticks, &err);
		if (rc == HMX_OK)
			printf("ProjectID %s of file %s mapped to %s\n", src, file, project);
	} else if (not_ours) {
		rc = mapping_not_ours(cli_store(), cycle, file, src, not_ours, &ticks, &nticks,
				      &err);
		if (rc == HMX_OK)
			printf("ProjectID %s of file %s: not ours (%s)\n", src, file, not_ours);
	} else if (create) {
		struct map_new_project np = { create, cli_opt(a, "name"), cli_opt(a, "agency"),
					      NULL, cli_opt(a, "hud-id") };
		enum reg_source kind;
		const char *k = cli_opt(a, "kind");

		if (k && !reg_source_parse(k, &kind))
			return cli_usage_error("bad --kind \"%s\": use hmis, rdc-direct or outside-agency", k);
		np.kind = k ? &kind : NULL;
		rc = mapping_create(cli_store(), cycle, file, src, &np, flags, &ticks, &nticks,
				    &err);
		if (rc == HMX_OK)
			printf("project %s added; ProjectID %s of file %s mapped to it\n", create, src, file);
	} else {
		rc = mapping_clear(cli_store(), cycle, file, src, &ticks, &nticks, &err);
		if (rc == HMX_OK)
			printf("ProjectID %s of file %s: decision cleared\n", src, file);
	}
	if (rc != HMX_OK)
		return cli_fail(&err);
	print_ticks(ticks, nticks);
	free(ticks);
	return CLI_EXIT_OK;
}

/* ---- export build (core/merge.h) ----------------------------------------- */

int cli_export_build(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct merge_build_opts o = { cli_opt(a, "output"), cli_opt(a, "export-id"), 0 };
	struct merge_result res;
	struct pbar pb = { 0, 0, false };
	const char *refs[CLI_MAX_OPT];
	size_t n = 0;
	int json = cli_want_json(a), code;
	enum hmx_rc rc;

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	for (int i = 0; i < a->nopt; i++)
		if (strcmp(a->opt[i].name, "from") == 0)
			refs[n++] = a->opt[i].value;
	if (n == 0)
		return cli_usage_error("give at least one --from FILE (a file of the cycle, or an "
				   "export's path)");
	if (!o.out || !o.out[0])
		return cli_usage_error("give the output with -o FILE");
	if (cli_flag(a, "allow-collisions"))
		o.flags |= MERGE_ALLOW_COLLISIONS;
	if (cli_flag(a, "keep-export-id")) {
		if (o.export_id)
			return cli_usage_error(
				"--keep-export-id and --export-id exclude each other");
		o.flags |= MERGE_KEEP_EXPORT_ID;
	}
	/* a write past a file-size limit fails (EFBIG) instead of killing hmx */
	signal(SIGXFSZ, SIG_IGN);
	if (isatty(STDERR_FILENO) && !cli_flag(a, "quiet")) {
		struct hmx_hooks hooks = { .log = cli_log, .progress = pbar_progress, .ctx = &pb };
		pb.t0 = pb.last = mono_now();
		hmx_hooks_install(&hooks);
	}
	rc = merge_build(cli_store(), a->pos[0], refs, n, &o, &res, &err);
	if (pb.shown)
		fputs("\r\033[K", stderr);
	{
		struct hmx_hooks hooks = { .log = cli_log };
		hmx_hooks_install(&hooks);
	}
	/* the summary when written, refused, or with nothing to upload */
	if (rc == HMX_OK || rc == HMX_ESTATE) {
		if (json)
			merge_write_json(stdout, &res);
		else
			merge_write_text(stdout, &res);
	}
	if (rc == HMX_OK) {
		code = CLI_EXIT_OK;
	} else if (rc == HMX_ESTATE) {
		fprintf(stderr, "%s: %s\n", cli_progname, err.msg);
		code = CLI_EXIT_FINDINGS;
	} else {
		code = cli_fail(&err);
	}
	merge_result_free(&res);
	return code;
}
