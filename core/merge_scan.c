/* core/merge_scan.c — the merge module's record scanner, ID tables and
 * hash (see merge_int.h).
 *
 * The scanner works on a buffer holding the current record whole: it looks
 * for the record's end from its first byte, noting where each field starts;
 * when the buffer ends first it moves the partial record to the front,
 * grows the buffer if the record fills it (up to max), reads more and
 * scans the record again. Plain bytes are skipped by table lookups, so a
 * pass costs little more than reading the bytes. */
#include "merge_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- hash ---- */

static inline uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t mix(uint64_t k)
{
	k *= 0x87c37b91114253d5ull;
	k = rotl(k, 31);
	return k * 0x4cf5ad432745937full;
}

uint64_t merge_hash(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ ((uint64_t)n * 0x9E3779B97F4A7C15ull), t = 0;

	while (n >= 8) {
		uint64_t k;
		memcpy(&k, p, 8);
		h ^= mix(k);
		h = rotl(h, 27) * 5 + 0x52dce729;
		p += 8;
		n -= 8;
	}
	for (size_t i = 0; i < n; i++)
		t |= (uint64_t)p[i] << (8 * i);
	h ^= mix(t);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/* ---- ID table ---- */

/* Zeroed memory for a table; a large one on huge pages where the system
 * offers them (a lookup in a table of tens of MiB otherwise costs a TLB
 * miss as well as a cache miss). Free with free(). */
static void *table_alloc(size_t n, size_t size)
{
	size_t bytes = n * size, huge = (size_t)2 << 20;
	void *p;

	if (size && bytes / size != n)
		return NULL;
	if (bytes < 2 * huge)
		return calloc(n, size);
	bytes = (bytes + huge - 1) / huge * huge;
	if (posix_memalign(&p, huge, bytes) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
	memset(p, 0, bytes);
	return p;
}

static bool ids_key_eq(const struct merge_ids *t, const struct merge_id_ent *e, const char *p,
	size_t n)
{
	const unsigned char *a = t->arena + e->off;
	size_t len = (size_t)a[0] | (size_t)a[1] << 8;

	return len == n && memcmp(a + 2, p, n) == 0;
}

static bool ids_rehash(struct merge_ids *t, size_t nslots)
{
	uint32_t *s = table_alloc(nslots, sizeof *s);

	if (!s)
		return false;
	for (size_t i = 0; i < t->n; i++) {
		size_t k = t->ents[i].hash & (nslots - 1);
		while (s[k])
			k = (k + 1) & (nslots - 1);
		s[k] = (uint32_t)i + 1;
	}
	free(t->slots);
	t->slots = s;
	t->mask = nslots - 1;
	return true;
}

/* p[0..n) as a plain decimal number, when it is one. */
static bool as_num(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 19 || (p[0] == '0' && n > 1))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(unsigned char)p[i] - '0';
		if (d > 9)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static inline size_t num_slot(uint64_t k1, size_t mask)
{
	return (size_t)((k1 * 0x9E3779B97F4A7C15ull) >> 20) & mask;
}

static bool nums_grow(struct merge_ids *t)
{
	size_t n = t->nums ? 2 * (t->nmask + 1) : 64;
	struct merge_num *s = table_alloc(n, sizeof *s);

	if (!s)
		return false;
	for (size_t i = 0; t->nums && i <= t->nmask; i++) {
		size_t k;
		if (!t->nums[i].k1)
			continue;
		for (k = num_slot(t->nums[i].k1, n - 1); s[k].k1; k = (k + 1) & (n - 1))
			;
		s[k] = t->nums[i];
	}
	free(t->nums);
	t->nums = s;
	t->nmask = n - 1;
	return true;
}

static struct merge_num *nums_find(const struct merge_ids *t, uint64_t k1)
{
	if (!t->nums)
		return NULL;
	for (size_t k = num_slot(k1, t->nmask); t->nums[k].k1; k = (k + 1) & t->nmask)
		if (t->nums[k].k1 == k1)
			return &t->nums[k];
	return NULL;
}

static int nums_put(struct merge_ids *t, uint64_t k1, uint32_t val, uint32_t *old)
{
	struct merge_num *e = nums_find(t, k1);
	size_t k;

	if (e) {
		if (old)
			*old = e->val;
		return 1;
	}
	if ((!t->nums || 2 * (t->nn + 1) > t->nmask + 1) && !nums_grow(t))
		return -1;
	for (k = num_slot(k1, t->nmask); t->nums[k].k1; k = (k + 1) & t->nmask)
		;
	t->nums[k].k1 = k1;
	t->nums[k].val = val;
	t->nn++;
	return 0;
}

int merge_ids_put(struct merge_ids *t, const char *p, size_t n, uint32_t val, uint32_t *old)
{
	uint32_t h;
	uint64_t num;
	size_t k;

	if (as_num(p, n, &num))
		return nums_put(t, num + 1, val, old);
	if (n > 0xFFFF || t->n >= 0x7FFFFFFF)
		return -1;
	if (!t->slots && !ids_rehash(t, 64))
		return -1;
	h = (uint32_t)merge_hash(p, n, 0x51);
	for (k = h & t->mask; t->slots[k]; k = (k + 1) & t->mask) {
		struct merge_id_ent *e = &t->ents[t->slots[k] - 1];
		if (e->hash == h && ids_key_eq(t, e, p, n)) {
			if (old)
				*old = e->val;
			return 1;
		}
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct merge_id_ent *ne = realloc(t->ents, cap * sizeof *ne);
		if (!ne)
			return -1;
		t->ents = ne;
		t->cap = cap;
	}
	if (t->alen + n + 2 > t->acap) {
		size_t cap = t->acap ? 2 * t->acap : 1024;
		unsigned char *na;
		while (cap < t->alen + n + 2)
			cap *= 2;
		if (cap > 0xFFFFFFFFu)
			return -1;
		if (!(na = realloc(t->arena, cap)))
			return -1;
		t->arena = na;
		t->acap = cap;
	}
	t->ents[t->n].off = (uint32_t)t->alen;
	t->ents[t->n].hash = h;
	t->ents[t->n].val = val;
	t->arena[t->alen] = (unsigned char)(n & 0xFF);
	t->arena[t->alen + 1] = (unsigned char)(n >> 8);
	if (n)
		memcpy(t->arena + t->alen + 2, p, n);
	t->alen += n + 2;
	t->slots[k] = (uint32_t)++t->n;
	/* at most half full: probes stay short */
	if (2 * t->n > t->mask + 1 && !ids_rehash(t, 2 * (t->mask + 1))) {
		/* still consistent (the table just stays fuller); report it */
		return -1;
	}
	return 0;
}

static struct merge_id_ent *ids_find(const struct merge_ids *t, const char *p, size_t n)
{
	uint32_t h;

	if (!t->slots)
		return NULL;
	h = (uint32_t)merge_hash(p, n, 0x51);
	for (size_t k = h & t->mask; t->slots[k]; k = (k + 1) & t->mask) {
		struct merge_id_ent *e = &t->ents[t->slots[k] - 1];
		if (e->hash == h && ids_key_eq(t, e, p, n))
			return e;
	}
	return NULL;
}

bool merge_ids_get(const struct merge_ids *t, const char *p, size_t n, uint32_t *val)
{
	struct merge_id_ent *e;
	uint64_t num;

	if (as_num(p, n, &num)) {
		struct merge_num *ne = nums_find(t, num + 1);
		if (ne && val)
			*val = ne->val;
		return ne != NULL;
	}
	e = ids_find(t, p, n);

	if (e && val)
		*val = e->val;
	return e != NULL;
}

bool merge_ids_set(struct merge_ids *t, const char *p, size_t n, uint32_t val)
{
	struct merge_id_ent *e;
	uint64_t num;

	if (as_num(p, n, &num)) {
		struct merge_num *ne = nums_find(t, num + 1);
		if (ne)
			ne->val = val;
		return ne != NULL;
	}
	e = ids_find(t, p, n);

	if (e)
		e->val = val;
	return e != NULL;
}

void merge_ids_free(struct merge_ids *t)
{
	free(t->nums);
	free(t->slots);
	free(t->ents);
	free(t->arena);
	memset(t, 0, sizeof *t);
}

size_t merge_ids_bytes(const struct merge_ids *t)
{
	return (t->nums ? (t->nmask + 1) * sizeof *t->nums : 0) +
		(t->slots ? (t->mask + 1) * sizeof *t->slots : 0) + t->cap * sizeof *t->ents + t->acap;
}

/* ---- key table ---- */

struct merge_key *merge_keys_get(const struct merge_keys *t, uint64_t key)
{
	if (!t->slots)
		return NULL;
	for (size_t k = key & t->mask; t->slots[k].key; k = (k + 1) & t->mask)
		if (t->slots[k].key == key)
			return &t->slots[k];
	return NULL;
}

static bool keys_grow(struct merge_keys *t)
{
	size_t n = t->slots ? 2 * (t->mask + 1) : 1024;
	struct merge_key *s = table_alloc(n, sizeof *s);

	if (!s)
		return false;
	for (size_t i = 0; t->slots && i <= t->mask; i++) {
		size_t k;
		if (!t->slots[i].key)
			continue;
		for (k = t->slots[i].key & (n - 1); s[k].key; k = (k + 1) & (n - 1))
			;
		s[k] = t->slots[i];
	}
	free(t->slots);
	t->slots = s;
	t->mask = n - 1;
	return true;
}

struct merge_key *merge_keys_add(struct merge_keys *t, uint64_t key, uint64_t rec, uint16_t owner)
{
	size_t k;

	if ((!t->slots || 2 * (t->n + 1) > t->mask + 1) && !keys_grow(t))
		return NULL;
	for (k = key & t->mask; t->slots[k].key; k = (k + 1) & t->mask)
		;
	t->slots[k].key = key;
	t->slots[k].rec = rec;
	t->slots[k].owner = owner;
	t->slots[k].flags = 0;
	t->n++;
	return &t->slots[k];
}

void merge_keys_free(struct merge_keys *t)
{
	free(t->slots);
	memset(t, 0, sizeof *t);
}

/* ---- the record reader ---- */

#define DEF_CHUNK ((size_t)1 << 20)
#define DEF_MAX ((size_t)8 << 20)

/* bytes that end a run of plain bytes outside and inside quotes */
static const unsigned char stop_plain[256] = { [','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1 };
static const unsigned char stop_quoted[256] = { ['"'] = 1, ['\r'] = 1, ['\n'] = 1 };

enum { SC_OK, SC_MORE, SC_BAD, SC_OPEN };

enum hmx_rc merge_reader_init(struct merge_reader *r, merge_read_fn read, void *ctx, size_t chunk,
	size_t max_record, struct hmx_err *err)
{
	memset(r, 0, sizeof *r);
	r->read = read;
	r->ctx = ctx;
	r->chunk = chunk ? chunk : DEF_CHUNK;
	r->max = (max_record ? max_record : DEF_MAX) + 2;
	r->cap = r->chunk < 64 ? 64 : r->chunk;
	if (r->cap > r->max)
		r->cap = r->max;
	r->line = 1;
	if (!(r->buf = malloc(r->cap)))
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	return HMX_OK;
}

void merge_reader_free(struct merge_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* Scans the record at p (not a line ending) in [p, end). SC_OK: *len
 * bytes, *tlen bytes of line ending, *nf fields, *nl line breaks inside
 * quoted fields. */
static int scan(struct merge_reader *r, const char *p, const char *end, size_t *len, size_t *tlen,
	size_t *nf, uint64_t *nl)
{
	const char *q = p;
	size_t n = 0;
	uint64_t lines = 0;
	bool eof = r->eof;

	for (;;) {
		if (n < MERGE_MAX_FIELDS)
			r->off[n] = (uint32_t)(q - p);
		n++;
		if (q < end && *q == '"') {
			q++;
			for (;;) {
				while (q < end && !stop_quoted[(unsigned char)*q])
					q++;
				if (q == end)
					return eof ? SC_OPEN : SC_MORE;
				if (*q == '"') {
					if (q + 1 == end) {
						if (!eof)
							return SC_MORE;
						q++;
						break;
					}
					if (q[1] == '"') {
						q += 2;
						continue;
					}
					q++;
					break;
				}
				/* a line break inside the quotes: CRLF counts once */
				if (*q == '\r' && q + 1 == end && !eof)
					return SC_MORE;
				if (*q == '\n' || q + 1 == end || q[1] != '\n')
					lines++;
				q++;
			}
			if (q == end) {
				if (!eof)
					return SC_MORE;
				break;
			}
			if (*q == ',') {
				q++;
				continue;
			}
			if (*q == '\r' || *q == '\n')
				break;
			r->bad_line = r->line + lines;
			r->bad_field = n - 1;
			return SC_BAD;
		}
		while (q < end && !stop_plain[(unsigned char)*q])
			q++;
		if (q == end) {
			if (!eof)
				return SC_MORE;
			break;
		}
		if (*q == ',') {
			q++;
			continue;
		}
		if (*q == '"') {
			r->bad_line = r->line + lines;
			r->bad_field = n - 1;
			return SC_BAD;
		}
		break;
	}
	*len = (size_t)(q - p);
	*nf = n;
	*nl = lines;
	if (q == end) {
		*tlen = 0;
	} else if (*q == '\n') {
		*tlen = 1;
	} else if (q + 1 == end) {
		if (!eof)
			return SC_MORE; /* a CR: is an LF next? */
		*tlen = 1;
	} else {
		*tlen = q[1] == '\n' ? 2 : 1;
	}
	return SC_OK;
}

/* Moves the unread bytes to the front and reads more: 1 got some, 0 at
 * the end, -1 error. need_room: the buffer is full of one record. */
static int refill(struct merge_reader *r, struct hmx_err *err)
{
	long long k;
	size_t room;

	if (r->pos > 0) {
		if (r->end > r->pos)
			memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->end -= r->pos;
		r->pos = 0;
	}
	if (r->end == r->cap) {
		size_t cap = 2 * r->cap;
		char *nb;

		if (r->cap >= r->max) {
			hmx_err_set(err, HMX_EINVAL, "line %llu: a record longer than %zu bytes",
				(unsigned long long)r->line, r->max - 2);
			return -1;
		}
		if (cap > r->max)
			cap = r->max;
		if (!(nb = realloc(r->buf, cap))) {
			hmx_err_set(err, HMX_ENOMEM, "out of memory");
			return -1;
		}
		r->buf = nb;
		r->cap = cap;
	}
	room = r->cap - r->end;
	if (room > r->chunk)
		room = r->chunk;
	k = r->read(r->ctx, r->buf + r->end, room, err);
	if (k < 0)
		return -1;
	if (k == 0) {
		r->eof = true;
		return 0;
	}
	r->end += (size_t)k;
	return 1;
}

int merge_reader_next(struct merge_reader *r, struct merge_rec *rec, struct hmx_err *err)
{
	for (;;) {
		size_t len, tlen, nf;
		uint64_t nl;
		int sc;

		if (!r->started) {
			/* the first bytes decide about a BOM */
			while (!r->eof && r->end - r->pos < 3)
				if (refill(r, err) < 0)
					return -1;
			r->started = true;
			if (r->end - r->pos >= 3 && memcmp(r->buf + r->pos, "\xEF\xBB\xBF", 3) == 0) {
				r->pos += 3;
				r->taken += 3;
			}
		}
		/* blank lines */
		while (r->pos < r->end && (r->buf[r->pos] == '\r' || r->buf[r->pos] == '\n')) {
			if (r->buf[r->pos] == '\n') {
				if (!r->after_cr)
					r->line++;
				r->after_cr = false;
			} else {
				r->line++;
				r->after_cr = true;
			}
			r->pos++;
			r->taken++;
		}
		if (r->pos == r->end) {
			if (r->eof)
				return 0;
			if (refill(r, err) < 0)
				return -1;
			continue;
		}
		r->after_cr = false;
		sc = scan(r, r->buf + r->pos, r->buf + r->end, &len, &tlen, &nf, &nl);
		if (sc == SC_MORE) {
			if (refill(r, err) < 0)
				return -1;
			continue;
		}
		if (sc == SC_BAD) {
			hmx_err_set(err, HMX_EINVAL, "line %llu: a stray quote in field %zu (S04)",
				(unsigned long long)r->bad_line, r->bad_field + 1);
			return -1;
		}
		if (sc == SC_OPEN) {
			hmx_err_set(err, HMX_EINVAL, "line %llu: a quoted field is never closed (S04)",
				(unsigned long long)r->line);
			return -1;
		}
		rec->p = r->buf + r->pos;
		rec->len = len;
		rec->line = r->line;
		rec->nf = nf;
		rec->off = r->off;
		rec->eol = tlen == 0 ? MERGE_EOL_NONE :
			tlen == 2 ? MERGE_EOL_CRLF :
			r->buf[r->pos + len] == '\n' ? MERGE_EOL_LF : MERGE_EOL_CR;
		r->pos += len + tlen;
		r->taken += len + tlen;
		r->line += nl + (tlen ? 1 : 0);
		r->after_cr = rec->eol == MERGE_EOL_CR;
		r->records++;
		return 1;
	}
}

void merge_rec_raw(const struct merge_rec *rec, size_t i, const char **p, size_t *n)
{
	size_t a, b;

	if (i >= rec->nf || i >= MERGE_MAX_FIELDS) {
		*p = rec->p + rec->len;
		*n = 0;
		return;
	}
	a = rec->off[i];
	b = i + 1 < rec->nf && i + 1 < MERGE_MAX_FIELDS ? rec->off[i + 1] - 1 : rec->len;
	if (i + 1 < rec->nf && i + 1 >= MERGE_MAX_FIELDS) {
		/* the last field kept of a record with more: up to its comma */
		const char *c = rec->p + a, *e = rec->p + rec->len;

		if (c < e && *c == '"') {
			for (c++; c < e; c++) {
				if (*c != '"')
					continue;
				if (c + 1 < e && c[1] == '"') {
					c++;
					continue;
				}
				c++;
				break;
			}
		} else {
			while (c < e && *c != ',')
				c++;
		}
		b = (size_t)(c - rec->p);
	}
	*p = rec->p + a;
	*n = b - a;
}

bool merge_rec_value(const struct merge_rec *rec, size_t i, char *tmp, size_t tmpn, const char **p,
	size_t *n)
{
	const char *s, *q;
	size_t len, k = 0;

	merge_rec_raw(rec, i, &s, &len);
	if (len < 2 || s[0] != '"') {
		*p = s;
		*n = len;
		return false;
	}
	s++;
	len -= 2;
	q = memchr(s, '"', len);
	if (!q || len > tmpn) {
		*p = s;
		*n = len;
		return true;
	}
	for (size_t j = 0; j < len; j++) {
		tmp[k++] = s[j];
		if (s[j] == '"')
			j++;
	}
	*p = tmp;
	*n = k;
	return true;
}
