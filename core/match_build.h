/* core/match_build.h — the MCP client match, part 2: the HMIS import
 * files built from the cycle's member list (seed 002 workflow steps 4-5).
 * Nothing is written to the HMIS: the files are for the vendor's import
 * tool.
 *
 * match_build() writes into o->dir (created 0700 when missing; each file
 * 0600 under a temporary name, renamed into place; files of an earlier
 * build of the cycle are replaced): hmis-csv/ (the HUD export, a folder
 * the validator and the import tool take whole) and mcp_companion.csv:
 *   - a complete HUD HMIS CSV export (every file of the spec, FY2024 by
 *     default, header-only when empty) for the MCP project (config
 *     match.project: a registered project with a HUD ProjectID): a new
 *     Enrollment (EntryDate = MCP effective date) for each open member
 *     without an open MCP enrollment, an Exit (ExitDate = termination
 *     date, Destination = config match.destination, default 99) with its
 *     Enrollment for each closed member with one; Client rows for those
 *     members (names and DOB from the member list file — it must still be
 *     there with its recorded SHA-256; never stored); the universal data
 *     elements the MCP cannot know are 99 "data not collected";
 *   - mcp_companion.csv: what HUD has no field for (MCP, plan type, member
 *     ID, CIN; one row per ECM/CS service enrollment, discharge or change
 *     with provider and dates), by HMIS Client ID.
 * "Open MCP enrollment" is what earlier builds (of cycles that start
 * before this one) created and did not exit (table match_enrollment), so
 * the next cycle's build holds only the changes. Rebuilding a cycle
 * replaces its own records and writes the same bytes for the same inputs
 * (IDs from SHA-256 of cycle and PersonalID; dates from the cycle and the
 * import's time); rebuilding a cycle older than a built one is refused.
 * Audited ("match.build", counts only). */
#ifndef HMX_CORE_MATCH_BUILD_H
#define HMX_CORE_MATCH_BUILD_H

#include "match_import.h"
#include "spec.h"

#define MATCH_COMPANION "mcp_companion.csv"
#define MATCH_HUD_DIR "hmis-csv"  /* the HUD export, under the output folder */

struct match_build_opts {
	const char *cycle;
	const char *dir;        /* output folder */
	enum spec_version spec; /* SPEC_UNKNOWN: FY2024 */
	const char *project;    /* NULL: config match.project */
};

struct match_build_result {
	char dir[1024];
	size_t files;           /* files written, companion included */
	uint64_t clients, enrollments, exits, member_changes, service_changes;
	uint64_t follow_up;     /* exits with Destination 99 */
	bool step_ticked;       /* the cycle's build-import step was set done */
	char step_note[200];    /* why it was not, when not */
};

/* HMX_EINVAL (not an mcp-match cycle, no import, blocking findings not
 * cleared, no project configured or no HUD ProjectID, member list file
 * gone or changed, a later cycle built), HMX_ENOTFOUND, HMX_EIO, HMX_EDB.
 * Once built, the cycle's build-import step is set done when its gates
 * (review-match) allow. */
enum hmx_rc match_build(struct store *s, const struct match_build_opts *o,
			struct match_build_result *res, struct hmx_err *err);

#endif
