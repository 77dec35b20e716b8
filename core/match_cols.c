/* core/match_cols.c — reading an MCP member list: the column mapping
 * (assets/match-columns.ini, a workspace match-columns.ini or --columns),
 * option words, dates, the raw CSV reader loop and who hmx knows. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "asset.h"
#include "ini.h"
#include "match_int.h"

/* ---- the column mapping -------------------------------------------------- */

static const char *const col_keys[MC_N] = {
	"client_id", "first_name", "middle_name", "last_name", "suffix", "dob", "mcp", "plan",
	"member_id", "cin", "effective", "termination", "ecm_enrolled", "ecm_provider",
	"ecm_start", "ecm_end", "cs_name", "cs_enrolled", "cs_provider", "cs_start", "cs_end",
};

struct mapctx {
	struct match_colmap *m;
};

static void words_add(char *dst, size_t n, const char *code, const char *list)
{
	char tmp[256], *save = NULL;

	hmx_strlcpy(tmp, list, sizeof tmp);
	if (!dst[0])
		hmx_strlcpy(dst, "|", n);
	for (char *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		size_t l = strlen(t);
		while (l && t[l - 1] == ' ')
			t[--l] = '\0';
		if (l) /* "|word=code|" entries */
			snprintf(dst + strlen(dst), n - strlen(dst), "%s=%s|", t, code);
	}
}

static bool map_kv(void *ctx, const char *section, const char *key, const char *value, int line,
		   struct hmx_err *err)
{
	struct match_colmap *m = ((struct mapctx *)ctx)->m;

	if (strcmp(section, "columns") == 0) {
		for (int k = 0; k < MC_N; k++)
			if (strcmp(col_keys[k], key) == 0) {
				hmx_strlcpy(m->title[k], value, sizeof m->title[k]);
				return true;
			}
		hmx_err_set(err, HMX_EINVAL, "line %d: unknown column key \"%.40s\"", line, key);
		return false;
	}
	if (strcmp(section, "plan") == 0 || strcmp(section, "enrolled") == 0) {
		bool plan = section[0] == 'p';
		words_add(plan ? m->plan_words : m->enr_words,
			  plan ? sizeof m->plan_words : sizeof m->enr_words, key, value);
		return true;
	}
	hmx_err_set(err, HMX_EINVAL, "line %d: unknown section [%.40s]", line, section);
	return false;
}

static enum hmx_rc map_parse(const char *text, const char *name, struct match_colmap *m,
			     struct hmx_err *err)
{
	struct mapctx c = { m };

	return ini_parse(text, name, map_kv, &c, err);
}

enum hmx_rc match_colmap_load(struct store *s, const char *file, struct match_colmap *m,
			      struct hmx_err *err)
{
	char ws[1100], *text = NULL;
	const char *path = file;
	enum hmx_rc rc;
	FILE *f;
	long len;

	memset(m, 0, sizeof *m);
	if ((rc = map_parse(asset_get("match-columns.ini", NULL), "match-columns.ini", m, err)) !=
	    HMX_OK)
		return rc;
	if (!path) {
		const char *db = store_path(s), *sl = db ? strrchr(db, '/') : NULL;
		snprintf(ws, sizeof ws, "%.*s/match-columns.ini", sl ? (int)(sl - db) : 1,
			 sl ? db : ".");
		if (access(ws, R_OK) != 0)
			return HMX_OK;
		path = ws;
	}
	if (!(f = fopen(path, "r")))
		return hmx_err_set(err, errno == ENOENT ? HMX_ENOTFOUND : HMX_EIO, "%s: %s", path,
				   strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || len > 65536 ||
	    fseek(f, 0, SEEK_SET) != 0 || !(text = calloc(1, (size_t)len + 1)) ||
	    fread(text, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(text);
		return hmx_err_set(err, HMX_EIO, "%s: cannot read the column mapping", path);
	}
	fclose(f);
	/* the workspace file overrides keys; the option words are replaced */
	m->plan_words[0] = m->enr_words[0] = '\0';
	rc = map_parse(text, path, m, err);
	free(text);
	if (rc == HMX_OK && !m->plan_words[0])
		rc = hmx_err_set(err, HMX_EINVAL, "%s: no [plan] option words", path);
	if (rc == HMX_OK && !m->enr_words[0])
		rc = hmx_err_set(err, HMX_EINVAL, "%s: no [enrolled] option words", path);
	return rc;
}

const char *match_colmap_title(const struct match_colmap *m, int key, int n, char *buf,
			       size_t len)
{
	const char *t = m->title[key], *p = strstr(t, "{n}");

	if (!p)
		return t;
	snprintf(buf, len, "%.*s%d%s", (int)(p - t), t, n, p + 3);
	return buf;
}

bool match_word(const char *words, const char *v, size_t vlen, char *code, size_t n)
{
	const char *p = words;

	while (p && (p = strchr(p, '|')) && p[1]) {
		const char *eq = strchr(p + 1, '='), *end = eq ? strchr(eq, '|') : NULL;
		if (!end)
			return false;
		if ((size_t)(eq - p - 1) == vlen && strncasecmp(p + 1, v, vlen) == 0) {
			size_t cl = (size_t)(end - eq - 1);
			if (cl >= n)
				cl = n - 1;
			memcpy(code, eq + 1, cl);
			code[cl] = '\0';
			return true;
		}
		p = end;
	}
	return false;
}

/* yyyy-mm-dd or mm/dd/yyyy (a time after it is ignored). */
bool match_parse_day(const char *p, size_t len, cal_day *out)
{
	char b[11];
	int y, m, d;

	if (len >= 10 && p[4] == '-') {
		memcpy(b, p, 10);
		b[10] = '\0';
		return (len == 10 || p[10] == ' ' || p[10] == 'T') && cal_parse_date(b, out);
	}
	if (len >= 8 && len <= 10 && sscanf(p, "%2d/%2d/%4d", &m, &d, &y) == 3 && y > 1800 &&
	    cal_valid_ymd(y, m, d) && strchr(p, '/') && p[len - 5] == '/') {
		*out = cal_from_ymd(y, m, d);
		return true;
	}
	return false;
}

bool match_known_id(struct store *s, const char *pid)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"SELECT 1 FROM match_sent WHERE personal_id = ?1 UNION ALL"
		" SELECT 1 FROM match_member WHERE personal_id = ?1 UNION ALL"
		" SELECT 1 FROM consent WHERE personal_id = ?1 LIMIT 1",
		NULL);
	bool known;

	if (!st)
		return true; /* the stricter verdict */
	sqlite3_bind_text(st, 1, pid, -1, SQLITE_TRANSIENT);
	known = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return known;
}

