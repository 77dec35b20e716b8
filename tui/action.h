/* tui/action.h — every user action of hmx as data, and the key bindings.
 *
 * One X-macro list, ACTION(group, id, "name", "help"), generates the enum
 * (ACT_id), the names used by key scripts (tests), the lines of the `?`
 * help overlay and the labels of the bottom key bar. Keys are mapped to
 * actions by tables (struct tui_keybind): the global table here, one table
 * per screen (searched first), and the tables of the dialog and the pager.
 * Nothing outside this input layer looks at raw key codes. */
#ifndef HMX_TUI_ACTION_H
#define HMX_TUI_ACTION_H

#include <stdbool.h>
#include <stddef.h>

#define ACTION_LIST(ACTION) \
	ACTION(MOVE, UP, "up", "Move up one row") \
	ACTION(MOVE, DOWN, "down", "Move down one row") \
	ACTION(MOVE, PAGE_UP, "page-up", "Move up one page") \
	ACTION(MOVE, PAGE_DOWN, "page-down", "Move down one page") \
	ACTION(MOVE, TOP, "top", "Go to the first row") \
	ACTION(MOVE, BOTTOM, "bottom", "Go to the last row") \
	ACTION(MOVE, SEARCH, "search", "Search this list (case-insensitive)") \
	ACTION(MOVE, SEARCH_NEXT, "search-next", "Next match of the search") \
	ACTION(MOVE, SEARCH_PREV, "search-prev", "Previous match of the search") \
	ACTION(VIEW, ENTER, "enter", "Open the selected row") \
	ACTION(VIEW, EXPAND, "expand", "Show the sub-items of the step") \
	ACTION(VIEW, COLLAPSE, "collapse", "Fold the sub-items under their step") \
	ACTION(VIEW, TOGGLE, "toggle", "Fold or unfold the sub-items of the step") \
	ACTION(VIEW, AUDIT, "audit", "Show the audit trail of the selected step") \
	ACTION(VIEW, MAP, "map", "Map the files of the selected cycle to projects") \
	ACTION(VIEW, PROJECTS, "projects", "Show the agencies and projects of the registry") \
	ACTION(VIEW, NEXT_FILE, "next-file", "Show the projects of the next file") \
	ACTION(VIEW, PREV_FILE, "prev-file", "Show the projects of the previous file") \
	ACTION(VIEW, FLAGS, "flags", "Show the cycle's mapping flags (X01, X02, DUP ...)") \
	ACTION(VIEW, GROUP_HISTORY, "group-history", \
	       "Show when projects joined or left the reporting group") \
	ACTION(VIEW, MATCH, "match", \
	       "Open the client match of the selected mcp-match cycle (lists, findings, transfers)") \
	ACTION(VIEW, AUDIT_LOG, "audit-log", "Show the audit log of every change") \
	ACTION(VIEW, FILTER_CYCLE, "filter-cycle", "Show only the changes of one cycle") \
	ACTION(VIEW, FILTER_PROJECT, "filter-project", "Show only the changes of one project") \
	ACTION(VIEW, FILTER_WHO, "filter-who", "Show only the changes made by one person") \
	ACTION(VIEW, FILTER_ACTION, "filter-action", \
	       "Show only one kind of change (e.g. step, step.set, notice)") \
	ACTION(VIEW, FILTER_DATES, "filter-dates", \
	       "Show only the changes between two days (FROM..TO, either may be left out)") \
	ACTION(VIEW, FILTER_CHECK, "filter-check", \
	       "Show only the findings of one check (e.g. K01)") \
	ACTION(VIEW, FILTER_SEVERITY, "filter-severity", \
	       "Show only one severity (warning, error, blocking)") \
	ACTION(VIEW, FILTER_STATE, "filter-state", \
	       "Show only one state (open, fix-proposed, approved, rejected, resolved, waived)") \
	ACTION(VIEW, FILTER_REVIEWER, "filter-reviewer", \
	       "Show only the findings assigned to one reviewer") \
	ACTION(VIEW, FILTER_CLEAR, "filter-clear", "Clear every filter (on no filter: go back)") \
	ACTION(VIEW, REVIEW, "review", "Show the validation review of the selected cycle") \
	ACTION(VIEW, CHART, "chart", "Show or hide the chart of findings per project by severity") \
	ACTION(VIEW, RECONCILE, "reconcile", \
	       "Show or hide the reconciliation: rows sent for import vs the demo-site export") \
	ACTION(VIEW, REFRESH, "refresh", "Reload the data and redraw the screen") \
	ACTION(VIEW, HELP, "help", "Show this help") \
	ACTION(VIEW, BACK, "back", "Close the overlay or go back one screen") \
	ACTION(VIEW, QUIT, "quit", "Close this screen; on the first screen quit hmx") \
	ACTION(VIEW, QUIT_ALL, "quit-all", "Quit hmx from any screen") \
	ACTION(STEP, START, "start", "Mark the step in progress") \
	ACTION(STEP, DONE, "done", "Mark the step done, with an optional note") \
	ACTION(STEP, SKIP, "skip", "Skip the step (a reason is required)") \
	ACTION(STEP, BLOCK, "block", "Mark the step blocked (a reason is required)") \
	ACTION(STEP, TODO, "todo", "Put the step back to todo") \
	ACTION(STEP, UNDO, "undo", "Undo the last change of the step (asks first)") \
	ACTION(MAP, CONFIRM, "confirm", "Confirm the proposed project") \
	ACTION(MAP, PICK, "pick", "Pick the project from the registry (/ searches it)") \
	ACTION(MAP, NOT_OURS, "not-ours", "Mark the project not ours (a reason is required)") \
	ACTION(MAP, CREATE, "create", "Add the project to the registry and map onto it") \
	ACTION(MAP, CLEAR, "clear", "Clear the decision (the alias stays remembered)") \
	ACTION(MAP, ACCEPT_ALL, "accept-all", \
	       "Accept every alias and HUD ProjectID proposal (asks first; never a name match)") \
	ACTION(PROJECT, RENAME, "rename", "Rename the selected project") \
	ACTION(PROJECT, SOURCE, "source", \
	       "Change where the project's data comes from (asks first when the reporting group changes)") \
	ACTION(PROJECT, HUD_ID, "hud-id", "Set or remove the project's HUD ProjectID") \
	ACTION(PROJECT, ACTIVE, "active", "Make the project active or inactive (asks first)") \
	ACTION(REVIEW, ASSIGN, "assign", "Name the reviewer expected to act on the finding") \
	ACTION(REVIEW, PROPOSE, "propose", "Propose a fix for the finding (text)") \
	ACTION(REVIEW, APPROVE, "approve", "Approve the proposed fix") \
	ACTION(REVIEW, REJECT, "reject", "Reject the proposed fix (a comment is required)") \
	ACTION(REVIEW, COMMENT, "comment", "Comment on the finding (any state, no change)") \
	ACTION(REVIEW, WAIVE, "waive", "Waive the finding (a reason is required; asks first)") \
	ACTION(REVIEW, REVALIDATE, "revalidate", \
	       "Take in a newer demo-site export of the cycle and re-validate it") \
	ACTION(REVIEW, EXPORT, "export", "Write the cycle's review report to a file") \
	ACTION(MATCH, MATCH_LIST, "match-list", \
	       "Build the client list from an HMIS export (asks the export and the file, then asks first)") \
	ACTION(MATCH, MATCH_PUSH, "match-push", \
	       "Send the client list to the cycle's MCP site (says what leaves; asks first)") \
	ACTION(MATCH, MATCH_PULL, "match-pull", \
	       "Download the member list from the MCP site (asks the remote name, then asks first)") \
	ACTION(MATCH, MATCH_IMPORT, "match-import", \
	       "Import the member list and check it (asks the file, then asks first)") \
	ACTION(MATCH, MATCH_BUILD, "match-build", \
	       "Build the HMIS import files (asks the folder, then asks first)") \
	ACTION(MATCH, MATCH_PURGE, "match-purge", \
	       "Delete the local copies of the cycle's client lists (asks first)") \
	ACTION(VIEW, TRANSFERS, "transfers", "Show the SFTP sites, files and transfers") \
	ACTION(VIEW, NEXT_PANE, "next-pane", "Move to the next pane (sites, files, jobs)") \
	ACTION(VIEW, FILTER, "filter", "Show only the files whose name contains a text") \
	ACTION(VIEW, RELIST, "relist", "List the site's remote folder again") \
	ACTION(TRANSFER, MARK, "mark", "Mark or unmark the file for the next pull") \
	ACTION(TRANSFER, PULL, "pull", \
	       "Pull the marked files (else the selected one) into the incoming folder") \
	ACTION(TRANSFER, PUSH, "push", "Pick a local file and push it to the site") \
	ACTION(TRANSFER, CANCEL, "cancel", \
	       "Cancel the selected job (asks first; the partial is kept: R resumes it)") \
	ACTION(TRANSFER, RETRY, "retry", "Run the selected failed or cancelled job again, from its offset") \
	ACTION(TRANSFER, TEST_SITE, "test-site", \
	       "Connect to the site: host key fingerprint, connect time, round-trip time") \
	ACTION(TRANSFER, ACCEPT_KEY, "accept-key", \
	       "Accept the site's unknown host key (shows its SHA-256 fingerprint; default No)") \
	ACTION(DIALOG, YES, "yes", "Answer yes to the question") \
	ACTION(DIALOG, NO, "no", "Answer no to the question (the default)")

