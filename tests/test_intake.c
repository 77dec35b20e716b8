/* tests/test_intake.c — unit tests of core/intake: a folder and a zip
 * recorded with SHA-256, size, Export.csv facts and per-project counts
 * (deleted rows ignored); the content-addressed copy (0400 in a 0700
 * folder, written under a temporary name); the same file twice recognised
 * (also a re-touched folder: packing is deterministic) and one file in two
 * cycles; X05 and X07 per checks.md (one per export, one per file) stored
 * as findings of their own validation run; the default source of each
 * cycle kind; the validation hook; file references; and every kind of bad
 * input with one clear message and nothing written. */
#include "testutil.h"
#include "fxstore.h"
#include "fxexport.h"

#include <dirent.h>
#include <utime.h>

#include "core/audit.h"
#include "core/intake.h"

/* Intake without the validator (its own tests cover it). */
static enum hmx_rc add(struct store *s, const char *cycle, const char *path, const char *source,
		       const char *received, struct intake_info *out, struct hmx_err *err)
{
	struct intake_opts o = { source, CAL_NO_DAY, true };

	if (received)
		assert_true(cal_parse_date(received, &o.received));
	return intake_add(s, cycle, path, &o, out, err);
}

static void add_ok(struct store *s, const char *cycle, const char *path, const char *source,
		   const char *received, struct intake_info *out)
{
	struct hmx_err err;

	if (add(s, cycle, path, source, received, out, &err) != HMX_OK)
		fail_msg("intake_add(%s): %s", path, err.msg);
}

/* Entries of dir/files (0 when it does not exist); *tmp counts names
 * starting with '.' (temporaries). */
static int files_in(const char *dir, int *tmp)
{
	char path[512];
	DIR *d;
	struct dirent *de;
	int n = 0;

	*tmp = 0;
	snprintf(path, sizeof path, "%s/files", dir);
	if (!(d = opendir(path)))
		return 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_name[0] == '.')
			(*tmp)++;
		n++;
	}
	closedir(d);
	return n;
}

static int setup(void **state)
{
	struct fx *f;

	fx_setup(state);
	f = *state;
	fx_registry(f->s);
	fx_cycle(f->s, "rdc-download", "2026Q3"); /* Jan-Mar 2026, deadline 2026-04-07 */
	return 0;
}

