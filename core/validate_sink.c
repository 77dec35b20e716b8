/* core/validate_sink.c — findings of one file (or of the package) on their
 * way out: counted as they arrive, kept in a buffer of at most SINK_BATCH
 * records, each full buffer sorted and spilled to an unlinked temporary
 * file as one segment, and at the end merged (k-way, at most SINK_FANIN
 * segments at a time, intermediate merges appended to the same file) into
 * the contract's order. Memory stays at one batch plus a small read buffer
 * per segment, however many findings a file has. */
#include "validate_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SINK_BATCH 8192   /* records kept in memory per sink */
#define SINK_SETTLE 512   /* a finished file keeps at most this many in memory */
#define SINK_FANIN 128    /* segments merged at once */
#define SEG_READ 64       /* records read at a time from a segment */

enum hmx_rc vsink_init(struct vsink *s, size_t nchecks, bool package, const char *tmpdir)
{
	memset(s, 0, sizeof *s);
	s->nchecks = nchecks;
	s->package = package;
	s->tmpdir = tmpdir;
	s->cnt = calloc(nchecks ? nchecks * VALIDATE_NSEV : 1, sizeof *s->cnt);
	if (!s->cnt)
		return s->rc = HMX_ENOMEM;
	return HMX_OK;
}

void vsink_clear(struct vsink *s)
{
	free(s->buf);
	s->buf = NULL;
	s->n = s->cap = 0;
	if (s->spool)
		fclose(s->spool);
	s->spool = NULL;
	free(s->segs);
	s->segs = NULL;
	s->nsegs = s->scap = 0;
	if (s->cnt)
		memset(s->cnt, 0, s->nchecks * VALIDATE_NSEV * sizeof *s->cnt);
	free(s->proj);
	s->proj = NULL;
	s->nproj = 0;
	memset(s->noproj, 0, sizeof s->noproj);
}

void vsink_free(struct vsink *s)
{
	vsink_clear(s);
	free(s->cnt);
	s->cnt = NULL;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct vrec *x = a, *y = b;

	if (x->major != y->major)
		return x->major < y->major ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return 0;
}

static bool open_spool(struct vsink *s)
{
	const char *dir = s->tmpdir;
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	if ((size_t)snprintf(path, sizeof path, "%s/hmx-findings.XXXXXX", dir) >= sizeof path)
		return false;
	fd = mkstemp(path);
	if (fd < 0)
		return false;
	unlink(path);
	s->spool = fdopen(fd, "w+b");
	if (!s->spool) {
		close(fd);
		return false;
	}
	return true;
}

static bool add_seg(struct vsink *s, long long off, size_t n)
{
	if (s->nsegs == s->scap) {
		size_t cap = s->scap ? 2 * s->scap : 16;
		struct vseg *ns = realloc(s->segs, cap * sizeof *ns);
		if (!ns)
			return false;
		s->segs = ns;
		s->scap = cap;
	}
	s->segs[s->nsegs].off = off;
	s->segs[s->nsegs].n = n;
	s->nsegs++;
	return true;
}

/* Sorts the buffer and writes it as one segment at the end of the spool. */
static void spill(struct vsink *s)
{
	long long off;

	if (s->n == 0 || s->rc)
		return;
	if (!s->spool && !open_spool(s)) {
		s->rc = HMX_EIO;
		return;
	}
	qsort(s->buf, s->n, sizeof *s->buf, rec_cmp);
	if (fseeko(s->spool, 0, SEEK_END) != 0 || (off = ftello(s->spool)) < 0 ||
	    fwrite(s->buf, sizeof *s->buf, s->n, s->spool) != s->n) {
		s->rc = HMX_EIO;
		return;
	}
	if (!add_seg(s, off, s->n)) {
		s->rc = HMX_ENOMEM;
		return;
	}
	s->n = 0;
}

static void count(struct vsink *s, const struct vrec *r)
{
	s->cnt[(size_t)r->check * VALIDATE_NSEV + r->sev]++;
	if (r->project == VT_NONE) {
		s->noproj[r->sev]++;
		return;
	}
	if (r->project >= s->nproj) {
		size_t n = (size_t)r->project + 1 + 16;
		uint64_t (*np)[VALIDATE_NSEV] = realloc(s->proj, n * sizeof *np);
		if (!np) {
			s->rc = HMX_ENOMEM;
			return;
		}
		memset(np + s->nproj, 0, (n - s->nproj) * sizeof *np);
		s->proj = np;
		s->nproj = n;
	}
	s->proj[r->project][r->sev]++;
}

void vsink_add(struct vsink *s, const struct vrec *r)
{
	if (s->rc)
		return;
	if (s->n == s->cap) {
		if (s->cap >= SINK_BATCH) {
			spill(s);
			if (s->rc)
				return;
		} else {
			size_t cap = s->cap ? 4 * s->cap : 16;
			struct vrec *nb;
			if (cap > SINK_BATCH)
				cap = SINK_BATCH;
			nb = realloc(s->buf, cap * sizeof *nb);
			if (!nb) {
				s->rc = HMX_ENOMEM;
				return;
			}
			s->buf = nb;
			s->cap = cap;
		}
	}
	s->buf[s->n] = *r;
	s->buf[s->n].seq = s->seq++;
	count(s, &s->buf[s->n]);
	s->n++;
}

void vsink_settle(struct vsink *s)
{
	if (s->n > SINK_SETTLE) {
		spill(s);
	} else if (s->cap > s->n) {
		struct vrec *nb = s->n ? realloc(s->buf, s->n * sizeof *nb) : NULL;
		if (s->n == 0) {
			free(s->buf);
			s->buf = NULL;
			s->cap = 0;
		} else if (nb) {
			s->buf = nb;
			s->cap = s->n;
		}
	}
}

