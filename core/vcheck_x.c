/* core/vcheck_x.c — the exchange checks the validator can judge from the
 * export alone once it is told about the registry: X03, one finding per
 * project of Project.csv whose ProjectID the caller lists as rdc-direct
 * (validate_opts.rdc_direct), at the project's row, key ProjectID. Such a
 * project enters data directly into the state warehouse, so an upload that
 * holds it would count it twice (seed 000, [3]). The first live row of a
 * ProjectID is judged, as the D family does; without a list nothing runs. */
#include "validate_int.h"

#include <string.h>

static enum hmx_rc x_init(struct vrun *run, void **state, struct hmx_err *err)
{
	int ck = vd_check(run, "X03");

	*state = NULL;
	if (ck < 0)
		return hmx_err_set(err, HMX_EINVAL, "the check catalog lacks X03");
	/* the check index travels as the state pointer: nothing to free */
	*state = (void *)(intptr_t)(ck + 1);
	return HMX_OK;
}

static bool listed(const struct validate_opts *o, const struct hcsv_field *id)
{
	for (size_t i = 0; i < o->n_rdc_direct; i++) {
		const char *p = o->rdc_direct[i];

		if (p && strlen(p) == id->len && memcmp(p, id->p, id->len) == 0)
			return true;
	}
	return false;
}

static void x_row(struct vfile *vf, void *state, void *fstate, struct vrow *r)
{
	const struct validate_opts *o = &vf->run->opts;

	(void)fstate;
	if (vf->id != VF_PROJECT || o->n_rdc_direct == 0 || r->self == VT_NONE || r->dup || !r->pk ||
	    r->pk->len == 0)
		return;
	if (listed(o, r->pk))
		vd_emit_row(vf, r, (int)((intptr_t)state - 1), vd_fcol(vf, "ProjectID"), "rdc-direct");
}

const struct vfamily vcheck_x = {
	.name = "X",
	.init = x_init,
	.row = x_row,
};
