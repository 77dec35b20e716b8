/* core/reviewer.h — partners who review findings over SSH (issue 8).
 *
 * A reviewer is a name (a handle: letters, digits, '.', '_', '-'), one SSH
 * public key (type, base64 blob and its SHA-256 fingerprint; never a
 * private key or a secret) and a scope: a list of projects or one agency
 * (every project of it). The key reaches the machine as one line of an
 * authorized_keys file that forces the review screen and nothing else:
 *
 *   command="/abs/hmx --db '/abs/hmx.db' review --as NAME",restrict,pty TYPE BASE64 hmx-reviewer:NAME
 *
 * `restrict` turns off port, agent and X11 forwarding and user rc; `pty`
 * gives the screen its terminal back. The trailing comment marks the line
 * as hmx's: writing replaces the line of that name and keeps every other
 * line byte for byte; removing drops only it. The file is written to a
 * temporary name in its folder (0600) and renamed, so it is never seen
 * half-written.
 *
 * Every change is one transaction with its audit row. *out arrays are
 * malloc'd; free() them. */
#ifndef HMX_CORE_REVIEWER_H
#define HMX_CORE_REVIEWER_H

#include "store.h"

#define REVIEWER_MAX_PROJECTS 32

struct reviewer {
	int64_t id;
	char name[33];
	char key_type[40];      /* "ssh-ed25519" */
	char fingerprint[64];   /* "SHA256:..." */
	char agency[32];        /* agency code, "" when by projects */
	char projects[512];     /* project codes, comma-separated, "" */
	char created_at[24];
	char created_by[64];
};

/* Whether name is a valid reviewer name. */
bool reviewer_name_valid(const char *name);

/* A public key line ("TYPE BASE64 [comment]") checked: a known type whose
 * blob decodes and names the same type. type (40 bytes), b64 (at least
 * strlen(line)+1 bytes) and fingerprint (64 bytes) get its parts.
 * HMX_EINVAL otherwise, with what is wrong. */
enum hmx_rc reviewer_parse_key(const char *line, char *type, char *b64, size_t b64n,
			       char *fingerprint, struct hmx_err *err);

/* Adds a reviewer with the key in the file pubkey_file (one line, as
 * ssh-keygen writes it) and a scope: projects (comma-separated codes) or
 * agency — exactly one of them. HMX_EEXIST (name or key taken),
 * HMX_ENOTFOUND (project, agency, key file), HMX_EINVAL. */
enum hmx_rc reviewer_add(struct store *s, const char *name, const char *pubkey_file,
			 const char *projects, const char *agency, struct hmx_err *err);
/* Replaces the scope of a reviewer (exactly one of projects, agency). */
enum hmx_rc reviewer_set_scope(struct store *s, const char *name, const char *projects,
			       const char *agency, struct hmx_err *err);
/* Forgets a reviewer (items assigned to them become unassigned; their
 * decisions stay in the history). HMX_ENOTFOUND. */
enum hmx_rc reviewer_remove(struct store *s, const char *name, struct hmx_err *err);
enum hmx_rc reviewer_get(struct store *s, const char *name, struct reviewer *out,
			 struct hmx_err *err);
/* Every reviewer by name. */
enum hmx_rc reviewer_list(struct store *s, struct reviewer **out, size_t *n,
			  struct hmx_err *err);

/* The authorized_keys line of a reviewer into buf (no newline). hmx_path
 * and db_path must be absolute, without '"', '\\' or control characters
 * (HMX_EINVAL); they are single-quoted for the shell. */
enum hmx_rc reviewer_key_line(struct store *s, const char *name, const char *hmx_path,
			      const char *db_path, char *buf, size_t n, struct hmx_err *err);

/* Writes line (the line of reviewer name) into the authorized_keys file
 * at path, replacing that reviewer's earlier line and keeping every other
 * line; creates the file (0600) and its folder (0700) when missing.
 * Refuses (HMX_EEXIST) when another line of the file already holds the
 * same key: sshd would use the first match, not the restricted one.
 * line NULL: removes the reviewer's line (a missing file is fine). */
enum hmx_rc reviewer_write_keys(const char *path, const char *name, const char *line,
				struct hmx_err *err);

/* Default authorized_keys file: $HOME/.ssh/authorized_keys into buf. */
enum hmx_rc reviewer_default_keys_path(char *buf, size_t n, struct hmx_err *err);

#endif
