/* core/merge_int.h — the pieces core/merge.c is built from, internal to
 * the merge module (and its unit test): a record scanner that hands out
 * each CSV record as the exact bytes it was read from, with its fields'
 * offsets; compact tables of IDs; a 64-bit hash.
 *
 * The scanner follows libcsv's strict rules as core/hmiscsv uses them, so
 * it sees the same records the validator sees: a field starting with a
 * quote is quoted ("" is a quote inside it) and must be followed by a
 * comma or a line ending; a quote inside an unquoted field is an error
 * (S04); CR, LF and CRLF end a record outside quotes; empty lines are no
 * record; a UTF-8 BOM at the start of the file is skipped. */
#ifndef HMX_CORE_MERGE_INT_H
#define HMX_CORE_MERGE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmx.h"

/* 64-bit hash of p[0..n) (not cryptographic; for tables and record
 * identity). Different seeds give independent hashes. */
uint64_t merge_hash(const void *p, size_t n, uint64_t seed);

/* ---- ID table: byte string -> 32-bit value ----
 * IDs written as plain decimal numbers (no sign, no leading zero, at most
 * 19 digits: most HMIS IDs) are kept as integers in a table of their own,
 * one memory access per lookup; others as strings. Lookups are exact. */

struct merge_ids {
	struct merge_num {
		uint64_t k1;      /* the number + 1; 0: empty */
		uint32_t val;
		uint32_t pad;
	} *nums;
	size_t nmask, nn;     /* nums - 1 (a power of two) and entries */
	uint32_t *slots;      /* 0 empty, else entry index + 1 */
	size_t mask;          /* slots - 1 (a power of two), 0 before the first put */
	struct merge_id_ent {
		uint32_t off;     /* into arena: 2-byte length, then the bytes */
		uint32_t hash;
		uint32_t val;
	} *ents;
	size_t n, cap;
	unsigned char *arena;
	size_t alen, acap;
};

/* Puts id p[0..n) with value val. When it is already there nothing
 * changes and *old (may be NULL) gets its value; returns 1 then, 0 when
 * added, -1 out of memory or an ID over 65535 bytes. */
int merge_ids_put(struct merge_ids *t, const char *p, size_t n, uint32_t val, uint32_t *old);
/* Sets the value of an existing id; false when absent. */
bool merge_ids_set(struct merge_ids *t, const char *p, size_t n, uint32_t val);
/* Whether id p[0..n) is there; its value into *val (may be NULL). */
bool merge_ids_get(const struct merge_ids *t, const char *p, size_t n, uint32_t *val);
/* Frees the table's memory and zeroes it (a zeroed table is empty). */
void merge_ids_free(struct merge_ids *t);
/* Bytes the table holds. */
size_t merge_ids_bytes(const struct merge_ids *t);

/* ---- key table for collisions: 64-bit key hash -> record hash, owner ---- */

struct merge_key {
	uint64_t key;         /* hash of the primary key value; never 0 */
	uint64_t rec;         /* hash of the record (ExportID cell left out) */
	uint16_t owner;       /* input that put it */
	uint16_t flags;       /* MERGE_KEY_REPORTED */
};
enum { MERGE_KEY_REPORTED = 1 };

struct merge_keys {
	struct merge_key *slots;
	size_t mask, n;
};

/* The entry of key, or NULL. */
struct merge_key *merge_keys_get(const struct merge_keys *t, uint64_t key);
/* Adds key (absent) and returns its entry; NULL out of memory. */
struct merge_key *merge_keys_add(struct merge_keys *t, uint64_t key, uint64_t rec, uint16_t owner);
void merge_keys_free(struct merge_keys *t);

/* ---- the record reader ---- */

/* Where bytes come from: up to n into buf; count, 0 at the end, -1 on
 * error (err set). */
typedef long long (*merge_read_fn)(void *ctx, void *buf, size_t n, struct hmx_err *err);

#define MERGE_MAX_FIELDS 1024  /* field offsets kept per record; more are counted */

/* One record: its bytes without the line ending, where it starts, and its
 * fields: field i spans p[off[i] .. off[i+1]-1) (the comma excluded), the
 * last one up to len. Valid until the next merge_reader_next. */
struct merge_rec {
	const char *p;
	size_t len;
	uint64_t line;        /* physical line where it starts (1-based) */
	int eol;              /* its line ending: MERGE_EOL_* */
	size_t nf;            /* fields in the record */
	const uint32_t *off;  /* [min(nf, MERGE_MAX_FIELDS)] */
};
enum { MERGE_EOL_NONE, MERGE_EOL_LF, MERGE_EOL_CRLF, MERGE_EOL_CR };

struct merge_reader {
	merge_read_fn read;
	void *ctx;
	char *buf;
	size_t cap, max;      /* buffer size, and the most it may grow to */
	size_t pos, end;      /* unread bytes are buf[pos..end) */
	size_t chunk;         /* bytes asked of read() at a time, at most */
	bool eof, started;
	bool after_cr;        /* the last byte taken was a CR ending a line */
	uint64_t line;        /* physical line at pos */
	uint64_t taken;       /* bytes consumed (BOM and blank lines included) */
	uint64_t records;
	uint32_t off[MERGE_MAX_FIELDS];
	/* where a structural problem was found */
	uint64_t bad_line;
	size_t bad_field;
};

/* Readies r over read/ctx: chunk bytes per read (0: 1 MiB), records up to
 * max_record bytes (0: 8 MiB). HMX_ENOMEM. */
enum hmx_rc merge_reader_init(struct merge_reader *r, merge_read_fn read, void *ctx, size_t chunk,
	size_t max_record, struct hmx_err *err);
/* The next record into *rec: 1, 0 at the end, -1 on error: the read
 * function's error, or HMX_EINVAL with "line N: ..." for a stray quote, a
 * quoted field left open at the end, or a record over max_record bytes. */
int merge_reader_next(struct merge_reader *r, struct merge_rec *rec, struct hmx_err *err);
void merge_reader_free(struct merge_reader *r);

/* Field i of rec as read (quotes included): *p, *n. Empty when i is past
 * the record or past MERGE_MAX_FIELDS. */
void merge_rec_raw(const struct merge_rec *rec, size_t i, const char **p, size_t *n);
/* Field i's value: the raw field without its quotes and with "" read as
 * one quote (unescaped into tmp[0..tmpn) when needed; a longer value is
 * left escaped). Returns whether the field was quoted. */
bool merge_rec_value(const struct merge_rec *rec, size_t i, char *tmp, size_t tmpn, const char **p,
	size_t *n);

#endif
