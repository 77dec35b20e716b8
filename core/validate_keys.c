/* core/validate_keys.c — the validator's compact key tables (ktab: ID to
 * dense index plus payload; kset: set of IDs or small numbers) and the
 * strict value syntax of checks.md (integers, dates, datetimes, money,
 * day numbers). See validate_int.h.
 *
 * Both tables use open addressing with linear probing over a slot array
 * of any size (the slot is picked by multiplying the hash by the size, so
 * a table sized from a row estimate is not rounded up to a power of two),
 * at most 4/5 full. Every ID becomes one 64-bit key word, exactly:
 *   - 1 to 18 digits without a leading zero: the number + 1 (below 2^60);
 *   - 1 to 10 characters of [0-9A-Za-z_-] ("278060_1_a", "ID-0042"): the
 *     characters as a base-65 number, with bit 61 set;
 *   - anything else: bit 63 set and the offset of a varint length and the
 *     bytes in an arena.
 * So the IDs HMIS exports use cost 8 bytes and a hash of one word; others
 * compare byte for byte once hash bits agree. 0 is "empty". Slot positions
 * never leak into results: indexes are insertion order. */
#include "validate_int.h"

#include <stdlib.h>
#include <string.h>

#define STR_BIT ((uint64_t)1 << 63)
#define PACK_BIT ((uint64_t)1 << 61)
#define KSET_OFF_BITS 40
#define KSET_OFF_MASK (((uint64_t)1 << KSET_OFF_BITS) - 1)
#define KSET_TAG_MASK ((((uint64_t)1 << 23) - 1) << KSET_OFF_BITS)
#define MAX_LOAD_NUM 4 /* at most 4/5 full */
#define MAX_LOAD_DEN 5

__extension__ typedef unsigned __int128 u128;

/* Slot of hash h in a table of cap slots: the high half of h * cap. */
static inline size_t slot_of(uint64_t h, size_t cap)
{
	return (size_t)(((u128)h * cap) >> 64);
}

static inline bool too_full(size_t n, size_t cap)
{
	return (u128)n * MAX_LOAD_DEN > (u128)cap * MAX_LOAD_NUM;
}

/* Slots for n keys within the load limit (and a little room). */
static size_t slots_for(size_t n)
{
	size_t cap = n + n / 4 + 64;

	while (too_full(n, cap))
		cap += cap / 8 + 1;
	return cap;
}

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
	uint64_t w;

	while (n >= 8) {
		memcpy(&w, p, 8);
		h = mix64(h ^ w) + 0x632be59bd9b4e019ull;
		p += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, p, n);
	return mix64(h ^ w ^ 0xa0761d6478bd642full);
}

/* 0..63 for [0-9A-Za-z_-], else -1. */
static const signed char pack_sym[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16, ['G'] = 17,
	['H'] = 18, ['I'] = 19, ['J'] = 20, ['K'] = 21, ['L'] = 22, ['M'] = 23, ['N'] = 24,
	['O'] = 25, ['P'] = 26, ['Q'] = 27, ['R'] = 28, ['S'] = 29, ['T'] = 30, ['U'] = 31,
	['V'] = 32, ['W'] = 33, ['X'] = 34, ['Y'] = 35, ['Z'] = 36,
	['a'] = 37, ['b'] = 38, ['c'] = 39, ['d'] = 40, ['e'] = 41, ['f'] = 42, ['g'] = 43,
	['h'] = 44, ['i'] = 45, ['j'] = 46, ['k'] = 47, ['l'] = 48, ['m'] = 49, ['n'] = 50,
	['o'] = 51, ['p'] = 52, ['q'] = 53, ['r'] = 54, ['s'] = 55, ['t'] = 56, ['u'] = 57,
	['v'] = 58, ['w'] = 59, ['x'] = 60, ['y'] = 61, ['z'] = 62, ['_'] = 63, ['-'] = 64,
};
static const char pack_chr[65] =
	"?0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-";

