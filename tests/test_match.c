/* tests/test_match.c — unit tests of core/match: the MCP client list from
 * a generated export (made-up names) — who is active (open enrollment,
 * exit or service in the window, --active-since), who consents (each
 * verdict), the manifest counts, the seed's option words, known member
 * IDs, --fields and the site default, 0600 and nothing left under a
 * temporary name, refusals that leave nothing behind, the record (hash,
 * rows, manifest) and no PII in the database file, and purge with its
 * checklist step. */
#include "testutil.h"
#include "fxstore.h"
#include "fxexport.h"

#include <sys/stat.h>

#include "core/audit.h"
#include "core/consent.h"
#include "core/match.h"
#include "core/site.h"
#include "core/transfer.h"

#define CYCLE "mcp-match-2026B5" /* 2026-03-01 .. 2026-04-30 (July start) */

/* Names and DOBs no code or fixture elsewhere uses: grepped for below. */
static const char *const pii[] = {
	"Zelphine", "Quorrow", "Brannock", "Ytterby", "Ilsabet", "Varnogh", "Oskeline",
	"1981-05-06", "1969-11-12", "1990-07-08",
};

static bool has_bytes(const char *b, size_t len, const char *needle, size_t nl)
{
	for (size_t i = 0; i + nl <= len; i++)
		if (memcmp(b + i, needle, nl) == 0)
			return true;
	return false;
}

static void write_export(const char *root, const char *name, char *out, size_t n, bool clients)
{
	snprintf(out, n, "%s/%s", root, name);
	assert_int_equal(mkdir(out, 0755), 0);
	tu_write(out, "Export.csv",
		 "ExportID,SourceName,ExportDate,ExportStartDate,ExportEndDate,SoftwareName,"
		 "CSVVersion\nE1,Test,2026-04-02 10:00:00,2026-03-01,2026-03-31,soft,2024 v1.3\n",
		 (size_t)-1);
	if (clients)
		tu_write(out, "Client.csv",
			 "PersonalID,FirstName,MiddleName,LastName,NameSuffix,NameDataQuality,SSN,"
			 "SSNDataQuality,DOB,DOBDataQuality,Woman,Man,NonBinary,CulturallySpecific,"
			 "Transgender,Questioning,DifferentIdentity,GenderNone,DateCreated,DateUpdated,"
			 "DateDeleted\n"
			 "a1,Zelphine,\"Q, Jr\",Quorrow,III,1,,99,1981-05-06,1,1,0,0,0,1,0,0,,"
			 "2020-01-01 00:00:00,2026-03-01 09:00:00,\n"
			 "a2,Brannock,,Ytterby,,2,,99,1969-11-12,2,0,1,0,0,0,0,0,,2020-01-01,2026-03-02,\n"
			 "a3,Ilsabet,,Varnogh,,1,,99,1990-07-08,1,0,0,1,0,0,0,0,,2020-01-01,2026-03-02,\n"
			 "a4,Oskeline,,Varnogh,,1,,99,1990-07-08,1,0,1,0,0,0,0,0,,2020-01-01,2026-03-02,\n"
			 "a5,Oskeline,,Quorrow,,1,,99,1990-07-08,1,0,1,0,0,0,0,0,,2020-01-01,2026-03-02,\n"
			 "a6,Zelphine,,Ytterby,,1,,99,1981-05-06,1,0,1,0,0,0,0,0,,2020-01-01,2026-03-02,\n"
			 "a7,Brannock,,Varnogh,,8,,99,,8,0,0,0,0,0,0,0,9,2020-01-01,2026-03-03,\n"
			 "a8,Ilsabet,,Quorrow,,99,,99,1969-11-12,99,0,0,0,0,0,0,0,99,2020-01-01,2026-03-04,\n"
			 "a9,Oskeline,,Ytterby,,1,,99,1990-07-08,1,0,1,0,0,0,0,0,,2020-01-01,2026-03-02,"
			 "2026-03-05\n"
			 "a10,Zelphine,,Varnogh,,1,,99,1981-05-06,1,0,1,0,0,0,0,0,,2020-01-01,2026-03-02,\n"
			 "a11,Brannock,,Quorrow,,1,,99,1969-11-12,1,0,1,0,0,0,0,0,,2020-01-01,2026-03-02,\n"
			 "a1,Zelphine,,Quorrow,,1,,99,1981-05-06,1,1,0,0,0,0,0,0,,2020-01-01,2026-03-01,\n",
			 (size_t)-1);
	tu_write(out, "Enrollment.csv",
		 "EnrollmentID,PersonalID,ProjectID,EntryDate,HouseholdID,DateDeleted\n"
		 "e1,a1,501,2025-12-01,h1,\n"
		 "e2,a2,501,2025-11-01,h2,\n"
		 "e3,a3,501,2025-11-01,h3,\n"
		 "e4,a4,501,2025-11-01,h4,\n"
		 "e5,a5,501,2025-11-01,h5,\n"
		 "e6,a6,501,2025-01-01,h6,\n"
		 "e7,a7,501,2024-01-01,h7,\n"
		 "e8,a8,501,2025-06-01,h8,\n"
		 "e9,a9,501,2025-06-01,h9,\n"
		 "e10,a10,501,2025-06-01,h10,2026-01-01\n"
		 "e11,a11,501,2025-06-01,h11,\n"
		 "e12,a10,501,2026-04-03,h12,\n",
		 (size_t)-1);
	tu_write(out, "Exit.csv",
		 "ExitID,EnrollmentID,PersonalID,ExitDate,Destination,DateDeleted\n"
		 "x6,e6,a6,2025-12-01,1,\n"
		 "x7,e7,a7,2024-06-01,1,\n"
		 "x8,e8,a8,2026-03-20,1,\n"
		 "x1,e1,a1,2025-12-15,1,2026-01-01\n",
		 (size_t)-1);
	tu_write(out, "Services.csv",
		 "ServicesID,EnrollmentID,PersonalID,DateProvided,RecordType,TypeProvided,DateDeleted\n"
		 "s7,e7,a7,2026-03-10,200,1,\n"
		 "s6,e6,a6,2026-02-27,200,1,\n"
		 "s6b,e6,a6,2026-03-05,200,1,2026-03-06\n"
		 "s10,e10,a10,2026-04-05,200,1,\n",
		 (size_t)-1);
}

