/* core/vcheck_s.c — the S (structure) checks: reader events mapped to
 * findings (S01-S09, and the flags behind P01/P03/P09), and the per-cell
 * value checks S10-S16 and S18 of checks.md. Called by the engine
 * (core/validate.c) for every file; see validate_int.h.
 *
 * Choices where checks.md is silent (for the README's list of choices):
 *   - S01 also covers lines holding NUL or another C0 control byte (detail
 *     "control"): not text, whatever UTF-8 says; still one per line.
 *   - A duplicate header column is S06 with detail "duplicate" (the column
 *     is not used). An extra column whose header text may be data (see
 *     HCSV_EV_COL_EXTRA) is named by position, "#7".
 *   - A field or record beyond the reader's size guards is S14 (detail
 *     "guard"); like S04, the rest of that file is not checked.
 *   - S14 counts characters (UTF-8 code points), not bytes. When the
 *     export is hashed (HashStatus 2, 3 or 4) the hashed columns
 *     (FirstName, MiddleName, LastName, NameSuffix, SSN) are not held to
 *     their unhashed lengths.
 *   - An empty cell is judged by S13 only; S16 ignores an empty ExportID. */
#include "validate_int.h"

#include <stdlib.h>
#include <string.h>

static const bool s15_bad[256] = {
	['['] = true, [']'] = true, ['<'] = true, ['>'] = true, ['{'] = true, ['}'] = true,
};

static bool hashed_column(const char *name)
{
	static const char *const cols[] = { "FirstName", "MiddleName", "LastName", "NameSuffix",
		"SSN" };

	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
		if (strcmp(name, cols[i]) == 0)
			return true;
	return false;
}

/* Sets the bits of l's codes in bits; false when a code is not an
 * integer in 0..511. */
static bool list_bits(const struct spec_codelist *l, uint64_t bits[8])
{
	for (size_t i = 0; i < spec_list_size(l); i++) {
		const char *code = spec_list_code(l, i);
		long v;
		if (!vd_int(code, strlen(code), &v) || v < 0 || v >= 512)
			return false;
		bits[v / 64] |= (uint64_t)1 << (v % 64);
	}
	return true;
}

/* Rules of c that all test one integer selector against values in
 * 0..511 become a table: selector value -> first rule that holds. */
static bool plan_rules(struct vcol *vc)
{
	const struct spec_column *c = vc->c;
	const struct spec_column *sel = NULL;

	for (size_t i = 0; i < c->nrules; i++) {
		const struct spec_rule *r = &c->rules[i];
		if (r->nconds != 1 || (sel && r->conds[0].column != sel))
			return false;
		sel = r->conds[0].column;
		for (size_t k = 0; k < r->conds[0].nvalues; k++)
			if (r->conds[0].values[k] < 0 || r->conds[0].values[k] >= 512)
				return false;
	}
	if (!sel || sel->type != SPEC_INTEGER)
		return false;
	vc->rule_of = calloc(512, 1);
	vc->rl = calloc(c->nrules, sizeof *vc->rl);
	if (!vc->rule_of || !vc->rl)
		return false;
	for (size_t i = 0; i < c->nrules && i < 255; i++) {
		const struct spec_cond *cd = &c->rules[i].conds[0];
		if (!list_bits(c->rules[i].list, vc->rl[i]))
			return false;
		for (size_t k = 0; k < cd->nvalues; k++)
			if (!vc->rule_of[cd->values[k]])
				vc->rule_of[cd->values[k]] = (uint8_t)(i + 1);
	}
	vc->sel = (int)sel->index;
	return c->nrules < 255;
}

void vs_unplan(struct vfile *vf)
{
	if (!vf->cols)
		return;
	for (size_t j = 0; j < vf->sf->ncolumns; j++) {
		free(vf->cols[j].rule_of);
		free(vf->cols[j].rl);
	}
	free(vf->cols);
	vf->cols = NULL;
}

enum hmx_rc vs_plan(struct vfile *vf)
{
	struct vrun *run = vf->run;
	const struct spec_file *sf = vf->sf;
	const struct spec_check *s10 = spec_checks_at(run->checks, (size_t)run->ck_s[10]);
	const struct spec_check *s11 = spec_checks_at(run->checks, (size_t)run->ck_s[11]);
	const struct spec_check *s13 = spec_checks_at(run->checks, (size_t)run->ck_s[13]);
	bool hashed = vf->id == VF_CLIENT && run->hash_status >= 2 && run->hash_status <= 4;