/* The number an ID stands for, when it is 1-18 digits without a leading
 * zero ("0" itself included). */
static inline bool id_num(const char *p, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 18 || (p[0] == '0' && n > 1))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)p[i] - '0';
		if (d > 9)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

/* The key word of a short ID (see the top), or 0 when it has none. */
static inline uint64_t id_word(const char *p, size_t n)
{
	uint64_t v = 0;

	if (id_num(p, n, &v))
		return v + 1;
	if (n == 0 || n > 10)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = pack_sym[(unsigned char)p[i]];
		if (c <= 0)
			return 0;
		v = v * 65 + (uint64_t)c;
	}
	return PACK_BIT | v;
}

/* Writes the ID of a number or packed word into buf (at least 24 bytes). */
static size_t word_text(uint64_t w, char *buf)
{
	char t[12];
	size_t k = 0;

	if (!(w & PACK_BIT))
		return (size_t)snprintf(buf, 24, "%llu", (unsigned long long)(w - 1));
	w &= ~PACK_BIT;
	while (w && k < sizeof t) {
		t[k++] = pack_chr[w % 65];
		w /= 65;
	}
	for (size_t i = 0; i < k; i++)
		buf[i] = t[k - 1 - i];
	buf[k] = '\0';
	return k;
}

/* ---- arena: varint length + bytes ---- */

static bool arena_add(char **arena, size_t *alen, size_t *acap, const char *p, size_t n,
	uint64_t *off)
{
	size_t need = *alen + n + 10;

	if (need > *acap) {
		size_t cap = *acap ? *acap : 4096;
		char *na;
		while (cap < need)
			cap += cap / 2 + 4096;
		na = realloc(*arena, cap);
		if (!na)
			return false;
		*arena = na;
		*acap = cap;
	}
	*off = *alen;
	{
		size_t k = n;
		unsigned char *d = (unsigned char *)*arena + *alen;
		while (k >= 0x80) {
			*d++ = (unsigned char)(k | 0x80);
			k >>= 7;
		}
		*d++ = (unsigned char)k;
		memcpy(d, p, n);
		*alen = (size_t)((char *)d - *arena) + n;
	}
	return true;
}

static inline const char *arena_get(const char *arena, uint64_t off, size_t *n)
{
	const unsigned char *s = (const unsigned char *)arena + off;
	size_t k = 0;
	unsigned shift = 0;

	while (*s & 0x80) {
		k |= (size_t)(*s++ & 0x7f) << shift;
		shift += 7;
	}
	k |= (size_t)*s++ << shift;
	*n = k;
	return (const char *)s;
}

static inline bool arena_eq(const char *arena, uint64_t off, const char *p, size_t n)
{
	size_t k;
	const char *s = arena_get(arena, off, &k);
	return k == n && memcmp(s, p, n) == 0;
}

/* ---- ktab ---- */

void ktab_init(struct ktab *t, size_t esize)
{
	memset(t, 0, sizeof *t);
	t->esize = esize;
}

void ktab_free(struct ktab *t)
{
	free(t->slots);
	free(t->kw);
	free(t->pay);
	free(t->arena);
	ktab_init(t, t->esize);
}

static uint64_t kw_hash(const char *arena, uint64_t w)
{
	size_t n;
	const char *s;

	if (!(w & STR_BIT))
		return mix64(w); /* numbers and packed IDs */
	s = arena_get(arena, w & ~STR_BIT, &n);
	return hash_bytes(s, n);
}

static bool ktab_rehash_to(struct ktab *t, size_t cap)
{
	uint64_t *ns = calloc(cap, sizeof *ns);

	if (!ns)
		return false;
	for (size_t i = 0; i < t->n; i++) {
		uint64_t h = kw_hash(t->arena, t->kw[i]);
		size_t pos = slot_of(h, cap);
		while (ns[pos])
			pos = pos + 1 == cap ? 0 : pos + 1;
		ns[pos] = h << 32 | (uint64_t)(i + 1);
	}
	free(t->slots);
	t->slots = ns;
	t->nslots = cap;
	return true;
}

