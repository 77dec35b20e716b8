/* tests/test_mapping.c — unit tests of core/mapping: the name score;
 * proposals in order (remembered alias, equal HUD ProjectID, closest name,
 * never an inactive project); decisions (map, pick another, not ours with
 * a reason, create, clear), each one audited and remembered as an alias
 * that the next quarter proposes first and mapping_accept takes — never a
 * name match; X01 and X02 counted per checks.md; duplicate mappings
 * refused unless confirmed; inactive projects; the per-project sub-items
 * ticked with the file as evidence (and put back when the mapping goes);
 * unknown names; the list of remembered aliases. */
#include "testutil.h"
#include "fxstore.h"
#include "fxexport.h"

#include "core/audit.h"
#include "core/intake.h"
#include "core/mapping.h"

static void intake(struct fx *f, const char *cycle, const char *name, const char *source,
		   const struct fx_xp *x, struct intake_info *out)
{
	struct intake_opts o = { source, CAL_NO_DAY, true };
	char dir[512];
	struct hmx_err err;

	fx_export(dir, sizeof dir, f->dir, name, x);
	if (intake_add(f->s, cycle, dir, &o, out, &err) != HMX_OK)
		fail_msg("intake_add(%s): %s", name, err.msg);
}

static void set_ok(struct fx *f, const char *cycle, const struct intake_info *in, const char *src,
		   const char *project, unsigned flags)
{
	struct hmx_err err;

	if (mapping_set(f->s, cycle, in->sha256, src, project, flags, NULL, NULL, &err) != HMX_OK)
		fail_msg("mapping_set(%s -> %s): %s", src, project, err.msg);
}

static struct map_view view(struct fx *f, const char *cycle)
{
	struct map_view v;
	struct hmx_err err;

	if (mapping_view(f->s, cycle, &v, &err) != HMX_OK)
		fail_msg("mapping_view: %s", err.msg);
	return v;
}

static const struct map_row *row(const struct map_view *v, const char *sha, const char *src)
{
	for (size_t i = 0; i < v->nrows; i++)
		if (strcmp(v->files[v->rows[i].file].sha256, sha) == 0 &&
		    strcmp(v->rows[i].src_id, src) == 0)
			return &v->rows[i];
	fail_msg("no row %s/%s", sha, src);
	return NULL;
}

/* Flags of check (and project, when not NULL). */
static size_t nflags(const struct map_view *v, const char *check, const char *project)
{
	size_t n = 0;

	for (size_t i = 0; i < v->nflags; i++)
		n += strcmp(v->flags[i].check, check) == 0 &&
		     (!project || strcmp(v->flags[i].project, project) == 0);
	return n;
}

/* The first flag of check for project (any when NULL). */
static const struct map_flag *flag_of(const struct map_view *v, const char *check,
				      const char *project)
{
	for (size_t i = 0; i < v->nflags; i++)
		if (strcmp(v->flags[i].check, check) == 0 &&
		    (!project || strcmp(v->flags[i].project, project) == 0))
			return &v->flags[i];
	fail_msg("no %s flag", check);
	return NULL;
}

static enum step_state state_of(struct fx *f, const char *cycle, const char *step, char *note,
				size_t n)
{
	struct step_info si;
	struct hmx_err err;

	if (step_get(f->s, cycle, step, &si, &err) != HMX_OK)
		fail_msg("step_get(%s): %s", step, err.msg);
	if (note)
		hmx_strlcpy(note, si.note, n);
	return si.state;
}

static void step_ok(struct fx *f, const char *cycle, const char *step, enum step_state st)
{
	struct hmx_err err;

	if (step_set(f->s, cycle, step, st, "test", &err) != HMX_OK)
		fail_msg("step_set(%s): %s", step, err.msg);
}

static int setup(void **state)
{
	struct fx *f;

	fx_setup(state);
	f = *state;
	fx_registry(f->s);
	fx_cycle(f->s, "rdc-download", "2026Q3");
	return 0;
}