static void t_folder_recorded(void **state)
{
	struct fx *f = *state;
	struct intake_info in;
	struct intake_project *pr;
	struct audit_row *rows;
	char dir[512], blob[600], files[600];
	struct stat st;
	size_t n;
	int tmp;
	struct hmx_err err;

	fx_export(dir, sizeof dir, f->dir, "x1",
		  &(struct fx_xp){ .projects = "501,Carriage House,\n502,Cataumet,\n503,Gone,2026-01-01\n",
				   .enrollments = "e1,c1,501,\ne2,c1,501,\ne3,c2,501,\ne4,c3,501,"
						  "2026-01-06\ne5,c9,502,\n" });
	add_ok(f->s, "rdc-download-2026Q3", dir, NULL, "2026-04-03", &in);
	assert_int_equal(strlen(in.sha256), 64);
	assert_true(in.new_file);
	assert_false(in.already);
	assert_true(in.packed);
	assert_string_equal(in.source, "rdc");
	assert_string_equal(in.export_id, "E1");
	assert_string_equal(in.source_name, "Test source");
	assert_string_equal(in.software, "testsoft");
	assert_string_equal(in.csv_version, "2024 v1.3");
	assert_string_equal(in.export_start, "2025-07-01");
	assert_string_equal(in.export_end, "2026-03-31");
	assert_string_equal(in.export_date, "2026-04-02 10:00:00");
	assert_int_equal(in.hash_status, 1);
	assert_int_equal(in.projects, 2);    /* the deleted project is ignored */
	assert_int_equal(in.enrollments, 4); /* e4 is deleted */
	assert_int_equal(in.clients, 3);
	assert_int_equal(in.exits, 1);       /* x2 is of a deleted enrollment, x3 deleted */
	assert_true(in.counts_complete);
	assert_int_equal(in.nfindings, 0);
	assert_false(in.validated);
	assert_string_equal(in.who, "tester");

	assert_int_equal(intake_projects(f->s, in.file_id, &pr, &n, &err), HMX_OK);
	assert_int_equal(n, 2);
	assert_string_equal(pr[0].id, "501");
	assert_string_equal(pr[0].name, "Carriage House");
	assert_int_equal(pr[0].enrollments, 3);
	assert_int_equal(pr[0].clients, 2);
	assert_int_equal(pr[0].exits, 1);
	assert_string_equal(pr[1].id, "502");
	assert_int_equal(pr[1].enrollments, 1);
	assert_int_equal(pr[1].exits, 0);
	free(pr);

	/* the copy: content-addressed, read-only, in a private folder */
	assert_int_equal(intake_blob_path(f->s, in.sha256, blob, sizeof blob, &err), HMX_OK);
	snprintf(files, sizeof files, "%s/files", f->dir);
	assert_int_equal(stat(blob, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0400);
	assert_int_equal((uint64_t)st.st_size, in.size);
	assert_int_equal(stat(files, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(files_in(f->dir, &tmp), 1);
	assert_int_equal(tmp, 0);

	/* audited */
	assert_int_equal(audit_list(f->s, "rdc-download-2026Q3/file", 0, &rows, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].action, "file.intake");
	assert_non_null(strstr(rows[0].after, "source=rdc"));
	assert_non_null(strstr(rows[0].after, "received=2026-04-03"));
	free(rows);
}

/* SHA-256 of the zip itself: the stored copy is byte for byte the input. */
static void t_zip_copied(void **state)
{
	struct fx *f = *state;
	struct intake_info in;
	char dir[512], zip[600], cmd[1400], line[200] = "", path[700];
	FILE *p;

	fx_export(dir, sizeof dir, f->dir, "x1", NULL);
	snprintf(zip, sizeof zip, "%s/x1.zip", f->dir);
	fx_zip(dir, zip);
	add_ok(f->s, "rdc-download-2026Q3", zip, "rdc", "2026-04-03", &in);
	assert_false(in.packed);
	snprintf(cmd, sizeof cmd, "sha256sum '%s'", zip);
	assert_non_null(p = popen(cmd, "r"));
	assert_non_null(fgets(line, sizeof line, p));
	pclose(p);
	assert_memory_equal(line, in.sha256, 64);
	assert_int_equal(in.projects, 1);
	assert_int_equal(in.enrollments, 3);
	/* what a pulled file is taken for (hmx pull --cycle, the transfers screen) */
	assert_true(intake_is_zip(zip));
	assert_false(intake_is_zip(dir));
	tu_write(f->dir, "pk.zip", "PK", 2);
	assert_false(intake_is_zip(tu_path(path, sizeof path, f->dir, "pk.zip")));
	tu_write(f->dir, "t.csv", "PK\x03\x04", 4);
	assert_true(intake_is_zip(tu_path(path, sizeof path, f->dir, "t.csv")));
	assert_false(intake_is_zip(tu_path(path, sizeof path, f->dir, "none.zip")));
}

static void t_same_file_twice(void **state)
{
	struct fx *f = *state;
	struct intake_info a, b, c;
	char dir[512], zip[600], path[700];
	struct utimbuf ut = { 1000000000, 1000000000 };
	int tmp;

	fx_export(dir, sizeof dir, f->dir, "x1", NULL);
	add_ok(f->s, "rdc-download-2026Q3", dir, NULL, "2026-04-03", &a);
	/* touched and re-moded files zip to the same bytes */
	snprintf(path, sizeof path, "%s/Export.csv", dir);
	assert_int_equal(utime(path, &ut), 0);
	assert_int_equal(chmod(path, 0600), 0);
	add_ok(f->s, "rdc-download-2026Q3", dir, NULL, "2026-04-05", &b);
	assert_true(b.already);
	assert_false(b.new_file);
	assert_string_equal(a.sha256, b.sha256);
	assert_int_equal(a.id, b.id);
	assert_int_equal(b.received, a.received); /* the first intake stands */
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM file"), 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM intake"), 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action = 'file.intake'"), 1);
	assert_int_equal(files_in(f->dir, &tmp), 1);
	assert_int_equal(tmp, 0);

	/* the same content in a zip is other bytes: another file */
	snprintf(zip, sizeof zip, "%s/x1.zip", f->dir);
	fx_zip(dir, zip);
	add_ok(f->s, "rdc-download-2026Q3", zip, NULL, "2026-04-03", &c);
	assert_false(c.already);
	assert_string_not_equal(c.sha256, a.sha256);
	add_ok(f->s, "rdc-download-2026Q3", zip, NULL, "2026-04-03", &c);
	assert_true(c.already);

	/* one file in two cycles: one blob, one file row, two intakes */
	fx_cycle(f->s, "import", "2026B4");
	add_ok(f->s, "import-2026B4", dir, "rdc", "2026-04-03", &b);
	assert_false(b.already);
	assert_false(b.new_file);
	assert_int_equal(b.file_id, a.file_id);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM file"), 2);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM intake"), 3);
	assert_int_equal(files_in(f->dir, &tmp), 2);
}