static bool ktab_rehash(struct ktab *t)
{
	return ktab_rehash_to(t, t->nslots ? t->nslots + t->nslots / 2 : 64);
}

static bool ktab_room(struct ktab *t, size_t cap)
{
	uint64_t *nk;

	if (cap <= t->cap)
		return true;
	nk = realloc(t->kw, cap * sizeof *nk);
	if (!nk)
		return false;
	t->kw = nk;
	if (t->esize) {
		unsigned char *np = realloc(t->pay, cap * t->esize);
		if (!np)
			return false;
		t->pay = np;
	}
	t->cap = cap;
	return true;
}

bool ktab_reserve(struct ktab *t, size_t n)
{
	size_t cap = slots_for(n);

	if (n > 0x7ffffffe)
		return false;
	if (!ktab_room(t, n))
		return false;
	if (!t->slots || cap > t->nslots)
		return ktab_rehash_to(t, cap);
	return true;
}

void ktab_prefetch(const struct ktab *t, const char *id, size_t len)
{
	uint64_t w, h;

	if (!t->slots)
		return;
	w = id_word(id, len);
	h = w ? mix64(w) : hash_bytes(id, len);
	__builtin_prefetch(&t->slots[slot_of(h, t->nslots)], 0);
}

/* Finds id; *pos gets the slot where it is or would go. */
static uint32_t ktab_find(const struct ktab *t, const char *id, size_t len, uint64_t *word,
	uint64_t *hash, size_t *pos)
{
	uint64_t w = id_word(id, len), h, lo;
	size_t p;

	*word = w;
	h = w ? mix64(w) : hash_bytes(id, len);
	*hash = h;
	if (!t->slots) {
		*pos = 0;
		return VT_NONE;
	}
	lo = h & 0xffffffffu;
	for (p = slot_of(h, t->nslots); t->slots[p]; p = p + 1 == t->nslots ? 0 : p + 1) {
		uint64_t s = t->slots[p];
		uint32_t i;
		uint64_t kw;
		if (s >> 32 != lo)
			continue;
		i = (uint32_t)(s & 0xffffffffu) - 1;
		kw = t->kw[i];
		if (w ? kw == w : (kw & STR_BIT) && arena_eq(t->arena, kw & ~STR_BIT, id, len)) {
			*pos = p;
			return i;
		}
	}
	*pos = p;
	return VT_NONE;
}

uint32_t ktab_get(const struct ktab *t, const char *id, size_t len)
{
	uint64_t w, h;
	size_t p;

	return ktab_find(t, id, len, &w, &h, &p);
}

uint32_t ktab_put(struct ktab *t, const char *id, size_t len, bool *added)
{
	uint64_t w, h;
	size_t p;
	uint32_t i = ktab_find(t, id, len, &w, &h, &p);

	*added = false;
	if (i != VT_NONE)
		return i;
	if (t->n >= 0x7ffffffe)
		return VT_NONE;
	if (t->n == t->cap && !ktab_room(t, t->cap ? t->cap + t->cap / 2 : 64))
		return VT_NONE;
	if (!w) {
		uint64_t off;
		if (!arena_add(&t->arena, &t->alen, &t->acap, id, len, &off))
			return VT_NONE;
		w = STR_BIT | off;
	}
	if (!t->slots || too_full(t->n + 1, t->nslots)) {
		if (!ktab_rehash(t))
			return VT_NONE;
		p = slot_of(h, t->nslots);
		while (t->slots[p])
			p = p + 1 == t->nslots ? 0 : p + 1;
	}
	i = (uint32_t)t->n++;
	t->kw[i] = w;
	if (t->esize)
		memset(t->pay + (size_t)i * t->esize, 0, t->esize);
	t->slots[p] = h << 32 | (uint64_t)(i + 1);
	*added = true;
	return i;
}