static const char *roster_text =
	"PersonalID,scope,start,end,revoked\n"
	"a1,mcp-match,2026-04-02,,\n"         /* starts on the export date: in */
	"a2,mcp-match,2025-01-01,2026-04-01,\n" /* ended the day before: expired */
	"a3,mcp-match,2025-01-01,,2026-03-15\n" /* revoked */
	"a4,rdc-upload,2025-01-01,,\n"        /* other scope: no-release */
	"a6,mcp-match,2025-01-01,,\n"         /* inactive */
	"a7,mcp-match,2025-01-01,,\n"
	"a8,mcp-match,2025-01-01,,\n"
	"a9,mcp-match,2025-01-01,,\n"         /* deleted client */
	"a10,mcp-match,2025-01-01,,\n"        /* only a deleted / future enrollment */
	"a11,mcp-match,2026-05-01,,\n";       /* not yet */

struct mfx {
	struct fx fx;
	char xp[600];
	char out[600];
};

static int setup(void **state)
{
	struct consent_import_result res;
	struct hmx_err err;
	char path[600];
	struct mfx *m = calloc(1, sizeof *m);
	struct fx *f;

	fx_setup(state);
	f = *state;
	memcpy(&m->fx, f, sizeof *f);
	free(f);
	*state = m;
	f = &m->fx;
	write_export(f->dir, "xp", m->xp, sizeof m->xp, true);
	tu_write(f->dir, "roster.csv", roster_text, (size_t)-1);
	if (consent_import(f->s, tu_path(path, sizeof path, f->dir, "roster.csv"), &res, &err) !=
	    HMX_OK)
		fail_msg("consent_import: %s", err.msg);
	consent_import_result_free(&res);
	fx_cycle(f->s, "mcp-match", "2026B5");
	tu_path(m->out, sizeof m->out, f->dir, "out");
	assert_int_equal(mkdir(m->out, 0700), 0);
	return 0;
}

static int teardown(void **state)
{
	struct mfx *m = *state;

	store_close(&m->fx.s);
	tu_rmtree(m->fx.dir);
	free(m);
	return 0;
}

/* Files in dir other than "." and "..". */
static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static enum hmx_rc run(struct mfx *m, const char *name, const char *fields, const char *site,
		       const char *since, struct match_list_result *res, struct hmx_err *err)
{
	char out[700];
	struct match_list_opts o = {
		.cycle = CYCLE,
		.from = m->xp,
		.output = tu_path(out, sizeof out, m->out, name),
		.active_since = CAL_NO_DAY,
		.fields = fields,
		.site = site,
	};

	if (since)
		assert_true(cal_parse_date(since, &o.active_since));
	return match_list(m->fx.s, &o, res, err);
}

