/* core/hmiscsv.h — reading an HMIS CSV export: open a folder or a .zip
 * (read-only, guarded against path traversal, symlinks and zip bombs,
 * never extracted to disk), then stream each file record by record
 * through libcsv with bounded memory, mapping the header to the spec.
 *
 * Two layers:
 *   hcsv_reader  a push parser over bytes: feed it any chunks, it calls
 *                back with the header, each record (1-based physical line
 *                where it starts, fields as pointer + length) and the
 *                structural events the S checks need (bad UTF-8 per line,
 *                BOM, mixed line endings, bad quotes, header problems,
 *                field-count mismatches, size guards);
 *   hmiscsv      a package: its entries, and hmiscsv_read() that streams
 *                one entry into an hcsv_reader, enforcing the P09 limits
 *                on the bytes actually produced and reporting progress.
 *
 * Events carry only file names, line numbers, column names and counts —
 * never a value from the data. Neither layer prints; nothing is global,
 * so one package or reader per thread may run in parallel (a package is
 * not to be shared between threads: open the path once per thread). */
#ifndef HMX_CORE_HMISCSV_H
#define HMX_CORE_HMISCSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmx.h"
#include "spec.h"

/* Limits and buffer sizes. A zero member means its default. */
struct hmiscsv_limits {
	uint64_t max_total; /* P09: bytes all zip entries may expand to (20 GiB) */
	uint32_t max_ratio; /* P09: uncompressed : compressed bytes of one zip entry
	                     * (200), judged once the entry passed 1 MiB */
	size_t max_field;   /* bytes in one field (1 MiB): FIELD_TOO_LONG, file stops */
	size_t max_row;     /* bytes of one record's kept fields (8 MiB): ROW_TOO_LONG */
	size_t max_fields;  /* fields kept per record (4096): more are counted only */
	size_t read_size;   /* read buffer (1 MiB) */
};

/* Fills l with the defaults. */
void hmiscsv_limits_default(struct hmiscsv_limits *l);

enum hcsv_event_kind {
	/* package level: line 0, file NULL unless an entry is named */
	HCSV_EV_UNREADABLE,      /* P01: not a folder nor a readable zip */
	HCSV_EV_SUBFOLDER,       /* P02: name = the folder holding the files */
	HCSV_EV_REFUSED,         /* P08: name = entry path, count = enum hcsv_refuse */
	HCSV_EV_LIMIT,           /* P09: name = entry or NULL, count = bytes reached */
	/* file level */
	HCSV_EV_READ_ERROR,      /* entry unreadable past some point (corrupt, I/O) */
	HCSV_EV_EMPTY,           /* no record at all; count = bytes (0: a 0-byte file) */
	HCSV_EV_BOM,             /* S02, line 1; the BOM is not part of the header */
	HCSV_EV_MIXED_EOL,       /* S03 once: line whose ending differs from the first */
	HCSV_EV_BAD_UTF8,        /* S01 once per physical line, reported when the
	                          * line ends (after a record ending on it) */
	HCSV_EV_CONTROL_CHAR,    /* NUL or a C0 control other than TAB/CR/LF; as
	                          * BAD_UTF8 (after it for the same line) */
	HCSV_EV_BAD_QUOTE,       /* S04: stray or unescaped quote at line, column =
	                          * field position; the rest of the file is not read */
	HCSV_EV_UNTERMINATED,    /* S04: quoted field open at end of file; line where
	                          * it opened; its record is not delivered */
	HCSV_EV_COL_MISSING,     /* S05: column = spec index, name = spec name */
	HCSV_EV_COL_EXTRA,       /* S06: column = header position, name = header
	                          * text, or NULL unless it is a plain name
	                          * (letters, digits, _) and at least half of the
	                          * header maps to the spec (else the "header" may
	                          * be a data record: never show its values) */
	HCSV_EV_COL_CASE,        /* S07: column = header position, name = header
	                          * text (equal to a spec name but for case) */
	HCSV_EV_COL_DUP,         /* header name seen before (exact or ignoring case):
	                          * column = header position; that column is unmapped */
	HCSV_EV_COL_ORDER,       /* S08 once: mapped columns not in spec order */
	HCSV_EV_FIELD_COUNT,     /* S09: record at line has count fields, header not */
	HCSV_EV_TOO_MANY_FIELDS, /* guard: record has count > max_fields fields; the
	                          * first max_fields are delivered */
	HCSV_EV_FIELD_TOO_LONG,  /* guard: field starting at line, column = position,
	                          * longer than count = max_field; the file stops */
	HCSV_EV_ROW_TOO_LONG,    /* guard: record at line longer than count =
	                          * max_row; the file stops */
};

