/* core/report.h — writing a validation's findings and summary to a stream
 * in one of three formats:
 *   json  {"version":…,"spec":…,"files":{…},"counts":{…},…,"findings":[…]}
 *         exactly the shape of issue 5 (fields may be added, none renamed);
 *   csv   a header line, then one finding per line;
 *   text  a human summary: the export's facts, findings per severity and
 *         check with the first examples (file:line), Q24's timeliness
 *         buckets, per project, verdict.
 * A report is fed by validate_run(): report_summary as opts.on_summary,
 * report_finding as the finding callback, then report_close. Memory stays
 * bounded: json and csv stream, text keeps at most max_examples findings
 * per check and severity. Nothing here prints outside the given stream. */
#ifndef HMX_CORE_REPORT_H
#define HMX_CORE_REPORT_H

#include <stdio.h>

#include "validate.h"

enum report_format { REPORT_TEXT, REPORT_CSV, REPORT_JSON };

/* "text", "csv", "json" (exact) into *out; false when unknown. */
bool report_format_parse(const char *s, enum report_format *out);

struct report_opts {
	enum report_format format;
	size_t max_examples;  /* text: examples per check and severity (0: none) */
	const char *input;    /* text: the path validated, shown in the title */
};

struct report;

/* A new report writing to out (not owned, not closed). *rep is freed by
 * report_close. HMX_ENOMEM. */
enum hmx_rc report_open(FILE *out, const struct report_opts *o, struct report **rep,
	struct hmx_err *err);
/* validate_opts.on_summary: writes what precedes the findings. ctx is the
 * struct report. */
void report_summary(void *ctx, const struct validate_result *res);
/* validate_finding_fn: writes (json, csv) or remembers (text) one finding.
 * Returns 1 (stop) when the stream failed. */
int report_finding(void *ctx, const struct validate_finding *f);
/* Writes the end (text: the whole summary) when res is not NULL and the
 * summary was written, flushes, frees *rep and sets it to NULL. HMX_EIO
 * when any write failed (message names errno). */
enum hmx_rc report_close(struct report **rep, const struct validate_result *res,
	struct hmx_err *err);

#endif
