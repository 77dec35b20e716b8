/* screens/match.c — the client match of one mcp-match cycle at a glance
 * (seed 002, issue 9): the latest client list (sent of eligible, inactive,
 * left out by consent verdict), the member list back (returned, matched,
 * findings), what a build of the HMIS import files would write (to enroll,
 * to exit, service and member changes), the cycle's MCP site, and the
 * findings of the member-list import (line, check, severity, HMIS Client
 * ID, column, detail — never a name) with `/` search.
 *
 * Keys do the match's steps through core: l builds the client list (asks
 * the export and the file), p pushes it to the MCP site (the one site with
 * role mcp), g pulls the member list back (asks its remote name), i
 * imports it, b builds the import files (asks the folder), x purges the
 * local copies. Each asks first, default No, saying what leaves the
 * machine (or that nothing does). Push and pull run synchronously through
 * core/transfer with a progress bar (tui_progress_begin); the checklist
 * steps they complete are ticked by core (list, import, build, purge) or
 * here after a push (send-list). Files hmx makes go under
 * match/CYCLE/ next to the database unless the prompt is edited. */
#include "screens/screens.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/match.h"
#include "core/match_build.h"
#include "core/match_import.h"
#include "core/sftp.h"
#include "core/site.h"
#include "core/transfer.h"

#define MS_SUMMARY_ROWS 7 /* five summary lines, a blank, the list header */

struct match_scr {
	char code[64];
	char subtitle[96];
	struct cycle_info cycle;
	struct match_summary sum;
	struct match_finding *f;
	size_t n;
	/* the latest client list */
	bool have_list;
	struct match_list_rec list;
	size_t unpurged;
	/* the MCP site: the one site with role mcp */
	int n_sites;
	struct site site;
	char site_url[1400];
	/* answers carried from a prompt to its question */
	char from[1024];    /* export for the list */
	char path[1024];    /* list / member file / import folder / remote name */
	char pulled[1024];  /* the member list last pulled (default of i) */
	struct tui_rect list_rect;
	int col_w;
};

static const struct screen_action ms_actions[] = {
	{ ACT_MATCH_LIST, "List", NULL, NEED_WRITE },
	{ ACT_MATCH_PUSH, "Push", NULL, NEED_WRITE },
	{ ACT_MATCH_PULL, "Pull", NULL, NEED_WRITE },
	{ ACT_MATCH_IMPORT, "Import", NULL, NEED_WRITE },
	{ ACT_MATCH_BUILD, "Build", NULL, NEED_WRITE },
	{ ACT_MATCH_PURGE, "Purge", NULL, NEED_WRITE },
	{ ACT_ENTER, NULL, "Show the selected finding whole", NEED_ROW },
};

static const struct tui_keybind ms_keys[] = {
	{ 'l', ACT_MATCH_LIST, false },
	{ 'p', ACT_MATCH_PUSH, false },
	{ 'g', ACT_MATCH_PULL, false },
	{ 'i', ACT_MATCH_IMPORT, false },
	{ 'b', ACT_MATCH_BUILD, false },
	{ 'x', ACT_MATCH_PURGE, false },
};

/* ---- loading ------------------------------------------------------------ */

static enum hmx_rc ms_open(struct tui *t, void *priv, const char *arg, struct hmx_err *err)
{
	struct match_scr *m = priv;
	enum hmx_rc rc;

	if (!arg || !*arg)
		return hmx_err_set(err, HMX_EINVAL, "the match screen needs a cycle (--cycle C)");
	hmx_strlcpy(m->code, arg, sizeof m->code);
	if ((rc = cycle_get(tui_store(t), m->code, tui_today(t), &m->cycle, err)) != HMX_OK)
		return rc;
	if (strcmp(m->cycle.kind, MATCH_KIND) != 0)
		return hmx_err_set(err, HMX_EINVAL, "%s is a %s cycle: the match screen is for %s cycles",
				   m->code, m->cycle.kind, MATCH_KIND);
	snprintf(m->subtitle, sizeof m->subtitle, "%s", m->code);
	return HMX_OK;
}

static void ms_close(struct tui *t, void *priv)
{
	struct match_scr *m = priv;

	(void)t;
	free(m->f);
	m->f = NULL;
	m->n = 0;
}

