/* core/sftp.h — one authenticated SFTP connection to a site, done with
 * libssh and as careful as OpenSSH's own client:
 *
 *  - options from the site, then ~/.ssh/config (so a site can be a Host
 *    alias), then the site's explicit port, user and identity again, which
 *    win over the config file, as on ssh's command line;
 *  - host keys checked against ~/.ssh/known_hosts in OpenSSH's format. A
 *    known key is accepted; an unknown one is shown by its SHA-256
 *    fingerprint and added only when the caller said so
 *    (accept_new_host_key) or the operator confirms through hmx_confirm()
 *    (interactive only, default No); a changed key is always refused, with
 *    OpenSSH's warning in substance and the known_hosts line to look at;
 *  - authentication in OpenSSH's order: ssh-agent, public keys (the site's
 *    identity file, else the default ones; a passphrase is asked on the
 *    terminal only when interactive), then keyboard-interactive and password
 *    (interactive only). Nothing typed is stored or logged.
 *
 * "~" is $HOME when it is set (so tests and operators can point hmx at a
 * private ~/.ssh), else the home directory of the account. Prefix sftpc_:
 * libssh owns sftp_. */
#ifndef HMX_CORE_SFTP_H
#define HMX_CORE_SFTP_H

#include "hmx.h"
#include "site.h"

struct sftpc;

struct sftpc_opts {
	bool accept_new_host_key; /* add an unknown host key without asking */
	bool interactive;         /* may ask on the terminal (passphrases, new keys) */
	int timeout_s;            /* connect and read timeout; 0: 30 s */
	/* NULL, or "SHA256:...": an unknown host key with exactly this
	 * fingerprint is added without asking (the one the operator was shown
	 * and accepted); an unknown key with another fingerprint is refused. */
	const char *accept_fingerprint;
	/* NULL, or gets the server's host label, key type and fingerprint with
	 * host_key_unknown set when the open fails on an unknown host key that
	 * was not accepted (so a screen can show it and ask). */
	struct sftpc_info *refused;
};

/* What the connection ended up being, for display. */
struct sftpc_info {
	char host[256];        /* after ~/.ssh/config */
	unsigned port;
	char user[64];
	char key_type[32];     /* "ssh-ed25519" */
	char fingerprint[80];  /* "SHA256:..." as ssh-keygen -l prints it */
	bool host_key_added;   /* it was unknown and is now in known_hosts */
	bool host_key_unknown; /* (opts.refused only) refused as unknown */
	char known_hosts[1024];
	char auth[24];         /* "agent", "publickey", "keyboard-interactive", ... */
	double connect_ms;     /* TCP, key exchange, authentication, SFTP start */
	char cipher[48];       /* negotiated, server to client: "aes128-gcm@openssh.com" */
};

/* One entry of a remote directory. name is malloc'd and may hold any byte
 * but '/' and NUL (escape it before showing it). */
struct sftpc_entry {
	char *name;
	uint64_t size;
	int64_t mtime; /* seconds since the epoch (UTC) */
	uint32_t perms;
	bool is_dir;
};

/* Connects to site, checks the host key, authenticates and starts SFTP.
 * On success *out owns the connection (sftpc_close()). Errors: HMX_EIO
 * (cannot connect, SFTP refused), HMX_ESTATE (host key refused, changed or
 * not accepted; authentication failed), HMX_EINVAL (bad options, ~/.ssh/config
 * unreadable), HMX_ENOMEM. err says which and why, never with a secret. */
enum hmx_rc sftpc_open(const struct site *site, const struct sftpc_opts *o, struct sftpc **out,
		       struct hmx_err *err);

/* The connection's details; owned by it. */
const struct sftpc_info *sftpc_info(const struct sftpc *c);

/* The entries of dir (NULL or "": the site's remote directory, else the
 * login directory), without "." and "..", sorted by name. *out malloc'd:
 * free with sftpc_entries_free(). HMX_ENOTFOUND, HMX_ESTATE (permission),
 * HMX_EIO. */
enum hmx_rc sftpc_list(struct sftpc *c, const char *dir, struct sftpc_entry **out, size_t *n,
		       struct hmx_err *err);
void sftpc_entries_free(struct sftpc_entry *e, size_t n);

/* Time of one SFTP request and its answer (a stat of "."), in ms. HMX_EIO. */
enum hmx_rc sftpc_ping(struct sftpc *c, double *ms, struct hmx_err *err);

/* The libssh SFTP session of the connection, for core/transfer. Owned by c. */
struct sftp_session_struct *sftpc_session(struct sftpc *c);

/* Opens the connection again with the site and options it was opened with
 * (after a lost connection); on success c is the new connection, on error c
 * is left as it was. Errors as sftpc_open(). */
enum hmx_rc sftpc_reconnect(struct sftpc *c, struct hmx_err *err);

/* A second connection to c's site with c's options, never asking on the
 * terminal (no passphrase, no new host key): for a transfer that uses two
 * streams. On success *out owns it (sftpc_close()). Errors as sftpc_open(). */
enum hmx_rc sftpc_clone(struct sftpc *c, struct sftpc **out, struct hmx_err *err);

/* Whether the SSH session is still up. */
bool sftpc_connected(struct sftpc *c);

/* Closes the SFTP channel and the session, frees *c, sets it to NULL.
 * NULL-safe. */
void sftpc_close(struct sftpc **c);

#endif
