/* core/mapping.h — which registered project each project of an incoming
 * file is (seed 000 [1]: the Sys Admin "should ensure that csv files are
 * mapped to the appropriate projects").
 *
 * For every ProjectID of a file's Project.csv (core/intake.h) a match is
 * proposed: first a remembered alias (the file's source + its ProjectID ->
 * a project, or "not ours"), then a registered project with that HUD
 * ProjectID, then the most similar name (normalised tokens, score 0-100).
 * Proposals are never decisions: the admin confirms one, picks another,
 * says "not ours" with a reason, or creates the project. A name match is
 * never accepted without the admin naming the project; mapping_accept()
 * takes only alias and HUD ProjectID proposals.
 *
 * Each decision is one transaction with its audit row; a mapping (or a
 * "not ours") is remembered as the alias of that source ProjectID, so the
 * next cycle proposes it first. After a decision the cycle's per-project
 * sub-items are ticked (download/<project> for an rdc file in an
 * rdc-download cycle, receive/<project> for an agency file in an
 * agency-intake cycle) through core/cycle's step_set, with the file as
 * evidence in the note — and put back to todo when the mapping that
 * ticked them goes away.
 *
 * Flags are computed, never stored: X01 (a project of a file has no
 * decision), X02 (a project expected from this cycle's source has no
 * mapped file or no enrollments), DUP (two source projects mapped onto one
 * registered project in one cycle: refused unless confirmed), INACTIVE
 * (mapped onto a project since made inactive), plus each file's intake
 * findings (X05, X07). */
#ifndef HMX_CORE_MAPPING_H
#define HMX_CORE_MAPPING_H

#include "cycle.h"
#include "intake.h"
#include "registry.h"

enum map_state { MAP_UNMAPPED, MAP_MAPPED, MAP_NOT_OURS };
enum map_via { MAP_VIA_NONE, MAP_VIA_ALIAS, MAP_VIA_HUD_ID, MAP_VIA_NAME };

/* Name similarity below this is not proposed. */
#define MAPPING_NAME_MIN 50

/* "unmapped", "mapped", "not-ours". */
const char *mapping_state_name(enum map_state st);
/* "", "alias", "hud-id", "name". */
const char *mapping_via_name(enum map_via via);

/* Similarity of two project names, 0-100: names are lower-cased, accents
 * folded, split into words without punctuation and filler words ("the",
 * "of", "and", ...); words count fully when equal and partly when one is
 * a prefix or an abbreviation of the other ("mgmt" of "management"); the
 * score is the Dice coefficient of the two word sets. */
int mapping_name_score(const char *a, const char *b);

struct map_proposal {
	enum map_via via;
	char project[48];   /* proposed project code; "" with not_ours or none */
	bool not_ours;      /* a remembered "not ours" (via alias) */
	char reason[128];   /* its reason */
	int score;          /* 100 for alias and HUD ProjectID, else the name score */
	bool inactive;      /* the aliased project is inactive: not acceptable */
};

/* The proposal for a project with ProjectID src_id and name (may be "")
 * arriving from source ("hmis", "rdc", "agency:CODE"). via MAP_VIA_NONE
 * when nothing fits. HMX_EDB. */
enum hmx_rc mapping_propose(struct store *s, const char *source, const char *src_id,
			    const char *name, struct map_proposal *out, struct hmx_err *err);

/* One project of one file of the cycle, with its decision and proposal. */
struct map_row {
	size_t file;             /* index into map_view.files */
	char src_id[64];         /* ProjectID in the file */
	char name[128];          /* ProjectName in the file */
	uint64_t enrollments, clients, exits;
	enum map_state state;
	char project[48];        /* MAP_MAPPED: the project's code */
	bool project_active;
	char reason[256];        /* MAP_NOT_OURS: why */
	bool duplicate_ok;       /* mapped although another source project of
	                          * this cycle maps onto the same project */
	enum map_via decided_via; /* what was proposed when decided */
	char decided_at[24], decided_by[64];
	struct map_proposal proposal;
};

/* A flag of the cycle's mapping state. */
struct map_flag {
	char check[12];          /* "X01", "X02", "X05", "X07", "DUP", "INACTIVE" */
	char severity[12];       /* "error", "warning" */
	long file;               /* index into map_view.files, -1 when none */
	long row;                /* index into map_view.rows, -1 when none */
	char src_id[64];         /* ProjectID in the file, or "" */
	char project[48];        /* registered project concerned, or "" */
	char detail[256];        /* IDs, codes, dates and counts only */
};

struct map_view {
	char cycle[64];
	char kind[32];
	struct intake_info *files;   /* intakes of the cycle, oldest first */
	size_t nfiles;
	struct map_row *rows;        /* projects by file, in Project.csv order */
	size_t nrows;
	struct map_flag *flags;      /* by check id, then file, then ProjectID */
	size_t nflags;
	size_t n_unmapped;           /* rows without a decision (X01 count) */
};