static void ms_load_site(struct tui *t, struct match_scr *m)
{
	struct hmx_err err = { 0 };
	struct site *v = NULL;
	size_t n = 0;

	m->n_sites = 0;
	m->site_url[0] = '\0';
	if (site_list(tui_store(t), &v, &n, &err) != HMX_OK)
		return;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].role, "mcp") == 0 && m->n_sites++ == 0)
			m->site = v[i];
	free(v);
	if (m->n_sites) {
		char port[16] = "";
		const char *dir = m->site.remote_dir;

		if (m->site.port)
			snprintf(port, sizeof port, ":%d", m->site.port);
		snprintf(m->site_url, sizeof m->site_url, "sftp://%s%s%s%s%s%s", m->site.user,
			 m->site.user[0] ? "@" : "", m->site.host, port, dir[0] == '/' ? "" : "/",
			 dir);
	}
}

static enum hmx_rc ms_reload(struct tui *t, void *priv, struct hmx_err *err)
{
	struct match_scr *m = priv;
	struct match_list_rec *r = NULL;
	struct match_finding *f = NULL;
	size_t nr = 0, nf = 0;
	enum hmx_rc rc;

	if ((rc = cycle_get(tui_store(t), m->code, tui_today(t), &m->cycle, err)) != HMX_OK ||
	    (rc = match_summary_get(tui_store(t), m->code, &m->sum, err)) != HMX_OK ||
	    (rc = match_unpurged(tui_store(t), m->code, &m->unpurged, err)) != HMX_OK ||
	    (rc = match_lists(tui_store(t), m->code, &r, &nr, err)) != HMX_OK)
		return rc;
	m->have_list = nr > 0;
	if (nr)
		m->list = r[nr - 1];
	free(r);
	if ((rc = match_findings(tui_store(t), m->code, &f, &nf, err)) != HMX_OK)
		return rc;
	free(m->f);
	m->f = f;
	m->n = nf;
	ms_load_site(t, m);
	return HMX_OK;
}

/* ---- drawing ------------------------------------------------------------ */

static void ms_layout(struct tui *t, void *priv, const struct tui_rect *body,
		      struct tui_rect *list)
{
	struct match_scr *m = priv;

	(void)t;
	m->list_rect = (struct tui_rect){ body->y + MS_SUMMARY_ROWS, body->x,
					  body->h - MS_SUMMARY_ROWS, body->w };
	if (m->list_rect.h < 0)
		m->list_rect.h = 0;
	*list = m->list_rect;
	m->col_w = body->w >= 100 ? 24 : 16;
}

/* "label  text" on row y: the label in the header role. */
static void ms_line(WINDOW *w, int y, int width, const char *label, const char *text,
		    enum tui_role role)
{
	tui_put(w, y, 1, 13, theme_attr(ROLE_HEADER), ALIGN_LEFT, label);
	tui_put(w, y, 15, width - 15, theme_attr(role), ALIGN_LEFT, text);
}

