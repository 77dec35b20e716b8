/* tests/fxexport.h — tiny HMIS CSV exports written by the intake and
 * mapping tests: Export.csv, Project.csv, Enrollment.csv and Exit.csv
 * with just the columns hmx's intake reads (the validator is not their
 * subject), a zip of such a folder, and the registry and cycles the
 * tests share. Header-only; include after testutil.h and fxstore.h. */
#ifndef HMX_TESTS_FXEXPORT_H
#define HMX_TESTS_FXEXPORT_H

#include <dirent.h>
#include <zip.h>

#include "core/cycle.h"
#include "core/registry.h"

/* One export. NULL members: sensible defaults (ExportID "E1", the period
 * 2025-07-01..2026-03-31, one project 501 "Carriage House" with three
 * live enrollments of two clients, one deleted, and one exit). Rows are
 * CSV lines without header, "\n"-separated:
 *   projects     ProjectID,ProjectName,DateDeleted
 *   enrollments  EnrollmentID,PersonalID,ProjectID,DateDeleted
 *   exits        ExitID,EnrollmentID,DateDeleted */
struct fx_xp {
	const char *export_id;
	const char *start, *end;
	const char *projects;
	const char *enrollments;
	const char *exits;
};

/* Writes the export as folder root/name; its path into buf. */
static inline const char *fx_export(char *buf, size_t n, const char *root, const char *name,
				    const struct fx_xp *x)
{
	char data[4096];

	snprintf(buf, n, "%s/%s", root, name);
	assert_int_equal(mkdir(buf, 0755), 0);
	snprintf(data, sizeof data,
		 "ExportID,SourceName,ExportDate,ExportStartDate,ExportEndDate,SoftwareName,"
		 "CSVVersion,HashStatus\n\"%s\",\"Test source\",2026-04-02 10:00:00,%s,%s,\"testsoft\","
		 "\"2024 v1.3\",1\n",
		 x && x->export_id ? x->export_id : "E1", x && x->start ? x->start : "2025-07-01",
		 x && x->end ? x->end : "2026-03-31");
	tu_write(buf, "Export.csv", data, (size_t)-1);
	snprintf(data, sizeof data, "ProjectID,ProjectName,DateDeleted\n%s",
		 x && x->projects ? x->projects : "501,Carriage House,\n");
	tu_write(buf, "Project.csv", data, (size_t)-1);
	snprintf(data, sizeof data, "EnrollmentID,PersonalID,ProjectID,DateDeleted\n%s",
		 x && x->enrollments ? x->enrollments :
				       "e1,c1,501,\ne2,c1,501,\ne3,c2,501,\ne4,c3,501,2026-01-06\n");
	tu_write(buf, "Enrollment.csv", data, (size_t)-1);
	snprintf(data, sizeof data, "ExitID,EnrollmentID,DateDeleted\n%s",
		 x && x->exits ? x->exits : "x1,e1,\nx2,e4,\nx3,e2,2026-02-01\n");
	tu_write(buf, "Exit.csv", data, (size_t)-1);
	return buf;
}

/* Zips every file of folder into zippath (stored names = file names). */
static inline void fx_zip(const char *folder, const char *zippath)
{
	int zerr = 0;
	zip_t *za = zip_open(zippath, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	DIR *d = opendir(folder);
	struct dirent *de;

	assert_non_null(za);
	assert_non_null(d);
	while ((de = readdir(d))) {
		char full[4200];
		zip_source_t *src;

		if (de->d_name[0] == '.')
			continue;
		snprintf(full, sizeof full, "%s/%s", folder, de->d_name);
		assert_non_null(src = zip_source_file(za, full, 0, -1));
		assert_true(zip_file_add(za, de->d_name, src, ZIP_FL_ENC_UTF_8) >= 0);
	}
	closedir(d);
	assert_int_equal(zip_close(za), 0);
}

static inline void fx_agency(struct store *s, const char *code, const char *name)
{
	struct hmx_err err;

	if (reg_agency_add(s, code, name, &err) != HMX_OK)
		fail_msg("reg_agency_add(%s): %s", code, err.msg);
}

static inline void fx_project(struct store *s, const char *code, const char *name,
			      const char *agency, enum reg_source src, const char *hud)
{
	struct hmx_err err;

	if (reg_project_add(s, code, name, agency, src, hud, &err) != HMX_OK)
		fail_msg("reg_project_add(%s): %s", code, err.msg);
}

/* Part of seed 000's registry: two RDC-direct projects of HAC, two
 * outside-agency projects of HPC, one HMIS project of CIHC. */
static inline void fx_registry(struct store *s)
{
	fx_agency(s, "HAC", "Housing Assistance Corporation");
	fx_agency(s, "HPC", "Homeless Prevention Council");
	fx_agency(s, "CIHC", "Cape and Islands Housing Collaborative");
	fx_project(s, "hac-carriage-house", "HAC Carriage House", "HAC", REG_SRC_RDC_DIRECT, "1101");
	fx_project(s, "hac-cataumet", "HAC Cataumet Village", "HAC", REG_SRC_RDC_DIRECT, "1102");
	fx_project(s, "hpc-dyrs", "HPC DYRS", "HPC", REG_SRC_OUTSIDE_AGENCY, NULL);
	fx_project(s, "hpc-case-mgmt", "HPC Case Management", "HPC", REG_SRC_OUTSIDE_AGENCY, NULL);
	fx_project(s, "cihc-es", "Barnstable Family Shelter", "CIHC", REG_SRC_HMIS, "2001");
}

static inline void fx_cycle(struct store *s, const char *kind, const char *period)
{
	struct hmx_err err;

	if (cycle_new(s, kind, period, NULL, &err) != HMX_OK)
		fail_msg("cycle_new(%s %s): %s", kind, period, err.msg);
}

/* Rows of a query's single integer result. */
static inline long long fx_count(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

#endif