/* The mapping state of a cycle: files, their projects with decision and
 * proposal, and the flags. Free with mapping_view_free (also after an
 * error). HMX_ENOTFOUND (cycle), HMX_EDB, HMX_ENOMEM. */
enum hmx_rc mapping_view(struct store *s, const char *cycle, struct map_view *out,
			 struct hmx_err *err);
void mapping_view_free(struct map_view *v);

/* A sub-item changed (or refused) by the ticking after a decision. */
struct map_tick {
	char step[64];           /* "download/hac-carriage-house" */
	enum step_state from, to;
	char note[256];
};

/* Options of a decision. */
enum { MAP_ALLOW_DUPLICATE = 1 };

/* Maps ProjectID src_id of the cycle's file (ref: SHA-256 or a prefix of
 * at least 6 hex digits) onto project, remembering the alias. Refused
 * (HMX_ESTATE, nothing written) when the project is inactive, or another
 * source project of this cycle is mapped onto it and flags lacks
 * MAP_ALLOW_DUPLICATE (the message names the other file and ProjectID).
 * HMX_ENOTFOUND (cycle, file, ProjectID not in that file, project).
 * Afterwards the cycle's sub-items are ticked; *ticks (may be NULL;
 * malloc'd, free()) and *nticks report what changed. A sub-item that a
 * gate keeps from done is set in progress (reported as a tick); a failure
 * to tick is logged as a warning, not returned: the mapping stands. */
enum hmx_rc mapping_set(struct store *s, const char *cycle, const char *ref, const char *src_id,
			const char *project, unsigned flags, struct map_tick **ticks,
			size_t *nticks, struct hmx_err *err);

/* Marks ProjectID src_id of the file as not one of ours, with a reason
 * (required: one line, at most 120 bytes), remembered for that source.
 * Errors and ticks as mapping_set. */
enum hmx_rc mapping_not_ours(struct store *s, const char *cycle, const char *ref,
			     const char *src_id, const char *reason, struct map_tick **ticks,
			     size_t *nticks, struct hmx_err *err);

/* Removes the decision on ProjectID src_id of the file (the alias is kept
 * until another decision replaces it). HMX_ESTATE when it has none. */
enum hmx_rc mapping_clear(struct store *s, const char *cycle, const char *ref, const char *src_id,
			  struct map_tick **ticks, size_t *nticks, struct hmx_err *err);

/* A project to create for a source project. NULL members take defaults:
 * name = the file's ProjectName; agency = the file's agency for an
 * agency:CODE source (required otherwise); kind = rdc-direct for an rdc
 * file, outside-agency for an agency file, hmis for an hmis file;
 * hud_id = the source ProjectID for an hmis file, else none. */
struct map_new_project {
	const char *code;            /* required */
	const char *name;
	const char *agency;
	const enum reg_source *kind;
	const char *hud_id;
};

/* Registers a new project (reg_project_add, its own audited change) and
 * maps src_id onto it. Errors as reg_project_add and mapping_set; when
 * the project was made but the mapping failed the message says so. */
enum hmx_rc mapping_create(struct store *s, const char *cycle, const char *ref,
			   const char *src_id, const struct map_new_project *np, unsigned flags,
			   struct map_tick **ticks, size_t *nticks, struct hmx_err *err);

/* Accepts the alias and HUD ProjectID proposals of every undecided project
 * of the file (ref; NULL: every file of the cycle) in one transaction,
 * one audit row per decision; never a name proposal, never an inactive
 * project, never a duplicate. *accepted (may be NULL) gets the count,
 * *skipped (may be NULL) the undecided ones left. Ticks as mapping_set. */
enum hmx_rc mapping_accept(struct store *s, const char *cycle, const char *ref, size_t *accepted,
			   size_t *skipped, struct map_tick **ticks, size_t *nticks,
			   struct hmx_err *err);

/* Brings the cycle's per-project sub-items in line with its mappings (see
 * the top); idempotent. Called by every decision above. */
enum hmx_rc mapping_tick(struct store *s, const char *cycle, struct map_tick **ticks,
			 size_t *nticks, struct hmx_err *err);

/* A remembered alias: a source's ProjectID -> a project, or "not ours". */
struct map_alias {
	char source[48];         /* "hmis", "rdc", "agency:HPC" */
	char src_id[64];         /* ProjectID in that source's files */
	char project[48];        /* the project's code; "" when not ours */
	bool not_ours;
	char reason[128];        /* not ours: why */
	char at[24], who[64];    /* when and by whom it was last decided */
};

/* The remembered aliases, ordered by project code, source and ProjectID
 * ("not ours" ones first, with project ""); only project's when project
 * is not NULL (then never a "not ours" one). *out malloc'd (free()), NULL
 * when there are none. HMX_EDB, HMX_ENOMEM. */
enum hmx_rc mapping_aliases(struct store *s, const char *project, struct map_alias **out,
			    size_t *n, struct hmx_err *err);

#endif
