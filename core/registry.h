/* core/registry.h — agencies and projects, where each project's data comes
 * from, and the upload reporting group derived from that (every project
 * except the rdc-direct ones: seed 000, process step [3]). */
#ifndef HMX_CORE_REGISTRY_H
#define HMX_CORE_REGISTRY_H

#include "store.h"

enum reg_source {
	REG_SRC_HMIS,           /* entered in the CoC's HMIS */
	REG_SRC_RDC_DIRECT,     /* entered directly in the RDC (footnote 1) */
	REG_SRC_OUTSIDE_AGENCY, /* outside agency software (footnote 2) */
};

/* "hmis", "rdc-direct", "outside-agency". */
const char *reg_source_name(enum reg_source src);
bool reg_source_parse(const char *s, enum reg_source *out);

struct reg_agency {
	int64_t id;
	char code[32];  /* short handle, e.g. "HAC" */
	char name[128];
};

struct reg_project {
	int64_t id;
	char code[48];         /* short handle, e.g. "hac-carriage-house" */
	char name[128];
	char agency_code[32];
	enum reg_source source;
	char hud_project_id[33]; /* "" when unknown */
	bool active;
	bool in_upload_group;    /* computed: source != rdc-direct && active */
};

/* Adds an agency (code unique). HMX_EEXIST, HMX_EINVAL. Audited. */
enum hmx_rc reg_agency_add(struct store *s, const char *code, const char *name,
			   struct hmx_err *err);
/* True when an agency with this code exists (false also on a database
 * error). */
bool reg_agency_exists(struct store *s, const char *code);
/* All agencies by code. *out malloc'd (free()). */
enum hmx_rc reg_agency_list(struct store *s, struct reg_agency **out, size_t *n,
			    struct hmx_err *err);

/* Adds a project under an existing agency. hud_project_id may be NULL.
 * HMX_EEXIST, HMX_ENOTFOUND (agency), HMX_EINVAL. Audited. */
enum hmx_rc reg_project_add(struct store *s, const char *code, const char *name,
			    const char *agency_code, enum reg_source source,
			    const char *hud_project_id, struct hmx_err *err);
/* Sets one field of a project: "name", "source", "hud-id", "agency",
 * "active" (yes/no). Audited with before and after. */
enum hmx_rc reg_project_set(struct store *s, const char *code, const char *field,
			    const char *value, struct hmx_err *err);
enum hmx_rc reg_project_get(struct store *s, const char *code, struct reg_project *out,
			    struct hmx_err *err);
/* Projects ordered by agency then code; filter by source when src_filter is
 * not NULL. *out malloc'd (free()). */
enum hmx_rc reg_project_list(struct store *s, const enum reg_source *src_filter,
			     struct reg_project **out, size_t *n, struct hmx_err *err);

#endif
