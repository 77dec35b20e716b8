/* cli/review.c — the verbs around a cycle's partners: notice(s), reconcile,
 * reviewer, findings, finding, review and report. */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/json.h"
#include "core/notice.h"
#include "core/reconcile.h"
#include "core/review.h"
#include "core/reviewer.h"

/* ---- notices ------------------------------------------------------------- */

static void json_notice(FILE *f, const struct notice *n)
{
	bool first = true;
	char d[11];

	fputc('{', f);
	json_kv(f, &first, "cycle", n->cycle);
	json_kv(f, &first, "kind", n->kind);
	json_kv(f, &first, "to", n->to);
	json_kv(f, &first, "title", n->title);
	json_kv(f, &first, "state", notice_state_name(n->state));
	json_key(f, &first, "sent_on");
	if (n->sent_on == CAL_NO_DAY)
		fputs("null", f);
	else
		json_str(f, cal_format(n->sent_on, d));
	json_kv(f, &first, "updated_at", n->updated_at);
	json_kv(f, &first, "updated_by", n->updated_by);
	if (n->text)
		json_kv(f, &first, "text", n->text);
	fputc('}', f);
}

/* Opens $VISUAL or $EDITOR (else vi) on text through a private temporary
 * file; *out gets the edited text (malloc'd). CLI_EXIT_OK, or an exit code
 * after a message. */
static int edit_text(const char *text, char **out)
{
	const char *ed = getenv("VISUAL");
	char path[] = "/tmp/hmx-notice.XXXXXX", cmd[1024];
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	pid_t pid;
	int fd, st;

	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	/* the command may hold arguments ("code --wait"): run by sh, as git does */
	if (snprintf(cmd, sizeof cmd, "%s \"$1\"", ed) >= (int)sizeof cmd) {
		fprintf(stderr, "%s: the editor command is too long\n", cli_progname);
		return CLI_EXIT_RUNTIME;
	}
	if ((fd = mkstemp(path)) < 0) {
		fprintf(stderr, "%s: cannot make a temporary file: %s\n", cli_progname, strerror(errno));
		return CLI_EXIT_RUNTIME;
	}
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		fprintf(stderr, "%s: cannot write %s: %s\n", cli_progname, path, strerror(errno));
		close(fd);
		unlink(path);
		return CLI_EXIT_RUNTIME;
	}
	close(fd);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "%s: the editor (%s) failed: nothing kept\n", cli_progname, ed);
		unlink(path);
		return CLI_EXIT_RUNTIME;
	}
	if (!(f = fopen(path, "r"))) {
		fprintf(stderr, "%s: cannot read %s back: %s\n", cli_progname, path,
			strerror(errno));
		unlink(path);
		return CLI_EXIT_RUNTIME;
	}
	for (int c; (c = fgetc(f)) != EOF;) {
		if (len + 2 > cap) {
			char *nb = realloc(buf, cap ? cap * 2 : 4096);
			if (!nb) {
				free(buf);
				fclose(f);
				unlink(path);
				fprintf(stderr, "%s: out of memory\n", cli_progname);
				return CLI_EXIT_RUNTIME;
			}
			buf = nb;
			cap = cap ? cap * 2 : 4096;
		}
		buf[len++] = (char)c;
	}
	fclose(f);
	unlink(path);
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[len] = '\0';
	*out = buf;
	return CLI_EXIT_OK;
}