static void test_list_who_leaves(void **state)
{
	struct mfx *m = *state;
	struct match_list_result res;
	struct hmx_err err;
	char path[700], hex[65];
	struct stat sb;
	size_t len;
	char *text;

	assert_int_equal(match_member_set(m->fx.s, "a8", "M-0008", CYCLE, &err), HMX_OK);
	if (run(m, "clients.csv", NULL, NULL, NULL, &res, &err) != HMX_OK)
		fail_msg("match_list: %s", err.msg);
	/* a1..a8, a10, a11 (a9 deleted; the second a1 counted once) */
	assert_int_equal(res.manifest.clients, 10);
	assert_int_equal(res.manifest.inactive, 2); /* a6, a10 */
	assert_int_equal(res.manifest.eligible, 8);
	assert_int_equal(res.manifest.sent, 3);    /* a1, a7 (service), a8 (exit in window) */
	assert_int_equal(res.rows, 3);
	assert_int_equal(res.manifest.left_out[CONSENT_NO_RELEASE], 2); /* a4, a5 */
	assert_int_equal(res.manifest.left_out[CONSENT_EXPIRED], 1);
	assert_int_equal(res.manifest.left_out[CONSENT_REVOKED], 1);
	assert_int_equal(res.manifest.left_out[CONSENT_NOT_YET], 1);
	assert_int_equal(res.manifest.day, cal_from_ymd(2026, 4, 2));
	assert_int_equal(res.manifest.active_since, cal_from_ymd(2026, 3, 1));
	tu_path(path, sizeof path, m->out, "clients.csv");
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(count_files(m->out), 1); /* no temporary left */
	text = tu_slurp(path, &len);
	assert_string_equal(
		text,
		"HMIS Client ID,MCP Member ID,First Name,Middle Name,Last Name,Suffix,"
		"Name Data Quality,Date of Birth,DOB Data Quality,Gender,Information Date\r\n"
		"\"a1\",\"\",\"Zelphine\",\"Q, Jr\",\"Quorrow\",\"III\",\"full name reported\","
		"\"1981-05-06\",\"full DOB reported\",\"female; transgender\",\"2026-03-01\"\r\n"
		"\"a7\",\"\",\"Brannock\",\"\",\"Varnogh\",\"\",\"client doesn't know\",\"\","
		"\"client doesn't know\",\"client refused\",\"2026-03-03\"\r\n"
		"\"a8\",\"M-0008\",\"Ilsabet\",\"\",\"Quorrow\",\"\",\"data not collected\","
		"\"1969-11-12\",\"data not collected\",\"data not collected\",\"2026-03-04\"\r\n");
	free(text);
	assert_int_equal(hmx_sha256_file(path, hex, &err), HMX_OK);
	assert_string_equal(hex, res.sha256);
	assert_string_equal(res.path, path);
	{
		struct match_list_rec *r;
		size_t n;
		assert_int_equal(match_lists(m->fx.s, CYCLE, &r, &n, &err), HMX_OK);
		assert_int_equal(n, 1);
		assert_string_equal(r[0].sha256, hex);
		assert_int_equal(r[0].rows, 3);
		assert_string_equal(r[0].who, "tester");
		assert_string_equal(r[0].purged_at, "");
		assert_non_null(strstr(r[0].manifest, "\"sent\":3"));
		assert_non_null(strstr(r[0].manifest, "\"inactive\":2"));
		free(r);
	}
	assert_int_equal(fx_count(m->fx.s, "SELECT count(*) FROM audit WHERE action='match.list'"), 1);
	/* the IDs sent, and only those, for matching the member list back */
	assert_int_equal(fx_count(m->fx.s, "SELECT count(*) FROM match_sent"), 3);
	assert_int_equal(fx_count(m->fx.s, "SELECT count(*) FROM match_sent WHERE list_id = 1 AND "
					   "personal_id IN ('a1','a7','a8')"),
			 3);
}

