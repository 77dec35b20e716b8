/* core/config.c — workspace settings: one table of known keys with their
 * defaults and validators; values live in the config table of the store. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "calendar.h"

enum cfg_type { CFG_INT, CFG_RULE, CFG_TEXT };

struct cfg_key {
	const char *name;
	enum cfg_type type;
	int min, max; /* CFG_INT bounds */
	const char *def;
	const char *help;
};

static const struct cfg_key keys[] = {
	{ "fiscal_year_start_month", CFG_INT, 1, 12, "7",
	  "first month of the fiscal year (7: Massachusetts, 10: HUD federal, 1: calendar)" },
	{ "due_soon_days", CFG_INT, 0, 90, "7", "a deadline this many days away or less is 'due soon'" },
	{ "coc_name", CFG_TEXT, 0, 0, "MA-503 Cape Cod and Islands CoC", "name of the Continuum of Care" },
	{ "due.apr", CFG_RULE, 0, 0, "end+90", "deadline rule of the annual APR steps" },
	{ "due.spm", CFG_RULE, 0, 0, "date:02-28", "deadline rule of the annual SPM steps" },
	{ "due.lsa", CFG_RULE, 0, 0, "date:12-15", "deadline rule of the annual LSA steps" },
	{ "due.pit", CFG_RULE, 0, 0, "date:04-30", "deadline rule of the annual PIT count steps" },
	{ "due.hic", CFG_RULE, 0, 0, "date:04-30", "deadline rule of the annual HIC steps" },
	{ "due.mcp_list", CFG_RULE, 0, 0, "end+10",
	  "deadline rule of the MCP match steps up to sending the client list" },
	{ "due.mcp_import", CFG_RULE, 0, 0, "end+40",
	  "deadline rule of the MCP match steps from the member list to the vendor import" },
	{ "due.mcp_purge", CFG_RULE, 0, 0, "end+45",
	  "deadline rule of purging the local client and member lists of an MCP match" },
	{ "match.project", CFG_TEXT, 0, 0, "",
	  "registered project code of the MCP project (hmx match build); needs its HUD ProjectID" },
	{ "match.destination", CFG_INT, 1, 999, "99",
	  "Exit Destination written by hmx match build for closed MCP members (99: flagged)" },
	{ "match.project_start", CFG_TEXT, 0, 0, "",
	  "OperatingStartDate of the MCP project (YYYY-MM-DD; empty: the first entry built)" },
};

#define N_KEYS (sizeof keys / sizeof keys[0])

static const struct cfg_key *find_key(const char *name, struct hmx_err *err)
{
	char known[512] = "";

	for (size_t i = 0; i < N_KEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	for (size_t i = 0; i < N_KEYS; i++) {
		strncat(known, i ? ", " : "", sizeof known - strlen(known) - 1);
		strncat(known, keys[i].name, sizeof known - strlen(known) - 1);
	}
	hmx_err_set(err, HMX_ENOTFOUND, "unknown setting \"%s\"; known: %s", name, known);
	return NULL;
}

bool config_known(const char *key)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (strcmp(keys[i].name, key) == 0)
			return true;
	return false;
}

bool config_key(size_t i, const char **name, const char **def, const char **help)
{
	if (i >= N_KEYS)
		return false;
	*name = keys[i].name;
	*def = keys[i].def;
	*help = keys[i].help;
	return true;
}

enum hmx_rc config_get(struct store *s, const char *key, char *buf, size_t n, struct hmx_err *err)
{
	const struct cfg_key *k = find_key(key, err);
	sqlite3_stmt *st;
	int rc;

	if (!k)
		return HMX_ENOTFOUND;
	st = store_prepare(s, "SELECT value FROM config WHERE key = ?1", err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_col_text(st, 0, buf, n);
	else
		hmx_strlcpy(buf, k->def, n);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, "cannot read setting");
	return HMX_OK;
}

static bool parse_int(const char *s, long *out)
{
	char *end;

	if (!*s)
		return false;
	*out = strtol(s, &end, 10);
	return *end == '\0';
}

static enum hmx_rc validate(const struct cfg_key *k, const char *value, struct hmx_err *err)
{
	long v;

	switch (k->type) {
	case CFG_INT:
		if (!parse_int(value, &v) || v < k->min || v > k->max)
			return hmx_err_set(err, HMX_EINVAL, "%s must be a whole number from %d to %d, not \"%s\"",
					   k->name, k->min, k->max, value);
		break;
	case CFG_RULE:
		if (!cal_rule_valid(value))
			return hmx_err_set(err, HMX_EINVAL,
					   "%s must be a deadline rule (end+N, start+N, date:MM-DD or none), not \"%s\"",
					   k->name, value);
		break;
	case CFG_TEXT:
		if (strlen(value) > 200)
			return hmx_err_set(err, HMX_EINVAL, "%s is longer than 200 characters", k->name);
		/* one printable line: it is shown in titles and audit rows */
		for (const char *c = value; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return hmx_err_set(err, HMX_EINVAL,
						   "%s must be one line of printable characters", k->name);
		break;
	}
	return HMX_OK;
}

enum hmx_rc config_set(struct store *s, const char *key, const char *value, struct hmx_err *err)
{
	const struct cfg_key *k = find_key(key, err);
	char before[256];
	sqlite3_stmt *st;
	enum hmx_rc rc;
	int src;

	if (!k)
		return HMX_ENOTFOUND;
	if ((rc = validate(k, value, err)) != HMX_OK)
		return rc;
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	if ((rc = config_get(s, key, before, sizeof before, err)) != HMX_OK)
		goto fail;
	st = store_prepare(s, "INSERT INTO config(key, value) VALUES (?1, ?2) "
			      "ON CONFLICT(key) DO UPDATE SET value = excluded.value", err);
	if (!st) {
		rc = HMX_EDB;
		goto fail;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		rc = store_fail(s, err, "cannot save setting");
		goto fail;
	}
	if ((rc = audit_write(s, "config.set", key, before, value, err)) != HMX_OK)
		goto fail;
	return store_commit(s, err);
fail:
	store_rollback(s);
	return rc;
}

int config_get_int(struct store *s, const char *key)
{
	const struct cfg_key *k = find_key(key, NULL);
	char buf[32];
	long v;

	if (!k || k->type != CFG_INT)
		return 0;
	if (config_get(s, key, buf, sizeof buf, NULL) != HMX_OK || !parse_int(buf, &v) || v < k->min ||
	    v > k->max)
		return atoi(k->def);
	return (int)v;
}

int config_fy_start(struct store *s)
{
	return config_get_int(s, "fiscal_year_start_month");
}