int cli_notice(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct notice n;
	const char *to = cli_opt(a, "to"), *date = cli_opt(a, "date");
	bool edit = cli_flag(a, "edit"), sent = cli_flag(a, "sent");
	cal_day on = CAL_NO_DAY;
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (date && !sent)
		return cli_usage_error("--date goes with --sent");
	if (date && !cal_parse_date(date, &on))
		return cli_usage_error("bad --date \"%s\": use YYYY-MM-DD", date);
	if (edit && sent)
		return cli_usage_error(
			"--edit and --sent are separate steps: edit first, then --sent");
	if (notice_get(cli_store(), a->pos[0], a->pos[1], to, &n, &err) != HMX_OK)
		return cli_fail(&err);
	if (edit) {
		char *text = NULL;
		int rc;

		if (n.state == NOTICE_SENT) {
			char d[11];
			fprintf(stderr, "%s: notice %s of %s was sent on %s: it is kept as sent\n",
				cli_progname, a->pos[1], a->pos[0], cal_format(n.sent_on, d));
			notice_free(&n);
			return CLI_EXIT_FINDINGS;
		}
		rc = edit_text(n.text, &text);
		notice_free(&n);
		if (rc != CLI_EXIT_OK)
			return rc;
		if (notice_save(cli_store(), a->pos[0], a->pos[1], to, text, &err) != HMX_OK) {
			free(text);
			return err.rc == HMX_ESTATE ? (cli_fail(&err), CLI_EXIT_FINDINGS)
						    : cli_fail(&err);
		}
		free(text);
		if (notice_get(cli_store(), a->pos[0], a->pos[1], to, &n, &err) != HMX_OK)
			return cli_fail(&err);
	} else if (sent) {
		notice_free(&n);
		if (notice_mark_sent(cli_store(), a->pos[0], a->pos[1], to, on, &err) != HMX_OK)
			return err.rc == HMX_ESTATE ? (cli_fail(&err), CLI_EXIT_FINDINGS)
						    : cli_fail(&err);
		if (notice_get(cli_store(), a->pos[0], a->pos[1], to, &n, &err) != HMX_OK)
			return cli_fail(&err);
	}
	if (json) {
		json_notice(stdout, &n);
		fputc('\n', stdout);
	} else if (edit || sent) {
		char d[11];
		if (sent)
			printf("notice %s of %s%s%s recorded as sent on %s (no mail is sent by hmx)\n",
			       n.kind, n.cycle, n.to[0] ? " to " : "", n.to, cal_format(n.sent_on, d));
		else
			printf("notice %s of %s%s%s kept as an edited draft\n", n.kind, n.cycle,
			       n.to[0] ? " to " : "", n.to);
	} else {
		fputs(n.text, stdout);
		if (n.text[0] && n.text[strlen(n.text) - 1] != '\n')
			fputc('\n', stdout);
	}
	notice_free(&n);
	return CLI_EXIT_OK;
}

int cli_notices(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct notice *n;
	size_t count;
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (notice_list(cli_store(), a->pos[0], &n, &count, &err) != HMX_OK)
		return cli_fail(&err);
	if (json) {
		printf("{\"cycle\":");
		json_str(stdout, a->pos[0]);
		printf(",\"notices\":[");
	} else {
		printf("%-18s %-8s %-6s %-10s %s\n", "KIND", "TO", "STATE", "SENT", "TITLE");
	}
	for (size_t i = 0; i < count; i++) {
		if (json) {
			if (i)
				fputc(',', stdout);
			json_notice(stdout, &n[i]);
		} else {
			char d[11] = "-";
			if (n[i].sent_on != CAL_NO_DAY)
				cal_format(n[i].sent_on, d);
			printf("%-18s %-8s %-6s %-10s %s\n", n[i].kind, n[i].to[0] ? n[i].to : "-",
			       notice_state_name(n[i].state), d, n[i].title);
		}
	}
	if (json)
		printf("]}\n");
	free(n);
	return CLI_EXIT_OK;
}

/* ---- reconcile ----------------------------------------------------------- */