size_t ktab_id(const struct ktab *t, uint32_t i, char *buf, size_t n)
{
	uint64_t w;
	size_t len;
	const char *s;
	char num[24];

	if (i >= t->n) {
		if (n)
			buf[0] = '\0';
		return 0;
	}
	w = t->kw[i];
	if (w & STR_BIT) {
		s = arena_get(t->arena, w & ~STR_BIT, &len);
	} else {
		len = word_text(w, num);
		s = num;
	}
	if (n) {
		size_t k = len < n - 1 ? len : n - 1;
		memcpy(buf, s, k);
		buf[k] = '\0';
	}
	return len;
}

size_t ktab_bytes(const struct ktab *t)
{
	return t->nslots * sizeof *t->slots + t->cap * sizeof *t->kw + t->cap * t->esize + t->acap;
}

/* ---- kset ---- */

void kset_init(struct kset *s)
{
	memset(s, 0, sizeof *s);
}

void kset_free(struct kset *s)
{
	free(s->slots);
	free(s->arena);
	kset_init(s);
}

static uint64_t ks_hash(const struct kset *s, uint64_t w)
{
	size_t n;
	const char *p;

	if (!(w & STR_BIT))
		return mix64(w);
	p = arena_get(s->arena, w & KSET_OFF_MASK, &n);
	return hash_bytes(p, n);
}

static bool kset_rehash_to(struct kset *s, size_t cap)
{
	uint64_t *ns = calloc(cap, sizeof *ns);

	if (!ns)
		return false;
	for (size_t i = 0; s->slots && i < s->nslots; i++) {
		uint64_t w = s->slots[i];
		size_t pos;
		if (!w)
			continue;
		pos = slot_of(ks_hash(s, w), cap);
		while (ns[pos])
			pos = pos + 1 == cap ? 0 : pos + 1;
		ns[pos] = w;
	}
	free(s->slots);
	s->slots = ns;
	s->nslots = cap;
	return true;
}

static bool kset_rehash(struct kset *s)
{
	return kset_rehash_to(s, s->nslots ? s->nslots + s->nslots / 2 : 64);
}

bool kset_reserve(struct kset *s, size_t n)
{
	size_t cap = slots_for(n);

	if (!s->slots || cap > s->nslots)
		return kset_rehash_to(s, cap);
	return true;
}

static int kset_insert(struct kset *s, uint64_t w, uint64_t h, const char *id, size_t len)
{
	size_t p;
	uint64_t tag = (h << KSET_OFF_BITS) & KSET_TAG_MASK; /* low bits: the high ones pick the slot */

	if (!s->slots || too_full(s->n + 1, s->nslots))
		if (!kset_rehash(s))
			return -1;
	for (p = slot_of(h, s->nslots); s->slots[p]; p = p + 1 == s->nslots ? 0 : p + 1) {
		uint64_t x = s->slots[p];
		if (w) {
			if (x == w)
				return 0;
		} else if ((x & STR_BIT) && (x & KSET_TAG_MASK) == tag &&
			   arena_eq(s->arena, x & KSET_OFF_MASK, id, len)) {
			return 0;
		}
	}
	if (!w) {
		uint64_t off;
		if (!arena_add(&s->arena, &s->alen, &s->acap, id, len, &off))
			return -1;
		if (off > KSET_OFF_MASK)
			return -1;
		w = STR_BIT | tag | off;
	}
	s->slots[p] = w;
	s->n++;
	return 1;
}

int kset_add(struct kset *s, const char *id, size_t len)
{
	uint64_t w = id_word(id, len);

	if (w)
		return kset_insert(s, w, mix64(w), NULL, 0);
	return kset_insert(s, 0, hash_bytes(id, len), id, len);
}

void kset_hash(const char *id, size_t len, struct khash *kh)
{
	kh->w = id_word(id, len);
	kh->h = kh->w ? mix64(kh->w) : hash_bytes(id, len);
}