enum action_group { GROUP_MOVE, GROUP_VIEW, GROUP_STEP, GROUP_MAP, GROUP_PROJECT, GROUP_REVIEW,
		   GROUP_MATCH, GROUP_TRANSFER, GROUP_DIALOG };

enum action {
	ACT_NONE = 0,
#define ACTION_ENUM(group, id, name, help) ACT_##id,
	ACTION_LIST(ACTION_ENUM)
#undef ACTION_ENUM
	ACT_COUNT
};

/* Script name of a (valid) action, e.g. "page-down"; "" for ACT_NONE. */
const char *action_name(enum action a);
/* Default help line of an action. */
const char *action_help(enum action a);
enum action_group action_group(enum action a);
/* Heading of a group in the help overlay ("Moving", ...). */
const char *action_group_title(enum action_group g);
/* Action by script name; ACT_NONE when unknown. */
enum action action_by_name(const char *name);

/* A key: a Unicode character, or TUI_FN(curses KEY_* code) for a function
 * key as reported by wget_wch() with KEY_CODE_YES. */
#define TUI_FN(k) (0x1000000 | (k))
#define TUI_KEY_ESC 27
#define TUI_CTRL(c) ((c) & 0x1f)

struct tui_keybind {
	int key;
	enum action act;
	bool alias; /* a second key for the same thing, not listed in help */
};

/* The bindings every screen has (arrows and vi keys, PgUp/PgDn, Home/End,
 * g/G, Enter, Esc, q, ?, F1, /, n, N, F5, F10 ...). */
extern const struct tui_keybind tui_keys_global[];
extern const size_t tui_keys_global_n;
/* Keys of a yes/no question: y answers yes; n, Esc, Enter and q answer no. */
extern const struct tui_keybind tui_keys_dialog[];
extern const size_t tui_keys_dialog_n;

/* Action bound to key in map (n entries); ACT_NONE when not bound. */
enum action keymap_lookup(const struct tui_keybind *map, size_t n, int key);

/* Readable name of key into buf: "j", "Up", "PgDn", "Enter", "Esc",
 * "Space", "F1", "^L". Returns buf. */
const char *tui_key_name(int key, char *buf, size_t n);
/* Parses a key as written in key scripts: one character ("j", "é"), a name
 * as tui_key_name() writes it (case-insensitive), "^X" for a control key,
 * "Fn", "KEY_F(n)" or a curses name like "KEY_DOWN". False when unknown. */
bool tui_key_parse(const char *s, int *key);

#endif
