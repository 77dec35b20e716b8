/* tui/script.h — key scripts: what a headless run (tests) types instead
 * of a person. One token per line:
 *   NAME            an action by its script name (action.h): down, enter, done
 *   key:X           a raw key through the bindings: key:j, key:Enter,
 *                   key:Esc, key:^L, key:F1, key:KEY_F(1), key:é
 *   text:WORDS      WORDS typed into the open prompt (kept verbatim)
 *   resize:CxR      the terminal becomes C columns by R rows
 *   dump            append the screen (and colour grid) to the dump files
 *   wait            until the screen's background work is done (at most
 *                   60 s, else the run fails naming the line)
 *   sleep:MS        let MS milliseconds pass (1-60000), as when idle
 *   # comment       ignored, as are blank lines
 * Leading and trailing blanks of a line are ignored except after text:. */
#ifndef HMX_TUI_SCRIPT_H
#define HMX_TUI_SCRIPT_H

#include "core/hmx.h"
#include "tui/action.h"

enum script_kind { SCRIPT_ACTION, SCRIPT_KEY, SCRIPT_TEXT, SCRIPT_RESIZE, SCRIPT_DUMP,
		   SCRIPT_WAIT, SCRIPT_SLEEP };

struct script_item {
	enum script_kind kind;
	int line;          /* line number in the file, for messages */
	enum action act;   /* SCRIPT_ACTION */
	int key;           /* SCRIPT_KEY */
	char *text;        /* SCRIPT_TEXT, owned */
	int cols, rows;    /* SCRIPT_RESIZE */
	int ms;            /* SCRIPT_SLEEP */
};

struct script {
	struct script_item *items;
	size_t n;
};

/* Reads and checks the whole script at path. On success out owns the
 * items (script_free()). HMX_EIO when unreadable, HMX_EINVAL naming the
 * line of the first bad token. */
enum hmx_rc script_load(const char *path, struct script *out, struct hmx_err *err);
void script_free(struct script *s);

#endif