static void ms_draw(struct tui *t, void *priv, WINDOW *w, const struct tui_rect *body)
{
	struct match_scr *m = priv;
	const struct match_summary *s = &m->sum;
	attr_t hd = theme_attr(ROLE_HEADER);
	char buf[512];
	int y = body->y, x;
	size_t o = 0;

	(void)t;
	if (!s->listed) {
		ms_line(w, y++, body->w, "Client list", "none yet: l builds it from an HMIS export",
			ROLE_DIM);
		ms_line(w, y++, body->w, "Left out", "-", ROLE_DIM);
	} else {
		const char *base = strrchr(m->list.path, '/');
		char when[17];

		hmx_strlcpy(when, m->list.at, sizeof when);
		if (strlen(when) > 10)
			when[10] = ' ';
		snprintf(buf, sizeof buf, "%llu sent of %llu eligible, %llu inactive; %.200s %s by %s%s",
			 (unsigned long long)s->sent, (unsigned long long)s->eligible,
			 (unsigned long long)s->inactive, base ? base + 1 : m->list.path, when,
			 m->list.who, m->list.purged_at[0] ? " (purged)" : "");
		ms_line(w, y++, body->w, "Client list", buf, ROLE_NORMAL);
		for (int v = CONSENT_NO_RELEASE; v < CONSENT_N_VERDICTS && o < sizeof buf; v++)
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%llu %s", o ? ", " : "",
					      (unsigned long long)s->left_out[v],
					      consent_verdict_name(v));
		ms_line(w, y++, body->w, "Left out", buf, ROLE_NORMAL);
	}
	if (!s->imported)
		ms_line(w, y++, body->w, "Member list",
			s->listed ? "not back yet: g pulls it from the MCP site, i imports a file"
				  : "-",
			ROLE_DIM);
	else {
		snprintf(buf, sizeof buf, "%llu returned, %llu matched, %llu finding%s (%llu blocking)",
			 (unsigned long long)s->returned, (unsigned long long)s->matched,
			 (unsigned long long)s->findings, s->findings == 1 ? "" : "s",
			 (unsigned long long)s->blocking);
		ms_line(w, y++, body->w, "Member list", buf,
			s->blocking ? ROLE_BLOCKING : s->findings ? ROLE_WARNING : ROLE_OK);
	}
	if (!s->imported) {
		ms_line(w, y++, body->w, "Import files", "-", ROLE_DIM);
	} else {
		snprintf(buf, sizeof buf,
			 "%llu to enroll, %llu to exit, %llu service change%s, %llu member change%s%s",
			 (unsigned long long)s->to_enroll, (unsigned long long)s->to_exit,
			 (unsigned long long)s->service_changes, s->service_changes == 1 ? "" : "s",
			 (unsigned long long)s->member_changes, s->member_changes == 1 ? "" : "s",
			 s->built ? " (built)" : "");
		ms_line(w, y++, body->w, "Import files", buf, ROLE_NORMAL);
	}
	if (m->n_sites == 0)
		snprintf(buf, sizeof buf, "no site with role mcp (hmx site add NAME ... --role mcp)");
	else
		snprintf(buf, sizeof buf, "%s %.300s%s; local lists kept: %zu", m->site.name, m->site_url,
			 m->n_sites > 1 ? " (first of several)" : "", m->unpurged);
	ms_line(w, y++, body->w, "MCP site", buf, m->n_sites ? ROLE_NORMAL : ROLE_DIM);
	y++;
	x = 1;
	tui_put(w, y, x, 6, hd, ALIGN_RIGHT, "Line");
	tui_put(w, y, x + 7, 5, hd, ALIGN_LEFT, "Check");
	tui_put(w, y, x + 13, 8, hd, ALIGN_LEFT, "Severity");
	tui_put(w, y, x + 22, m->col_w, hd, ALIGN_LEFT, "HMIS Client ID");
	tui_put(w, y, x + 23 + m->col_w, m->col_w, hd, ALIGN_LEFT, "Column");
	tui_put(w, y, x + 24 + 2 * m->col_w, body->w - (x + 24 + 2 * m->col_w), hd, ALIGN_LEFT,
		"Detail");
	if (m->n == 0 && m->list_rect.h > 0)
		tui_put(w, m->list_rect.y, 2, body->w - 2, theme_attr(ROLE_DIM), ALIGN_LEFT,
			s->imported ? "No finding: the member list matches the lists sent."
				    : "No member list imported yet.");
}

static size_t ms_rows(void *priv)
{
	return ((struct match_scr *)priv)->n;
}

static enum tui_role ms_sev_role(const char *sev)
{
	if (strcmp(sev, "blocking") == 0)
		return ROLE_BLOCKING;
	if (strcmp(sev, "error") == 0)
		return ROLE_OVERDUE;
	return ROLE_WARNING;
}

static void ms_draw_row(struct tui *t, void *priv, WINDOW *w, size_t row,
			const struct tui_rect *line, bool sel)
{
	struct match_scr *m = priv;
	const struct match_finding *f = &m->f[row];
	attr_t at = theme_row_attr(ROLE_NORMAL, sel);
	int x = line->x + 1, y = line->y;
	char ln[24];

	(void)t;
	if (f->line)
		snprintf(ln, sizeof ln, "%llu", (unsigned long long)f->line);
	else
		snprintf(ln, sizeof ln, "-");
	tui_put(w, y, x, 6, at, ALIGN_RIGHT, ln);
	tui_put(w, y, x + 7, 5, at, ALIGN_LEFT, f->check);
	tui_put(w, y, x + 13, 8, theme_row_attr(ms_sev_role(f->severity), sel), ALIGN_LEFT,
		f->severity);
	tui_put(w, y, x + 22, m->col_w, at, ALIGN_LEFT, f->personal_id[0] ? f->personal_id : "-");
	tui_put(w, y, x + 23 + m->col_w, m->col_w, at, ALIGN_LEFT, f->col[0] ? f->col : "-");
	tui_put(w, y, x + 24 + 2 * m->col_w, line->w - (x + 24 + 2 * m->col_w), at, ALIGN_LEFT,
		f->detail);
}