static void t_name_score(void **state)
{
	(void)state;
	assert_int_equal(mapping_name_score("HAC Carriage House", "HAC Carriage House"), 100);
	assert_int_equal(mapping_name_score("hac  carriage-house!", "HAC Carriage House"), 100);
	assert_int_equal(mapping_name_score("Carriage House", "HAC Carriage House"), 80);
	assert_int_equal(mapping_name_score("Casa Esperança", "casa esperanca"), 100);
	assert_int_equal(mapping_name_score("The Shelter of Hope", "Shelter Hope"), 100);
	assert_int_equal(mapping_name_score("Martha's Vineyard RRH", "Marthas Vineyard RRH"), 100);
	assert_true(mapping_name_score("HPC Case Management", "HPC Case Mgmt") >= 80);
	assert_true(mapping_name_score("Case Mgmt", "HPC Case Management") >= MAPPING_NAME_MIN);
	assert_true(mapping_name_score("VNEOC SSVF Rapid Re-housing", "VNEOC SSVF Homelessness Prevention") <
		    MAPPING_NAME_MIN);
	assert_int_equal(mapping_name_score("Northgate ES", "Barnstable Family Shelter"), 0);
	assert_int_equal(mapping_name_score("", "HAC"), 0);
	assert_int_equal(mapping_name_score("of the and", "HAC"), 0);
	/* symmetric */
	assert_int_equal(mapping_name_score("Carriage House", "HAC Carriage House"),
			 mapping_name_score("HAC Carriage House", "Carriage House"));
}

static void t_propose_order(void **state)
{
	struct fx *f = *state;
	struct map_proposal p;
	struct hmx_err err;

	/* name */
	assert_int_equal(mapping_propose(f->s, "rdc", "501", "Carriage House", &p, &err), HMX_OK);
	assert_int_equal(p.via, MAP_VIA_NAME);
	assert_string_equal(p.project, "hac-carriage-house");
	assert_int_equal(p.score, 80);
	/* an equal HUD ProjectID beats a name */
	assert_int_equal(mapping_propose(f->s, "hmis", "1102", "Carriage House", &p, &err), HMX_OK);
	assert_int_equal(p.via, MAP_VIA_HUD_ID);
	assert_string_equal(p.project, "hac-cataumet");
	/* nothing close */
	assert_int_equal(mapping_propose(f->s, "rdc", "9", "Northgate Outreach", &p, &err), HMX_OK);
	assert_int_equal(p.via, MAP_VIA_NONE);
	assert_string_equal(p.project, "");
	/* inactive projects are never proposed by ID or name */
	assert_int_equal(reg_project_set(f->s, "hac-cataumet", "active", "no", &err), HMX_OK);
	assert_int_equal(mapping_propose(f->s, "hmis", "1102", "HAC Cataumet Village", &p, &err), HMX_OK);
	assert_int_equal(p.via, MAP_VIA_NONE);
}

/* A confirmed mapping becomes the alias; the next quarter proposes it
 * first (over a better name match) and mapping_accept takes it. */