int cli_reconcile(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct reconcile_result r;
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (reconcile_cycle(cli_store(), a->pos[0], &r, &err) != HMX_OK)
		return cli_fail(&err);
	if (json) {
		bool first = true;

		fputc('{', stdout);
		json_kv(stdout, &first, "cycle", r.cycle);
		json_kv(stdout, &first, "demo_file", r.demo_sha256);
		json_ku(stdout, &first, "files_sent", r.nsent);
		json_ki(stdout, &first, "run", r.run_id);
		json_kb(stdout, &first, "counts_complete", r.counts_complete);
		json_kb(stdout, &first, "per_file", r.per_file);
		json_ku(stdout, &first, "mismatches", r.mismatches);
		json_key(stdout, &first, "rows");
		fputc('[', stdout);
		for (size_t i = 0; i < r.nrows; i++) {
			bool f1 = true;

			fputs(i ? ",{" : "{", stdout);
			json_kv(stdout, &f1, "project", r.rows[i].project);
			json_kv(stdout, &f1, "file", r.rows[i].file);
			json_ku(stdout, &f1, "sent", r.rows[i].sent);
			json_ku(stdout, &f1, "demo", r.rows[i].demo);
			if (r.rows[i].mismatch) {
				json_kv(stdout, &f1, "check", "X06");
				json_kv(stdout, &f1, "severity", r.severity);
			}
			fputc('}', stdout);
		}
		fputs("]}\n", stdout);
	} else {
		printf("reconcile %s: demo-site export %.12s against %zu file%s sent for import\n",
		       r.cycle, r.demo_sha256, r.nsent, r.nsent == 1 ? "" : "s");
		printf("  %-32s %-26s %8s %8s\n", "PROJECT", "FILE", "SENT", "DEMO");
		for (size_t i = 0; i < r.nrows; i++)
			printf("  %-32s %-26s %8llu %8llu%s%s\n", r.rows[i].project, r.rows[i].file,
			       (unsigned long long)r.rows[i].sent, (unsigned long long)r.rows[i].demo,
			       r.rows[i].mismatch ? "  X06 " : "", r.rows[i].mismatch ? r.severity : "");
		if (!r.per_file)
			printf("note: a file was taken in before hmx counted the rows of every "
			       "file: only Enrollment.csv, Exit.csv and Client.csv are compared\n");
		else if (!r.counts_complete)
			printf("note: a file stopped early (structural problem): its counts are a lower "
			       "bound\n");
		if (r.mismatches)
			printf("%zu mismatch%s (X06), stored as run %lld: fix the import before telling "
			       "the vendor the files may go live\n",
			       r.mismatches, r.mismatches == 1 ? "" : "es", (long long)r.run_id);
		else
			printf("every project's rows agree (run %lld)\n", (long long)r.run_id);
	}
	reconcile_free(&r);
	return r.mismatches ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}

/* ---- review (core/review.h, core/reviewer.h) ----------------------------- */

/* Exit code of a refused decision: 1 (refused), others as cli_fail(). */
static int fail_refused(const struct hmx_err *err)
{
	int rc = cli_fail(err);

	return err->rc == HMX_ESTATE ? CLI_EXIT_FINDINGS : rc;
}

/* Absolute path of the running binary, else "hmx". */
static void self_path(char *buf, size_t n)
{
	ssize_t k = readlink("/proc/self/exe", buf, n - 1);

	if (k <= 0 || (size_t)k >= n - 1)
		hmx_strlcpy(buf, "hmx", n);
	else
		buf[k] = '\0';
}

static int keys_path(const struct cli_args *a, char *buf, size_t n)
{
	struct hmx_err err = { 0 };
	const char *p = cli_opt(a, "authorized-keys");

	if (p) {
		hmx_strlcpy(buf, p, n);
		return CLI_EXIT_OK;
	}
	if (reviewer_default_keys_path(buf, n, &err) != HMX_OK)
		return cli_fail(&err);
	return CLI_EXIT_OK;
}

int cli_reviewer_add(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	const char *name = a->pos[0], *key = cli_opt(a, "key");
	char exe[4096], db[4096], path[4096], line[16384];

	(void)g;
	if (!key)
		return cli_usage_error("give the reviewer's public key: --key FILE.pub");
	if (!realpath(store_path(cli_store()), db))
		hmx_strlcpy(db, store_path(cli_store()), sizeof db);
	self_path(exe, sizeof exe);
	if (!cli_flag(a, "print") && keys_path(a, path, sizeof path) != CLI_EXIT_OK)
		return CLI_EXIT_USAGE;
	if (reviewer_add(cli_store(), name, key, cli_opt(a, "projects"), cli_opt(a, "agency"), &err) != HMX_OK)
		return cli_fail(&err);
	if (reviewer_key_line(cli_store(), name, exe, db, line, sizeof line, &err) != HMX_OK ||
	    (!cli_flag(a, "print") && reviewer_write_keys(path, name, line, &err) != HMX_OK)) {
		struct hmx_err e2;
		int rc = cli_fail(&err);

		reviewer_remove(cli_store(), name, &e2);
		return rc;
	}
	if (cli_flag(a, "print"))
		printf("%s\n", line);
	else
		printf("reviewer %s added; %s allows their key to open the review screen only\n", name,
		       path);
	return CLI_EXIT_OK;
}