	vs_unplan(vf);
	vf->cols = calloc(sf->ncolumns ? sf->ncolumns : 1, sizeof *vf->cols);
	if (!vf->cols)
		return HMX_ENOMEM;
	for (size_t j = 0; j < sf->ncolumns; j++) {
		const struct spec_column *c = &sf->columns[j];
		struct vcol *vc = &vf->cols[j];

		vc->c = c;
		vc->type = (uint8_t)c->type;
		vc->nullable = c->nullable;
		vc->coded = c->nlists > 0;
		vc->rules = c->nrules > 0;
		vc->max_len = hashed && hashed_column(c->name) ? 0 : c->max_len;
		vc->sev10 = (uint8_t)spec_check_severity(s10, c);
		vc->sev11 = (uint8_t)spec_check_severity(s11, c);
		vc->sev13 = (uint8_t)spec_check_severity(s13, c);
		vc->sel = -1;
		vc->fast = vc->coded && c->type == SPEC_INTEGER;
		for (size_t l = 0; vc->fast && l < c->nlists; l++)
			vc->fast = list_bits(c->lists[l], vc->ok);
		if (vc->fast && vc->rules) {
			vc->fast = false;
			vc->rulefast = plan_rules(vc);
			if (!vc->rulefast) {
				free(vc->rule_of);
				free(vc->rl);
				vc->rule_of = NULL;
				vc->rl = NULL;
			}
		}
	}
	return HMX_OK;
}

bool vs_code_ok(const struct vcol *vc, const struct vrow *r, long v, const char *p, size_t n)
{
	if (vc->fast)
		return v >= 0 && v < 512 && (vc->ok[v / 64] >> (v % 64) & 1);
	if (vc->rulefast) {
		const struct hcsv_field *f = vrow_get(r, vc->sel);
		const uint64_t *bits = vc->ok; /* no rule holds: any list */
		long sv;
		if (f && vd_int(f->p, f->len, &sv) && sv >= 0 && sv < 512 && vc->rule_of[sv])
			bits = vc->rl[vc->rule_of[sv] - 1];
		return v >= 0 && v < 512 && (bits[v / 64] >> (v % 64) & 1);
	}
	return spec_code_valid(vc->c, vc->rules ? hcsv_codes_pick(r->r, r->h, vc->c) : NULL, p, n);
}

/* An S finding about the whole file or a line, no key. */
static void emit_line(struct vfile *vf, int n, uint64_t line, int col, const char *detail)
{
	vd_emit(vf, line, vf->run->ck_s[n], -1, NULL, 0, col, detail, VT_NONE);
}

void vs_event(struct vfile *vf, const struct hcsv_event *ev)
{
	struct vrun *run = vf->run;
	char pos[24];

	switch (ev->kind) {
	case HCSV_EV_READ_ERROR:
		vf->read_error = true;
		break;
	case HCSV_EV_EMPTY:
		vf->empty = true;
		break;
	case HCSV_EV_BOM:
		emit_line(vf, 2, ev->line, -1, NULL);
		break;
	case HCSV_EV_MIXED_EOL:
		emit_line(vf, 3, ev->line, -1, NULL);
		break;
	case HCSV_EV_BAD_UTF8:
	case HCSV_EV_CONTROL_CHAR:
		if (vf->s01_line == ev->line)
			break;
		vf->s01_line = ev->line;
		emit_line(vf, 1, ev->line, -1, ev->kind == HCSV_EV_CONTROL_CHAR ? "control" : NULL);
		break;
	case HCSV_EV_BAD_QUOTE:
		emit_line(vf, 4, ev->line, -1, "stray-quote");
		break;
	case HCSV_EV_UNTERMINATED:
		emit_line(vf, 4, ev->line, -1, "unterminated");
		break;
	case HCSV_EV_COL_MISSING:
		if (ev->column >= 0 && (size_t)ev->column < vf->sf->ncolumns)
			emit_line(vf, 5, ev->line, (int)ev->column, NULL);
		break;
	case HCSV_EV_COL_EXTRA:
		if (ev->name) {
			vd_emit_text(vf, ev->line, run->ck_s[6], ev->name, NULL);
		} else {
			snprintf(pos, sizeof pos, "#%ld", ev->column + 1);
			vd_emit_text(vf, ev->line, run->ck_s[6], pos, NULL);
		}
		break;
	case HCSV_EV_COL_DUP:
		vd_emit_text(vf, ev->line, run->ck_s[6], ev->name ? ev->name : "", "duplicate");
		break;
	case HCSV_EV_COL_CASE:
		vd_emit_text(vf, ev->line, run->ck_s[7], ev->name ? ev->name : "", NULL);
		break;
	case HCSV_EV_COL_ORDER:
		emit_line(vf, 8, ev->line, -1, NULL);
		break;
	case HCSV_EV_FIELD_COUNT:
		vs_flush_s09(vf, NULL);
		vf->pending_s09_line = ev->line;
		break;
	case HCSV_EV_FIELD_TOO_LONG: {
		int col = -1;
		const struct hcsv_header *h = vf->hdr;
		if (h && ev->column >= 0 && (size_t)ev->column < h->ncols)
			col = h->col_of[ev->column];
		emit_line(vf, 14, ev->line, col, "guard");
		break;
	}
	case HCSV_EV_ROW_TOO_LONG:
		emit_line(vf, 14, ev->line, -1, "guard");
		break;
	case HCSV_EV_TOO_MANY_FIELDS: /* S09 says it already */
	case HCSV_EV_UNREADABLE:      /* package events: not sent to files */
	case HCSV_EV_SUBFOLDER:
	case HCSV_EV_REFUSED:
	case HCSV_EV_LIMIT:
		break;
	}
}