static void t_alias_next_quarter(void **state)
{
	struct fx *f = *state;
	struct intake_info a, b;
	struct map_view v;
	struct map_tick *ticks;
	size_t acc, skip, nt;
	struct audit_row *rows;
	size_t n;
	struct hmx_err err;

	intake(f, "rdc-download-2026Q3", "q3", "rdc", NULL, &a);
	v = view(f, "rdc-download-2026Q3");
	assert_int_equal(row(&v, a.sha256, "501")->proposal.via, MAP_VIA_NAME);
	assert_int_equal(row(&v, a.sha256, "501")->state, MAP_UNMAPPED);
	mapping_view_free(&v);
	/* the name proposal is not accepted by mapping_accept */
	assert_int_equal(mapping_accept(f->s, "rdc-download-2026Q3", NULL, &acc, &skip, NULL, NULL, &err),
			 HMX_OK);
	assert_int_equal(acc, 0);
	assert_int_equal(skip, 1);
	/* the admin picks another project than the name proposal */
	set_ok(f, "rdc-download-2026Q3", &a, "501", "hac-cataumet", 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM project_alias WHERE source = 'rdc' AND "
					"source_project_id = '501'"),
			 1);
	assert_int_equal(audit_list(f->s, "alias", 0, &rows, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].object, "alias/rdc/501");
	assert_string_equal(rows[0].after, "hac-cataumet");
	free(rows);

	fx_cycle(f->s, "rdc-download", "2026Q4");
	intake(f, "rdc-download-2026Q4", "q4", "rdc",
	       &(struct fx_xp){ .export_id = "E2", .end = "2026-06-30" }, &b);
	v = view(f, "rdc-download-2026Q4");
	assert_int_equal(row(&v, b.sha256, "501")->proposal.via, MAP_VIA_ALIAS);
	assert_string_equal(row(&v, b.sha256, "501")->proposal.project, "hac-cataumet");
	assert_int_equal(nflags(&v, "X01", NULL), 1);
	mapping_view_free(&v);
	assert_int_equal(mapping_accept(f->s, "rdc-download-2026Q4", b.sha256, &acc, &skip, &ticks, &nt,
					&err),
			 HMX_OK);
	assert_int_equal(acc, 1);
	assert_int_equal(skip, 0);
	free(ticks);
	v = view(f, "rdc-download-2026Q4");
	assert_int_equal(row(&v, b.sha256, "501")->state, MAP_MAPPED);
	assert_string_equal(row(&v, b.sha256, "501")->project, "hac-cataumet");
	assert_int_equal(row(&v, b.sha256, "501")->decided_via, MAP_VIA_ALIAS);
	assert_int_equal(nflags(&v, "X01", NULL), 0);
	mapping_view_free(&v);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action = 'map.accept' AND "
					"after LIKE 'mapped=hac-cataumet (proposed by alias)'"),
			 1);
	/* the alias is per source: an agency's ProjectID 501 is another project */
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM project_alias"), 1);
}

static void t_accept_hud_id_only(void **state)
{
	struct fx *f = *state;
	struct intake_info a;
	struct map_view v;
	size_t acc, skip;
	struct hmx_err err;

	fx_cycle(f->s, "rdc-upload", "2026Q3");
	intake(f, "rdc-upload-2026Q3", "hmis", "hmis",
	       &(struct fx_xp){ .projects = "2001,Family Shelter (Barnstable),\n777,HAC Cataumet Village,\n",
				.enrollments = "e1,c1,2001,\ne2,c2,777,\n" },
	       &a);
	assert_int_equal(mapping_accept(f->s, "rdc-upload-2026Q3", NULL, &acc, &skip, NULL, NULL, &err),
			 HMX_OK);
	assert_int_equal(acc, 1);
	assert_int_equal(skip, 1);
	v = view(f, "rdc-upload-2026Q3");
	assert_int_equal(row(&v, a.sha256, "2001")->state, MAP_MAPPED);
	assert_string_equal(row(&v, a.sha256, "2001")->project, "cihc-es");
	assert_int_equal(row(&v, a.sha256, "777")->state, MAP_UNMAPPED);
	assert_int_equal(row(&v, a.sha256, "777")->proposal.via, MAP_VIA_NAME);
	assert_int_equal(row(&v, a.sha256, "777")->proposal.score, 100);
	mapping_view_free(&v);
}