/* Why an entry was refused (HCSV_EV_REFUSED count). */
enum hcsv_refuse {
	HCSV_REFUSE_ABSOLUTE = 1, /* "/x", "\x" or "C:x" */
	HCSV_REFUSE_DOTDOT,       /* a ".." component */
	HCSV_REFUSE_SYMLINK,      /* symbolic link (zip unix mode or folder entry) */
	HCSV_REFUSE_SPECIAL,      /* folder entry that is not a regular file or folder */
};

struct hcsv_event {
	enum hcsv_event_kind kind;
	const char *file;  /* entry name ("Client.csv") or NULL for the package */
	uint64_t line;     /* 1-based physical line; 0 for package or file level */
	long column;       /* as documented per kind; -1 when none */
	const char *name;  /* printable ASCII copy, valid during the call; or NULL */
	uint64_t count;    /* as documented per kind; else 0 */
};

typedef void (*hcsv_event_fn)(void *ctx, const struct hcsv_event *ev);

/* Short stable name of an event kind ("bad-utf8"); static storage. */
const char *hcsv_event_name(enum hcsv_event_kind k);

/* One field: p[0..len). p[len] is always '\0', but p may hold NUL bytes:
 * trust len. Valid only during the callback that received it. */
struct hcsv_field {
	const char *p;
	size_t len;
};

/* The header record mapped to a spec file. Valid until the reader ends. */
struct hcsv_header {
	const struct spec_file *file;   /* NULL: read without a spec (raw) */
	uint64_t line;                  /* physical line of the header (1) */
	size_t ncols;                   /* header fields kept */
	size_t ntotal;                  /* header fields in the file */
	const struct hcsv_field *names; /* [ncols] names as read: data, when the
	                                 * file has no header row; never output */
	const int *col_of;              /* [ncols] spec column index or -1 */
	const int *pos_of;              /* [file->ncolumns] header position or -1;
	                                 * NULL in raw mode */
	bool in_order;                  /* mapped columns are in spec order */
};

/* One data record. */
struct hcsv_row {
	uint64_t line;                /* physical line where the record starts */
	uint64_t index;               /* 0-based data record number */
	size_t nfields;               /* fields in f (at most max_fields) */
	size_t ntotal;                /* fields in the record */
	const struct hcsv_field *f;   /* [nfields], by header position */
};

/* Field of spec column index col (spec_column.index) in r, NULL when the
 * header lacks that column or the record is too short for it. */
static inline const struct hcsv_field *hcsv_get(const struct hcsv_row *r,
	const struct hcsv_header *h, size_t col)
{
	int k;

	if (!h->pos_of || !h->file || col >= h->file->ncolumns)
		return NULL;
	k = h->pos_of[col];
	return k >= 0 && (size_t)k < r->nfields ? &r->f[k] : NULL;
}

/* spec_codes_pick for column c of row r, reading selector columns from r. */
const struct spec_codelist *hcsv_codes_pick(const struct hcsv_row *r,
	const struct hcsv_header *h, const struct spec_column *c);

/* Callbacks; any may be NULL. A nonzero return from on_header or on_row
 * stops the file (stats.cancelled). on_progress gets bytes done and total
 * of the entry being read; when NULL, hmiscsv_read reports the package's
 * bytes through hmx_progress(entry name, done, total) — a global hook, so
 * threads reading in parallel should pass their own on_progress. */
