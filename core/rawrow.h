/* core/rawrow.h — the record a review item points at, as far as it may be
 * shown (issue 8: the review screen's drill-down shows "the raw row's
 * non-PII fields (IDs, codes, dates of records — not names, SSN or DOB)").
 *
 * The record is read again from the export the item was last seen in (the
 * file its validation run read: the stored zip of an intake, or the path
 * given to `hmx validate`), at the item's line, never copied into the
 * database. A column is shown when the run's spec knows it and it is an
 * ID (primary or foreign key, HouseholdID), a HUD code, a number, a date
 * or a timestamp; names, SSN, DOB and free text are never shown (the
 * count of hidden columns is). Nothing is written. */
#ifndef HMX_CORE_RAWROW_H
#define HMX_CORE_RAWROW_H

#include "store.h"

struct rawrow_field {
	char name[64];
	char value[96]; /* cut to fit */
};

struct rawrow {
	char file[64];
	int64_t line;
	size_t nfields;
	struct rawrow_field *fields; /* malloc'd: rawrow_free() */
	size_t hidden;               /* columns left out (client data, free text, unknown) */
};

/* Whether a column of this name is never shown, whatever its type:
 * FirstName, MiddleName, LastName, NameSuffix, SSN, DOB (any case). */
bool rawrow_column_private(const char *name);

/* The shown fields of the record of review item `item`. HMX_ENOTFOUND
 * (item; the export no longer on disk; no record at that line: the
 * message says which), HMX_EINVAL (the item has no line), HMX_EIO,
 * HMX_ENOMEM. */
enum hmx_rc rawrow_of_item(struct store *s, int64_t item, struct rawrow *out,
			   struct hmx_err *err);
void rawrow_free(struct rawrow *r);

#endif
