/* tui/script.c — reading and checking key scripts (see script.h). */
#include "tui/script.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cuts trailing blanks off s in place. */
static void script_rtrim(char *s)
{
	size_t len = strlen(s);

	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
}

/* Parses one token (leading blanks and the newline already gone). */
static enum hmx_rc script_parse(const char *path, int line, char *tok,
				struct script_item *it, struct hmx_err *err)
{
	int cols, rows;
	char tail;

	memset(it, 0, sizeof *it);
	it->line = line;
	if (strncmp(tok, "text:", 5) != 0)
		script_rtrim(tok);
	if (strncmp(tok, "text:", 5) == 0) {
		/* the words after text: are kept verbatim */
		it->kind = SCRIPT_TEXT;
		it->text = strdup(tok + 5);
		if (!it->text)
			return hmx_err_set(err, HMX_ENOMEM, "out of memory reading %s", path);
		return HMX_OK;
	}
	if (strncmp(tok, "key:", 4) == 0) {
		it->kind = SCRIPT_KEY;
		if (!tui_key_parse(tok + 4, &it->key))
			return hmx_err_set(err, HMX_EINVAL,
					   "%s line %d: unknown key '%s' (use one character, "
					   "^X, F1, or a name like Enter, Esc, Up, PgDn)",
					   path, line, tok + 4);
		return HMX_OK;
	}
	if (strncmp(tok, "resize:", 7) == 0) {
		it->kind = SCRIPT_RESIZE;
		if (sscanf(tok + 7, "%dx%d%c", &cols, &rows, &tail) != 2 || cols < 1 ||
		    rows < 1 || cols > 1000 || rows > 1000)
			return hmx_err_set(err, HMX_EINVAL,
					   "%s line %d: bad size '%s' (expected COLSxROWS, "
					   "e.g. resize:100x30)", path, line, tok + 7);
		it->cols = cols;
		it->rows = rows;
		return HMX_OK;
	}
	if (strcmp(tok, "dump") == 0) {
		it->kind = SCRIPT_DUMP;
		return HMX_OK;
	}
	if (strcmp(tok, "wait") == 0) {
		it->kind = SCRIPT_WAIT;
		return HMX_OK;
	}
	if (strncmp(tok, "sleep:", 6) == 0) {
		it->kind = SCRIPT_SLEEP;
		if (sscanf(tok + 6, "%d%c", &it->ms, &tail) != 1 || it->ms < 1 || it->ms > 60000)
			return hmx_err_set(err, HMX_EINVAL,
					   "%s line %d: bad time '%s' (milliseconds, 1-60000)",
					   path, line, tok + 6);
		return HMX_OK;
	}
	it->kind = SCRIPT_ACTION;
	it->act = action_by_name(tok);
	if (it->act == ACT_NONE)
		return hmx_err_set(err, HMX_EINVAL,
				   "%s line %d: unknown token '%s' (expected an action name "
				   "such as down or done, key:X, text:WORDS, resize:COLSxROWS, "
				   "dump, wait or sleep:MS)", path, line, tok);
	return HMX_OK;
}

enum hmx_rc script_load(const char *path, struct script *out, struct hmx_err *err)
{
	FILE *f = fopen(path, "r");
	char buf[1024];
	size_t cap = 0;
	int line = 0;
	enum hmx_rc rc = HMX_OK;

	memset(out, 0, sizeof *out);
	if (!f)
		return hmx_err_set(err, HMX_EIO, "cannot read key script %s: %s", path,
				   strerror(errno));
	while (fgets(buf, sizeof buf, f)) {
		size_t len = strlen(buf);
		char *tok;

		line++;
		if (len && buf[len - 1] == '\n') {
			buf[--len] = '\0';
		} else if (!feof(f)) {
			rc = hmx_err_set(err, HMX_EINVAL, "%s line %d: line too long", path, line);
			break;
		}
		if (len && buf[len - 1] == '\r')
			buf[--len] = '\0';
		tok = buf + strspn(buf, " \t");
		if (*tok == '\0' || *tok == '#')
			continue;
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct script_item *n = realloc(out->items, ncap * sizeof *n);
			if (!n) {
				rc = hmx_err_set(err, HMX_ENOMEM, "out of memory reading %s", path);
				break;
			}
			out->items = n;
			cap = ncap;
		}
		rc = script_parse(path, line, tok, &out->items[out->n], err);
		if (rc != HMX_OK)
			break;
		out->n++;
	}
	fclose(f);
	if (rc != HMX_OK)
		script_free(out);
	return rc;
}

void script_free(struct script *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->items[i].text);
	free(s->items);
	s->items = NULL;
	s->n = 0;
}
