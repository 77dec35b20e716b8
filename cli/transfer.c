/* cli/transfer.c — the SFTP verbs: site, ls, pull, push, transfers and
 * transfer retry/cancel. */
#include "cli/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/intake.h"
#include "core/json.h"
#include "core/mapping.h"
#include "core/sftp.h"
#include "core/site.h"
#include "core/transfer.h"

/* ---- sites and SFTP -------------------------------------------------------- */

int cli_site_add(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct site st = { 0 };
	const char *host = cli_opt(a, "host"), *port = cli_opt(a, "port");
	const struct { const char *name; char *dst; size_t n; } text[] = {
		{ "user", st.user, sizeof st.user },
		{ "identity", st.identity, sizeof st.identity },
		{ "remote-dir", st.remote_dir, sizeof st.remote_dir },
		{ "role", st.role, sizeof st.role },
	};

	(void)g;
	if (!host)
		return cli_usage_error("usage: hmx site add NAME --host HOST [--port P] [--user U] "
				   "[--identity FILE] [--remote-dir DIR] [--role rdc|vendor|agency:CODE|mcp]");
	if (strlen(a->pos[0]) >= sizeof st.name || strlen(host) >= sizeof st.host)
		return cli_usage_error("site name or host too long");
	hmx_strlcpy(st.name, a->pos[0], sizeof st.name);
	hmx_strlcpy(st.host, host, sizeof st.host);
	if (port) {
		char *end;
		long p;

		errno = 0;
		p = strtol(port, &end, 10);
		if (errno || end == port || *end || p < 1 || p > 65535)
			return cli_usage_error("bad --port \"%s\": use 1-65535", port);
		st.port = (int)p;
	}
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
		const char *v = cli_opt(a, text[i].name);
		if (v && strlen(v) >= text[i].n)
			return cli_usage_error("--%s too long", text[i].name);
		if (v)
			hmx_strlcpy(text[i].dst, v, text[i].n);
	}
	if (site_add(cli_store(), &st, &err) != HMX_OK)
		return cli_fail(&err);
	printf("site %s added\n", st.name);
	return CLI_EXIT_OK;
}

static void json_site(FILE *f, const void *row)
{
	const struct site *st = row;
	bool first = true;

	fputc('{', f);
	json_kv(f, &first, "name", st->name);
	json_kv(f, &first, "host", st->host);
	json_ki(f, &first, "port", st->port);
	json_kv(f, &first, "user", st->user);
	json_kv(f, &first, "identity", st->identity);
	json_kv(f, &first, "remote_dir", st->remote_dir);
	json_kv(f, &first, "role", st->role);
	json_kv(f, &first, "created_at", st->created_at);
	json_kv(f, &first, "created_by", st->created_by);
	fputc('}', f);
}

static void text_site(const void *row)
{
	const struct site *st = row;
	char port[12];

	snprintf(port, sizeof port, "%d", st->port);
	printf("%-16s %-12s %-28s %-6s %s\n", st->name, st->role[0] ? st->role : "-", st->host,
	       st->port ? port : "-", st->user[0] ? st->user : "-");
}

int cli_site_list(struct cli_globals *g, struct cli_args *a)
{
	static const struct cli_list list = {
		"sites", "SITE             ROLE         HOST                         PORT   USER\n",
		"no sites yet (hmx site add NAME --host HOST)", json_site, text_site,
	};
	struct hmx_err err = { 0 };
	struct site *v;
	size_t n;
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (site_list(cli_store(), &v, &n, &err) != HMX_OK)
		return cli_fail(&err);
	cli_print_list(&list, v, n, sizeof *v, json);
	free(v);
	return CLI_EXIT_OK;
}