static void ms_row_text(void *priv, size_t row, char *buf, size_t n)
{
	const struct match_finding *f = &((struct match_scr *)priv)->f[row];

	snprintf(buf, n, "line %llu %s %s %s %s %s", (unsigned long long)f->line, f->check,
		 f->severity, f->personal_id, f->col, f->detail);
}

static const char *ms_subtitle(void *priv)
{
	return ((struct match_scr *)priv)->subtitle;
}

/* ---- helpers ------------------------------------------------------------ */

/* The folder for the cycle's files: match/CYCLE next to the database,
 * made 0700 when missing. False (why in buf) when it cannot be. */
static bool ms_workdir(struct tui *t, struct match_scr *m, char *dir, size_t n)
{
	const char *db = store_path(tui_store(t));
	const char *slash = db ? strrchr(db, '/') : NULL;
	char base[1024];

	if (slash)
		snprintf(base, sizeof base, "%.*s", (int)(slash - db), db);
	else
		snprintf(base, sizeof base, ".");
	if (!base[0])
		snprintf(base, sizeof base, "/");
	snprintf(dir, n, "%.900s/match", base);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return false;
	snprintf(dir, n, "%.900s/match/%s", base, m->code);
	return mkdir(dir, 0700) == 0 || errno == EEXIST;
}

/* "HMIS Client ID, names, DOB, gender" from a list's manifest (its
 * "fields": "client_id,first_name,..."), each word once, in file order. */
static void ms_fields_words(const char *manifest, char *out, size_t n)
{
	static const struct { const char *key, *word; } words[] = {
		{ "client_id", "HMIS Client ID" }, { "member_id", "MCP member ID" },
		{ "first_name", "names" },         { "middle_name", "names" },
		{ "last_name", "names" },          { "suffix", "names" },
		{ "name_dq", "name data quality" }, { "dob", "DOB" },
		{ "dob_dq", "DOB data quality" },  { "gender", "gender" },
		{ "info_date", "information date" },
	};
	const char *p = strstr(manifest, "\"fields\":\"");
	const char *last = NULL;
	char fields[260], key[40];
	size_t o = 0;

	out[0] = '\0';
	if (!p) {
		snprintf(out, n, "the list's columns");
		return;
	}
	p += strlen("\"fields\":\"");
	snprintf(fields, sizeof fields, ",%.*s,", (int)strcspn(p, "\""), p);
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		snprintf(key, sizeof key, ",%s,", words[i].key);
		if (!strstr(fields, key) || (last && strcmp(last, words[i].word) == 0))
			continue;
		last = words[i].word;
		o += (size_t)snprintf(out + o, n > o ? n - o : 0, "%s%s", o ? ", " : "", last);
	}
}

static bool ms_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* Connects to the MCP site (no question on the terminal: a host key not
 * yet known is refused; hmx site test SITE accepts it). */
static bool ms_connect(struct tui *t, struct match_scr *m, struct sftpc **c)
{
	struct sftpc_opts o = { .accept_new_host_key = false, .interactive = false };
	struct hmx_err err = { 0 };

	if (sftpc_open(&m->site, &o, c, &err) != HMX_OK) {
		tui_error(t, m->site.name, &err);
		return false;
	}
	return true;
}

/* ---- l: build the client list ---------------------------------------------- */

