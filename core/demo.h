/* core/demo.h — seeds a throwaway demo workspace: the agencies and
 * projects named in seed 000 (footnotes 1 and 2) plus a handful of
 * plausible HMIS projects, and open cycles around a given day with some
 * steps already worked, so every screen has something to show. */
#ifndef HMX_CORE_DEMO_H
#define HMX_CORE_DEMO_H

#include "calendar.h"
#include "store.h"

/* Seeds an empty store as seen on day today, in one transaction (a
 * failure leaves it empty). HMX_EEXIST if the store already holds
 * projects or cycles (never mixes demo data into a real workspace). */
enum hmx_rc demo_seed(struct store *s, cal_day today, struct hmx_err *err);

#endif