int cli_site_show(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct site st;
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (site_get(cli_store(), a->pos[0], &st, &err) != HMX_OK)
		return cli_fail(&err);
	if (json) {
		json_site(stdout, &st);
		fputc('\n', stdout);
		return CLI_EXIT_OK;
	}
	printf("site:       %s\nhost:       %s\n", st.name, st.host);
	if (st.port)
		printf("port:       %d\n", st.port);
	else
		printf("port:       (~/.ssh/config, else 22)\n");
	printf("user:       %s\n", st.user[0] ? st.user : "(~/.ssh/config, else the login name)");
	printf("identity:   %s\n", st.identity[0] ? st.identity : "(ssh-agent and the default keys)");
	printf("remote dir: %s\n", st.remote_dir[0] ? st.remote_dir : "(login directory)");
	printf("role:       %s\n", st.role[0] ? st.role : "-");
	printf("added:      %s by %s\n", st.created_at, st.created_by);
	return CLI_EXIT_OK;
}

int cli_site_remove(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };

	(void)g;
	if (site_remove(cli_store(), a->pos[0], &err) != HMX_OK)
		return cli_fail(&err);
	printf("site %s removed\n", a->pos[0]);
	return CLI_EXIT_OK;
}

/* Reads the site and connects; prints the error and returns its exit code
 * on failure. */
static int site_connect(const struct cli_args *a, const char *name, struct site *st,
			struct sftpc **c)
{
	struct hmx_err err = { 0 };
	struct sftpc_opts o = {
		.accept_new_host_key = cli_flag(a, "accept-new-host-key"),
		.interactive = isatty(STDIN_FILENO) && isatty(STDERR_FILENO),
	};

	if (site_get(cli_store(), name, st, &err) != HMX_OK)
		return cli_fail(&err);
	if (sftpc_open(st, &o, c, &err) != HMX_OK)
		return cli_fail(&err);
	return CLI_EXIT_OK;
}

int cli_site_test(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	const struct sftpc_info *in;
	struct sftpc_entry *e;
	struct sftpc *c;
	struct site st;
	double rtt;
	size_t n;
	int rc;

	(void)g;
	if ((rc = site_connect(a, a->pos[0], &st, &c)) != CLI_EXIT_OK)
		return rc;
	in = sftpc_info(c);
	printf("site %s: %s@%s port %u\n", st.name, in->user, in->host, in->port);
	printf("host key: %s %s (%s)\n", in->key_type, in->fingerprint,
	       in->host_key_added ? "new, added to known_hosts" : "known");
	printf("authenticated by: %s\n", in->auth);
	printf("cipher: %s\n", in->cipher[0] ? in->cipher : "-");
	if (sftpc_ping(c, &rtt, &err) != HMX_OK || sftpc_list(c, NULL, &e, &n, &err) != HMX_OK) {
		sftpc_close(&c);
		return cli_fail(&err);
	}
	printf("connected in %.0f ms, round trip %.1f ms\n", in->connect_ms, rtt);
	printf("remote dir %s: %zu entr%s\n", st.remote_dir[0] ? st.remote_dir : "(login)", n,
	       n == 1 ? "y" : "ies");
	for (size_t i = 0; i < n && i < 10; i++) {
		fputs("  ", stdout);
		cli_print_safe(stdout, e[i].name);
		fputs(e[i].is_dir ? "/\n" : "\n", stdout);
	}
	if (n > 10)
		printf("  ... (hmx ls %s)\n", st.name);
	sftpc_entries_free(e, n);
	sftpc_close(&c);
	return CLI_EXIT_OK;
}

