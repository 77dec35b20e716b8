/* tests/fxstore.h — the cmocka fixture most core tests share: a fresh
 * temporary directory as HOME, a fixed clock, day and actor, and (for
 * fx_setup) a new store in it. Header-only; include after testutil.h. */
#ifndef HMX_TESTS_FXSTORE_H
#define HMX_TESTS_FXSTORE_H

#include "core/store.h"
#include "testutil.h"

struct fx {
	char dir[256];
	char db[320];
	struct store *s;
};

/* The directory and environment, no store: never touches the real home,
 * data directory or database. */
static inline int fx_setup_env(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	tu_mkdtemp(f->dir, sizeof f->dir);
	tu_path(f->db, sizeof f->db, f->dir, "hmx.db");
	setenv("HOME", f->dir, 1);
	unsetenv("HMX_DB");
	unsetenv("XDG_DATA_HOME");
	setenv("HMX_NOW", "2026-04-01T12:00:00Z", 1);
	setenv("HMX_USER", "tester", 1);
	setenv("HMX_TODAY", "2026-04-10", 1);
	*state = f;
	return 0;
}

/* fx_setup_env plus a new store at f->db. */
static inline int fx_setup(void **state)
{
	struct hmx_err err;
	struct fx *f;

	fx_setup_env(state);
	f = *state;
	if (store_open(f->db, STORE_CREATE, &f->s, &err) != HMX_OK)
		fail_msg("store_open: %s", err.msg);
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *f = *state;

	store_close(&f->s);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

#endif