static void test_active_since_widens(void **state)
{
	struct mfx *m = *state;
	struct match_list_result res;
	struct hmx_err err;

	/* a6's enrollment exited 2025-12-01 and a service on 2026-02-27 */
	assert_int_equal(run(m, "a.csv", "client_id", NULL, "2026-02-27", &res, &err), HMX_OK);
	assert_int_equal(res.manifest.inactive, 1);
	assert_int_equal(res.manifest.sent, 4);
	assert_int_equal(run(m, "b.csv", "client_id", NULL, "2026-02-28", &res, &err), HMX_OK);
	assert_int_equal(res.manifest.sent, 3);
	/* an exit on the window's first day still counts */
	assert_int_equal(run(m, "c.csv", "client_id", NULL, "2025-12-01", &res, &err), HMX_OK);
	assert_int_equal(res.manifest.sent, 4);
	assert_int_equal(run(m, "d.csv", "client_id", NULL, "2026-03-21", &res, &err), HMX_OK);
	assert_int_equal(res.manifest.sent, 1); /* a1 only: a7's service and a8's exit before */
}

static void test_fields_narrow(void **state)
{
	struct mfx *m = *state;
	struct match_list_result res;
	struct hmx_err err;
	struct site st;
	char path[700], buf[256];
	unsigned mask;
	size_t len;
	char *text;

	assert_int_equal(match_fields_parse("dob, gender", &mask, &err), HMX_OK);
	assert_int_equal(mask, (1u << MF_CLIENT_ID) | (1u << MF_DOB) | (1u << MF_GENDER));
	assert_string_equal(match_fields_format(mask, buf, sizeof buf), "client_id,dob,gender");
	assert_int_equal(match_fields_parse("all", &mask, &err), HMX_OK);
	assert_int_equal(mask, MATCH_FIELDS_ALL);
	assert_int_equal(match_fields_parse("dob,ssn", &mask, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "ssn"));

	assert_int_equal(run(m, "dob.csv", "dob", NULL, NULL, &res, &err), HMX_OK);
	assert_string_equal(res.manifest.fields, "client_id,dob");
	text = tu_slurp(tu_path(path, sizeof path, m->out, "dob.csv"), &len);
	assert_string_equal(text, "HMIS Client ID,Date of Birth\r\n\"a1\",\"1981-05-06\"\r\n"
				  "\"a7\",\"\"\r\n\"a8\",\"1969-11-12\"\r\n");
	free(text);

	/* the site's default, and --fields over it */
	memset(&st, 0, sizeof st);
	hmx_strlcpy(st.name, "mcp", sizeof st.name);
	hmx_strlcpy(st.host, "sftp.example.org", sizeof st.host);
	hmx_strlcpy(st.role, "mcp", sizeof st.role);
	assert_int_equal(site_add(m->fx.s, &st, &err), HMX_OK);
	assert_int_equal(match_site_fields_get(m->fx.s, "mcp", buf, sizeof buf, &err), HMX_OK);
	assert_string_equal(buf, "");
	assert_int_equal(match_site_fields_set(m->fx.s, "mcp", "last_name,first_name", &err), HMX_OK);
	assert_int_equal(match_site_fields_get(m->fx.s, "mcp", buf, sizeof buf, &err), HMX_OK);
	assert_string_equal(buf, "client_id,first_name,last_name");
	assert_int_equal(match_site_fields_set(m->fx.s, "mcp", "bogus", &err), HMX_EINVAL);
	assert_int_equal(match_site_fields_set(m->fx.s, "nosuch", "dob", &err), HMX_ENOTFOUND);
	assert_int_equal(run(m, "site.csv", NULL, "mcp", NULL, &res, &err), HMX_OK);
	text = tu_slurp(tu_path(path, sizeof path, m->out, "site.csv"), &len);
	assert_true(strncmp(text, "HMIS Client ID,First Name,Last Name\r\n\"a1\",\"Zelphine\",\"Quorrow\"\r\n",
			    63) == 0);
	free(text);
	assert_int_equal(run(m, "over.csv", "gender", "mcp", NULL, &res, &err), HMX_OK);
	assert_string_equal(res.manifest.fields, "client_id,gender");
	assert_int_equal(run(m, "x.csv", NULL, "nosuch", NULL, &res, &err), HMX_ENOTFOUND);
	assert_int_equal(fx_count(m->fx.s, "SELECT count(*) FROM audit WHERE action='site.match_fields'"),
			 1);
}