int cli_reviewer_set(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };

	(void)g;
	if (reviewer_set_scope(cli_store(), a->pos[0], cli_opt(a, "projects"), cli_opt(a, "agency"),
			       &err) != HMX_OK)
		return cli_fail(&err);
	printf("reviewer %s now reviews %s%s\n", a->pos[0],
	       cli_opt(a, "agency") ? "the projects of agency " : "",
	       cli_opt(a, "agency") ? cli_opt(a, "agency") : cli_opt(a, "projects"));
	return CLI_EXIT_OK;
}

int cli_reviewer_remove(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct reviewer r;
	char path[4096];

	(void)g;
	if (keys_path(a, path, sizeof path) != CLI_EXIT_OK)
		return CLI_EXIT_USAGE;
	if (reviewer_get(cli_store(), a->pos[0], &r, &err) != HMX_OK)
		return cli_fail(&err);
	if (reviewer_write_keys(path, a->pos[0], NULL, &err) != HMX_OK)
		return cli_fail(&err);
	if (reviewer_remove(cli_store(), a->pos[0], &err) != HMX_OK)
		return cli_fail(&err);
	printf("reviewer %s removed, and their line from %s\n", a->pos[0], path);
	return CLI_EXIT_OK;
}

static void json_reviewer(FILE *f, const void *row)
{
	const struct reviewer *r = row;
	bool first = true;

	fputc('{', f);
	json_kv(f, &first, "name", r->name);
	json_kv(f, &first, "key_type", r->key_type);
	json_kv(f, &first, "fingerprint", r->fingerprint);
	json_kv(f, &first, "agency", r->agency);
	json_kv(f, &first, "projects", r->projects);
	json_kv(f, &first, "created_at", r->created_at);
	json_kv(f, &first, "created_by", r->created_by);
	fputc('}', f);
}

static void text_reviewer(const void *row)
{
	const struct reviewer *r = row;

	printf("%-16s %-12s %-50s %s%s\n", r->name, r->key_type, r->fingerprint,
	       r->agency[0] ? "agency " : "", r->agency[0] ? r->agency : r->projects);
}

int cli_reviewer_list(struct cli_globals *g, struct cli_args *a)
{
	static const struct cli_list list = {
		"reviewers",
		"NAME             KEY          FINGERPRINT                                        "
		"REVIEWS\n",
		"no reviewers yet (add one with 'hmx reviewer add NAME --key FILE.pub --projects P')",
		json_reviewer, text_reviewer,
	};
	struct hmx_err err = { 0 };
	struct reviewer *r;
	size_t n;
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (reviewer_list(cli_store(), &r, &n, &err) != HMX_OK)
		return cli_fail(&err);
	cli_print_list(&list, r, n, sizeof *r, json);
	free(r);
	return CLI_EXIT_OK;
}

static void json_item(FILE *f, const struct review_item *it)
{
	bool first = true;

	fputc('{', f);
	json_ki(f, &first, "id", it->id);
	json_kv(f, &first, "cycle", it->cycle);
	json_kv(f, &first, "check", it->check);
	json_kv(f, &first, "severity", review_sev_name(it->severity));
	json_kv(f, &first, "file", it->file);
	json_ki(f, &first, "line", it->line);
	json_kv(f, &first, "key", it->key);
	json_kv(f, &first, "column", it->column);
	json_kv(f, &first, "detail", it->detail);
	json_kv(f, &first, "source_project", it->source_project);
	json_kv(f, &first, "project", it->project);
	json_kv(f, &first, "agency", it->agency);
	json_kv(f, &first, "state", review_state_name(it->state));
	json_kv(f, &first, "reviewer", it->reviewer);
	json_kv(f, &first, "fix", it->fix);
	json_ki(f, &first, "first_run", it->first_run);
	json_ki(f, &first, "last_run", it->last_run);
	json_ki(f, &first, "occurrences", it->occurrences);
	json_ki(f, &first, "version", it->version);
	json_kv(f, &first, "updated_at", it->updated_at);
	json_kv(f, &first, "updated_by", it->updated_by);
	fputc('}', f);
}