static void t_not_ours_and_clear(void **state)
{
	struct fx *f = *state;
	struct intake_info a, b;
	struct map_view v;
	size_t acc, skip;
	long long audit;
	struct hmx_err err;

	intake(f, "rdc-download-2026Q3", "q3", "rdc", NULL, &a);
	audit = fx_count(f->s, "SELECT count(*) FROM audit");
	assert_int_equal(mapping_not_ours(f->s, "rdc-download-2026Q3", a.sha256, "501", "", NULL, NULL,
					  &err),
			 HMX_EINVAL);
	assert_non_null(strstr(err.msg, "why"));
	assert_int_equal(mapping_not_ours(f->s, "rdc-download-2026Q3", a.sha256, "501", "two\nlines",
					  NULL, NULL, &err),
			 HMX_EINVAL);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit"), audit);
	assert_int_equal(mapping_not_ours(f->s, "rdc-download-2026Q3", a.sha256, "501",
					  "a Plymouth County project", NULL, NULL, &err),
			 HMX_OK);
	v = view(f, "rdc-download-2026Q3");
	assert_int_equal(row(&v, a.sha256, "501")->state, MAP_NOT_OURS);
	assert_string_equal(row(&v, a.sha256, "501")->reason, "a Plymouth County project");
	assert_int_equal(nflags(&v, "X01", NULL), 0); /* decided: not an X01 */
	mapping_view_free(&v);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action = 'map.not-ours' AND "
					"before = 'unmapped' AND after = 'not-ours: a Plymouth County project'"),
			 1);

	/* clear: the decision goes, the alias stays */
	assert_int_equal(mapping_clear(f->s, "rdc-download-2026Q3", a.sha256, "501", NULL, NULL, &err),
			 HMX_OK);
	assert_int_equal(mapping_clear(f->s, "rdc-download-2026Q3", a.sha256, "501", NULL, NULL, &err),
			 HMX_ESTATE);
	v = view(f, "rdc-download-2026Q3");
	assert_int_equal(row(&v, a.sha256, "501")->state, MAP_UNMAPPED);
	assert_true(row(&v, a.sha256, "501")->proposal.not_ours);
	mapping_view_free(&v);

	/* next quarter: the remembered "not ours" is accepted */
	fx_cycle(f->s, "rdc-download", "2026Q4");
	intake(f, "rdc-download-2026Q4", "q4", "rdc",
	       &(struct fx_xp){ .export_id = "E2", .end = "2026-06-30" }, &b);
	assert_int_equal(mapping_accept(f->s, "rdc-download-2026Q4", NULL, &acc, &skip, NULL, NULL, &err),
			 HMX_OK);
	assert_int_equal(acc, 1);
	v = view(f, "rdc-download-2026Q4");
	assert_int_equal(row(&v, b.sha256, "501")->state, MAP_NOT_OURS);
	assert_string_equal(row(&v, b.sha256, "501")->reason, "a Plymouth County project");
	mapping_view_free(&v);
}

static void t_create(void **state)
{
	struct fx *f = *state;
	struct intake_info a;
	struct reg_project p;
	struct map_new_project np = { "hpc-new", NULL, NULL, NULL, NULL };
	long long projects;
	struct hmx_err err;

	fx_cycle(f->s, "agency-intake", "2026B4");
	intake(f, "agency-intake-2026B4", "hpc", "agency:HPC",
	       &(struct fx_xp){ .projects = "77,HPC Youth Housing,\n",
				.enrollments = "e1,c1,77,\n" },
	       &a);
	assert_int_equal(mapping_create(f->s, "agency-intake-2026B4", a.sha256, "77", &np, 0, NULL, NULL,
					&err),
			 HMX_OK);
	assert_int_equal(reg_project_get(f->s, "hpc-new", &p, &err), HMX_OK);
	assert_string_equal(p.name, "HPC Youth Housing");
	assert_string_equal(p.agency_code, "HPC");
	assert_int_equal(p.source, REG_SRC_OUTSIDE_AGENCY);
	assert_string_equal(p.hud_project_id, "");
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM file_map WHERE state = 'mapped' AND "
					"project_id = (SELECT id FROM project WHERE code = 'hpc-new')"),
			 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action = 'map.create'"), 1);
	/* the code exists: refused, pointing at a plain mapping */
	assert_int_equal(mapping_create(f->s, "agency-intake-2026B4", a.sha256, "77", &np, 0, NULL, NULL,
					&err),
			 HMX_EEXIST);
	assert_non_null(strstr(err.msg, "hmx map agency-intake-2026B4"));
	/* an rdc file names no agency: one must be given, nothing is made */
	intake(f, "rdc-download-2026Q3", "rdc", "rdc", NULL, &a);
	projects = fx_count(f->s, "SELECT count(*) FROM project");
	np.code = "rdc-new";
	assert_int_equal(mapping_create(f->s, "rdc-download-2026Q3", a.sha256, "501", &np, 0, NULL, NULL,
					&err),
			 HMX_EINVAL);
	assert_non_null(strstr(err.msg, "--agency"));
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM project"), projects);
	np.agency = "HAC";
	np.name = "HAC New Shelter";
	assert_int_equal(mapping_create(f->s, "rdc-download-2026Q3", a.sha256, "501", &np, 0, NULL, NULL,
					&err),
			 HMX_OK);
	assert_int_equal(reg_project_get(f->s, "rdc-new", &p, &err), HMX_OK);
	assert_int_equal(p.source, REG_SRC_RDC_DIRECT);
	assert_string_equal(p.name, "HAC New Shelter");
}

