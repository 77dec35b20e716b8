/* core/ini.h — a tiny reader for the INI-like text assets (checklist
 * templates): "[section name]" headers, "key = value" lines, '#' or ';'
 * comments, blank lines. Values are trimmed; no quoting, no continuation. */
#ifndef HMX_CORE_INI_H
#define HMX_CORE_INI_H

#include "hmx.h"

/* Called for each key; section is the text inside the brackets ("" before
 * any). Return false to stop with an error (callback sets err). */
typedef bool (*ini_fn)(void *ctx, const char *section, const char *key, const char *value,
		       int line, struct hmx_err *err);

/* Parses text (NUL-terminated); name is used in error messages. HMX_EINVAL
 * with "NAME:LINE: ..." on a malformed line or a refusing callback. */
enum hmx_rc ini_parse(const char *text, const char *name, ini_fn fn, void *ctx, struct hmx_err *err);

#endif