int cli_findings(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct review_filter f;
	struct review_item *it;
	const char *st = cli_opt(a, "state"), *sev = cli_opt(a, "severity");
	size_t n;
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	review_filter_init(&f);
	f.project = cli_opt(a, "project");
	f.agency = cli_opt(a, "agency");
	f.check = cli_opt(a, "check");
	f.reviewer = cli_opt(a, "reviewer");
	f.as = cli_opt(a, "as");
	f.pending = cli_flag(a, "pending");
	if (st) {
		enum review_state v;
		if (!review_state_parse(st, &v))
			return cli_usage_error("bad --state \"%s\": use open, fix-proposed, approved, rejected, "
					   "resolved or waived", st);
		f.state = (int)v;
	}
	if (sev) {
		enum review_sev v;
		if (!review_sev_parse(sev, &v))
			return cli_usage_error("bad --severity \"%s\": use blocking, error or warning", sev);
		f.severity = (int)v;
	}
	if (cli_flag(a, "counts")) {
		struct review_count *c;

		if (review_counts(cli_store(), a->pos[0], f.as, &c, &n, &err) != HMX_OK)
			return cli_fail(&err);
		if (json)
			fputs("{\"counts\":[", stdout);
		else
			printf("%-28s %9s %9s %9s %7s\n", "PROJECT", "BLOCKING", "ERROR", "WARNING", "TOTAL");
		for (size_t i = 0; i < n; i++) {
			if (json) {
				bool first = true;
				fputs(i ? ",{" : "{", stdout);
				json_kv(stdout, &first, "project", c[i].project);
				for (int sv = RS_NSEV; sv-- > 0;) {
					bool f2 = true;
					json_key(stdout, &first, review_sev_name((enum review_sev)sv));
					fputc('{', stdout);
					for (int s2 = 0; s2 < RV_NSTATES; s2++)
						json_ki(stdout, &f2, review_state_name((enum review_state)s2),
							c[i].n[sv][s2]);
					json_ki(stdout, &f2, "pending", c[i].pending[sv]);
					fputc('}', stdout);
				}
				json_ki(stdout, &first, "total", c[i].total);
				fputs("}", stdout);
			} else {
				printf("%-28s %9lld %9lld %9lld %7lld\n", c[i].project[0] ? c[i].project : "(no project)",
				       (long long)c[i].pending[RS_BLOCKING], (long long)c[i].pending[RS_ERROR],
				       (long long)c[i].pending[RS_WARNING], (long long)c[i].total);
			}
		}
		if (json)
			fputs("]}\n", stdout);
		else if (n)
			printf("(pending findings by severity: open, fix-proposed, approved or rejected)\n");
		free(c);
		return CLI_EXIT_OK;
	}
	if (review_list(cli_store(), a->pos[0], &f, &it, &n, &err) != HMX_OK)
		return cli_fail(&err);
	if (json) {
		fputs("{\"cycle\":", stdout);
		json_str(stdout, a->pos[0]);
		fputs(",\"findings\":[", stdout);
	} else if (n == 0) {
		printf("no findings in the review of %s match\n", a->pos[0]);
	} else {
		printf("%6s %-20s %-5s %-8s %-16s %-24s %-13s %s\n", "ID", "PROJECT", "CHECK", "SEVERITY",
		       "FILE", "KEY", "STATE", "REVIEWER");
	}
	for (size_t i = 0; i < n; i++) {
		if (json) {
			if (i)
				fputc(',', stdout);
			json_item(stdout, &it[i]);
		} else {
			printf("%6lld %-20.20s %-5s %-8s %-16.16s %-24.24s %-13s %s\n", (long long)it[i].id,
			       it[i].project[0] ? it[i].project : "-", it[i].check,
			       review_sev_name(it[i].severity), it[i].file, it[i].key[0] ? it[i].key : "-",
			       review_state_name(it[i].state), it[i].reviewer[0] ? it[i].reviewer : "-");
		}
	}
	if (json)
		fputs("]}\n", stdout);
	free(it);
	return CLI_EXIT_OK;
}