struct hcsv_handler {
	int (*on_header)(void *ctx, const struct hcsv_header *h);
	int (*on_row)(void *ctx, const struct hcsv_header *h, const struct hcsv_row *r);
	hcsv_event_fn on_event;
	void (*on_progress)(void *ctx, const char *file, uint64_t done, uint64_t total);
	void *ctx;
};

struct hcsv_stats {
	uint64_t bytes;          /* bytes taken (decompressed), BOM included: all,
	                          * or when halted up to the end of that line */
	uint64_t lines;          /* physical lines (a last unterminated one counts);
	                          * when halted, up to where reading stopped */
	uint64_t rows;           /* data records delivered to on_row */
	uint64_t eol_crlf;       /* line endings outside quoted fields, by kind */
	uint64_t eol_lf;
	uint64_t eol_cr;         /* lone CR (also ends a record, as in libcsv) */
	uint64_t bad_utf8_lines;
	bool bom;
	bool header;             /* a header record was read */
	bool halted;             /* a structural problem ended the file early */
	bool cancelled;          /* a callback asked to stop */
};

/* ---- hcsv_reader: the record reader over bytes ---- */

struct hcsv_reader;

/* New reader for one file called name (for events; copied), mapping the
 * header to sf (NULL: raw, no column events). lim may be NULL (defaults);
 * h is copied. *out is freed with hcsv_reader_free. HMX_ENOMEM. */
enum hmx_rc hcsv_reader_new(const struct spec_file *sf, const char *name,
	const struct hmiscsv_limits *lim, const struct hcsv_handler *h,
	struct hcsv_reader **out, struct hmx_err *err);
/* Feeds the next len bytes (any split gives the same callbacks in the same
 * order). Returns false once the reader takes no more input: after a stop
 * (structural, guard, callback, out of memory) it still scans the rest of
 * that physical line for its UTF-8 verdict, then refuses. */
bool hcsv_reader_feed(struct hcsv_reader *r, const void *data, size_t len);
/* Ends the input: delivers a last record without line ending, reports an
 * unterminated quote, an empty file; fills st (may be NULL). Returns
 * HMX_ENOMEM if memory ran out at any point, else HMX_OK. Call once. */
enum hmx_rc hcsv_reader_finish(struct hcsv_reader *r, struct hcsv_stats *st);
/* Frees *r (finished or not) and sets it to NULL; NULL is fine. */
void hcsv_reader_free(struct hcsv_reader **r);
/* Reads the whole file at path through a raw reader called name with the
 * handler h; *header (may be NULL) says whether a header line was seen.
 * HMX_ENOTFOUND / HMX_EIO (cannot open or read), HMX_ENOMEM. */
enum hmx_rc hcsv_read_file(const char *path, const char *name, const struct hcsv_handler *h,
			   bool *header, struct hmx_err *err);

/* ---- hmiscsv: an export package ---- */

struct hmiscsv;

struct hmiscsv_entry {
	const char *path;  /* inside the package as stored ("export/Client.csv") */
	const char *name;  /* last component ("Client.csv") */
	uint64_t size;     /* declared uncompressed size (zip) or file size */
	uint64_t csize;    /* compressed size (zip) or file size */
	bool in_base;      /* directly in the package's base folder */
	bool duplicate;    /* an earlier in-base entry has this name (any case) */
};

/* Opens the export at path: a folder (its files, or the files of one
 * sub-folder) or a zip archive. Entries with an absolute path, a ".."
 * component, symlinks and (folders) special files are refused: one P08
 * event each, never listed, never read. Directory entries are skipped.
 * The base folder is the one holding Export.csv (any case), else the top,
 * else the one sub-folder everything sits in; a base other than the top
 * gives one P02 event. Declared sizes over the limits give a P09 event and
 * HMX_ESTATE. Unreadable input gives a P01 event and HMX_ENOTFOUND (no
 * such path), HMX_EINVAL (not a folder nor a zip: truncated, garbage) or
 * HMX_EIO (folder not readable). on_event (may be NULL) gets the package
 * events, here and from hmiscsv_read (P09); file events go to the handler
 * given to hmiscsv_read. *out is closed with hmiscsv_close. */