static unsigned ms_list_yes(struct tui *t, void *priv)
{
	struct match_scr *m = priv;
	struct match_list_opts o = { .cycle = m->code, .from = m->from, .output = m->path,
				     .active_since = CAL_NO_DAY,
				     .site = m->n_sites ? m->site.name : NULL };
	struct match_list_result res;
	struct hmx_err err = { 0 };

	tui_progress_begin(t, "Reading the export");
	if (match_list(tui_store(t), &o, &res, &err) != HMX_OK) {
		tui_progress_end(t);
		tui_error(t, "Client list", &err);
		return TUI_RELOAD;
	}
	tui_progress_end(t);
	tui_message(t, ROLE_OK, "Client list %s: %llu sent of %llu eligible (0600, client PII); %s",
		    res.path, (unsigned long long)res.rows,
		    (unsigned long long)res.manifest.eligible,
		    res.step_ticked ? "build-list: done" : res.step_note);
	return TUI_RELOAD;
}

static unsigned ms_list_out(struct tui *t, void *priv, const char *text)
{
	struct match_scr *m = priv;
	struct hmx_err err = { 0 };
	char q[1600], fields[300] = "", man[360], words[200];

	if (!text[0]) {
		tui_message(t, ROLE_WARNING, "Client list: no file given; nothing changed");
		return TUI_OK;
	}
	hmx_strlcpy(m->path, text, sizeof m->path);
	/* the fields the site's agreement allows ("" or none: all) */
	{
		unsigned mask = MATCH_FIELDS_ALL;

		if (m->n_sites &&
		    match_site_fields_get(tui_store(t), m->site.name, fields, sizeof fields, &err) ==
			    HMX_OK &&
		    match_fields_parse(fields, &mask, &err) != HMX_OK)
			mask = MATCH_FIELDS_ALL;
		match_fields_format(mask, fields, sizeof fields);
	}
	snprintf(man, sizeof man, "\"fields\":\"%.300s\"", fields);
	ms_fields_words(man, words, sizeof words);
	snprintf(q, sizeof q,
		 "Write the client list of %s from %.160s to %.160s (0600, client PII: %s)? Only "
		 "clients with an mcp-match release are in it; nothing leaves this machine until "
		 "you push it (p).",
		 m->code, m->from, m->path, words);
	tui_confirm(t, q, ms_list_yes);
	return TUI_OK;
}

static unsigned ms_list_from(struct tui *t, void *priv, const char *text)
{
	struct match_scr *m = priv;
	char dir[1024], def[1200];

	if (!text[0]) {
		tui_message(t, ROLE_WARNING, "Client list: no export given; nothing changed");
		return TUI_OK;
	}
	hmx_strlcpy(m->from, text, sizeof m->from);
	if (!ms_workdir(t, m, dir, sizeof dir)) {
		tui_message(t, ROLE_BLOCKING, "Client list: cannot make %s: %s", dir, strerror(errno));
		return TUI_OK;
	}
	snprintf(def, sizeof def, "%s/clients-%s.csv", dir, m->code);
	for (int i = 2; ms_exists(def) && i < 100; i++)
		snprintf(def, sizeof def, "%s/clients-%s-%d.csv", dir, m->code, i);
	tui_prompt_text(t, "Write the client list to: ", def, ms_list_out);
	return TUI_OK;
}

/* ---- p: push the list ------------------------------------------------------ */

static unsigned ms_push_yes(struct tui *t, void *priv)
{
	struct match_scr *m = priv;
	struct transfer_opts o = { .overwrite = false };
	struct hmx_err err = { 0 };
	struct transfer_job j;
	struct sftpc *c = NULL;
	char note[200], why[200];
	bool ticked;

	tui_progress_begin(t, "Connecting");
	if (!ms_connect(t, m, &c)) {
		tui_progress_end(t);
		return TUI_RELOAD;
	}
	tui_progress_end(t);
	tui_progress_begin(t, "Sending the client list");
	if (transfer_push(tui_store(t), c, &m->site, m->list.path, NULL, &o, &j, &err) != HMX_OK) {
		tui_progress_end(t);
		sftpc_close(&c);
		tui_error(t, "Push", &err);
		return TUI_RELOAD;
	}
	tui_progress_end(t);
	sftpc_close(&c);
	snprintf(note, sizeof note, "pushed to %s: %.100s (job %lld, sha256 %.12s)", m->site.name,
		 j.remote, (long long)j.id, j.sha256);
	match_step_tick(tui_store(t), m->code, "send-list", note, &ticked, why, sizeof why);
	tui_message(t, ROLE_OK, "Sent %s to %s (%llu bytes, job %lld); %s", j.remote, m->site.name,
		    (unsigned long long)j.size, (long long)j.id, ticked ? "send-list: done" : why);
	return TUI_RELOAD;
}