static int item_id_arg(const char *s, int64_t *id)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*end || end == s || v <= 0)
		return cli_usage_error("bad finding \"%s\": use its number (see 'hmx findings CYCLE')", s);
	*id = v;
	return CLI_EXIT_OK;
}

int cli_finding_show(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct review_item it;
	struct review_decision *d;
	size_t n;
	int64_t id = 0;
	int json = cli_want_json(a);

	(void)g;
	if (json < 0 || item_id_arg(a->pos[0], &id) != CLI_EXIT_OK)
		return CLI_EXIT_USAGE;
	if (review_get(cli_store(), id, &it, &err) != HMX_OK ||
	    review_history(cli_store(), id, &d, &n, &err) != HMX_OK)
		return cli_fail(&err);
	if (json) {
		fputs("{\"finding\":", stdout);
		json_item(stdout, &it);
		fputs(",\"history\":[", stdout);
		for (size_t i = 0; i < n; i++) {
			bool first = true;
			fputs(i ? ",{" : "{", stdout);
			json_ki(stdout, &first, "id", d[i].id);
			json_kv(stdout, &first, "at", d[i].at);
			json_kv(stdout, &first, "who", d[i].who);
			json_kv(stdout, &first, "role", d[i].role);
			json_kv(stdout, &first, "action", review_action_name(d[i].action));
			json_kv(stdout, &first, "from", review_state_name(d[i].from));
			json_kv(stdout, &first, "to", review_state_name(d[i].to));
			json_kv(stdout, &first, "text", d[i].text);
			json_ki(stdout, &first, "run", d[i].run);
			fputs("}", stdout);
		}
		fputs("]}\n", stdout);
	} else {
		printf("finding %lld of %s: %s (%s) in %s line %lld, %s%s%s\n", (long long)it.id, it.cycle,
		       it.check, review_sev_name(it.severity), it.file, (long long)it.line,
		       it.key[0] ? it.key : "no key", it.column[0] ? ", column " : "", it.column);
		printf("project:  %s%s%s (ProjectID %s)\n", it.project[0] ? it.project : "none",
		       it.agency[0] ? ", agency " : "", it.agency,
		       it.source_project[0] ? it.source_project : "-");
		printf("state:    %s%s%s (version %lld)\n", review_state_name(it.state),
		       it.reviewer[0] ? ", assigned to " : "", it.reviewer, (long long)it.version);
		printf("runs:     first seen in %lld, last in %lld (%lld occurrence%s)\n",
		       (long long)it.first_run, (long long)it.last_run, (long long)it.occurrences,
		       it.occurrences == 1 ? "" : "s");
		if (it.fix[0])
			printf("fix:      %s\n", it.fix);
		printf("history:\n");
		if (!n)
			printf("  (no decision yet)\n");
		for (size_t i = 0; i < n; i++)
			printf("  %s  %-12s %-8s %-8s %s -> %s%s%s\n", d[i].at, d[i].who, d[i].role,
			       review_action_name(d[i].action), review_state_name(d[i].from),
			       review_state_name(d[i].to), d[i].text[0] ? ": " : "", d[i].text);
	}
	free(d);
	return CLI_EXIT_OK;
}

static int finding_decide(struct cli_args *a, enum review_action action)
{
	struct hmx_err err = { 0 };
	struct review_request rq = { 0 };
	struct review_item it;
	const char *ver = cli_opt(a, "version");

	if (item_id_arg(a->pos[0], &rq.item) != CLI_EXIT_OK)
		return CLI_EXIT_USAGE;
	rq.action = action;
	rq.as = cli_opt(a, "as");
	if (rq.as && !reviewer_name_valid(rq.as))
		return cli_usage_error("bad --as \"%s\": a reviewer's name (see 'hmx reviewer list')", rq.as);
	rq.text = action == RA_ASSIGN ? cli_opt(a, "to") : cli_opt(a, "text");
	if (action == RA_ASSIGN && !rq.text)
		return cli_usage_error("give the reviewer: --to NAME (\"\" to unassign)");
	if (ver) {
		char *end;
		rq.expect_version = strtoll(ver, &end, 10);
		if (*end || end == ver || rq.expect_version <= 0)
			return cli_usage_error("bad --version \"%s\"", ver);
	}
	if (review_decide(cli_store(), &rq, &it, &err) != HMX_OK)
		return fail_refused(&err);
	printf("finding %lld: %s%s%s\n", (long long)it.id, review_state_name(it.state),
	       it.reviewer[0] ? ", assigned to " : "", it.reviewer);
	return CLI_EXIT_OK;
}