void vs_flush_s09(struct vfile *vf, const struct vrow *r)
{
	uint64_t line = vf->pending_s09_line;

	if (!line)
		return;
	vf->pending_s09_line = 0;
	if (r && r->line == line && r->pk)
		vd_emit(vf, line, vf->run->ck_s[9], vf->col_pk, r->pk->p, r->pk->len, -1, NULL,
			r->project);
	else
		emit_line(vf, 9, line, -1, NULL);
}

static inline void mark(struct vrow *r, size_t col)
{
	if (col < VD_MAXCOLS)
		r->bad[col / 64] |= (uint64_t)1 << (col % 64);
}

/* Characters (UTF-8 lead bytes) in p[0..n). */
static size_t u8_chars(const char *p, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)p[i] & 0xC0) != 0x80;
	return k;
}

static void cell(struct vfile *vf, struct vrow *r, const struct vcol *vc, size_t j,
	const struct hcsv_field *f)
{
	struct vrun *run = vf->run;
	const char *p = f->p;
	size_t n = f->len;
	long iv;
	int check = 0;
	int sev = -1;

	if (n == 0) {
		if (!vc->nullable) {
			check = 13;
			sev = vc->sev13;
		}
	} else {
		switch (vc->type) {
		case SPEC_INTEGER:
			if (!vd_int(p, n, &iv)) {
				check = 10;
				sev = vc->sev10;
			}
			break;
		case SPEC_DATE:
			if (!vd_date(p, n, NULL)) {
				check = 11;
				sev = vc->sev11;
			}
			break;
		case SPEC_DATETIME:
			if (!vd_datetime(p, n, NULL)) {
				check = 11;
				sev = vc->sev11;
			}
			break;
		case SPEC_MONEY:
			if (!vd_money(p, n))
				check = 12;
			break;
		default:
			if (vc->max_len && n > vc->max_len && u8_chars(p, n) > vc->max_len) {
				vd_emit(vf, r->line, run->ck_s[14], vf->col_pk, r->pk ? r->pk->p : NULL,
					r->pk ? r->pk->len : 0, (int)j, NULL, r->project);
				mark(r, j);
			}
			for (size_t i = 0; i < n; i++) {
				if (s15_bad[(unsigned char)p[i]]) {
					vd_emit(vf, r->line, run->ck_s[15], vf->col_pk,
						r->pk ? r->pk->p : NULL, r->pk ? r->pk->len : 0, (int)j,
						NULL, r->project);
					mark(r, j);
					break;
				}
			}
			break;
		}
		if (!check && vc->coded) {
			if (vc->type == SPEC_INTEGER ? !vs_code_ok(vc, r, iv, p, n) :
			    !spec_code_valid(vc->c, NULL, p, n))
				check = 18;
		}
	}
	if (!check)
		return;
	mark(r, j);
	vd_emit_sev(vf, r->line, run->ck_s[check], vf->col_pk, r->pk ? r->pk->p : NULL,
		r->pk ? r->pk->len : 0, (int)j, NULL, r->project, sev);
}

void vs_row(struct vfile *vf, struct vrow *r)
{
	const struct hcsv_header *h = r->h;
	const struct spec_file *sf = vf->sf;

	for (size_t j = 0; j < sf->ncolumns; j++) {
		int k = h->pos_of[j];
		if (k < 0 || (size_t)k >= r->r->nfields)
			continue;
		cell(vf, r, &vf->cols[j], j, &r->r->f[k]);
	}
}

void vs_export(struct vfile *vf, struct vrow *r)
{
	struct vrun *run = vf->run;
	const struct hcsv_field *f = vrow_get(r, vf->col_export);

	if (!f || !f->len || !run->have_export_id)
		return;
	if (f->len == run->export_id_len && memcmp(f->p, run->export_id, f->len) == 0)
		return;
	vd_emit(vf, r->line, run->ck_s[16], vf->col_pk, r->pk ? r->pk->p : NULL,
		r->pk ? r->pk->len : 0, vf->col_export, NULL, r->project);
}