int cli_ls(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct sftpc_entry *e;
	struct sftpc *c;
	struct site st;
	size_t n;
	int rc, json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if ((rc = site_connect(a, a->pos[0], &st, &c)) != CLI_EXIT_OK)
		return rc;
	if (sftpc_list(c, a->npos > 1 ? a->pos[1] : NULL, &e, &n, &err) != HMX_OK) {
		sftpc_close(&c);
		return cli_fail(&err);
	}
	if (json)
		fputs("{\"entries\":[", stdout);
	for (size_t i = 0; i < n; i++) {
		char when[32] = "-";
		time_t t = (time_t)e[i].mtime;
		struct tm tm;

		if (gmtime_r(&t, &tm))
			strftime(when, sizeof when, json ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M", &tm);
		if (json) {
			bool first = true;
			fputs(i ? ",{" : "{", stdout);
			json_kv(stdout, &first, "name", e[i].name);
			json_ku(stdout, &first, "size", e[i].size);
			json_kv(stdout, &first, "mtime", when);
			json_kb(stdout, &first, "dir", e[i].is_dir);
			fputc('}', stdout);
		} else {
			printf("%12llu  %s  ", (unsigned long long)e[i].size, when);
			cli_print_safe(stdout, e[i].name);
			fputs(e[i].is_dir ? "/\n" : "\n", stdout);
		}
	}
	if (json)
		fputs("]}\n", stdout);
	sftpc_entries_free(e, n);
	sftpc_close(&c);
	return CLI_EXIT_OK;
}

/* --retries N (default TRANSFER_RETRIES_DEFAULT) into o; CLI_EXIT_USAGE when bad. */
static int transfer_opts_from(const struct cli_args *a, struct transfer_opts *o)
{
	const char *r = cli_opt(a, "retries");
	char *end;
	long n;

	o->overwrite = cli_flag(a, "overwrite");
	o->retries = TRANSFER_RETRIES_DEFAULT;
	if (r) {
		n = strtol(r, &end, 10);
		if (!*r || *end || n < 0 || n > 20)
			return cli_usage_error("bad --retries \"%s\": use 0-20", r);
		o->retries = (int)n;
	}
	/* a write past a file-size limit fails (EFBIG) instead of killing hmx */
	signal(SIGXFSZ, SIG_IGN);
	return CLI_EXIT_OK;
}


/* Mapping proposals waiting for the projects of intake id in cycle. */
static void print_map_summary(const char *cycle, int64_t intake_id)
{
	struct hmx_err err = { 0 };
	struct map_view v = { 0 };
	size_t rows = 0, undecided = 0, proposed = 0;

	if (mapping_view(cli_store(), cycle, &v, &err) == HMX_OK) {
		for (size_t i = 0; i < v.nrows; i++) {
			const struct map_row *r = &v.rows[i];

			if (v.files[r->file].id != intake_id)
				continue;
			rows++;
			if (r->state == MAP_UNMAPPED) {
				undecided++;
				proposed += r->proposal.via != MAP_VIA_NONE;
			}
		}
		printf("  mapping: %zu project%s, %zu to decide, %zu proposal%s (hmx map %s)\n", rows,
		       rows == 1 ? "" : "s", undecided, proposed, proposed == 1 ? "" : "s", cycle);
	}
	mapping_view_free(&v);
}

/* Ticks step of cycle done with note; prints the outcome. */
static int tick_step(const char *cycle, const char *step, const char *note)
{
	struct hmx_err err = { 0 };

	if (step_set(cli_store(), cycle, step, STEP_DONE, note, &err) != HMX_OK)
		return cli_fail(&err);
	printf("step %s of %s: done (%s)\n", step, cycle, note);
	return CLI_EXIT_OK;
}

/* Appends ", N" (or "N" first) to a job-id list. */
static void add_job_id(char *buf, size_t n, int64_t id)
{
	size_t l = strlen(buf);

	snprintf(buf + l, n - l, "%s%lld", l ? ", " : "", (long long)id);
}

static void print_pulled(const char *remote, const struct transfer_job *j)
{
	char name[TRANSFER_NAME_MAX + 1];

	if (transfer_sanitize_name(remote, name, sizeof name)) {
		fputs("renamed: remote name ", stdout);
		cli_print_safe(stdout, strrchr(remote, '/') ? strrchr(remote, '/') + 1 : remote);
		printf(" saved as %s\n", name);
	}
	printf("pulled %s (%llu bytes, sha256 %s, job %lld)\n", j->local, (unsigned long long)j->size,
	       j->sha256, (long long)j->id);
}

/* hmx pull --cycle: the pulled file into intake with the site's role as
 * source. Returns an exit code. */
static int pull_intake(const char *cycle, const struct site *st, const struct transfer_job *j)
{
	struct hmx_err err = { 0 };
	struct intake_opts io = { site_intake_source(st), CAL_NO_DAY, false };
	struct intake_info in;

	if (!intake_is_zip(j->local)) {
		printf("  not a zip: %s not taken into %s\n", j->local, cycle);
		return CLI_EXIT_OK;
	}
	if (intake_add(cli_store(), cycle, j->local, &io, &in, &err) != HMX_OK)
		return cli_fail(&err);
	if (in.already) {
		printf("file %.12s is already in %s (received from %s): nothing changed\n", in.sha256,
		       in.cycle, in.source);
		return CLI_EXIT_OK;
	}
	printf("file %lld: ", (long long)in.file_id);
	cli_print_intake_new(&in);
	print_map_summary(cycle, in.id);
	return in.validated && in.n_blocking ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}

/* --cycle C [--step S] checked before any byte moves. */
static int check_cycle_step(const char *cycle, const char *step)
{
	struct hmx_err err = { 0 };
	struct cycle_info ci;
	struct step_info si;

	if (step && !cycle)
		return cli_usage_error("--step needs --cycle");
	if (!cycle)
		return CLI_EXIT_OK;
	if (cycle_get(cli_store(), cycle, cal_today(), &ci, &err) != HMX_OK)
		return cli_fail(&err);
	if (step && step_get(cli_store(), cycle, step, &si, &err) != HMX_OK)
		return cli_fail(&err);
	return CLI_EXIT_OK;
}

/* hmx pull SITE REMOTE... : one connection, one job per file; goes on after
 * a failed file and reports the worst exit code. With --cycle, each pulled
 * zip is taken in with the site's role as source; with --step, the step is
 * ticked done when every file came and was taken in. */
int cli_pull(struct cli_globals *g, struct cli_args *a)
{
	struct transfer_opts o;
	const char *to = cli_opt(a, "to"), *cycle = cli_opt(a, "cycle"), *step = cli_opt(a, "step");
	char jobs[200] = "";
	struct sftpc *c;
	struct site st;
	int rc, worst = CLI_EXIT_OK;

	(void)g;
	if ((rc = transfer_opts_from(a, &o)) != CLI_EXIT_OK || (rc = check_cycle_step(cycle, step)) != CLI_EXIT_OK)
		return rc;
	if (cycle) {
		struct hmx_err err = { 0 };

		if (site_get(cli_store(), a->pos[0], &st, &err) != HMX_OK)
			return cli_fail(&err);
		if (!site_intake_source(&st)) {
			fprintf(stderr,
				"%s: site %s has role \"%s\": only files from an rdc or "
				"agency:CODE site go to intake; pull without --cycle\n",
				cli_progname, st.name, st.role);
			return CLI_EXIT_FINDINGS;
		}
	}
	if ((rc = site_connect(a, a->pos[0], &st, &c)) != CLI_EXIT_OK)
		return rc;
	for (int i = 1; i < a->npos; i++) {
		struct hmx_err err = { 0 };
		struct transfer_job j;

		if (transfer_pull(cli_store(), c, &st, a->pos[i], to, &o, &j, NULL, &err) !=
		    HMX_OK) {
			rc = cli_fail(&err);
			worst = rc > worst ? rc : worst;
			continue;
		}
		print_pulled(a->pos[i], &j);
		add_job_id(jobs, sizeof jobs, j.id);
		if (cycle && (rc = pull_intake(cycle, &st, &j)) != CLI_EXIT_OK)
			worst = rc > worst ? rc : worst;
	}
	sftpc_close(&c);
	if (step && worst == CLI_EXIT_OK) {
		char note[256];

		snprintf(note, sizeof note, "transfer job%s %s from site %s", strchr(jobs, ',') ? "s" : "",
			 jobs, st.name);
		worst = tick_step(cycle, step, note);
	} else if (step) {
		printf("step %s of %s left as it was: not every file came in cleanly\n", step, cycle);
	}
	return worst;
}

static void print_pushed(const struct transfer_job *j)
{
	fputs("pushed ", stdout);
	cli_print_safe(stdout, j->remote);
	printf(" (%llu bytes, sha256 %s, job %lld)\n", (unsigned long long)j->size, j->sha256,
	       (long long)j->id);
}

/* hmx push SITE LOCAL... ; with --cycle [--step] (the upload step of an
 * rdc-upload cycle by default), asks to tick the step with the jobs as
 * evidence (--yes: yes). */
int cli_push(struct cli_globals *g, struct cli_args *a)
{
	struct transfer_opts o;
	const char *cycle = cli_opt(a, "cycle"), *step = cli_opt(a, "step");
	char note[256] = "";
	struct sftpc *c;
	struct site st;
	int rc, worst = CLI_EXIT_OK, pushed = 0;
	int64_t last = 0;

	(void)g;
	if ((rc = transfer_opts_from(a, &o)) != CLI_EXIT_OK || (rc = check_cycle_step(cycle, step)) != CLI_EXIT_OK)
		return rc;
	if (cycle && !step) {
		struct hmx_err err = { 0 };
		struct cycle_info ci;

		if (cycle_get(cli_store(), cycle, cal_today(), &ci, &err) != HMX_OK)
			return cli_fail(&err);
		if (strcmp(ci.kind, "rdc-upload") != 0)
			return cli_usage_error(
				"--cycle %s (%s) needs --step: which step the push is "
				"evidence for",
				cycle, ci.kind);
		step = "upload";
	}
	if ((rc = site_connect(a, a->pos[0], &st, &c)) != CLI_EXIT_OK)
		return rc;
	for (int i = 1; i < a->npos; i++) {
		struct hmx_err err = { 0 };
		struct transfer_job j;
		size_t l = strlen(note);

		if (transfer_push(cli_store(), c, &st, a->pos[i], cli_opt(a, "to"), &o, &j, &err) != HMX_OK) {
			rc = cli_fail(&err);
			worst = rc > worst ? rc : worst;
			continue;
		}
		print_pushed(&j);
		snprintf(note + l, sizeof note - l, "%stransfer job %lld sha256 %s", l ? "; " : "",
			 (long long)j.id, j.sha256);
		last = j.id;
		pushed++;
	}
	sftpc_close(&c);
	if (step && worst == CLI_EXIT_OK && pushed) {
		char q[200];

		if (pushed == 1)
			snprintf(q, sizeof q, "Mark step %s of %s done with transfer job %lld as evidence?",
				 step, cycle, (long long)last);
		else
			snprintf(q, sizeof q, "Mark step %s of %s done with transfer jobs as evidence?",
				 step, cycle);
		if (cli_flag(a, "yes") || hmx_confirm(q))
			worst = tick_step(cycle, step, note);
		else
			printf("step %s of %s left as it was (--yes to tick it)\n", step, cycle);
	} else if (step && pushed) {
		printf("step %s of %s left as it was: not every file went up\n", step, cycle);
	}
	return worst;
}

static bool parse_job_id(const char *s, int64_t *id)
{
	char *end;
	long long n = strtoll(s, &end, 10);

	*id = n;
	return *s && !*end && n > 0;
}

/* hmx transfer retry ID */
int cli_transfer_retry(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct transfer_opts o;
	struct transfer_job j;
	struct sftpc *c;
	struct site st;
	int64_t id;
	int rc;

	(void)g;
	if (!parse_job_id(a->pos[0], &id))
		return cli_usage_error("bad job id \"%s\"", a->pos[0]);
	if ((rc = transfer_opts_from(a, &o)) != CLI_EXIT_OK)
		return rc;
	if (transfer_get(cli_store(), id, &j, &err) != HMX_OK)
		return cli_fail(&err);
	if (j.state == TRANSFER_DONE) {
		fprintf(stderr, "%s: transfer job %lld is already done\n", cli_progname,
			(long long)id);
		return CLI_EXIT_FINDINGS;
	}
	if ((rc = site_connect(a, j.site, &st, &c)) != CLI_EXIT_OK)
		return rc;
	if (transfer_retry(cli_store(), c, &st, id, &o, &j, &err) != HMX_OK) {
		sftpc_close(&c);
		return err.rc == HMX_ESTATE ? (cli_fail(&err), CLI_EXIT_FINDINGS) : cli_fail(&err);
	}
	sftpc_close(&c);
	if (j.dir == TRANSFER_PULL)
		print_pulled(j.remote, &j);
	else
		print_pushed(&j);
	return CLI_EXIT_OK;
}

/* hmx transfer cancel ID */
int cli_transfer_cancel(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct transfer_job j;
	int64_t id;

	(void)g;
	if (!parse_job_id(a->pos[0], &id))
		return cli_usage_error("bad job id \"%s\"", a->pos[0]);
	if (transfer_cancel(cli_store(), id, &err) != HMX_OK)
		return err.rc == HMX_ESTATE ? (cli_fail(&err), CLI_EXIT_FINDINGS) : cli_fail(&err);
	if (transfer_get(cli_store(), id, &j, &err) != HMX_OK)
		return cli_fail(&err);
	printf("cancelled transfer job %lld at %llu of %llu bytes; the partial is kept "
	       "('hmx transfer retry %lld' resumes it)\n", (long long)id, (unsigned long long)j.done,
	       (unsigned long long)j.size, (long long)id);
	return CLI_EXIT_OK;
}

static void json_transfer(FILE *f, const void *row)
{
	const struct transfer_job *j = row;
	bool first = true;

	fputc('{', f);
	json_ki(f, &first, "id", (long long)j->id);
	json_kv(f, &first, "site", j->site);
	json_kv(f, &first, "direction", transfer_dir_name(j->dir));
	json_kv(f, &first, "remote", j->remote);
	json_kv(f, &first, "local", j->local);
	json_ku(f, &first, "size", j->size);
	json_ku(f, &first, "done", j->done);
	json_ki(f, &first, "remote_mtime", j->remote_mtime);
	json_kv(f, &first, "sha256", j->sha256);
	json_kv(f, &first, "state", transfer_state_name(j->state));
	json_kv(f, &first, "error", j->error);
	json_kv(f, &first, "who", j->who);
	json_kv(f, &first, "created_at", j->created_at);
	json_kv(f, &first, "updated_at", j->updated_at);
	fputc('}', f);
}

static void text_transfer(const void *row)
{
	const struct transfer_job *j = row;

	printf("%-5lld %-4s %-12s %-11s %12llu %12llu  ", (long long)j->id,
	       transfer_dir_name(j->dir), j->site, transfer_state_name(j->state),
	       (unsigned long long)j->done, (unsigned long long)j->size);
	cli_print_safe(stdout, j->remote);
	fputs(j->dir == TRANSFER_PULL ? " -> " : " <- ", stdout);
	cli_print_safe(stdout, j->local);
	fputc('\n', stdout);
	if (j->state == TRANSFER_FAILED && j->error[0]) {
		fputs("      error: ", stdout);
		cli_print_safe(stdout, j->error);
		fputc('\n', stdout);
	}
	if (j->state == TRANSFER_INTERRUPTED)
		printf("      interrupted: no hmx runs it (killed?); 'hmx transfer retry %lld' "
		       "resumes it\n", (long long)j->id);
}

int cli_transfers(struct cli_globals *g, struct cli_args *a)
{
	static const struct cli_list list = {
		"transfers",
		"ID    DIR  SITE         STATE               DONE         SIZE  REMOTE -> LOCAL\n",
		"no transfers yet (hmx pull SITE FILE, hmx push SITE FILE)", json_transfer,
		text_transfer,
	};
	struct hmx_err err = { 0 };
	struct transfer_job *v;
	size_t n;
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (transfer_list(cli_store(), &v, &n, &err) != HMX_OK)
		return cli_fail(&err);
	cli_print_list(&list, v, n, sizeof *v, json);
	free(v);
	return CLI_EXIT_OK;
}
