/* core/asset.c — lookup into the table generated from assets/. */
#include "asset.h"

#include <string.h>

struct asset_entry {
	const char *name;
	const char *data;
	size_t len;
};
extern const struct asset_entry asset_table[];

const char *asset_get(const char *name, size_t *len)
{
	for (const struct asset_entry *a = asset_table; a->name; a++) {
		if (strcmp(a->name, name) == 0) {
			if (len)
				*len = a->len;
			return a->data;
		}
	}
	return NULL;
}

const char *asset_name(size_t i)
{
	for (size_t k = 0; asset_table[k].name; k++)
		if (k == i)
			return asset_table[k].name;
	return NULL;
}
