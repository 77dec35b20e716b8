/* tests/test_registry.c — unit tests of core/registry: source kind names,
 * adding agencies and projects (audited), duplicates, bad codes and names,
 * unknown agencies, list order and the source filter, the computed upload
 * reporting group (no rdc-direct, no inactive project), and changing every
 * project field with its before/after audit row. */
#include "testutil.h"
#include "fxstore.h"

#include "core/audit.h"
#include "core/registry.h"
#include "core/store.h"

static void agency_ok(struct store *s, const char *code, const char *name)
{
	struct hmx_err err;

	if (reg_agency_add(s, code, name, &err) != HMX_OK)
		fail_msg("reg_agency_add(%s): %s", code, err.msg);
}

static void project_ok(struct store *s, const char *code, const char *name, const char *agency,
		       enum reg_source src, const char *hud)
{
	struct hmx_err err;

	if (reg_project_add(s, code, name, agency, src, hud, &err) != HMX_OK)
		fail_msg("reg_project_add(%s): %s", code, err.msg);
}

static size_t audit_count(struct store *s)
{
	struct audit_row *rows;
	struct hmx_err err;
	size_t n;

	assert_int_equal(audit_list(s, NULL, 0, &rows, &n, &err), HMX_OK);
	free(rows);
	return n;
}