/* X01 per project row, X02 per expected project (checks.md). */
static void t_x01_x02(void **state)
{
	struct fx *f = *state;
	struct intake_info a, b;
	struct map_view v;

	/* a cycle with no file: every RDC-direct project is an X02 */
	v = view(f, "rdc-download-2026Q3");
	assert_int_equal(nflags(&v, "X02", NULL), 2);
	assert_int_equal(nflags(&v, "X02", "hac-carriage-house"), 1);
	assert_non_null(strstr(flag_of(&v, "X02", NULL)->detail, "no file from this source"));
	assert_int_equal(nflags(&v, "X01", NULL), 0);
	mapping_view_free(&v);

	/* a file with two projects, none mapped: two X01, still two X02 */
	intake(f, "rdc-download-2026Q3", "a", "rdc",
	       &(struct fx_xp){ .projects = "501,Carriage House,\n502,Cataumet,\n",
				.enrollments = "e1,c1,501,\n" },
	       &a);
	v = view(f, "rdc-download-2026Q3");
	assert_int_equal(nflags(&v, "X01", NULL), 2);
	assert_int_equal(v.n_unmapped, 2);
	assert_int_equal(nflags(&v, "X02", NULL), 2);
	assert_non_null(strstr(flag_of(&v, "X02", "hac-cataumet")->detail,
			       "no file from this source is mapped"));
	mapping_view_free(&v);

	/* 501 mapped (1 enrollment), 502 mapped but empty: "no rows" */
	set_ok(f, "rdc-download-2026Q3", &a, "501", "hac-carriage-house", 0);
	set_ok(f, "rdc-download-2026Q3", &a, "502", "hac-cataumet", 0);
	v = view(f, "rdc-download-2026Q3");
	assert_int_equal(nflags(&v, "X01", NULL), 0);
	assert_int_equal(nflags(&v, "X02", NULL), 1);
	assert_int_equal(nflags(&v, "X02", "hac-cataumet"), 1);
	assert_non_null(strstr(flag_of(&v, "X02", NULL)->detail, "no enrollments"));
	mapping_view_free(&v);

	/* outside agencies: the source is the agency; inactive projects are not expected */
	fx_cycle(f->s, "agency-intake", "2026B4");
	intake(f, "agency-intake-2026B4", "hpc", "agency:HPC",
	       &(struct fx_xp){ .projects = "7,HPC DYRS,\n", .enrollments = "e1,c1,7,\n" }, &b);
	set_ok(f, "agency-intake-2026B4", &b, "7", "hpc-dyrs", 0);
	v = view(f, "agency-intake-2026B4");
	assert_int_equal(nflags(&v, "X02", NULL), 1);
	assert_int_equal(nflags(&v, "X02", "hpc-case-mgmt"), 1);
	assert_non_null(strstr(flag_of(&v, "X02", NULL)->detail, "agency:HPC"));
	mapping_view_free(&v);
	{
		struct hmx_err err;
		assert_int_equal(reg_project_set(f->s, "hpc-case-mgmt", "active", "no", &err), HMX_OK);
	}
	v = view(f, "agency-intake-2026B4");
	assert_int_equal(nflags(&v, "X02", NULL), 0);
	mapping_view_free(&v);
}

