/* core/config.h — workspace settings kept in the store as key/value text,
 * each key declared in one table with its default and a validator. */
#ifndef HMX_CORE_CONFIG_H
#define HMX_CORE_CONFIG_H

#include "store.h"

/* Value of key into buf (default when unset). HMX_ENOTFOUND for an unknown
 * key (message lists the known keys). */
enum hmx_rc config_get(struct store *s, const char *key, char *buf, size_t n,
		       struct hmx_err *err);
/* Validates and sets key to value in its own transaction with an audit
 * row. HMX_EINVAL for a bad value, HMX_ENOTFOUND for an unknown key. */
enum hmx_rc config_set(struct store *s, const char *key, const char *value,
		       struct hmx_err *err);
/* Integer shortcut for known integer keys; the default on any error. */
int config_get_int(struct store *s, const char *key);
/* Fiscal-year start month (1-12), config key fiscal_year_start_month. */
int config_fy_start(struct store *s);

/* True when key is a known setting. */
bool config_known(const char *key);

/* Iterates the known keys: name, default and one-line help of the i-th key,
 * false past the end. */
bool config_key(size_t i, const char **name, const char **def, const char **help);

#endif
