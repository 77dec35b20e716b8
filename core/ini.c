/* core/ini.c — line-by-line INI reader over an in-memory string. */
#include "ini.h"

#include <ctype.h>
#include <string.h>

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

enum hmx_rc ini_parse(const char *text, const char *name, ini_fn fn, void *ctx, struct hmx_err *err)
{
	char section[128] = "", line[1024];
	int lineno = 0;

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		char *l, *eq;

		lineno++;
		if (len >= sizeof line)
			return hmx_err_set(err, HMX_EINVAL, "%s:%d: line too long", name, lineno);
		memcpy(line, text, len);
		line[len] = '\0';
		text += len + (nl ? 1 : 0);
		l = trim(line);
		if (*l == '\0' || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			char *close = strchr(l, ']');
			if (!close || close[1] != '\0')
				return hmx_err_set(err, HMX_EINVAL, "%s:%d: malformed section header", name,
						   lineno);
			*close = '\0';
			hmx_strlcpy(section, trim(l + 1), sizeof section);
			continue;
		}
		eq = strchr(l, '=');
		if (!eq)
			return hmx_err_set(err, HMX_EINVAL, "%s:%d: expected \"key = value\"", name, lineno);
		*eq = '\0';
		if (!fn(ctx, section, trim(l), trim(eq + 1), lineno, err)) {
			if (err && err->rc == HMX_OK)
				hmx_err_set(err, HMX_EINVAL, "%s:%d: rejected", name, lineno);
			return HMX_EINVAL;
		}
	}
	return HMX_OK;
}