/* Two files claiming one project in one cycle. */
static void t_duplicate(void **state)
{
	struct fx *f = *state;
	struct intake_info a, b;
	struct map_view v;
	long long audit;
	struct hmx_err err;

	intake(f, "rdc-download-2026Q3", "a", "rdc", NULL, &a);
	intake(f, "rdc-download-2026Q3", "b", "rdc",
	       &(struct fx_xp){ .export_id = "E9", .projects = "601,Carriage House (copy),\n",
				.enrollments = "e1,c1,601,\n" },
	       &b);
	set_ok(f, "rdc-download-2026Q3", &a, "501", "hac-carriage-house", 0);
	audit = fx_count(f->s, "SELECT count(*) FROM audit");
	assert_int_equal(mapping_set(f->s, "rdc-download-2026Q3", b.sha256, "601", "hac-carriage-house",
				     0, NULL, NULL, &err),
			 HMX_ESTATE);
	assert_non_null(strstr(err.msg, "already mapped from file"));
	assert_non_null(strstr(err.msg, "ProjectID 501"));
	assert_non_null(strstr(err.msg, "--allow-duplicate"));
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit"), audit);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM file_map"), 1);
	/* remapping the same source project onto the same project is no duplicate */
	set_ok(f, "rdc-download-2026Q3", &a, "501", "hac-carriage-house", 0);
	/* confirmed: allowed and flagged */
	set_ok(f, "rdc-download-2026Q3", &b, "601", "hac-carriage-house", MAP_ALLOW_DUPLICATE);
	v = view(f, "rdc-download-2026Q3");
	assert_int_equal(nflags(&v, "DUP", "hac-carriage-house"), 1);
	assert_string_equal(v.flags[0].check, "DUP");
	assert_string_equal(v.flags[0].severity, "warning");
	assert_string_equal(v.flags[0].src_id, "601");
	assert_true(row(&v, b.sha256, "601")->duplicate_ok);
	mapping_view_free(&v);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action = 'map.set' AND "
					"after LIKE '%duplicate confirmed'"),
			 1);
}

static void t_inactive(void **state)
{
	struct fx *f = *state;
	struct intake_info a, b;
	struct map_view v;
	size_t acc, skip;
	struct hmx_err err;

	intake(f, "rdc-download-2026Q3", "a", "rdc", NULL, &a);
	assert_int_equal(reg_project_set(f->s, "hac-cataumet", "active", "no", &err), HMX_OK);
	assert_int_equal(mapping_set(f->s, "rdc-download-2026Q3", a.sha256, "501", "hac-cataumet", 0,
				     NULL, NULL, &err),
			 HMX_ESTATE);
	assert_non_null(strstr(err.msg, "inactive"));
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM file_map"), 0);
	/* mapped, then the project is made inactive: flagged */
	set_ok(f, "rdc-download-2026Q3", &a, "501", "hac-carriage-house", 0);
	assert_int_equal(reg_project_set(f->s, "hac-carriage-house", "active", "no", &err), HMX_OK);
	v = view(f, "rdc-download-2026Q3");
	assert_int_equal(nflags(&v, "INACTIVE", "hac-carriage-house"), 1);
	mapping_view_free(&v);
	/* an alias onto an inactive project is shown, never accepted */
	fx_cycle(f->s, "rdc-download", "2026Q4");
	intake(f, "rdc-download-2026Q4", "b", "rdc",
	       &(struct fx_xp){ .export_id = "E2", .end = "2026-06-30" }, &b);
	v = view(f, "rdc-download-2026Q4");
	assert_int_equal(row(&v, b.sha256, "501")->proposal.via, MAP_VIA_ALIAS);
	assert_true(row(&v, b.sha256, "501")->proposal.inactive);
	mapping_view_free(&v);
	assert_int_equal(mapping_accept(f->s, "rdc-download-2026Q4", NULL, &acc, &skip, NULL, NULL, &err),
			 HMX_OK);
	assert_int_equal(acc, 0);
	assert_int_equal(skip, 1);
}