/* X05 of one intake with the given export dates: its category or "". */
static void x05_case(struct fx *f, const char *name, const char *start, const char *end,
		     const char *want)
{
	struct intake_info in;
	char dir[512];
	const struct intake_finding *x = NULL;

	fx_export(dir, sizeof dir, f->dir, name,
		  &(struct fx_xp){ .export_id = name, .start = start, .end = end });
	add_ok(f->s, "rdc-download-2026Q3", dir, NULL, "2026-04-07", &in);
	for (size_t i = 0; i < in.nfindings; i++)
		if (strcmp(in.findings[i].check, "X05") == 0)
			x = &in.findings[i];
	if (!want[0]) {
		assert_null(x);
		return;
	}
	assert_non_null(x);
	assert_string_equal(x->category, want);
	assert_string_equal(x->severity, "warning");
	assert_non_null(strstr(x->detail, "2026-01-01..2026-03-31"));
}

static void t_x05(void **state)
{
	struct fx *f = *state;
	struct intake_info *all;
	size_t n;
	struct hmx_err err;

	x05_case(f, "exact", "2026-01-01", "2026-03-31", "");
	x05_case(f, "wide", "2020-01-01", "2026-04-05", "");
	x05_case(f, "early", "2025-07-01", "2026-03-15", "early-end");
	x05_case(f, "late", "2026-01-02", "2026-03-31", "late-start");
	x05_case(f, "inside", "2026-02-01", "2026-02-28", "both");
	x05_case(f, "nodates", "", "", "no-dates");
	x05_case(f, "baddate", "2026-02-30", "2026-03-31", "no-dates");
	/* one finding per export, kept in the validator's tables */
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM finding WHERE check_id = 'X05'"), 5);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM finding WHERE check_id = 'X05' AND "
					"file = 'Export.csv' AND line = 0 AND key LIKE 'ExportID=%'"),
			 5);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM intake WHERE checks_run_id IS NOT NULL"),
			 5);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM validation_run r JOIN intake i ON "
					"i.checks_run_id = r.id WHERE r.status = 'done' AND r.warnings = 1"),
			 5);
	/* read back with the readable detail */
	assert_int_equal(intake_list(f->s, "rdc-download-2026Q3", &all, &n, &err), HMX_OK);
	assert_int_equal(n, 7);
	assert_int_equal(all[2].nfindings, 1);
	assert_string_equal(all[2].findings[0].category, "early-end");
	assert_string_equal(all[2].findings[0].detail,
			    "export 2025-07-01..2026-03-15 does not cover the period 2026-01-01..2026-03-31");
	free(all);
}

