/* screens/fpick.c — picking a local file (the transfers screen's push):
 * the entries of a folder, ".." and folders first, then files with their
 * size; Enter opens a folder or picks a file (handed to
 * scr_fpick_done() and the screen closes); / searches the names; q goes
 * back without a file. open() takes the folder to start in (NULL: the
 * current one). */
#include "screens/screens.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui/text.h"

struct fp_ent {
	char name[256];
	bool is_dir;
	uint64_t size;
};

struct fpick {
	char dir[PATH_MAX];
	struct fp_ent *e;
	size_t n;
	struct tui_rect list;
};

static const struct screen_action fp_actions[] = {
	{ ACT_ENTER, "Open/pick", "Open the folder, or pick the file to push", NEED_ROW },
};

static enum hmx_rc fp_open(struct tui *t, void *priv, const char *arg, struct hmx_err *err)
{
	struct fpick *f = priv;

	(void)t;
	if (!realpath(arg && *arg ? arg : ".", f->dir))
		return hmx_err_set(err, HMX_ENOTFOUND, "%s: %s", arg ? arg : ".", strerror(errno));
	return HMX_OK;
}

static void fp_close(struct tui *t, void *priv)
{
	(void)t;
	free(((struct fpick *)priv)->e);
}

static int fp_cmp(const void *a, const void *b)
{
	const struct fp_ent *x = a, *y = b;

	if (strcmp(x->name, "..") == 0 || strcmp(y->name, "..") == 0)
		return strcmp(x->name, "..") == 0 ? -1 : 1;
	if (x->is_dir != y->is_dir)
		return x->is_dir ? -1 : 1;
	return strcmp(x->name, y->name);
}

static enum hmx_rc fp_reload(struct tui *t, void *priv, struct hmx_err *err)
{
	struct fpick *f = priv;
	DIR *d = opendir(f->dir);
	struct dirent *de;
	struct fp_ent *e = NULL;
	size_t n = 0, cap = 0;

	(void)t;
	if (!d)
		return hmx_err_set(err, HMX_EIO, "%s: %s", f->dir, strerror(errno));
	while ((de = readdir(d))) {
		char path[PATH_MAX + 260];
		struct stat sb;
		struct fp_ent *g;

		if (strcmp(de->d_name, ".") == 0 || strlen(de->d_name) >= sizeof e->name ||
		    (de->d_name[0] == '.' && strcmp(de->d_name, "..") != 0))
			continue;
		snprintf(path, sizeof path, "%s/%s", f->dir, de->d_name);
		if (stat(path, &sb) != 0 || (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode)))
			continue;
		if (!(g = hmx_grow(e, &cap, n, sizeof *e))) {
			free(e);
			closedir(d);
			return hmx_err_set(err, HMX_ENOMEM, "out of memory");
		}
		e = g;
		hmx_strlcpy(e[n].name, de->d_name, sizeof e[n].name);
		e[n].is_dir = S_ISDIR(sb.st_mode);
		e[n].size = (uint64_t)sb.st_size;
		n++;
	}
	closedir(d);
	if (n)
		qsort(e, n, sizeof *e, fp_cmp);
	free(f->e);
	f->e = e;
	f->n = n;
	return HMX_OK;
}

static const char *fp_subtitle(void *priv)
{
	return ((struct fpick *)priv)->dir;
}

static void fp_layout(struct tui *t, void *priv, const struct tui_rect *body,
		      struct tui_rect *list)
{
	struct fpick *f = priv;

	(void)t;
	f->list = (struct tui_rect){ body->y + 1, body->x, body->h - 1, body->w };
	if (f->list.h < 0)
		f->list.h = 0;
	*list = f->list;
}

static void fp_draw(struct tui *t, void *priv, WINDOW *w, const struct tui_rect *body)
{
	(void)t;
	(void)priv;
	tui_putf(w, body->y, 1, body->w - 1, theme_attr(ROLE_HEADER),
		 "Pick the file to push (Enter opens a folder)");
}

static size_t fp_rows(void *priv)
{
	return ((struct fpick *)priv)->n;
}

static void fp_draw_row(struct tui *t, void *priv, WINDOW *w, size_t row,
			const struct tui_rect *line, bool sel)
{
	struct fpick *f = priv;
	const struct fp_ent *e = &f->e[row];
	char name[300], size[32];

	(void)t;
	snprintf(name, sizeof name, "%s%s", e->name, e->is_dir ? "/" : "");
	tui_put(w, line->y, line->x + 1, line->w - 14, theme_row_attr(e->is_dir ? ROLE_HEADER :
								      ROLE_NORMAL, sel),
		ALIGN_LEFT, name);
	if (!e->is_dir)
		tui_put(w, line->y, line->x + line->w - 12, 11, theme_row_attr(ROLE_NORMAL, sel),
			ALIGN_RIGHT, hmx_human_size(size, sizeof size, e->size));
}

static void fp_row_text(void *priv, size_t row, char *buf, size_t n)
{
	snprintf(buf, n, "%s", ((struct fpick *)priv)->e[row].name);
}

static unsigned fp_handle(struct tui *t, void *priv, enum action a)
{
	struct fpick *f = priv;
	const struct fp_ent *e;
	char path[PATH_MAX + 260], real[PATH_MAX];

	if (a != ACT_ENTER || tui_selected(t) >= f->n)
		return TUI_OK;
	e = &f->e[tui_selected(t)];
	snprintf(path, sizeof path, "%s/%s", strcmp(f->dir, "/") ? f->dir : "", e->name);
	if (!realpath(path, real)) {
		tui_message(t, ROLE_BLOCKING, "%s: %s", path, strerror(errno));
		return TUI_OK;
	}
	if (e->is_dir) {
		hmx_strlcpy(f->dir, real, sizeof f->dir);
		tui_select(t, 0);
		return TUI_RELOAD;
	}
	scr_fpick_done(real);
	return TUI_POP;
}

const struct screen_ops fpick_screen = {
	.name = "fpick",
	.title = "Local file",
	.priv_size = sizeof(struct fpick),
	.actions = fp_actions,
	.n_actions = sizeof fp_actions / sizeof fp_actions[0],
	.open = fp_open,
	.close = fp_close,
	.reload = fp_reload,
	.layout = fp_layout,
	.draw = fp_draw,
	.rows = fp_rows,
	.draw_row = fp_draw_row,
	.row_text = fp_row_text,
	.subtitle = fp_subtitle,
	.handle = fp_handle,
};