static void t_ticks_download(void **state)
{
	struct fx *f = *state;
	const char *c = "rdc-download-2026Q3";
	struct intake_info a;
	struct map_tick *t;
	size_t nt;
	char note[256], want[128];
	struct hmx_err err;

	intake(f, c, "a", "rdc", NULL, &a);
	/* meet-rdc (a gate of download) is open: the item waits in progress */
	assert_int_equal(mapping_set(f->s, c, a.sha256, "501", "hac-carriage-house", 0, &t, &nt, &err),
			 HMX_OK);
	assert_int_equal(nt, 1);
	assert_string_equal(t[0].step, "download/hac-carriage-house");
	assert_int_equal(t[0].to, STEP_IN_PROGRESS);
	free(t);
	assert_int_equal(state_of(f, c, "download/hac-carriage-house", note, sizeof note),
			 STEP_IN_PROGRESS);
	snprintf(want, sizeof want, "file %.12s mapped (ProjectID 501)", a.sha256);
	assert_non_null(strstr(note, want));
	/* ticking again changes nothing */
	assert_int_equal(mapping_tick(f->s, c, &t, &nt, &err), HMX_OK);
	assert_int_equal(nt, 0);
	free(t);
	/* gate closed: done, the file as evidence */
	step_ok(f, c, "meet-rdc", STEP_DONE);
	assert_int_equal(mapping_tick(f->s, c, &t, &nt, &err), HMX_OK);
	assert_int_equal(nt, 1);
	assert_int_equal(t[0].to, STEP_DONE);
	free(t);
	assert_int_equal(state_of(f, c, "download/hac-carriage-house", note, sizeof note), STEP_DONE);
	assert_string_equal(note, want);
	/* mapped elsewhere: the old item goes back to todo, the new one is done */
	assert_int_equal(mapping_set(f->s, c, a.sha256, "501", "hac-cataumet", 0, &t, &nt, &err), HMX_OK);
	assert_int_equal(nt, 2);
	free(t);
	assert_int_equal(state_of(f, c, "download/hac-carriage-house", note, sizeof note), STEP_TODO);
	assert_non_null(strstr(note, "no longer mapped"));
	assert_int_equal(state_of(f, c, "download/hac-cataumet", NULL, 0), STEP_DONE);
	/* an item the admin closed by hand is left alone */
	assert_int_equal(mapping_clear(f->s, c, a.sha256, "501", NULL, NULL, &err), HMX_OK);
	assert_int_equal(state_of(f, c, "download/hac-cataumet", NULL, 0), STEP_TODO);
	step_ok(f, c, "download/hac-carriage-house", STEP_SKIPPED);
	set_ok(f, c, &a, "501", "hac-carriage-house", 0);
	assert_int_equal(state_of(f, c, "download/hac-carriage-house", NULL, 0), STEP_SKIPPED);
}

static void t_ticks_receive(void **state)
{
	struct fx *f = *state;
	const char *c = "agency-intake-2026B4";
	struct intake_info a;
	char note[256];

	fx_cycle(f->s, "agency-intake", "2026B4");
	intake(f, c, "hpc", "agency:HPC",
	       &(struct fx_xp){ .projects = "7,HPC DYRS,\n", .enrollments = "e1,c1,7,\n" }, &a);
	set_ok(f, c, &a, "7", "hpc-dyrs", 0);
	assert_int_equal(state_of(f, c, "receive/hpc-dyrs", note, sizeof note), STEP_DONE);
	assert_non_null(strstr(note, "(ProjectID 7)"));
	assert_int_equal(state_of(f, c, "receive/hpc-case-mgmt", NULL, 0), STEP_TODO);
	/* an rdc-upload cycle has no per-project items to tick */
	fx_cycle(f->s, "rdc-upload", "2026Q3");
	intake(f, "rdc-upload-2026Q3", "hmis", "hmis",
	       &(struct fx_xp){ .projects = "2001,Family Shelter,\n" }, &a);
	{
		struct map_tick *t;
		size_t nt;
		struct hmx_err err;

		assert_int_equal(mapping_set(f->s, "rdc-upload-2026Q3", a.sha256, "2001", "cihc-es", 0, &t,
					     &nt, &err),
				 HMX_OK);
		assert_int_equal(nt, 0);
		free(t);
	}
}

