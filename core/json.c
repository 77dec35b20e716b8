/* core/json.c — JSON string escaping and object members. */
#include "json.h"

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void json_key(FILE *f, bool *first, const char *key)
{
	if (!*first)
		fputc(',', f);
	*first = false;
	json_str(f, key);
	fputc(':', f);
}

void json_kv(FILE *f, bool *first, const char *key, const char *value)
{
	json_key(f, first, key);
	json_str(f, value);
}

void json_ki(FILE *f, bool *first, const char *key, long long value)
{
	json_key(f, first, key);
	fprintf(f, "%lld", value);
}

void json_ku(FILE *f, bool *first, const char *key, unsigned long long value)
{
	json_key(f, first, key);
	fprintf(f, "%llu", value);
}

void json_kb(FILE *f, bool *first, const char *key, bool value)
{
	json_key(f, first, key);
	fputs(value ? "true" : "false", f);
}