enum hmx_rc hmiscsv_open(const char *path, const struct hmiscsv_limits *lim,
	hcsv_event_fn on_event, void *ctx, struct hmiscsv **out, struct hmx_err *err);
/* Closes *pkg and sets it to NULL; NULL or *pkg == NULL is fine. */
void hmiscsv_close(struct hmiscsv **pkg);
/* Whether the package is a zip archive (else a folder). */
bool hmiscsv_is_zip(const struct hmiscsv *pkg);
/* Base folder inside the package: "" or "export/" (with the slash). */
const char *hmiscsv_base(const struct hmiscsv *pkg);
/* Listed entries: folders sorted by path, zips in archive order; the i-th
 * is NULL past the end. Entries live as long as the package. */
size_t hmiscsv_count(const struct hmiscsv *pkg);
const struct hmiscsv_entry *hmiscsv_entry(const struct hmiscsv *pkg, size_t i);
/* First in-base entry named name, ignoring case; NULL when none. */
const struct hmiscsv_entry *hmiscsv_find(const struct hmiscsv *pkg, const char *name);
/* Sum of the declared sizes of all entries. */
uint64_t hmiscsv_total(const struct hmiscsv *pkg);

/* Streams entry e (from this package) through a reader mapped to sf (NULL:
 * raw) into h; st (may be NULL) gets the reader's stats. Structural
 * problems are events, not errors: HMX_OK. HMX_ESTATE when a P09 limit
 * stops it (event emitted; later reads of this package refuse too),
 * HMX_EIO when the entry cannot be read to the end (READ_ERROR event),
 * HMX_ENOMEM. Memory stays within read_size + max_field + max_row + small
 * change, whatever the file size. */
enum hmx_rc hmiscsv_read(struct hmiscsv *pkg, const struct hmiscsv_entry *e,
	const struct spec_file *sf, const struct hcsv_handler *h, struct hcsv_stats *st,
	struct hmx_err *err);

/* ---- raw bytes of an entry (for copying records byte for byte) ---- */

struct hmiscsv_stream;

/* Opens entry e (from this package) for reading its bytes as stored
 * (decompressed from a zip), under the same P09 guards as hmiscsv_read: a
 * limit reached emits the event, fails that read with HMX_ESTATE and makes
 * later reads and streams of the package refuse. No progress is reported.
 * Several streams of one package may be open at once (same thread).
 * HMX_EINVAL (entry not of this package), HMX_ESTATE, HMX_EIO, HMX_ENOMEM.
 * *out is closed with hmiscsv_stream_close. */
enum hmx_rc hmiscsv_stream_open(struct hmiscsv *pkg, const struct hmiscsv_entry *e,
	struct hmiscsv_stream **out, struct hmx_err *err);
/* Reads up to n bytes into buf: the count, 0 at the end, -1 on error (err:
 * HMX_EIO unreadable, HMX_ESTATE a size limit reached). */
long long hmiscsv_stream_read(struct hmiscsv_stream *s, void *buf, size_t n,
	struct hmx_err *err);
/* Closes *s and sets it to NULL; NULL or *s == NULL is fine. */
void hmiscsv_stream_close(struct hmiscsv_stream **s);

/* Copies into buf (size n, NUL-terminated, truncated) the value of column
 * `column` (header name, any case) in the first data record of e, e.g.
 * CSVVersion of Export.csv. Stops reading after that record. HMX_ENOTFOUND
 * when the file has no such column or no data record; other codes as
 * hmiscsv_read. Events of that partial read are dropped. */
enum hmx_rc hmiscsv_peek(struct hmiscsv *pkg, const struct hmiscsv_entry *e,
	const char *column, char *buf, size_t n, struct hmx_err *err);

#endif