static void ms_push(struct tui *t, struct match_scr *m)
{
	char q[2048], words[200];
	const char *base;

	if (!m->have_list || m->list.purged_at[0] || !ms_exists(m->list.path)) {
		tui_message(t, ROLE_WARNING, "Push: %s",
			    m->have_list ? "the latest client list is purged or gone; l builds one"
					 : "no client list yet; l builds it");
		return;
	}
	if (!m->n_sites) {
		tui_message(t, ROLE_WARNING,
			    "Push: no site with role mcp (hmx site add NAME --host H --role mcp)");
		return;
	}
	base = strrchr(m->list.path, '/') ? strrchr(m->list.path, '/') + 1 : m->list.path;
	ms_fields_words(m->list.manifest, words, sizeof words);
	snprintf(q, sizeof q, "Send %llu client%s' %s to site %s (%.160s) as %.100s?",
		 (unsigned long long)m->list.rows, m->list.rows == 1 ? "" : "s", words, m->site.name,
		 m->site_url, base);
	tui_confirm(t, q, ms_push_yes);
}

/* ---- g: pull the member list ----------------------------------------------- */

static unsigned ms_pull_yes(struct tui *t, void *priv)
{
	struct match_scr *m = priv;
	struct transfer_opts o = { .overwrite = false };
	struct hmx_err err = { 0 };
	struct transfer_job j;
	struct sftpc *c = NULL;
	char dir[1024], name[TRANSFER_NAME_MAX + 1];

	if (!ms_workdir(t, m, dir, sizeof dir)) {
		tui_message(t, ROLE_BLOCKING, "Pull: cannot make %s: %s", dir, strerror(errno));
		return TUI_OK;
	}
	tui_progress_begin(t, "Connecting");
	if (!ms_connect(t, m, &c)) {
		tui_progress_end(t);
		return TUI_RELOAD;
	}
	tui_progress_end(t);
	tui_progress_begin(t, "Receiving the member list");
	if (transfer_pull(tui_store(t), c, &m->site, m->path, dir, &o, &j, name, &err) != HMX_OK) {
		tui_progress_end(t);
		sftpc_close(&c);
		tui_error(t, "Pull", &err);
		return TUI_RELOAD;
	}
	tui_progress_end(t);
	sftpc_close(&c);
	hmx_strlcpy(m->pulled, j.local, sizeof m->pulled);
	tui_message(t, ROLE_OK, "Received %s (%llu bytes, job %lld); i imports it", j.local,
		    (unsigned long long)j.size, (long long)j.id);
	return TUI_RELOAD;
}

static unsigned ms_pull_name(struct tui *t, void *priv, const char *text)
{
	struct match_scr *m = priv;
	char q[1600], dir[1024];

	if (!text[0]) {
		tui_message(t, ROLE_WARNING, "Pull: no file given; nothing changed");
		return TUI_OK;
	}
	hmx_strlcpy(m->path, text, sizeof m->path);
	if (!ms_workdir(t, m, dir, sizeof dir))
		snprintf(dir, sizeof dir, "match/%s", m->code);
	snprintf(q, sizeof q,
		 "Download %.160s from site %s (%.160s) into %.160s? Nothing leaves this machine; the member "
		 "list holds client PII.",
		 m->path, m->site.name, m->site_url, dir);
	tui_confirm(t, q, ms_pull_yes);
	return TUI_OK;
}

static void ms_pull(struct tui *t, struct match_scr *m)
{
	char def[128];

	if (!m->n_sites) {
		tui_message(t, ROLE_WARNING,
			    "Pull: no site with role mcp (hmx site add NAME --host H --role mcp)");
		return;
	}
	snprintf(def, sizeof def, "members-%s.csv", m->code);
	tui_prompt_text(t, "Member list on the MCP site: ", def, ms_pull_name);
}

/* ---- i: import the member list --------------------------------------------- */

