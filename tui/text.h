/* tui/text.h — width of UTF-8 text in terminal columns, and cutting it to
 * fit. Project and agency names carry accents (and may carry wide CJK
 * characters or stray bytes), so everything the screens lay out is measured
 * here in columns, never in bytes. Needs a UTF-8 LC_CTYPE (the shell sets
 * one); invalid bytes and control characters count as one column each and
 * are shown as '?' by text_sanitize(). No curses in here: unit-testable. */
#ifndef HMX_TUI_TEXT_H
#define HMX_TUI_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Columns that s (UTF-8, NUL-terminated) takes on the screen. */
int text_width(const char *s);

/* Length in bytes of the longest prefix of s that fits in cols columns,
 * never cutting a character; *used (may be NULL) gets its width. */
size_t text_fit(const char *s, int cols, int *used);

/* Copies s into dst (size n) cut to at most cols columns. When s is wider,
 * the end is replaced by ellipsis (e.g. "…" or "~", itself counted in cols).
 * The copy is sanitized as by text_sanitize(). Returns the width written. */
int text_trunc(char *dst, size_t n, const char *s, int cols, const char *ellipsis);

/* Copies s into dst (size n) with invalid UTF-8 bytes and non-printable
 * characters (tabs, newlines, escapes) replaced by '?' or ' ' (tab, newline),
 * so the result has exactly text_width(s) columns. Truncates on a character
 * boundary when dst is too small. Returns dst. */
char *text_sanitize(char *dst, size_t n, const char *s);

/* Wraps s at cols columns: returns the byte length of its first line,
 * broken after the last space that fits (mid-word when one word is wider
 * than cols, at a '\n' when there is one); *next gets the offset where the
 * next line starts, leading spaces skipped. At the end of s both are
 * strlen(s). */
size_t text_wrap(const char *s, int cols, size_t *next);

/* Byte offset of the character before / after byte offset i of s (UTF-8
 * stepping for line editing). Clamped to 0 and strlen(s). */
size_t text_prev(const char *s, size_t i);
size_t text_next(const char *s, size_t i);

/* True when needle occurs in hay, ignoring case (also of accented
 * letters: towlower per character). An empty needle matches. */
bool text_contains_nocase(const char *hay, const char *needle);

#endif