static void t_x07(void **state)
{
	struct fx *f = *state;
	struct intake_info in;
	char dir[512];
	struct hmx_err err;

	/* on the deadline: no finding; a day late: one */
	fx_export(dir, sizeof dir, f->dir, "a", &(struct fx_xp){ .export_id = "A" });
	add_ok(f->s, "rdc-download-2026Q3", dir, NULL, "2026-04-07", &in);
	assert_int_equal(in.nfindings, 0);
	fx_export(dir, sizeof dir, f->dir, "b", &(struct fx_xp){ .export_id = "B" });
	add_ok(f->s, "rdc-download-2026Q3", dir, NULL, "2026-04-08", &in);
	assert_int_equal(in.nfindings, 1);
	assert_string_equal(in.findings[0].check, "X07");
	assert_string_equal(in.findings[0].category, "late-1d");
	assert_string_equal(in.findings[0].detail,
			    "received 2026-04-08, 1 day after the 2026-04-07 deadline of step download");
	/* received defaults to today (HMX_TODAY 2026-04-10) */
	fx_export(dir, sizeof dir, f->dir, "c", &(struct fx_xp){ .export_id = "C" });
	add_ok(f->s, "rdc-download-2026Q3", dir, NULL, NULL, &in);
	assert_int_equal(in.nfindings, 1);
	assert_string_equal(in.findings[0].category, "late-3d");
	/* an outside agency's file against the receive step (2026B4: Jan-Feb) */
	fx_cycle(f->s, "agency-intake", "2026B4");
	add_ok(f->s, "agency-intake-2026B4", dir, "agency:HPC", "2026-03-09", &in);
	assert_int_equal(in.nfindings, 1);
	assert_string_equal(in.findings[0].check, "X07");
	assert_non_null(strstr(in.findings[0].detail, "2026-03-07 deadline of step receive"));
	/* a cycle kind without an arrival deadline: no X07 */
	fx_cycle(f->s, "import", "2026B4");
	add_ok(f->s, "import-2026B4", dir, "hmis", "2026-04-09", &in);
	for (size_t i = 0; i < in.nfindings; i++)
		assert_string_not_equal(in.findings[i].check, "X07");
	/* future arrivals are refused */
	assert_int_equal(add(f->s, "rdc-download-2026Q3", dir, NULL, "2026-04-11", &in, &err),
			 HMX_EINVAL);
	assert_non_null(strstr(err.msg, "future"));
}

static void t_default_source(void **state)
{
	struct fx *f = *state;
	struct intake_info in;
	char dir[512];
	struct hmx_err err;

	fx_export(dir, sizeof dir, f->dir, "a", NULL);
	fx_cycle(f->s, "agency-intake", "2026B4");
	add_ok(f->s, "agency-intake-2026B4", dir, NULL, "2026-03-01", &in);
	assert_string_equal(in.source, "agency:HPC");
	fx_cycle(f->s, "rdc-upload", "2026Q3");
	add_ok(f->s, "rdc-upload-2026Q3", dir, NULL, "2026-04-01", &in);
	assert_string_equal(in.source, "hmis");
	/* two agencies with outside projects: the source must be named */
	fx_agency(f->s, "OA2", "Another outside agency");
	fx_project(f->s, "oa2-es", "OA2 Shelter", "OA2", REG_SRC_OUTSIDE_AGENCY, NULL);
	fx_cycle(f->s, "agency-intake", "2026B5");
	assert_int_equal(add(f->s, "agency-intake-2026B5", dir, NULL, "2026-04-01", &in, &err),
			 HMX_EINVAL);
	assert_non_null(strstr(err.msg, "--source agency:CODE"));
	add_ok(f->s, "agency-intake-2026B5", dir, "agency:OA2", "2026-04-01", &in);
	assert_string_equal(in.source, "agency:OA2");
}