/* The newest audit row, into *out. */
static void last_audit(struct store *s, struct audit_row *out)
{
	struct audit_row *rows;
	struct hmx_err err;
	size_t n;

	assert_int_equal(audit_list(s, NULL, 1, &rows, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	*out = rows[0];
	free(rows);
}

static struct reg_project get(struct store *s, const char *code)
{
	struct reg_project p;
	struct hmx_err err;

	memset(&p, 0x5a, sizeof p);
	if (reg_project_get(s, code, &p, &err) != HMX_OK)
		fail_msg("reg_project_get(%s): %s", code, err.msg);
	return p;
}

/* A small registry: two agencies, one project of each source. */
static void seed(struct store *s)
{
	agency_ok(s, "HAC", "Housing Assistance Corporation");
	agency_ok(s, "HPC", "Homeless Prevention Council");
	project_ok(s, "hac-carriage-house", "HAC Carriage House", "HAC", REG_SRC_RDC_DIRECT, "1101");
	project_ok(s, "hpc-dyrs", "HPC DYRS", "HPC", REG_SRC_OUTSIDE_AGENCY, NULL);
	project_ok(s, "hac-family-es", "HAC Family Shelter", "HAC", REG_SRC_HMIS, "2001");
}

/* ---- source kinds ----------------------------------------------------------- */

static void test_source_names(void **state)
{
	enum reg_source src = REG_SRC_HMIS;

	(void)state;
	assert_string_equal(reg_source_name(REG_SRC_HMIS), "hmis");
	assert_string_equal(reg_source_name(REG_SRC_RDC_DIRECT), "rdc-direct");
	assert_string_equal(reg_source_name(REG_SRC_OUTSIDE_AGENCY), "outside-agency");
	assert_string_equal(reg_source_name((enum reg_source)7), "?");
	assert_true(reg_source_parse("rdc-direct", &src));
	assert_int_equal(src, REG_SRC_RDC_DIRECT);
	assert_true(reg_source_parse("outside-agency", &src));
	assert_int_equal(src, REG_SRC_OUTSIDE_AGENCY);
	assert_true(reg_source_parse("hmis", &src));
	assert_int_equal(src, REG_SRC_HMIS);
	src = REG_SRC_RDC_DIRECT;
	assert_false(reg_source_parse("HMIS", &src));
	assert_false(reg_source_parse("rdc", &src));
	assert_false(reg_source_parse("", &src));
	assert_false(reg_source_parse("?", &src));
	assert_int_equal(src, REG_SRC_RDC_DIRECT); /* untouched on failure */
}

/* ---- agencies ----------------------------------------------------------------- */

static void test_agency_add_list_audit(void **state)
{
	struct fx *f = *state;
	struct reg_agency *a;
	struct audit_row r;
	struct hmx_err err;
	size_t n;

	assert_int_equal(reg_agency_list(f->s, &a, &n, &err), HMX_OK);
	assert_int_equal(n, 0);
	free(a);

	agency_ok(f->s, "VNEOC", "Veterans Northeast Outreach Center");
	last_audit(f->s, &r);
	assert_string_equal(r.action, "agency.add");
	assert_string_equal(r.object, "agency/VNEOC");
	assert_string_equal(r.before, "");
	assert_string_equal(r.after, "Veterans Northeast Outreach Center");
	assert_string_equal(r.who, "tester");
	agency_ok(f->s, "CACCI", "Community Action Committee of the Cape and Islands");
	agency_ok(f->s, "HAC", "Housing Assistance Corporation");

	assert_int_equal(reg_agency_list(f->s, &a, &n, &err), HMX_OK);
	assert_int_equal(n, 3);
	assert_string_equal(a[0].code, "CACCI");
	assert_string_equal(a[0].name, "Community Action Committee of the Cape and Islands");
	assert_string_equal(a[1].code, "HAC");
	assert_string_equal(a[2].code, "VNEOC");
	assert_true(a[0].id > 0 && a[1].id > 0 && a[2].id > 0);
	assert_true(a[0].id != a[1].id && a[1].id != a[2].id);
	free(a);
}

static void test_agency_duplicate(void **state)
{
	struct fx *f = *state;
	struct reg_agency *a;
	struct hmx_err err;
	size_t n, n0;

	agency_ok(f->s, "HAC", "Housing Assistance Corporation");
	n0 = audit_count(f->s);
	hmx_err_clear(&err);
	assert_int_equal(reg_agency_add(f->s, "HAC", "Another name", &err), HMX_EEXIST);
	assert_int_equal(err.rc, HMX_EEXIST);
	assert_string_equal(err.msg, "agency HAC already exists");
	assert_int_equal(audit_count(f->s), n0);
	assert_int_equal(reg_agency_list(f->s, &a, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].name, "Housing Assistance Corporation");
	free(a);
}

static void test_agency_bad_input(void **state)
{
	struct fx *f = *state;
	static const char *const bad_codes[] = {
		"", "-HAC", ".HAC", "_HAC", "HA C", "HAC/1", "HAC;", "Ré", "HAC\n",
		"abcdefghijklmnopqrstuvwxyz01234", "abcdefghijklmnopqrstuvwxyz012345",
	};
	struct reg_agency *a;
	struct hmx_err err;
	char name121[122], name120[121];
	size_t n;

	for (size_t i = 0; i < sizeof bad_codes / sizeof bad_codes[0]; i++) {
		hmx_err_clear(&err);
		if (i == 9) {
			/* 31 characters is the longest accepted */
			agency_ok(f->s, bad_codes[i], "Long code agency");
			continue;
		}
		if (reg_agency_add(f->s, bad_codes[i], "Name", &err) != HMX_EINVAL)
			fail_msg("agency code \"%s\" was accepted", bad_codes[i]);
		assert_non_null(strstr(err.msg, "bad agency code"));
	}
	memset(name121, 'n', 121);
	name121[121] = '\0';
	memset(name120, 'n', 120);
	name120[120] = '\0';
	assert_int_equal(reg_agency_add(f->s, "A1", "", &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "bad agency name"));
	assert_int_equal(reg_agency_add(f->s, "A1", name121, &err), HMX_EINVAL);
	assert_int_equal(reg_agency_add(f->s, "A1", "two\nlines", &err), HMX_EINVAL);
	assert_int_equal(reg_agency_add(f->s, "A1", "tab\there", &err), HMX_EINVAL);
	agency_ok(f->s, "A1", name120);
	agency_ok(f->s, "a.b-c_d", "Dots, dashes and underscores");
	agency_ok(f->s, "9LIVES", "Starts with a digit");

	assert_int_equal(reg_agency_list(f->s, &a, &n, &err), HMX_OK);
	assert_int_equal(n, 4);
	free(a);
}

/* ---- projects ----------------------------------------------------------------- */

static void test_project_add_get_audit(void **state)
{
	struct fx *f = *state;
	struct reg_project p;
	struct audit_row r;

	agency_ok(f->s, "HAC", "Housing Assistance Corporation");
	agency_ok(f->s, "CIHC", "Cape and Islands Housing Collaborative");
	project_ok(f->s, "hac-carriage-house", "HAC Carriage House", "HAC", REG_SRC_RDC_DIRECT, "1101");
	last_audit(f->s, &r);
	assert_string_equal(r.action, "project.add");
	assert_string_equal(r.object, "project/hac-carriage-house");
	assert_string_equal(r.before, "");
	assert_string_equal(r.after, "HAC Carriage House; agency=HAC; source=rdc-direct; hud-id=1101");

	p = get(f->s, "hac-carriage-house");
	assert_true(p.id > 0);
	assert_string_equal(p.code, "hac-carriage-house");
	assert_string_equal(p.name, "HAC Carriage House");
	assert_string_equal(p.agency_code, "HAC");
	assert_int_equal(p.source, REG_SRC_RDC_DIRECT);
	assert_string_equal(p.hud_project_id, "1101");
	assert_true(p.active);
	assert_false(p.in_upload_group);

	/* NULL HUD ProjectID is stored as unknown (""); accents are kept */
	project_ok(f->s, "cihc-casa", "Casa Esperança Transitional Housing", "CIHC", REG_SRC_HMIS,
		   NULL);
	last_audit(f->s, &r);
	assert_string_equal(r.after,
			    "Casa Esperança Transitional Housing; agency=CIHC; source=hmis; hud-id=");
	p = get(f->s, "cihc-casa");
	assert_string_equal(p.name, "Casa Esperança Transitional Housing");
	assert_string_equal(p.hud_project_id, "");
	assert_int_equal(p.source, REG_SRC_HMIS);
	assert_true(p.in_upload_group);

	project_ok(f->s, "cihc-oa", "Outside project", "CIHC", REG_SRC_OUTSIDE_AGENCY, "");
	p = get(f->s, "cihc-oa");
	assert_int_equal(p.source, REG_SRC_OUTSIDE_AGENCY);
	assert_true(p.in_upload_group);
}

static void test_project_duplicate_and_unknown_agency(void **state)
{
	struct fx *f = *state;
	struct reg_project *ps;
	struct hmx_err err;
	size_t n, n0;

	seed(f->s);
	n0 = audit_count(f->s);
	hmx_err_clear(&err);
	assert_int_equal(reg_project_add(f->s, "hpc-dyrs", "Again", "HPC", REG_SRC_HMIS, NULL, &err),
			 HMX_EEXIST);
	assert_string_equal(err.msg, "project hpc-dyrs already exists");
	/* codes are unique across agencies too */
	assert_int_equal(reg_project_add(f->s, "hpc-dyrs", "Again", "HAC", REG_SRC_HMIS, NULL, &err),
			 HMX_EEXIST);

	hmx_err_clear(&err);
	assert_int_equal(reg_project_add(f->s, "new-proj", "New", "NOPE", REG_SRC_HMIS, NULL, &err),
			 HMX_ENOTFOUND);
	assert_int_equal(err.rc, HMX_ENOTFOUND);
	assert_non_null(strstr(err.msg, "\"NOPE\""));
	/* agency codes are case-sensitive */
	assert_int_equal(reg_project_add(f->s, "new-proj", "New", "hac", REG_SRC_HMIS, NULL, &err),
			 HMX_ENOTFOUND);

	assert_int_equal(audit_count(f->s), n0);
	assert_int_equal(reg_project_list(f->s, NULL, &ps, &n, &err), HMX_OK);
	assert_int_equal(n, 3);
	free(ps);
}

static void test_project_bad_input(void **state)
{
	struct fx *f = *state;
	static const char *const bad_codes[] = {
		"", "-p", "p q", "p/q", "p:q", "caf\xc3\xa9", "p\tq",
		"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijkl", /* 48 */
	};
	const char *code47 = "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijk";
	struct reg_project *ps;
	struct hmx_err err;
	char hud33[34];
	size_t n;

	agency_ok(f->s, "HAC", "Housing Assistance Corporation");
	for (size_t i = 0; i < sizeof bad_codes / sizeof bad_codes[0]; i++) {
		hmx_err_clear(&err);
		if (reg_project_add(f->s, bad_codes[i], "Name", "HAC", REG_SRC_HMIS, NULL, &err) !=
		    HMX_EINVAL)
			fail_msg("project code \"%s\" was accepted", bad_codes[i]);
		assert_non_null(strstr(err.msg, "bad project code"));
	}
	assert_int_equal(strlen(code47), 47);
	project_ok(f->s, code47, "Longest code", "HAC", REG_SRC_HMIS, NULL);

	assert_int_equal(reg_project_add(f->s, "p1", "", "HAC", REG_SRC_HMIS, NULL, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "bad project name"));
	assert_int_equal(reg_project_add(f->s, "p1", "a\x1b[2Jb", "HAC", REG_SRC_HMIS, NULL, &err),
			 HMX_EINVAL);
	memset(hud33, '1', 33);
	hud33[33] = '\0';
	assert_int_equal(reg_project_add(f->s, "p1", "P", "HAC", REG_SRC_HMIS, hud33, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "HUD ProjectID"));
	assert_int_equal(reg_project_add(f->s, "p1", "P", "HAC", REG_SRC_HMIS, "12\n3", &err),
			 HMX_EINVAL);
	hud33[32] = '\0';
	project_ok(f->s, "p1", "P", "HAC", REG_SRC_HMIS, hud33);
	assert_string_equal(get(f->s, "p1").hud_project_id, hud33);
	/* validation comes before the agency lookup */
	assert_int_equal(reg_project_add(f->s, "bad code", "P", "NOPE", REG_SRC_HMIS, NULL, &err),
			 HMX_EINVAL);

	assert_int_equal(reg_project_list(f->s, NULL, &ps, &n, &err), HMX_OK);
	assert_int_equal(n, 2);
	free(ps);
}

static void test_project_get_unknown(void **state)
{
	struct fx *f = *state;
	struct reg_project p;
	struct hmx_err err;

	seed(f->s);
	hmx_err_clear(&err);
	assert_int_equal(reg_project_get(f->s, "nope", &p, &err), HMX_ENOTFOUND);
	assert_non_null(strstr(err.msg, "\"nope\""));
	assert_int_equal(reg_project_get(f->s, "HPC-DYRS", &p, &err), HMX_ENOTFOUND);
}

static void test_project_list_order_and_filter(void **state)
{
	struct fx *f = *state;
	struct reg_project *ps;
	struct hmx_err err;
	enum reg_source src;
	size_t n;

	agency_ok(f->s, "VNEOC", "Veterans Northeast Outreach Center");
	agency_ok(f->s, "HAC", "Housing Assistance Corporation");
	agency_ok(f->s, "CACCI", "Community Action Committee of the Cape and Islands");
	agency_ok(f->s, "HPC", "Homeless Prevention Council");
	agency_ok(f->s, "EMPTY", "Agency without projects");
	project_ok(f->s, "vneoc-ssvf-rrh", "VNEOC SSVF RRH", "VNEOC", REG_SRC_RDC_DIRECT, "1302");
	project_ok(f->s, "hac-scattered", "HAC Scattered Sites", "HAC", REG_SRC_RDC_DIRECT, "1103");
	project_ok(f->s, "hpc-mhsa", "HPC MHSA", "HPC", REG_SRC_OUTSIDE_AGENCY, NULL);
	project_ok(f->s, "vneoc-ssvf-hp", "VNEOC SSVF HP", "VNEOC", REG_SRC_RDC_DIRECT, "1301");
	project_ok(f->s, "hac-carriage-house", "HAC Carriage House", "HAC", REG_SRC_RDC_DIRECT, "1101");
	project_ok(f->s, "cacci-safe-harbor", "CACCI Safe Harbor", "CACCI", REG_SRC_RDC_DIRECT, "1201");
	project_ok(f->s, "hac-family-es", "HAC Family Shelter", "HAC", REG_SRC_HMIS, "2001");
	project_ok(f->s, "hpc-case-mgmt", "HPC Case Management", "HPC", REG_SRC_OUTSIDE_AGENCY, NULL);

	assert_int_equal(reg_project_list(f->s, NULL, &ps, &n, &err), HMX_OK);
	assert_int_equal(n, 8);
	/* by agency code, then project code */
	assert_string_equal(ps[0].code, "cacci-safe-harbor");
	assert_string_equal(ps[1].code, "hac-carriage-house");
	assert_string_equal(ps[2].code, "hac-family-es");
	assert_string_equal(ps[3].code, "hac-scattered");
	assert_string_equal(ps[4].code, "hpc-case-mgmt");
	assert_string_equal(ps[5].code, "hpc-mhsa");
	assert_string_equal(ps[6].code, "vneoc-ssvf-hp");
	assert_string_equal(ps[7].code, "vneoc-ssvf-rrh");
	assert_string_equal(ps[0].agency_code, "CACCI");
	assert_string_equal(ps[7].agency_code, "VNEOC");
	free(ps);

	src = REG_SRC_RDC_DIRECT;
	assert_int_equal(reg_project_list(f->s, &src, &ps, &n, &err), HMX_OK);
	assert_int_equal(n, 5);
	assert_string_equal(ps[0].code, "cacci-safe-harbor");
	assert_string_equal(ps[1].code, "hac-carriage-house");
	assert_string_equal(ps[2].code, "hac-scattered");
	assert_string_equal(ps[3].code, "vneoc-ssvf-hp");
	assert_string_equal(ps[4].code, "vneoc-ssvf-rrh");
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ps[i].source, REG_SRC_RDC_DIRECT);
		assert_false(ps[i].in_upload_group);
	}
	free(ps);

	src = REG_SRC_OUTSIDE_AGENCY;
	assert_int_equal(reg_project_list(f->s, &src, &ps, &n, &err), HMX_OK);
	assert_int_equal(n, 2);
	assert_string_equal(ps[0].code, "hpc-case-mgmt");
	assert_string_equal(ps[1].code, "hpc-mhsa");
	assert_true(ps[0].in_upload_group && ps[1].in_upload_group);
	free(ps);

	src = REG_SRC_HMIS;
	assert_int_equal(reg_project_list(f->s, &src, &ps, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ps[0].code, "hac-family-es");
	free(ps);
}

static void test_upload_group(void **state)
{
	struct fx *f = *state;
	struct reg_project *ps;
	struct hmx_err err;
	size_t n, in = 0;

	seed(f->s);
	assert_false(get(f->s, "hac-carriage-house").in_upload_group);
	assert_true(get(f->s, "hpc-dyrs").in_upload_group);
	assert_true(get(f->s, "hac-family-es").in_upload_group);

	/* inactive projects leave the group, whatever their source */
	assert_int_equal(reg_project_set(f->s, "hac-family-es", "active", "no", &err), HMX_OK);
	assert_false(get(f->s, "hac-family-es").active);
	assert_false(get(f->s, "hac-family-es").in_upload_group);
	assert_int_equal(reg_project_set(f->s, "hpc-dyrs", "active", "no", &err), HMX_OK);
	assert_false(get(f->s, "hpc-dyrs").in_upload_group);
	assert_int_equal(reg_project_set(f->s, "hac-carriage-house", "active", "no", &err), HMX_OK);
	assert_false(get(f->s, "hac-carriage-house").in_upload_group);

	/* reactivated, and an rdc-direct project moved into the HMIS */
	assert_int_equal(reg_project_set(f->s, "hac-family-es", "active", "yes", &err), HMX_OK);
	assert_int_equal(reg_project_set(f->s, "hac-carriage-house", "active", "yes", &err), HMX_OK);
	assert_int_equal(reg_project_set(f->s, "hac-carriage-house", "source", "hmis", &err), HMX_OK);
	assert_int_equal(reg_project_list(f->s, NULL, &ps, &n, &err), HMX_OK);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		in += ps[i].in_upload_group;
	assert_int_equal(in, 2); /* hac-carriage-house, hac-family-es; hpc-dyrs inactive */
	free(ps);
}

/* Sets one field and checks the audit row and the value read back. */
static void set_field(struct store *s, const char *code, const char *field, const char *value,
		      const char *before)
{
	struct audit_row r;
	struct hmx_err err;
	char object[96], b[200], a[200];

	if (reg_project_set(s, code, field, value, &err) != HMX_OK)
		fail_msg("reg_project_set(%s, %s, %s): %s", code, field, value, err.msg);
	last_audit(s, &r);
	snprintf(object, sizeof object, "project/%s", code);
	snprintf(b, sizeof b, "%s=%s", field, before);
	snprintf(a, sizeof a, "%s=%s", field, value);
	assert_string_equal(r.action, "project.set");
	assert_string_equal(r.object, object);
	assert_string_equal(r.before, b);
	assert_string_equal(r.after, a);
	assert_string_equal(r.who, "tester");
}

static void test_project_set_every_field(void **state)
{
	struct fx *f = *state;
	struct reg_project p;

	seed(f->s);
	set_field(f->s, "hpc-dyrs", "name", "HPC Youth Services", "HPC DYRS");
	set_field(f->s, "hpc-dyrs", "source", "rdc-direct", "outside-agency");
	set_field(f->s, "hpc-dyrs", "hud-id", "4401", "");
	set_field(f->s, "hpc-dyrs", "agency", "HAC", "HPC");
	set_field(f->s, "hpc-dyrs", "active", "no", "yes");
	p = get(f->s, "hpc-dyrs");
	assert_string_equal(p.name, "HPC Youth Services");
	assert_int_equal(p.source, REG_SRC_RDC_DIRECT);
	assert_string_equal(p.hud_project_id, "4401");
	assert_string_equal(p.agency_code, "HAC");
	assert_false(p.active);
	assert_false(p.in_upload_group);

	/* and back, with the before values now the new ones */
	set_field(f->s, "hpc-dyrs", "active", "yes", "no");
	set_field(f->s, "hpc-dyrs", "hud-id", "", "4401");
	set_field(f->s, "hpc-dyrs", "source", "hmis", "rdc-direct");
	set_field(f->s, "hpc-dyrs", "agency", "HPC", "HAC");
	p = get(f->s, "hpc-dyrs");
	assert_true(p.active);
	assert_true(p.in_upload_group);
	assert_string_equal(p.hud_project_id, "");
	assert_string_equal(p.agency_code, "HPC");
	/* the other projects are untouched */
	p = get(f->s, "hac-family-es");
	assert_string_equal(p.name, "HAC Family Shelter");
	assert_string_equal(p.hud_project_id, "2001");
}

static void test_project_set_refusals(void **state)
{
	struct fx *f = *state;
	struct reg_project p;
	struct hmx_err err;
	size_t n0;

	seed(f->s);
	n0 = audit_count(f->s);
	hmx_err_clear(&err);
	assert_int_equal(reg_project_set(f->s, "nope", "name", "X", &err), HMX_ENOTFOUND);
	assert_int_equal(reg_project_set(f->s, "hpc-dyrs", "colour", "red", &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "\"colour\""));
	assert_int_equal(reg_project_set(f->s, "hpc-dyrs", "code", "x", &err), HMX_EINVAL);
	assert_int_equal(reg_project_set(f->s, "hpc-dyrs", "name", "", &err), HMX_EINVAL);
	assert_int_equal(reg_project_set(f->s, "hpc-dyrs", "name", "a\nb", &err), HMX_EINVAL);
	assert_int_equal(reg_project_set(f->s, "hpc-dyrs", "source", "RDC", &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "\"RDC\""));
	assert_int_equal(reg_project_set(f->s, "hpc-dyrs", "hud-id",
					 "123456789012345678901234567890123", &err),
			 HMX_EINVAL);
	assert_int_equal(reg_project_set(f->s, "hpc-dyrs", "agency", "NOPE", &err), HMX_ENOTFOUND);
	assert_non_null(strstr(err.msg, "\"NOPE\""));
	assert_int_equal(reg_project_set(f->s, "hpc-dyrs", "active", "maybe", &err), HMX_EINVAL);
	assert_int_equal(reg_project_set(f->s, "hpc-dyrs", "active", "YES", &err), HMX_EINVAL);
	assert_int_equal(reg_project_set(f->s, "hpc-dyrs", "active", "1", &err), HMX_EINVAL);
	assert_int_equal(audit_count(f->s), n0);
	p = get(f->s, "hpc-dyrs");
	assert_string_equal(p.name, "HPC DYRS");
	assert_int_equal(p.source, REG_SRC_OUTSIDE_AGENCY);
	assert_string_equal(p.agency_code, "HPC");
	assert_true(p.active);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_names),
		cmocka_unit_test_setup_teardown(test_agency_add_list_audit, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_agency_duplicate, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_agency_bad_input, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_project_add_get_audit, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_project_duplicate_and_unknown_agency, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_project_bad_input, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_project_get_unknown, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_project_list_order_and_filter, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_upload_group, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_project_set_every_field, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_project_set_refusals, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
