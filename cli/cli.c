/* cli/cli.c — what every verb shares: the program name, error exits, the
 * workspace store, JSON and text helpers, and the log/confirm hooks. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"

const char cli_progname[] = "hmx";

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_USAGE;
}

/* Maps a core status to an exit code and prints its message. */
int cli_fail(const struct hmx_err *err)
{
	fprintf(stderr, "%s: %s\n", cli_progname, err->msg[0] ? err->msg : hmx_rc_name(err->rc));
	switch (err->rc) {
	case HMX_OK:
		return CLI_EXIT_OK;
	case HMX_EINVAL:
	case HMX_ENOTFOUND:
	case HMX_EEXIST:
		return CLI_EXIT_USAGE;
	default:
		return CLI_EXIT_RUNTIME;
	}
}

/* ---- JSON output ------------------------------------------------------- */

void cli_json_kday(FILE *f, bool *first, const char *key, cal_day d)
{
	char buf[11];

	json_key(f, first, key);
	if (d == CAL_NO_DAY)
		fputs("null", f);
	else
		json_str(f, cal_format(d, buf));
}

/* ---- helpers ------------------------------------------------------------- */

static struct store *the_store;

struct store *cli_store(void)
{
	return the_store;
}

void cli_close_store(void)
{
	store_close(&the_store);
}

int cli_open_store(struct cli_globals *g, unsigned flags, struct hmx_err *err)
{
	char path[4096];

	if (g->db)
		hmx_strlcpy(path, g->db, sizeof path);
	else if (store_default_path(path, sizeof path, err) != HMX_OK)
		return cli_fail(err);
	if (g->readonly)
		flags = (flags & ~(unsigned)STORE_CREATE) | STORE_READONLY;
	if (store_open(path, flags, &the_store, err) != HMX_OK)
		return cli_fail(err);
	return CLI_EXIT_OK;
}

void cli_days_phrase(char *buf, size_t n, cal_day deadline, cal_day today, enum due_status ds)
{
	long d = (long)deadline - today;

	if (deadline == CAL_NO_DAY || ds == DUE_MET)
		snprintf(buf, n, "%s", ds == DUE_MET ? "met" : "-");
	else if (d < 0)
		snprintf(buf, n, "overdue %ld day%s", -d, d == -1 ? "" : "s");
	else if (d == 0)
		snprintf(buf, n, "due today");
	else
		snprintf(buf, n, "%ld day%s left", d, d == 1 ? "" : "s");
}

/* Prints a remote name so that no byte of it can drive the terminal:
 * control bytes, DEL, UTF-8-encoded C1 controls and backslash escaped. */
void cli_print_safe(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\x%02x", *p);
		} else if (*p == '\\') {
			fputs("\\\\", f);
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fprintf(f, "\\u%04x", p[1]);
			p++;
		} else {
			fputc(*p, f);
		}
	}
}

int cli_print_list(const struct cli_list *l, const void *rows, size_t n, size_t size, int json)
{
	const char *row = rows;

	if (json)
		printf("{\"%s\":[", l->array);
	else if (n && l->head)
		fputs(l->head, stdout);
	for (size_t i = 0; i < n; i++, row += size) {
		if (!json) {
			l->text_row(row);
			continue;
		}
		if (i)
			fputc(',', stdout);
		l->json_row(stdout, row);
	}
	if (json)
		fputs("]}\n", stdout);
	else if (!n && l->none)
		printf("%s\n", l->none);
	return CLI_EXIT_OK;
}

/* ---- hooks --------------------------------------------------------------- */

void cli_log(void *ctx, enum hmx_log_level level, const char *msg)
{
	(void)ctx;
	if (level >= HMX_LOG_WARN)
		fprintf(stderr, "%s: %s: %s\n", cli_progname, level == HMX_LOG_WARN ? "warning" : "error", msg);
}

/* Asks on the terminal; answers No without one (batch) or on anything but
 * y/yes. */
bool cli_confirm(void *ctx, const char *question)
{
	char line[16];

	(void)ctx;
	if (!isatty(STDIN_FILENO))
		return false;
	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (!fgets(line, sizeof line, stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "y") == 0 || strcmp(line, "Y") == 0 || strcmp(line, "yes") == 0;
}