void kset_prefetch(const struct kset *s, const struct khash *kh)
{
	if (s->slots)
		__builtin_prefetch(&s->slots[slot_of(kh->h, s->nslots)], 1);
}

int kset_add_hashed(struct kset *s, const char *id, size_t len, const struct khash *kh)
{
	return kset_insert(s, kh->w, kh->h, kh->w ? NULL : id, kh->w ? 0 : len);
}

int kset_add_num(struct kset *s, uint64_t v)
{
	if (v >= ((uint64_t)1 << 60))
		return -1;
	return kset_insert(s, v + 1, mix64(v + 1), NULL, 0);
}

size_t kset_bytes(const struct kset *s)
{
	return s->nslots * sizeof *s->slots + s->acap;
}

/* ---- value syntax ---- */

bool vd_int(const char *p, size_t n, long *out)
{
	size_t i = 0;
	long long v = 0;
	bool neg = false;

	if (n == 0)
		return false;
	if (p[0] == '-' || p[0] == '+') {
		neg = p[0] == '-';
		i = 1;
	}
	if (i == n)
		return false;
	for (; i < n; i++) {
		unsigned d = (unsigned char)p[i] - '0';
		if (d > 9)
			return false;
		v = v * 10 + d;
		if (v > 2147483648LL)
			return false;
	}
	if (neg)
		v = -v;
	if (v > 2147483647LL)
		return false;
	*out = (long)v;
	return true;
}

static inline int dig2(const char *p)
{
	unsigned a = (unsigned char)p[0] - '0', b = (unsigned char)p[1] - '0';
	return a > 9 || b > 9 ? -1 : (int)(a * 10 + b);
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int mdays(int y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && leap(y) ? 29 : d[m - 1];
}

int32_t vd_days(int y, int m, int d)
{
	/* days from civil (H. Hinnant), 1970-01-01 = 0 */
	int yy = m <= 2 ? y - 1 : y;
	int era = (yy >= 0 ? yy : yy - 399) / 400;
	unsigned yoe = (unsigned)(yy - era * 400);
	unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + (int)doe - 719468);
}

void vd_civil(int32_t day, int *y, int *m, int *d)
{
	long z = (long)day + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned long doe = (unsigned long)(z - era * 146097);
	unsigned long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long yy = (long)yoe + era * 400;
	unsigned long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned long mp = (5 * doy + 2) / 153;
	unsigned long dd = doy - (153 * mp + 2) / 5 + 1;
	unsigned long mm = mp < 10 ? mp + 3 : mp - 9;

	*y = (int)(yy + (mm <= 2));
	*m = (int)mm;
	*d = (int)dd;
}

bool vd_date(const char *p, size_t n, int32_t *day)
{
	int y, m, d, a, b;

	if (n != 10 || p[4] != '-' || p[7] != '-')
		return false;
	a = dig2(p);
	b = dig2(p + 2);
	m = dig2(p + 5);
	d = dig2(p + 8);
	if (a < 0 || b < 0 || m < 1 || m > 12 || d < 1)
		return false;
	y = a * 100 + b;
	if (y == 0 || d > mdays(y, m))
		return false;
	if (day)
		*day = vd_days(y, m, d);
	return true;
}

bool vd_datetime(const char *p, size_t n, int32_t *day)
{
	int hh, mi, ss;

	if (n != 19 || p[10] != ' ' || p[13] != ':' || p[16] != ':')
		return false;
	hh = dig2(p + 11);
	mi = dig2(p + 14);
	ss = dig2(p + 17);
	if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59)
		return false;
	return vd_date(p, 10, day);
}

bool vd_money(const char *p, size_t n)
{
	size_t i = 0, digits = 0, dec = 0;

	if (n && p[0] == '-')
		i = 1;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		digits++;
	if (!digits)
		return false;
	if (i == n)
		return true;
	if (p[i++] != '.')
		return false;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		dec++;
	return i == n && dec <= 2;
}