static unsigned ms_import_yes(struct tui *t, void *priv)
{
	struct match_scr *m = priv;
	struct match_import_opts o = { .cycle = m->code, .path = m->path };
	struct match_import_result res;
	struct hmx_err err = { 0 };

	if (match_import(tui_store(t), &o, &res, &err) != HMX_OK) {
		tui_error(t, "Import", &err);
		return TUI_RELOAD;
	}
	tui_select(t, 0);
	tui_message(t, res.blocking ? ROLE_BLOCKING : res.findings ? ROLE_WARNING : ROLE_OK,
		    "Member list: %llu row%s, %llu matched, %llu finding%s (%llu blocking)%s; %s",
		    (unsigned long long)res.rows, res.rows == 1 ? "" : "s",
		    (unsigned long long)res.matched, (unsigned long long)res.findings,
		    res.findings == 1 ? "" : "s", (unsigned long long)res.blocking,
		    res.blocking ? ": a privacy incident to report" : "",
		    res.step_ticked ? "receive-members: done" : res.step_note);
	return TUI_RELOAD;
}

static unsigned ms_import_file(struct tui *t, void *priv, const char *text)
{
	struct match_scr *m = priv;
	char q[1600];

	if (!text[0]) {
		tui_message(t, ROLE_WARNING, "Import: no file given; nothing changed");
		return TUI_OK;
	}
	hmx_strlcpy(m->path, text, sizeof m->path);
	snprintf(q, sizeof q,
		 "Import the member list %.200s into %s%s? Nothing leaves this machine; names and DOBs "
		 "are compared with the list sent and not kept.",
		 m->path, m->code, m->sum.imported ? " (replaces the earlier import)" : "");
	tui_confirm(t, q, ms_import_yes);
	return TUI_OK;
}

static void ms_import(struct tui *t, struct match_scr *m)
{
	char dir[1024], def[1200] = "";

	if (!m->have_list) {
		tui_message(t, ROLE_WARNING, "Import: no client list yet; l builds it");
		return;
	}
	if (m->pulled[0])
		hmx_strlcpy(def, m->pulled, sizeof def);
	else if (ms_workdir(t, m, dir, sizeof dir))
		snprintf(def, sizeof def, "%s/members-%s.csv", dir, m->code);
	tui_prompt_text(t, "Member list file: ", def, ms_import_file);
}

/* ---- b: build the import files --------------------------------------------- */

static unsigned ms_build_yes(struct tui *t, void *priv)
{
	struct match_scr *m = priv;
	struct match_build_opts o = { .cycle = m->code, .dir = m->path };
	struct match_build_result res;
	struct hmx_err err = { 0 };

	if (match_build(tui_store(t), &o, &res, &err) != HMX_OK) {
		tui_error(t, "Build", &err);
		return TUI_RELOAD;
	}
	tui_message(t, ROLE_OK,
		    "Import files in %s: %zu files, %llu enrollments, %llu exits (%llu to follow "
		    "up), %llu service changes; %s",
		    res.dir, res.files, (unsigned long long)res.enrollments,
		    (unsigned long long)res.exits, (unsigned long long)res.follow_up,
		    (unsigned long long)res.service_changes,
		    res.step_ticked ? "build-import: done" : res.step_note);
	return TUI_RELOAD;
}

static unsigned ms_build_dir(struct tui *t, void *priv, const char *text)
{
	struct match_scr *m = priv;
	char q[1600];

	if (!text[0]) {
		tui_message(t, ROLE_WARNING, "Build: no folder given; nothing changed");
		return TUI_OK;
	}
	hmx_strlcpy(m->path, text, sizeof m->path);
	snprintf(q, sizeof q,
		 "Write the HMIS import files of %s (%llu new enrollments, %llu exits, %llu "
		 "service changes) into %.160s? Nothing leaves this machine; the files hold client "
		 "PII (0600) for the vendor's import tool.",
		 m->code, (unsigned long long)m->sum.to_enroll, (unsigned long long)m->sum.to_exit,
		 (unsigned long long)m->sum.service_changes, m->path);
	tui_confirm(t, q, ms_build_yes);
	return TUI_OK;
}