static void test_refusals_leave_nothing(void **state)
{
	struct mfx *m = *state;
	struct match_list_result res;
	struct match_list_opts o;
	struct hmx_err err;
	char path[700], bad[600];
	size_t len;
	char *text;

	tu_write(m->out, "taken.csv", "keep me", (size_t)-1);
	assert_int_equal(run(m, "taken.csv", NULL, NULL, NULL, &res, &err), HMX_EEXIST);
	text = tu_slurp(tu_path(path, sizeof path, m->out, "taken.csv"), &len);
	assert_string_equal(text, "keep me");
	free(text);
	assert_int_equal(run(m, "f.csv", "dob,nope", NULL, NULL, &res, &err), HMX_EINVAL);

	/* an export without Client.csv: refused, the temporary removed */
	write_export(m->fx.dir, "noclient", bad, sizeof bad, false);
	memset(&o, 0, sizeof o);
	o.cycle = CYCLE;
	o.from = bad;
	o.output = tu_path(path, sizeof path, m->out, "nc.csv");
	o.active_since = CAL_NO_DAY;
	assert_int_equal(match_list(m->fx.s, &o, &res, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "Client.csv"));
	o.from = "/nonexistent/export";
	assert_int_equal(match_list(m->fx.s, &o, &res, &err), HMX_ENOTFOUND);
	o.from = m->xp;
	o.cycle = "mcp-match-2027B1";
	assert_int_equal(match_list(m->fx.s, &o, &res, &err), HMX_ENOTFOUND);
	fx_cycle(m->fx.s, "rdc-upload", "2026Q3");
	o.cycle = "rdc-upload-2026Q3";
	assert_int_equal(match_list(m->fx.s, &o, &res, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "mcp-match"));
	o.cycle = CYCLE;
	o.output = tu_path(path, sizeof path, m->fx.dir, "nodir/x.csv");
	assert_int_equal(match_list(m->fx.s, &o, &res, &err), HMX_EIO);
	assert_int_equal(count_files(m->out), 1); /* taken.csv only */
	assert_int_equal(fx_count(m->fx.s, "SELECT count(*) FROM match_list"), 0);
}

/* The database file (and its WAL) hold none of the fixture's names and
 * DOBs, after a list and a purge. */
static void test_no_pii_in_database(void **state)
{
	struct mfx *m = *state;
	struct match_list_result res;
	struct match_purge_result pr;
	struct hmx_err err;
	const char *suffix[] = { "", "-wal", "-journal" };

	assert_int_equal(run(m, "clients.csv", NULL, NULL, NULL, &res, &err), HMX_OK);
	assert_int_equal(match_purge(m->fx.s, CYCLE, &pr, &err), HMX_OK);
	for (int pass = 0; pass < 2; pass++) {
		bool kept = false;

		if (pass == 1)
			store_close(&m->fx.s); /* checkpointed into the main file */
		for (size_t k = 0; k < sizeof suffix / sizeof suffix[0]; k++) {
			char p[700];
			size_t len;
			char *b;

			snprintf(p, sizeof p, "%s%s", m->fx.db, suffix[k]);
			if (access(p, F_OK) != 0)
				continue;
			b = tu_slurp(p, &len);
			for (size_t i = 0; i < sizeof pii / sizeof pii[0]; i++)
				assert_false(has_bytes(b, len, pii[i], strlen(pii[i])));
			kept = kept || has_bytes(b, len, res.sha256, 64); /* what is kept */
			free(b);
		}
		assert_true(kept); /* the scan does see the database's contents */
	}
}

/* match list ticks build-list once confirm-releases is closed; the
 * refusal names the gate; a closed step is left as it is; each tick is a
 * step change audited as step_set makes it. */
static void test_list_ticks_step(void **state)
{
	struct mfx *m = *state;
	struct match_list_result r;
	struct hmx_err err;
	struct step_info si;

	assert_int_equal(run(m, "one.csv", NULL, NULL, NULL, &r, &err), HMX_OK);
	assert_false(r.step_ticked);
	assert_non_null(strstr(r.step_note, "confirm-releases"));
	assert_int_equal(step_get(m->fx.s, CYCLE, "build-list", &si, &err), HMX_OK);
	assert_int_equal(si.state, STEP_TODO);
	assert_int_equal(step_set(m->fx.s, CYCLE, "confirm-releases", STEP_DONE, "", &err), HMX_OK);
	assert_int_equal(run(m, "two.csv", NULL, NULL, NULL, &r, &err), HMX_OK);
	assert_true(r.step_ticked);
	assert_int_equal(step_get(m->fx.s, CYCLE, "build-list", &si, &err), HMX_OK);
	assert_int_equal(si.state, STEP_DONE);
	assert_non_null(strstr(si.note, "hmx match list"));
	assert_int_equal(fx_count(m->fx.s, "SELECT count(*) FROM audit WHERE action LIKE 'step%'"
					   " AND object LIKE '%/build-list'"),
			 1);
	assert_int_equal(run(m, "three.csv", NULL, NULL, NULL, &r, &err), HMX_OK);
	assert_false(r.step_ticked);
	assert_non_null(strstr(r.step_note, "already done"));
	/* the helper alone: an unknown step is said, never an error */
	{
		bool t;
		char why[200];
		match_step_tick(m->fx.s, CYCLE, "no-such-step", "x", &t, why, sizeof why);
		assert_false(t);
		assert_non_null(strstr(why, "no no-such-step step"));
	}
}