/* ---- merging ---- */

struct src {
	const struct vrec *mem;  /* in-memory run, or NULL: a segment */
	long long off;           /* next record's offset in the spool */
	size_t left;             /* records not yet taken */
	struct vrec *rb;         /* read buffer */
	size_t rn, ri;
};

static bool src_fill(struct vsink *s, struct src *x)
{
	size_t k = x->left < SEG_READ ? x->left : SEG_READ;
	size_t bytes = k * sizeof *x->rb, got = 0;
	int fd = fileno(s->spool);

	while (got < bytes) {
		ssize_t r = pread(fd, (char *)x->rb + got, bytes - got, (off_t)(x->off + (long long)got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			s->rc = HMX_EIO;
			return false;
		}
		got += (size_t)r;
	}
	x->off += (long long)bytes;
	x->rn = k;
	x->ri = 0;
	return true;
}

static const struct vrec *src_peek(struct src *x)
{
	if (x->mem)
		return x->left ? x->mem : NULL;
	if (x->ri < x->rn)
		return &x->rb[x->ri];
	return NULL;
}

static bool src_next(struct vsink *s, struct src *x)
{
	if (x->mem) {
		x->mem++;
		x->left--;
		return true;
	}
	x->ri++;
	x->left--;
	if (x->ri == x->rn && x->left)
		return src_fill(s, x);
	return true;
}

static void heap_down(struct src **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && rec_cmp(src_peek(h[l]), src_peek(h[m])) < 0)
			m = l;
		if (r < n && rec_cmp(src_peek(h[r]), src_peek(h[m])) < 0)
			m = r;
		if (m == i)
			return;
		struct src *t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* Merges segs[first..first+nseg) (plus the memory run when mem) into fn. */
static int merge_some(struct vsink *s, size_t first, size_t nseg, const struct vrec *mem,
	size_t nmem, int (*fn)(void *ctx, const struct vrec *r), void *ctx)
{
	size_t ns = nseg + (mem && nmem ? 1 : 0), nh = 0;
	struct src *xs = calloc(ns ? ns : 1, sizeof *xs);
	struct src **h = calloc(ns ? ns : 1, sizeof *h);
	struct vrec *bufs = calloc(nseg ? nseg * SEG_READ : 1, sizeof *bufs);
	int ret = 0;

	if (!xs || !h || !bufs) {
		s->rc = HMX_ENOMEM;
		ret = -1;
		goto out;
	}
	for (size_t i = 0; i < nseg; i++) {
		struct src *x = &xs[i];
		x->off = s->segs[first + i].off;
		x->left = s->segs[first + i].n;
		x->rb = bufs + i * SEG_READ;
		if (x->left && !src_fill(s, x)) {
			ret = -1;
			goto out;
		}
		if (x->left)
			h[nh++] = x;
	}
	if (mem && nmem) {
		xs[nseg].mem = mem;
		xs[nseg].left = nmem;
		h[nh++] = &xs[nseg];
	}
	for (size_t i = nh / 2; i-- > 0;)
		heap_down(h, nh, i);
	while (nh) {
		const struct vrec *r = src_peek(h[0]);
		if ((ret = fn(ctx, r)) != 0)
			goto out;
		if (!src_next(s, h[0])) {
			ret = -1;
			goto out;
		}
		if (!src_peek(h[0]))
			h[0] = h[--nh];
		heap_down(h, nh, 0);
	}
out:
	free(xs);
	free(h);
	free(bufs);
	return ret;
}

struct writer {
	struct vsink *s;
	size_t n;
};

static int write_rec(void *ctx, const struct vrec *r)
{
	struct writer *w = ctx;

	if (fwrite(r, sizeof *r, 1, w->s->spool) != 1) {
		w->s->rc = HMX_EIO;
		return -1;
	}
	w->n++;
	return 0;
}

int vsink_merge(struct vsink *s, int (*fn)(void *ctx, const struct vrec *r), void *ctx)
{
	if (s->rc)
		return -1;
	if (s->n)
		qsort(s->buf, s->n, sizeof *s->buf, rec_cmp);
	if (!s->nsegs) {
		for (size_t i = 0; i < s->n; i++) {
			int ret = fn(ctx, &s->buf[i]);
			if (ret)
				return ret;
		}
		return 0;
	}
	/* too many segments: merge groups into longer ones first */
	while (s->nsegs > SINK_FANIN) {
		size_t done = 0, kept = 0;
		struct vseg *old = s->segs;
		size_t nold = s->nsegs;
		struct vseg *nw = malloc(((nold + SINK_FANIN - 1) / SINK_FANIN) * sizeof *nw);

		if (!nw) {
			s->rc = HMX_ENOMEM;
			return -1;
		}
		while (done < nold) {
			size_t k = nold - done < SINK_FANIN ? nold - done : SINK_FANIN;
			struct writer w = { s, 0 };
			long long off;
			if (fflush(s->spool) != 0 || fseeko(s->spool, 0, SEEK_END) != 0 ||
			    (off = ftello(s->spool)) < 0) {
				s->rc = HMX_EIO;
				free(nw);
				return -1;
			}
			if (merge_some(s, done, k, NULL, 0, write_rec, &w) != 0) {
				free(nw);
				return -1;
			}
			nw[kept].off = off;
			nw[kept].n = w.n;
			kept++;
			done += k;
		}
		free(old);
		s->segs = nw;
		s->nsegs = kept;
		s->scap = kept;
	}
	if (fflush(s->spool) != 0) {
		s->rc = HMX_EIO;
		return -1;
	}
	return merge_some(s, 0, s->nsegs, s->buf, s->n, fn, ctx);
}
