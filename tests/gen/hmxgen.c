/* tests/gen/hmxgen.c — hmxgen, the deterministic generator of synthetic HUD
 * HMIS CSV exports used by `make bench` (a 2 GB FY2024 export), by the unit
 * and golden tests (small exports with a manifest of seeded defects) and
 * as a seed corpus for fuzzing.
 *
 *   hmxgen --out DIR [--spec FY2024|FY2026] [--mb N | --clients N]
 *          [--seed S] [--projects N] [--defects LIST|all] [--count N]
 *          [--manifest FILE] [--instances FILE] [--zip FILE]
 *          [--assets DIR] [--force] [--quiet] [--list-defects]
 *          [--project-id ID [--project-name NAME] [--project-type N]]
 *          [--start YYYY-MM-DD --end YYYY-MM-DD]
 *
 * Same options and seed, same bytes (the zip too). The column tables come
 * from ASSETS/spec (the project's own copy of HUD's spec); see gen.h for
 * the layers. Files are written as HUD's samples are: LF line ends, header
 * names and string values quoted, numbers and dates bare. --mb counts MiB.
 *
 * Clean by default: no check of checks.md fires on the output. --defects
 * plants instances of P/S/K/Q/D checks (--list-defects says how), each on
 * records of its own, and --manifest writes `check,count` with the exact
 * number of findings expected (default settings: timeliness_days 6,
 * inactive_days 90); --instances adds `check,file,line,key,detail` per
 * finding (line 0 for file-level ones; K08 names the first row under a
 * second ProjectID). P08 exists only in the zip; P06 and K09 rewrite the
 * whole export and are seeded alone.
 *
 * --project-id writes a per-project export, as the RDC hands them out: one
 * organization and one project with that ProjectID (name and HUD project
 * type optional), clean only (no --defects). --start/--end move the export
 * period (default: the spec's federal fiscal year).
 *
 * Exit status: 0 done, 2 usage or I/O error. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "gen.h"

static void usage(FILE *fp)
{
	fputs("usage: hmxgen --out DIR [options]\n"
	      "  --spec FY2024|FY2026  spec version (FY2024)\n"
	      "  --clients N           about N clean clients (1000)\n"
	      "  --mb N                stop once N MiB are written instead\n"
	      "  --seed S              RNG seed (1)\n"
	      "  --projects N          clean projects, at least 10 (24)\n"
	      "  --defects LIST|all    seed checks: ID or ID:N, comma separated\n"
	      "  --count N             instances per seeded check (3)\n"
	      "  --manifest FILE       write check,count of expected findings\n"
	      "  --instances FILE      write check,file,line,key,detail\n"
	      "  --zip FILE            also pack the export into FILE (deflate)\n"
	      "  --assets DIR          where spec/ lives (assets)\n"
	      "  --force               replace *.csv files already in DIR\n"
	      "  --quiet               no summary on stderr\n"
	      "  --list-defects        list seedable checks and exit\n"
	      "  --project-id ID       one project only, with this ProjectID\n"
	      "  --project-name NAME   its ProjectName (\"<place> <type> ID\")\n"
	      "  --project-type N      its HUD ProjectType (0)\n"
	      "  --start YYYY-MM-DD    export period start (spec's fiscal year)\n"
	      "  --end YYYY-MM-DD      export period end\n", fp);
}

static void mkdirs(const char *path)
{
	char tmp[4096];

	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) && errno != EEXIST)
			die("cannot create %s: %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		die("cannot create %s: %s", tmp, strerror(errno));
}

/* Refuses a non-empty DIR unless --force; with it, removes the *.csv
 * files hmxgen may have left (in DIR and DIR/export) and nothing else. */
static void prepare_dir(const char *dir, int force)
{
	char path[4200];
	const char *sub[2] = { "", "/export" };

	mkdirs(dir);
	for (int s = 0; s < 2; s++) {
		snprintf(path, sizeof path, "%s%s", dir, sub[s]);
		DIR *d = opendir(path);
		if (!d)
			continue;
		struct dirent *de;
		while ((de = readdir(d))) {
			const char *n = de->d_name;
			size_t l = strlen(n);
			if (!strcmp(n, ".") || !strcmp(n, ".."))
				continue;
			if (s == 0 && !strcmp(n, "export") && force)
				continue;
			if (!force)
				die("%s is not empty (use --force to replace "
				    "its CSV files)", dir);
			if (l > 4 && !strcmp(n + l - 4, ".csv")) {
				char f[4400];
				snprintf(f, sizeof f, "%s/%s", path, n);
				if (unlink(f))
					die("cannot remove %s", f);
			}
		}
		closedir(d);
		if (s == 1)
			rmdir(path);
	}
}