static void test_purge(void **state)
{
	struct mfx *m = *state;
	struct match_list_result r1, r2;
	struct match_purge_result pr;
	struct hmx_err err;
	struct step_info si;
	size_t n;

	assert_int_equal(run(m, "one.csv", NULL, NULL, NULL, &r1, &err), HMX_OK);
	assert_int_equal(run(m, "two.csv", "dob", NULL, NULL, &r2, &err), HMX_OK);
	assert_int_equal(match_unpurged(m->fx.s, CYCLE, &n, &err), HMX_OK);
	assert_int_equal(n, 2);
	assert_int_equal(unlink(r2.path), 0); /* already gone: counted, not an error */
	/* the purge step is gated on send-list: not ticked yet */
	assert_int_equal(match_purge(m->fx.s, CYCLE, &pr, &err), HMX_OK);
	assert_int_equal(pr.purged, 1);
	assert_int_equal(pr.missing, 1);
	assert_false(pr.step_ticked);
	assert_non_null(strstr(pr.step_note, "send-list"));
	assert_int_equal(count_files(m->out), 0);
	assert_int_equal(match_unpurged(m->fx.s, CYCLE, &n, &err), HMX_OK);
	assert_int_equal(n, 0);
	assert_int_equal(fx_count(m->fx.s, "SELECT count(*) FROM match_list WHERE purged_at IS NULL"),
			 0);
	assert_int_equal(fx_count(m->fx.s, "SELECT count(*) FROM audit WHERE action='match.purge'"), 1);

	/* once the list is sent, a purge ticks the step */
	assert_int_equal(step_set(m->fx.s, CYCLE, "confirm-releases", STEP_DONE, "", &err), HMX_OK);
	assert_int_equal(step_set(m->fx.s, CYCLE, "build-list", STEP_DONE, "", &err), HMX_OK);
	assert_int_equal(step_set(m->fx.s, CYCLE, "send-list", STEP_DONE, "", &err), HMX_OK);
	assert_int_equal(run(m, "three.csv", NULL, NULL, NULL, &r1, &err), HMX_OK);
	tu_write(m->out, "three.csv", "edited", (size_t)-1);
	assert_int_equal(match_purge(m->fx.s, CYCLE, &pr, &err), HMX_OK);
	assert_int_equal(pr.purged, 1);
	assert_int_equal(pr.changed, 1);
	assert_true(pr.step_ticked);
	assert_int_equal(step_get(m->fx.s, CYCLE, "purge", &si, &err), HMX_OK);
	assert_int_equal(si.state, STEP_DONE);
	assert_non_null(strstr(si.note, "hmx match purge"));
	/* nothing left: a purge is harmless */
	assert_int_equal(match_purge(m->fx.s, CYCLE, &pr, &err), HMX_OK);
	assert_int_equal(pr.purged + pr.missing, 0);
	assert_int_equal(match_purge(m->fx.s, "mcp-match-2027B1", &pr, &err), HMX_ENOTFOUND);
}

static void test_template(void **state)
{
	struct mfx *m = *state;
	struct step_info *v;
	struct hmx_err err;
	size_t n;
	static const char *const codes[] = {
		"confirm-releases", "build-list", "send-list", "receive-members", "review-match",
		"build-import", "vendor-import", "record-completion", "purge",
	};

	assert_int_equal(step_list(m->fx.s, CYCLE, &v, &n, &err), HMX_OK);
	assert_int_equal(n, sizeof codes / sizeof codes[0]);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i].code, codes[i]);
	/* config:due.mcp_list = end+10 on 2026-04-30 */
	assert_int_equal(v[0].deadline, cal_from_ymd(2026, 5, 10));
	assert_int_equal(v[8].deadline, cal_from_ymd(2026, 6, 14));
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list_who_leaves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_active_since_widens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fields_narrow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_leave_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_pii_in_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_ticks_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_template, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