static void t_validation_hook(void **state)
{
	struct fx *f = *state;
	struct intake_info in, again;
	struct intake_opts o = { NULL, CAL_NO_DAY, false };
	char dir[512];
	struct hmx_err err;

	fx_export(dir, sizeof dir, f->dir, "a", NULL);
	assert_true(cal_parse_date("2026-04-03", &o.received));
	assert_int_equal(intake_add(f->s, "rdc-download-2026Q3", dir, &o, &in, &err), HMX_OK);
	assert_true(in.validated);
	assert_true(in.validation_run > 0);
	/* four files of the spec only: the validator finds blocking problems */
	assert_true(in.n_blocking > 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM intake WHERE validation_run_id IS NOT NULL"),
			 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action = 'file.validate'"), 1);
	assert_int_equal(intake_get(f->s, "rdc-download-2026Q3", in.sha256, &again, &err), HMX_OK);
	assert_true(again.validated);
	assert_int_equal(again.validation_run, in.validation_run);
	assert_int_equal(again.n_blocking, in.n_blocking);
}

static void t_get_ref(void **state)
{
	struct fx *f = *state;
	struct intake_info in, got;
	char dir[512], ref[8];
	struct hmx_err err;

	fx_export(dir, sizeof dir, f->dir, "a", NULL);
	add_ok(f->s, "rdc-download-2026Q3", dir, NULL, "2026-04-03", &in);
	memcpy(ref, in.sha256, 6);
	ref[6] = '\0';
	assert_int_equal(intake_get(f->s, "rdc-download-2026Q3", ref, &got, &err), HMX_OK);
	assert_int_equal(got.id, in.id);
	ref[5] = '\0';
	assert_int_equal(intake_get(f->s, "rdc-download-2026Q3", ref, &got, &err), HMX_EINVAL);
	assert_int_equal(intake_get(f->s, "rdc-download-2026Q3", "zzzzzzzz", &got, &err), HMX_EINVAL);
	assert_int_equal(intake_get(f->s, "rdc-download-2026Q3", in.sha256[0] == '0' ? "111111" : "000000",
				    &got, &err),
			 HMX_ENOTFOUND);
	assert_non_null(strstr(err.msg, "hmx files"));
	assert_int_equal(intake_get(f->s, "nope-2026Q3", in.sha256, &got, &err), HMX_ENOTFOUND);
}

/* A refused intake: the code, a message naming the problem, and nothing
 * written: no row, no audit, no file, no temporary. */
static void refused(struct fx *f, const char *cycle, const char *path, const char *source,
		    enum hmx_rc want, const char *msg)
{
	struct intake_info in;
	struct hmx_err err;
	long long audit = fx_count(f->s, "SELECT count(*) FROM audit");
	int tmp, files = files_in(f->dir, &tmp);

	assert_int_equal(add(f->s, cycle, path, source, "2026-04-03", &in, &err), want);
	if (!strstr(err.msg, msg))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg);
	assert_null(strchr(err.msg, '\n'));
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit"), audit);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM file"), 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM intake"), 0);
	assert_int_equal(files_in(f->dir, &tmp), files);
	assert_int_equal(tmp, 0);
}