#define DECIDE_VERB(fn, act)                   \
	CLI_VERB(fn)                           \
	{                                      \
		(void)g;                       \
		return finding_decide(a, act); \
	}
DECIDE_VERB(cli_finding_propose, RA_PROPOSE)
DECIDE_VERB(cli_finding_approve, RA_APPROVE)
DECIDE_VERB(cli_finding_reject, RA_REJECT)
DECIDE_VERB(cli_finding_comment, RA_COMMENT)
DECIDE_VERB(cli_finding_waive, RA_WAIVE)
DECIDE_VERB(cli_finding_assign, RA_ASSIGN)

/* The restricted session a reviewer's SSH key is forced into: the review
 * screen of their projects and nothing else (tui_options.review_as). */
int cli_review(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct reviewer r;
	const char *as = cli_opt(a, "as"), *cycle = cli_opt(a, "cycle");
	int rc;

	if (!as)
		return cli_usage_error("give the reviewer: --as NAME");
	if (!reviewer_name_valid(as))
		return cli_usage_error(
			"bad --as \"%s\": a reviewer's name (see 'hmx reviewer list')", as);
	if (reviewer_get(cli_store(), as, &r, &err) != HMX_OK)
		return cli_fail(&err);
	if (cycle) {
		struct cycle_info ci;
		if (cycle_get(cli_store(), cycle, cal_today(), &ci, &err) != HMX_OK)
			return cli_fail(&err);
	}
	g->tui.review_as = as;
	g->tui.open_cycle = cycle ? cycle : g->tui.open_cycle;
	g->tui.open_screen = NULL;
	rc = tui_run(cli_store(), &g->tui, &err) == HMX_OK ? CLI_EXIT_OK : cli_fail(&err);
	return rc;
}

int cli_report(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	const char *fmt = cli_opt(a, "format"), *outp = cli_opt(a, "output");
	char tmp[4200] = "";
	FILE *out = stdout;
	enum hmx_rc rc;

	(void)g;
	if (!fmt)
		return cli_usage_error("give --format csv or --format md");
	if (strcmp(fmt, "csv") != 0 && strcmp(fmt, "md") != 0)
		return cli_usage_error("bad --format \"%s\": use csv or md", fmt);
	if (cli_opt(a, "project") && cli_opt(a, "agency"))
		return cli_usage_error("give --project or --agency, not both");
	if (outp) {
		int fd;
		if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", outp) >= sizeof tmp)
			return cli_usage_error("--output path too long");
		if ((fd = mkstemp(tmp)) < 0 || !(out = fdopen(fd, "w"))) {
			fprintf(stderr, "%s: cannot write %s: %s\n", cli_progname, outp, strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(tmp);
			}
			return CLI_EXIT_RUNTIME;
		}
	}
	rc = review_report(cli_store(), a->pos[0], cli_opt(a, "project"), cli_opt(a, "agency"), fmt, out, &err);
	if (outp) {
		bool ok = rc == HMX_OK && fflush(out) == 0 && fsync(fileno(out)) == 0;
		if (fclose(out) != 0)
			ok = false;
		if (ok && rename(tmp, outp) != 0)
			ok = false;
		if (!ok) {
			unlink(tmp);
			if (rc == HMX_OK)
				rc = hmx_err_set(&err, HMX_EIO, "cannot write %s: %s", outp, strerror(errno));
		}
	}
	return rc == HMX_OK ? CLI_EXIT_OK : cli_fail(&err);
}
