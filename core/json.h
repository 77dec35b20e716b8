/* core/json.h — the few JSON writing helpers every report and the command
 * line share: string escaping and "key":value members into a caller-given
 * stream. Objects and arrays are opened and closed by the caller; *first
 * tracks whether a comma is due. */
#ifndef HMX_CORE_JSON_H
#define HMX_CORE_JSON_H

#include <stdbool.h>
#include <stdio.h>

/* Writes s as a JSON string: quotes, backslash escapes, control bytes and
 * DEL as \u00XX; other bytes (UTF-8) as they are. */
void json_str(FILE *f, const char *s);
/* Writes a comma unless *first, then "key": (clears *first). */
void json_key(FILE *f, bool *first, const char *key);
/* Members: string, signed and unsigned integer, boolean. */
void json_kv(FILE *f, bool *first, const char *key, const char *value);
void json_ki(FILE *f, bool *first, const char *key, long long value);
void json_ku(FILE *f, bool *first, const char *key, unsigned long long value);
void json_kb(FILE *f, bool *first, const char *key, bool value);

#endif
