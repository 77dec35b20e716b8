/* tui/filter.c — the filter prompts of the list screens (filter.h). */
#include "tui/filter.h"

#include "core/hmx.h"

bool tui_filter_prompt(struct tui *t, const struct tui_filter *filters, size_t n,
		       enum action act)
{
	for (size_t i = 0; i < n; i++) {
		if (filters[i].act == act) {
			tui_prompt(t, filters[i].prompt, filters[i].done);
			return true;
		}
	}
	return false;
}

unsigned tui_filter_applied(struct tui *t, tui_filter_fn subtitle, void *priv)
{
	subtitle(priv);
	tui_select(t, 0);
	return TUI_RELOAD;
}

unsigned tui_filter_set(struct tui *t, char *field, size_t n, const char *text,
			tui_filter_fn subtitle, void *priv)
{
	hmx_strlcpy(field, text, n);
	return tui_filter_applied(t, subtitle, priv);
}

unsigned tui_filter_clear(struct tui *t, bool filtered, tui_filter_fn empty,
			  tui_filter_fn subtitle, void *priv)
{
	if (!filtered)
		return TUI_POP;
	empty(priv);
	subtitle(priv);
	tui_message(t, ROLE_NORMAL, "Filters cleared");
	return TUI_RELOAD;
}