static void t_bad_input(void **state)
{
	struct fx *f = *state;
	const char *c = "rdc-download-2026Q3";
	char dir[512], path[600], zip[600];
	zip_t *za;
	int zerr;

	fx_export(dir, sizeof dir, f->dir, "ok", NULL);
	refused(f, c, "/nonexistent/export.zip", NULL, HMX_ENOTFOUND, "/nonexistent/export.zip");
	refused(f, "nope-2026Q3", dir, NULL, HMX_ENOTFOUND, "no cycle \"nope-2026Q3\"");
	refused(f, c, dir, "warehouse", HMX_EINVAL, "bad source \"warehouse\"");
	refused(f, c, dir, "agency:NOPE", HMX_ENOTFOUND, "no agency \"NOPE\"");

	/* a file that is not a zip */
	tu_write(f->dir, "garbage.zip", "this is not a zip archive at all", (size_t)-1);
	refused(f, c, tu_path(path, sizeof path, f->dir, "garbage.zip"), NULL, HMX_EINVAL,
		"not a zip archive");
	/* a zip that is not an export */
	snprintf(zip, sizeof zip, "%s/notes.zip", f->dir);
	za = zip_open(zip, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	assert_non_null(za);
	assert_true(zip_file_add(za, "notes.txt", zip_source_buffer(za, "hello", 5, 0), 0) >= 0);
	assert_int_equal(zip_close(za), 0);
	refused(f, c, zip, NULL, HMX_EINVAL, "not an HMIS CSV export: it has no Export.csv");

	/* Export.csv unreadable: garbage, header only, no ExportID */
	fx_export(dir, sizeof dir, f->dir, "garbled", NULL);
	tu_write(dir, "Export.csv", "\x01\x02\xff\xfe binary\n\x03\x04\n", (size_t)-1);
	refused(f, c, dir, NULL, HMX_EINVAL, "Export.csv cannot be read");
	fx_export(dir, sizeof dir, f->dir, "headeronly", NULL);
	tu_write(dir, "Export.csv", "ExportID,ExportStartDate,ExportEndDate\n", (size_t)-1);
	refused(f, c, dir, NULL, HMX_EINVAL, "Export.csv has no export record");
	fx_export(dir, sizeof dir, f->dir, "badquote", NULL);
	tu_write(dir, "Export.csv", "ExportID,ExportStartDate\n\"E1,2026-01-01\n", (size_t)-1);
	refused(f, c, dir, NULL, HMX_EINVAL, "Export.csv");

	/* no project to map */
	fx_export(dir, sizeof dir, f->dir, "noprojects", &(struct fx_xp){ .projects = "" });
	refused(f, c, dir, NULL, HMX_EINVAL, "Project.csv has no project rows");
	fx_export(dir, sizeof dir, f->dir, "deletedonly",
		  &(struct fx_xp){ .projects = "501,Gone,2026-01-01\n" });
	refused(f, c, dir, NULL, HMX_EINVAL, "Project.csv has no project rows");
	fx_export(dir, sizeof dir, f->dir, "noprojectfile", NULL);
	assert_int_equal(unlink(tu_path(path, sizeof path, dir, "Project.csv")), 0);
	refused(f, c, dir, NULL, HMX_EINVAL, "Project.csv is missing");

	/* the files folder cannot be made: a regular file is in the way */
	fx_export(dir, sizeof dir, f->dir, "ok2", NULL);
	rmdir(tu_path(path, sizeof path, f->dir, "files"));
	tu_write(f->dir, "files", "in the way", (size_t)-1);
	refused(f, c, dir, NULL, HMX_EIO, "files");
	assert_int_equal(unlink(tu_path(path, sizeof path, f->dir, "files")), 0);
}

/* A stop in Enrollment.csv (bad quote) leaves counts marked incomplete. */
static void t_counts_incomplete(void **state)
{
	struct fx *f = *state;
	struct intake_info in;
	char dir[512];

	fx_export(dir, sizeof dir, f->dir, "x",
		  &(struct fx_xp){ .enrollments = "e1,c1,501,\ne2,\"c1,501,\ne3,c2,501,\n" });
	add_ok(f->s, "rdc-download-2026Q3", dir, NULL, "2026-04-03", &in);
	assert_false(in.counts_complete);
	assert_true(in.enrollments >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_folder_recorded, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_zip_copied, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_same_file_twice, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_x05, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_x07, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_default_source, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_validation_hook, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_get_ref, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_bad_input, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_counts_incomplete, setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
