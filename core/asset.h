/* core/asset.h — the text files of assets/ (checklist templates, spec
 * tables, code lists, check catalog) compiled into the binary by
 * assets/embed.awk, served by their path below assets/. */
#ifndef HMX_CORE_ASSET_H
#define HMX_CORE_ASSET_H

#include <stddef.h>

/* Contents of asset NAME (e.g. "templates/rdc-upload.ini"), NUL-terminated,
 * static storage; *len (may be NULL) gets its length. NULL when absent. */
const char *asset_get(const char *name, size_t *len);
/* Name of the i-th asset (0-based) or NULL past the end, in build order. */
const char *asset_name(size_t i);

#endif