static void t_unknown(void **state)
{
	struct fx *f = *state;
	const char *c = "rdc-download-2026Q3";
	struct intake_info a;
	struct map_view v;
	long long audit;
	struct hmx_err err;

	intake(f, c, "a", "rdc", NULL, &a);
	audit = fx_count(f->s, "SELECT count(*) FROM audit");
	assert_int_equal(mapping_set(f->s, c, a.sha256[0] == '0' ? "111111" : "000000", "501",
				     "hac-cataumet", 0, NULL, NULL, &err),
			 HMX_ENOTFOUND);
	assert_int_equal(mapping_set(f->s, c, a.sha256, "999", "hac-cataumet", 0, NULL, NULL, &err),
			 HMX_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no ProjectID \"999\""));
	assert_int_equal(mapping_set(f->s, c, a.sha256, "501", "nope", 0, NULL, NULL, &err),
			 HMX_ENOTFOUND);
	assert_int_equal(mapping_set(f->s, "nope-2026Q3", a.sha256, "501", "hac-cataumet", 0, NULL, NULL,
				     &err),
			 HMX_ENOTFOUND);
	assert_int_equal(mapping_view(f->s, "nope-2026Q3", &v, &err), HMX_ENOTFOUND);
	mapping_view_free(&v);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit"), audit);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM file_map"), 0);
}

/* The remembered aliases as the projects screen lists them: all of them
 * ("not ours" first), or one project's. */
static void t_aliases(void **state)
{
	struct fx *f = *state;
	const char *c = "rdc-download-2026Q3";
	struct intake_info a, b;
	struct map_alias *al;
	size_t n;
	struct hmx_err err;

	assert_int_equal(mapping_aliases(f->s, NULL, &al, &n, &err), HMX_OK);
	assert_int_equal(n, 0);
	assert_null(al);
	intake(f, c, "a", "rdc", NULL, &a);
	intake(f, c, "b", "agency:HPC",
	       &(struct fx_xp){ .export_id = "B1", .projects = "77,Somebody Else,\n",
				.enrollments = "e1,c1,77,\n" },
	       &b);
	set_ok(f, c, &a, "501", "hac-cataumet", 0);
	assert_int_equal(mapping_not_ours(f->s, c, b.sha256, "77", "another CoC", NULL, NULL, &err),
			 HMX_OK);
	assert_int_equal(mapping_aliases(f->s, NULL, &al, &n, &err), HMX_OK);
	assert_int_equal(n, 2);
	assert_true(al[0].not_ours);
	assert_string_equal(al[0].project, "");
	assert_string_equal(al[0].source, "agency:HPC");
	assert_string_equal(al[0].src_id, "77");
	assert_string_equal(al[0].reason, "another CoC");
	assert_false(al[1].not_ours);
	assert_string_equal(al[1].project, "hac-cataumet");
	assert_string_equal(al[1].source, "rdc");
	assert_string_equal(al[1].src_id, "501");
	assert_string_equal(al[1].who, "tester");
	assert_true(al[1].at[0] != '\0');
	free(al);
	assert_int_equal(mapping_aliases(f->s, "hac-cataumet", &al, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	assert_string_equal(al[0].src_id, "501");
	free(al);
	/* a project without aliases, and an unknown one: none */
	assert_int_equal(mapping_aliases(f->s, "hpc-dyrs", &al, &n, &err), HMX_OK);
	assert_int_equal(n, 0);
	assert_int_equal(mapping_aliases(f->s, "nope", &al, &n, &err), HMX_OK);
	assert_int_equal(n, 0);
	/* clearing the decision keeps the alias */
	assert_int_equal(mapping_clear(f->s, c, a.sha256, "501", NULL, NULL, &err), HMX_OK);
	assert_int_equal(mapping_aliases(f->s, "hac-cataumet", &al, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	free(al);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_name_score),
		cmocka_unit_test_setup_teardown(t_propose_order, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_alias_next_quarter, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_accept_hud_id_only, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_not_ours_and_clear, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_create, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_x01_x02, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_duplicate, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_inactive, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_ticks_download, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_ticks_receive, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_unknown, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_aliases, setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
