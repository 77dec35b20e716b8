/* core/site.h — the SFTP sites hmx exchanges files with (the RDC, the
 * vendor's cloud storage, agencies, managed care plans): where they are and
 * how to log in, never a secret. Host, port, user and identity may be left
 * out and come from ~/.ssh/config instead (core/sftp.h), so a site can be
 * just a Host alias. Every change is audited. */
#ifndef HMX_CORE_SITE_H
#define HMX_CORE_SITE_H

#include "store.h"

struct site {
	int64_t id;
	char name[32];         /* handle, e.g. "rdc" */
	char host[256];        /* host name, address or ~/.ssh/config alias */
	int port;              /* 1-65535; 0: from ~/.ssh/config, else 22 */
	char user[64];         /* "": from ~/.ssh/config, else the login name */
	char identity[1024];   /* private key file; "": agent and the defaults */
	char remote_dir[1024]; /* "": the login directory */
	char role[48];         /* "", "rdc", "vendor", "mcp" or "agency:CODE" */
	char created_at[24];
	char created_by[64];
};

/* Checks a role: "rdc", "vendor", "mcp" or "agency:CODE" (CODE a handle of
 * 1-31 letters, digits, '-', '_', '.'). The empty string is no role. */
bool site_role_valid(const char *role);

/* The intake source for files pulled from a site of this role: the role
 * itself for "rdc" and "agency:CODE" (their HMIS CSV exports go on to
 * intake), NULL for any other role (vendor, mcp, none). */
const char *site_intake_source(const struct site *st);

/* Adds a site from *in (id and created_* are ignored; the rest is checked:
 * name a handle, host without spaces or control characters and not starting
 * with '-', port 0-65535, no control characters anywhere). HMX_EINVAL with
 * the reason, HMX_EEXIST, HMX_EDB. Audited ("site.add"). */
enum hmx_rc site_add(struct store *s, const struct site *in, struct hmx_err *err);

/* Reads the site called name into *out. HMX_ENOTFOUND, HMX_EDB. */
enum hmx_rc site_get(struct store *s, const char *name, struct site *out, struct hmx_err *err);

/* All sites by name. *out malloc'd (free(); NULL when none), *n its count. */
enum hmx_rc site_list(struct store *s, struct site **out, size_t *n, struct hmx_err *err);

/* Removes the site called name. HMX_ENOTFOUND, HMX_EDB. Audited
 * ("site.remove", with what the site was). */
enum hmx_rc site_remove(struct store *s, const char *name, struct hmx_err *err);

#endif
