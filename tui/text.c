/* tui/text.c — UTF-8 text measured in terminal columns (see text.h). */
#include "tui/text.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

/* One decoded character: its byte length, its width in columns and the
 * character to show in its place when it cannot be shown (0 = itself). */
struct text_ch {
	size_t len;
	int width;
	char subst;
};

static struct text_ch text_decode(const char *s)
{
	struct text_ch c = { 1, 1, 0 };
	mbstate_t st;
	wchar_t wc;
	size_t r;
	int w;

	if ((unsigned char)*s < 0x80) {
		if (*s == '\t' || *s == '\n' || *s == '\r')
			c.subst = ' ';
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			c.subst = '?';
		return c;
	}
	memset(&st, 0, sizeof st);
	r = mbrtowc(&wc, s, MB_CUR_MAX, &st);
	if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
		c.subst = '?';
		return c;
	}
	c.len = r;
	w = wcwidth(wc);
	if (w < 0) {
		c.subst = '?';
		w = 1;
	}
	c.width = w;
	return c;
}

int text_width(const char *s)
{
	int cols = 0;

	while (*s) {
		struct text_ch c = text_decode(s);
		cols += c.width;
		s += c.len;
	}
	return cols;
}

size_t text_fit(const char *s, int cols, int *used)
{
	const char *p = s;
	int w = 0;

	while (*p) {
		struct text_ch c = text_decode(p);
		if (w + c.width > cols)
			break;
		w += c.width;
		p += c.len;
	}
	if (used)
		*used = w;
	return (size_t)(p - s);
}

/* Appends the first len bytes of s to dst (at *at, size n) sanitized;
 * stops early, on a character boundary, when dst is full. */
static void text_append(char *dst, size_t n, size_t *at, const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end && *s) {
		struct text_ch c = text_decode(s);
		size_t out = c.subst ? 1 : c.len;
		if (*at + out >= n)
			break;
		if (c.subst) {
			dst[(*at)++] = c.subst;
		} else {
			memcpy(dst + *at, s, c.len);
			*at += c.len;
		}
		s += c.len;
	}
	dst[*at] = '\0';
}

char *text_sanitize(char *dst, size_t n, const char *s)
{
	size_t at = 0;

	if (n == 0)
		return dst;
	text_append(dst, n, &at, s, strlen(s));
	return dst;
}

int text_trunc(char *dst, size_t n, const char *s, int cols, const char *ellipsis)
{
	size_t at = 0;
	int used, ew;
	size_t len;

	if (n == 0)
		return 0;
	dst[0] = '\0';
	if (cols <= 0)
		return 0;
	if (text_width(s) <= cols) {
		text_append(dst, n, &at, s, strlen(s));
		return text_width(dst);
	}
	ew = ellipsis ? text_width(ellipsis) : 0;
	if (ew > cols)
		ew = 0;
	len = text_fit(s, cols - ew, &used);
	text_append(dst, n, &at, s, len);
	if (ew)
		text_append(dst, n, &at, ellipsis, strlen(ellipsis));
	return text_width(dst);
}

size_t text_wrap(const char *s, int cols, size_t *next)
{
	size_t fit = text_fit(s, cols > 0 ? cols : 1, NULL);
	size_t brk = 0, i;
	const char *nl = memchr(s, '\n', fit);

	if (nl) {
		*next = (size_t)(nl - s) + 1;
		return (size_t)(nl - s);
	}
	if (s[fit] == '\0' || s[fit] == ' ' || s[fit] == '\n') {
		brk = fit;
	} else {
		for (i = fit; i > 0; i--) {
			if (s[i - 1] == ' ') {
				brk = i - 1;
				break;
			}
		}
		if (brk == 0)
			brk = fit ? fit : text_next(s, 0);
	}
	i = brk;
	while (s[i] == ' ')
		i++;
	if (s[i] == '\n')
		i++;
	*next = i;
	while (brk > 0 && s[brk - 1] == ' ')
		brk--;
	return brk;
}

size_t text_prev(const char *s, size_t i)
{
	size_t len = strlen(s);

	if (i > len)
		i = len;
	if (i == 0)
		return 0;
	i--;
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	return i;
}

size_t text_next(const char *s, size_t i)
{
	size_t len = strlen(s);

	if (i >= len)
		return len;
	return i + text_decode(s + i).len;
}

/* Decodes s into a malloc'd string of lower-cased wide characters;
 * undecodable bytes become U+FFFD so they still match themselves. NULL
 * when out of memory. */
static wchar_t *text_fold(const char *s)
{
	wchar_t *out = malloc((strlen(s) + 1) * sizeof *out);
	size_t k = 0;
	mbstate_t st;

	if (!out)
		return NULL;
	memset(&st, 0, sizeof st);
	while (*s) {
		wchar_t wc;
		size_t r = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
			memset(&st, 0, sizeof st);
			wc = 0xFFFD;
			r = 1;
		}
		out[k++] = (wchar_t)towlower((wint_t)wc);
		s += r;
	}
	out[k] = 0;
	return out;
}

bool text_contains_nocase(const char *hay, const char *needle)
{
	wchar_t *h, *nd;
	bool found;

	if (!*needle)
		return true;
	h = text_fold(hay);
	nd = text_fold(needle);
	found = h && nd && wcsstr(h, nd) != NULL;
	free(h);
	free(nd);
	return found;
}