static void ms_build(struct tui *t, struct match_scr *m)
{
	char dir[1024], def[1100] = "";

	if (!m->sum.imported) {
		tui_message(t, ROLE_WARNING, "Build: no member list imported yet; g pulls it, i imports");
		return;
	}
	if (m->sum.blocking) {
		tui_message(t, ROLE_BLOCKING,
			    "Build: %llu blocking finding%s (clients never sent): import a corrected "
			    "member list first",
			    (unsigned long long)m->sum.blocking, m->sum.blocking == 1 ? "" : "s");
		return;
	}
	if (ms_workdir(t, m, dir, sizeof dir))
		snprintf(def, sizeof def, "%s/import", dir);
	tui_prompt_text(t, "Folder for the HMIS import files: ", def, ms_build_dir);
}

/* ---- x: purge ----------------------------------------------------------- */

static unsigned ms_purge_yes(struct tui *t, void *priv)
{
	struct match_scr *m = priv;
	struct match_purge_result res;
	struct hmx_err err = { 0 };

	if (match_purge(tui_store(t), m->code, &res, &err) != HMX_OK) {
		tui_error(t, "Purge", &err);
		return TUI_RELOAD;
	}
	tui_message(t, ROLE_OK, "Purged: %zu file%s removed, %zu already gone; %s", res.purged,
		    res.purged == 1 ? "" : "s", res.missing,
		    res.step_ticked ? "purge: done" : res.step_note);
	return TUI_RELOAD;
}

static void ms_purge(struct tui *t, struct match_scr *m)
{
	char q[512];

	if (!m->unpurged) {
		tui_message(t, ROLE_NORMAL, "Purge: no local client list of %s is kept", m->code);
		return;
	}
	snprintf(q, sizeof q,
		 "Delete %zu local client list file%s of %s? Nothing is sent; hmx keeps only IDs, "
		 "counts and SHA-256.",
		 m->unpurged, m->unpurged == 1 ? "" : "s", m->code);
	tui_confirm(t, q, ms_purge_yes);
}

static void ms_detail(struct tui *t, struct match_scr *m)
{
	const struct match_finding *f = &m->f[tui_selected(t)];
	char text[6][200];
	const char *lines[6];

	snprintf(text[0], sizeof text[0], "Check:    %s (%s)", f->check, f->severity);
	snprintf(text[1], sizeof text[1], "Line:     %llu", (unsigned long long)f->line);
	snprintf(text[2], sizeof text[2], "Client:   %s", f->personal_id[0] ? f->personal_id : "-");
	snprintf(text[3], sizeof text[3], "Column:   %s", f->col[0] ? f->col : "-");
	snprintf(text[4], sizeof text[4], "Detail:   %s", f->detail);
	snprintf(text[5], sizeof text[5], "Names and dates of birth are never shown or kept.");
	for (int i = 0; i < 6; i++)
		lines[i] = text[i];
	tui_pager(t, "Finding", lines, 6);
}

static unsigned ms_handle(struct tui *t, void *priv, enum action a)
{
	struct match_scr *m = priv;

	switch (a) {
	case ACT_MATCH_LIST:
		tui_prompt_text(t, "HMIS export (zip or folder): ", m->from, ms_list_from);
		break;
	case ACT_MATCH_PUSH:
		ms_push(t, m);
		break;
	case ACT_MATCH_PULL:
		ms_pull(t, m);
		break;
	case ACT_MATCH_IMPORT:
		ms_import(t, m);
		break;
	case ACT_MATCH_BUILD:
		ms_build(t, m);
		break;
	case ACT_MATCH_PURGE:
		ms_purge(t, m);
		break;
	case ACT_ENTER:
		ms_detail(t, m);
		break;
	default:
		break;
	}
	return TUI_OK;
}

const struct screen_ops match_screen = {
	.name = "match",
	.title = "Client match",
	.priv_size = sizeof(struct match_scr),
	.actions = ms_actions,
	.n_actions = sizeof ms_actions / sizeof ms_actions[0],
	.keys = ms_keys,
	.n_keys = sizeof ms_keys / sizeof ms_keys[0],
	.open = ms_open,
	.close = ms_close,
	.reload = ms_reload,
	.layout = ms_layout,
	.draw = ms_draw,
	.rows = ms_rows,
	.draw_row = ms_draw_row,
	.row_text = ms_row_text,
	.subtitle = ms_subtitle,
	.handle = ms_handle,
};