static void zip_add_file(zip_t *za, const char *dir, const char *prefix,
	const char *name)
{
	char path[4200], entry[256];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(entry, sizeof entry, "%s%s%s", prefix ? prefix : "",
		 prefix ? "/" : "", name);
	zip_source_t *src = zip_source_file(za, path, 0, -1);
	zip_int64_t idx = src ? zip_file_add(za, entry, src,
					     ZIP_FL_ENC_UTF_8) : -1;
	if (idx < 0)
		die("zip: cannot add %s: %s", path, zip_strerror(za));
	if (zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 1)
	    || zip_file_set_mtime(za, (zip_uint64_t)idx, 1700000000, 0))
		die("zip: %s", zip_strerror(za));
}

/* Packs the export (and the P04/P08 extras) into a zip, deflate level 1
 * (fast: the archive is for tests), whose bytes depend only on the files
 * (fixed modification times, fixed zone). */
static void make_zip(const char *zpath, const char *dir, const char *prefix)
{
	static const char *const extras[] = { "Notes.csv", "Legacy.csv",
		"ScratchPad.csv" };
	int err = 0;

	/* DOS times are local: fix the zone so the bytes do not depend on it */
	setenv("TZ", "UTC0", 1);
	tzset();
	unlink(zpath);
	zip_t *za = zip_open(zpath, ZIP_CREATE | ZIP_TRUNCATE, &err);
	if (!za)
		die("cannot create %s (libzip error %d)", zpath, err);
	for (int k = 0; k < F__COUNT; k++)
		if (G.f[k].in_spec && !G.f[k].omit)
			zip_add_file(za, dir, prefix, G.f[k].name);
	for (size_t k = 0; k < sizeof extras / sizeof extras[0]; k++) {
		char path[4200];
		snprintf(path, sizeof path, "%s/%s", dir, extras[k]);
		if (!access(path, F_OK))
			zip_add_file(za, dir, prefix, extras[k]);
	}
	defects_zip(za);
	if (zip_close(za))
		die("zip: cannot write %s: %s", zpath, zip_strerror(za));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int date_arg(const char *opt, const char *v)
{
	int y, m, d;
	char extra;

	if (sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || y < 1990 || y > 2100 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		die("%s needs a date YYYY-MM-DD", opt);
	return day_of(y, m, d);
}

static long num_arg(const char *opt, const char *v)
{
	char *end;
	long n = strtol(v ? v : "", &end, 10);

	if (!v || !*v || *end || n < 0)
		die("%s needs a non-negative number", opt);
	return n;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *spec = "FY2024", *assets = "assets";
	const char *defects = NULL, *manifest = NULL, *instances = NULL;
	const char *zpath = NULL;
	long clients = 1000, mb = 0, nproj = 24, count = 3;
	uint64_t seed = 1;
	int force = 0, quiet = 0, start = 0, end = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--list-defects")) {
			defects_list();
			return 0;
		} else if (!strcmp(a, "--force")) {
			force = 1;
			continue;
		} else if (!strcmp(a, "--quiet")) {
			quiet = 1;
			continue;
		}
		if (!v) {
			usage(stderr);
			die("%s needs a value", a);
		}
		i++;
		if (!strcmp(a, "--out"))
			out = v;
		else if (!strcmp(a, "--spec"))
			spec = v;
		else if (!strcmp(a, "--assets"))
			assets = v;
		else if (!strcmp(a, "--clients"))
			clients = num_arg(a, v);
		else if (!strcmp(a, "--mb"))
			mb = num_arg(a, v);
		else if (!strcmp(a, "--seed"))
			seed = (uint64_t)strtoull(v, NULL, 10);
		else if (!strcmp(a, "--projects"))
			nproj = num_arg(a, v);
		else if (!strcmp(a, "--count"))
			count = num_arg(a, v);
		else if (!strcmp(a, "--defects"))
			defects = v;
		else if (!strcmp(a, "--manifest"))
			manifest = v;
		else if (!strcmp(a, "--instances"))
			instances = v;
		else if (!strcmp(a, "--zip"))
			zpath = v;
		else if (!strcmp(a, "--project-id"))
			G.only_id = (uint32_t)num_arg(a, v);
		else if (!strcmp(a, "--project-name"))
			G.only_name = v;
		else if (!strcmp(a, "--project-type"))
			G.only_type = (int)num_arg(a, v);
		else if (!strcmp(a, "--start"))
			start = date_arg(a, v);
		else if (!strcmp(a, "--end"))
			end = date_arg(a, v);
		else {
			usage(stderr);
			die("unknown option %s", a);
		}
	}
	if (!out) {
		usage(stderr);
		die("--out DIR is required");
	}
	if (nproj < 10 && !G.only_id)
		die("--projects must be at least 10");
	if (G.only_id && defects)
		die("--project-id writes clean exports only (no --defects)");
	if ((G.only_name || G.only_type) && !G.only_id)
		die("--project-name and --project-type need --project-id");
	if (!start != !end || (start && end < start + 27))
		die("--start and --end go together, at least four weeks apart");
	if (count < 1)
		die("--count must be at least 1");

	double t0 = now();
	spec_load(assets, spec);
	rng_seed(seed);
	if (G.fy2026) {
		G.start = day_of(2024, 10, 1);
		G.end = day_of(2025, 9, 30);
		G.csv_version = "2026 v1";
	} else {
		G.start = day_of(2023, 10, 1);
		G.end = day_of(2024, 9, 30);
		G.csv_version = "2024 v1.3";
	}
	if (start) {
		G.start = start;
		G.end = end;
	}
	G.export_day = G.end + 3;
	G.export_sec = 2 * 3600 + 15 * 60;
	snprintf(G.export_id, sizeof G.export_id, "%llu",
		 1000 + (unsigned long long)(seed % 9000));
	G.hash_status = 1;
	G.nusers = 12;

	defects_parse(defects, (int)count, zpath != NULL);
	world_init((int)nproj);
	defects_prep();

	prepare_dir(out, force);
	const char *sub = defects_subdir();
	if (sub) {
		snprintf(G.outdir, sizeof G.outdir, "%s/%s", out, sub);
		mkdirs(G.outdir);
	} else {
		snprintf(G.outdir, sizeof G.outdir, "%s", out);
	}

	out_open();
	write_export(defects_alone("P06"));
	write_users();
	write_projects();
	defects_projects();

	int k09 = defects_alone("K09");
	uint64_t target = (uint64_t)mb << 20;
	long made = 0, households = 0;
	for (;;) {
		int done = mb ? G.bytes >= target : made >= clients;
		if (done && !defects_pending())
			break;
		if (!done) {
			made += k09 ? gen_clients_only() : gen_household();
			households++;
		}
		if (defects_pending() && (done || households % 4 == 0))
			defects_next();
	}
	defects_tail();
	out_close();
	defects_extra_files(G.outdir);
	manifest_write(manifest, instances);
	double t1 = now();
	if (zpath)
		make_zip(zpath, G.outdir, sub);

	if (!quiet) {
		fprintf(stderr, "hmxgen: %s seed %llu: %ld clean clients in %ld "
			"households, %.1f MiB in %.2f s (%.0f MiB/s)\n",
			G.spec_name, (unsigned long long)seed, made, households,
			(double)G.bytes / 1048576.0, t1 - t0,
			(double)G.bytes / 1048576.0 / (t1 - t0 > 0 ? t1 - t0
								: 1));
		for (int k = 0; k < F__COUNT; k++)
			if (G.f[k].in_spec && !G.f[k].omit)
				fprintf(stderr, "  %-28s %10llu rows\n",
					G.f[k].name,
					(unsigned long long)G.f[k].rows);
		if (zpath)
			fprintf(stderr, "hmxgen: zip written in %.2f s\n",
				now() - t1);
	}
	return 0;
}
