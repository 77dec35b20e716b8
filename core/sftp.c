/* core/sftp.c — libssh session set-up, host-key policy, authentication in
 * OpenSSH's order and directory listing. See sftp.h for the policy. */
#include "sftp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#if defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

struct sftpc {
	ssh_session ssh;
	sftp_session sftp;
	struct sftpc_info info;
	char remote_dir[1024];
	bool interactive;
	struct ssh_callbacks_struct cb;
	struct site site;       /* for sftpc_reconnect() */
	struct sftpc_opts opts;
	char accept_fp[80];     /* opts.accept_fingerprint points here */
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Passphrase prompt for libssh, on the terminal; refuses when not
 * interactive. The answer lives only in libssh's buffer. */
static int ask_secret(const char *prompt, char *buf, size_t len, int echo, int verify, void *ud)
{
	const struct sftpc *c = ud;

	if (!c || !c->interactive)
		return -1;
	return ssh_getpass(prompt, buf, len, echo, verify);
}

/* ---- known_hosts ----------------------------------------------------------- */

/* Does the host field of a known_hosts line (comma-separated names, or a
 * hashed "|1|salt|hash") name host (as "name" or "[name]:port")? */
static bool kh_field_matches(const char *field, const char *host)
{
	if (strncmp(field, "|1|", 3) == 0) {
		unsigned char salt[64], want[64], got[EVP_MAX_MD_SIZE];
		unsigned glen = 0;
		const char *bar = strchr(field + 3, '|');
		char b64[96];
		int sl, wl;

		if (!bar || (size_t)(bar - field - 3) >= sizeof b64 || strlen(bar + 1) >= sizeof b64)
			return false;
		memcpy(b64, field + 3, (size_t)(bar - field - 3));
		b64[bar - field - 3] = '\0';
		sl = EVP_DecodeBlock(salt, (const unsigned char *)b64, (int)strlen(b64));
		wl = EVP_DecodeBlock(want, (const unsigned char *)bar + 1, (int)strlen(bar + 1));
		if (sl < 20 || wl < 20)
			return false;
		if (!HMAC(EVP_sha1(), salt, 20, (const unsigned char *)host, strlen(host), got, &glen) ||
		    glen != 20)
			return false;
		return memcmp(got, want, 20) == 0;
	}
	for (const char *p = field; *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == strlen(host) && strncmp(p, host, l) == 0)
			return true;
		p = e ? e + 1 : p + l;
	}
	return false;
}

/* Line number (1-based) of the first entry for host in path, preferring one
 * of key type ktype; 0 when none. */
static unsigned kh_find_line(const char *path, const char *host, const char *ktype)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	unsigned no = 0, any = 0, same = 0;

	if (!f)
		return 0;
	while (!same && fgets(line, sizeof line, f)) {
		char *save = NULL, *field, *type;

		no++;
		field = strtok_r(line, " \t\r\n", &save);
		if (!field || field[0] == '#')
			continue;
		if (field[0] == '@') /* @cert-authority, @revoked */
			field = strtok_r(NULL, " \t\r\n", &save);
		type = field ? strtok_r(NULL, " \t\r\n", &save) : NULL;
		if (!field || !type || !kh_field_matches(field, host))
			continue;
		if (!any)
			any = no;
		if (strcmp(type, ktype) == 0)
			same = no;
	}
	fclose(f);
	return same ? same : any;
}

static void host_label(char *buf, size_t n, const char *host, unsigned port)
{
	if (port == 22)
		snprintf(buf, n, "%s", host);
	else
		snprintf(buf, n, "[%s]:%u", host, port);
}

/* Applies the host-key policy after key exchange. */
static enum hmx_rc check_host_key(struct sftpc *c, const struct sftpc_opts *o, struct hmx_err *err)
{
	struct sftpc_info *in = &c->info;
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp, label[300], q[1600];
	enum ssh_known_hosts_e state;
	unsigned line;

	if (ssh_get_server_publickey(c->ssh, &key) != SSH_OK)
		return hmx_err_set(err, HMX_EIO, "%s: no host key from the server: %s", in->host,
				   ssh_get_error(c->ssh));
	hmx_strlcpy(in->key_type, ssh_key_type_to_char(ssh_key_type(key)), sizeof in->key_type);
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != 0) {
		ssh_key_free(key);
		return hmx_err_set(err, HMX_EIO, "%s: cannot hash the host key", in->host);
	}
	ssh_key_free(key);
	fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	ssh_clean_pubkey_hash(&hash);
	if (!fp)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	hmx_strlcpy(in->fingerprint, fp, sizeof in->fingerprint);
	ssh_string_free_char(fp);
	host_label(label, sizeof label, in->host, in->port);

	state = ssh_session_is_known_server(c->ssh);
	switch (state) {
	case SSH_KNOWN_HOSTS_OK:
		return HMX_OK;
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER:
		line = kh_find_line(in->known_hosts, label, in->key_type);
		hmx_log(HMX_LOG_ERROR, "@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! IT IS "
			"POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY! @@@");
		hmx_log(HMX_LOG_ERROR, "Someone could be eavesdropping on you right now "
			"(man-in-the-middle attack)! It is also possible that the host key has just "
			"been changed. Ask the site's administrator for the new fingerprint.");
		return hmx_err_set(err, HMX_ESTATE,
				   "host key verification failed for %s: the server sent %s key %s, "
				   "which does not match the %s key in %s:%u. Refused; once you have "
				   "verified the new key, remove the old one with ssh-keygen -R '%s'",
				   label, in->key_type, in->fingerprint,
				   state == SSH_KNOWN_HOSTS_OTHER ? "known (other type)" : "known",
				   in->known_hosts, line, label);
	case SSH_KNOWN_HOSTS_UNKNOWN:
	case SSH_KNOWN_HOSTS_NOT_FOUND:
		break;
	case SSH_KNOWN_HOSTS_ERROR:
	default:
		return hmx_err_set(err, HMX_EIO, "cannot check the host key of %s in %s: %s", label,
				   in->known_hosts, ssh_get_error(c->ssh));
	}
	/* unknown host */
	if (o->accept_fingerprint && strcmp(o->accept_fingerprint, in->fingerprint) == 0) {
		/* the operator accepted exactly this key */
	} else if (!o->accept_new_host_key) {
		if (o->refused) {
			*o->refused = *in;
			hmx_strlcpy(o->refused->host, label, sizeof o->refused->host);
			o->refused->host_key_unknown = true;
		}
		if (o->accept_fingerprint)
			return hmx_err_set(err, HMX_ESTATE,
					   "unknown host key for %s: %s key %s is not the one "
					   "accepted (%s); refused", label, in->key_type,
					   in->fingerprint, o->accept_fingerprint);
		if (!o->interactive)
			return hmx_err_set(err, HMX_ESTATE,
					   "unknown host key for %s: %s key %s is not in %s; refused in "
					   "batch mode. Verify the fingerprint with the site's "
					   "administrator, then rerun with --accept-new-host-key",
					   label, in->key_type, in->fingerprint, in->known_hosts);
		snprintf(q, sizeof q,
			 "The authenticity of host %s can't be established.\n%s key fingerprint is %s.\n"
			 "Add it to %s and connect (only if the site's administrator confirmed it)?",
			 label, in->key_type, in->fingerprint, in->known_hosts);
		if (!hmx_confirm(q))
			return hmx_err_set(err, HMX_ESTATE, "host key of %s (%s) not accepted", label,
					   in->fingerprint);
	}
	if (ssh_session_update_known_hosts(c->ssh) != SSH_OK)
		return hmx_err_set(err, HMX_EIO, "cannot add the host key of %s to %s: %s", label,
				   in->known_hosts, ssh_get_error(c->ssh));
	in->host_key_added = true;
	hmx_log(HMX_LOG_INFO, "permanently added %s (%s %s) to %s", label, in->key_type,
		in->fingerprint, in->known_hosts);
	return HMX_OK;
}

/* ---- authentication -------------------------------------------------------- */

static bool auth_kbdint(struct sftpc *c)
{
	int rc = ssh_userauth_kbdint(c->ssh, NULL, NULL);

	for (int rounds = 0; rc == SSH_AUTH_INFO && rounds < 8; rounds++) {
		int n = ssh_userauth_kbdint_getnprompts(c->ssh);

		for (int i = 0; i < n; i++) {
			char echo = 0, ans[256];
			const char *p = ssh_userauth_kbdint_getprompt(c->ssh, (unsigned)i, &echo);

			if (ssh_getpass(p ? p : "Response: ", ans, sizeof ans, echo, 0) < 0)
				return false;
			rc = ssh_userauth_kbdint_setanswer(c->ssh, (unsigned)i, ans);
			memset(ans, 0, sizeof ans);
			if (rc < 0)
				return false;
		}
		rc = ssh_userauth_kbdint(c->ssh, NULL, NULL);
	}
	return rc == SSH_AUTH_SUCCESS;
}

static bool auth_password(struct sftpc *c)
{
	char prompt[400], pw[256];
	int rc;

	snprintf(prompt, sizeof prompt, "%s@%s's password: ", c->info.user, c->info.host);
	if (ssh_getpass(prompt, pw, sizeof pw, 0, 0) < 0)
		return false;
	rc = ssh_userauth_password(c->ssh, NULL, pw);
	memset(pw, 0, sizeof pw);
	return rc == SSH_AUTH_SUCCESS;
}

/* Appends a method name to the comma-separated list of those tried. */
static void tried_add(char *tried, size_t n, const char *method)
{
	size_t l = strlen(tried);

	snprintf(tried + l, n - l, "%s%s", l ? ", " : "", method);
}

static enum hmx_rc authenticate(struct sftpc *c, const struct site *site, struct hmx_err *err)
{
	int rc = ssh_userauth_none(c->ssh, NULL);
	int methods;
	char tried[160] = "";

	if (rc == SSH_AUTH_SUCCESS) {
		hmx_strlcpy(c->info.auth, "none", sizeof c->info.auth);
		return HMX_OK;
	}
	if (rc == SSH_AUTH_ERROR)
		return hmx_err_set(err, HMX_EIO, "%s: %s", c->info.host, ssh_get_error(c->ssh));
	methods = ssh_userauth_list(c->ssh, NULL);
	if (methods & SSH_AUTH_METHOD_PUBLICKEY) {
		const char *sock = getenv("SSH_AUTH_SOCK");

		if (sock && *sock) {
			tried_add(tried, sizeof tried, "agent");
			if (ssh_userauth_agent(c->ssh, NULL) == SSH_AUTH_SUCCESS) {
				hmx_strlcpy(c->info.auth, "agent", sizeof c->info.auth);
				return HMX_OK;
			}
		}
		tried_add(tried, sizeof tried, "public key");
		if (site->identity[0]) {
			ssh_key key = NULL;

			struct stat sb;

			if (stat(site->identity, &sb) != 0)
				return hmx_err_set(err, HMX_ENOTFOUND, "identity file %s: %s",
						   site->identity, strerror(errno));
			rc = ssh_pki_import_privkey_file(site->identity, NULL, ask_secret, c, &key);
			if (rc != SSH_OK)
				return hmx_err_set(err, HMX_EINVAL,
						   "cannot load identity file %s%s", site->identity,
						   c->interactive ? "" :
						   " (missing, unreadable, or needs a passphrase: "
						   "use ssh-agent in batch mode)");
			rc = ssh_userauth_publickey(c->ssh, NULL, key);
			ssh_key_free(key);
		} else {
			rc = ssh_userauth_publickey_auto(c->ssh, NULL, NULL);
		}
		if (rc == SSH_AUTH_SUCCESS) {
			hmx_strlcpy(c->info.auth, "publickey", sizeof c->info.auth);
			return HMX_OK;
		}
		if (rc == SSH_AUTH_ERROR)
			return hmx_err_set(err, HMX_EIO, "%s: %s", c->info.host, ssh_get_error(c->ssh));
	}
	if (c->interactive && (methods & SSH_AUTH_METHOD_INTERACTIVE)) {
		tried_add(tried, sizeof tried, "keyboard-interactive");
		if (auth_kbdint(c)) {
			hmx_strlcpy(c->info.auth, "keyboard-interactive", sizeof c->info.auth);
			return HMX_OK;
		}
	}
	if (c->interactive && (methods & SSH_AUTH_METHOD_PASSWORD)) {
		tried_add(tried, sizeof tried, "password");
		if (auth_password(c)) {
			hmx_strlcpy(c->info.auth, "password", sizeof c->info.auth);
			return HMX_OK;
		}
	}
	return hmx_err_set(err, HMX_ESTATE,
			   "%s@%s: permission denied (tried: %s)%s", c->info.user, c->info.host,
			   tried[0] ? tried : "nothing the server offers",
			   c->interactive ? "" : "; passwords are only asked on a terminal");
}

/* ---- connection ------------------------------------------------------------- */

/* With AES instructions, AES-GCM costs both ends a fraction of what
 * chacha20-poly1305 (libssh's and OpenSSH's first choice) does: on a 2-core
 * machine where sshd and hmx share the CPU that is the transfer speed. The
 * same ciphers as libssh's defaults, in another order. */
#define SFTPC_AES_FIRST                                                                  \
	"aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,"  \
	"aes256-ctr,aes192-ctr,aes128-ctr"

static bool cpu_has_aes(void)
{
	if (getenv("HMX_SSH_DEFAULT_CIPHERS")) /* for the benchmark's comparison */
		return false;
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
	__builtin_cpu_init();
	return __builtin_cpu_supports("aes");
#elif defined(__aarch64__) && defined(__linux__)
	return (getauxval(AT_HWCAP) & HWCAP_AES) != 0;
#else
	return false;
#endif
}

static enum hmx_rc set_options(struct sftpc *c, const struct site *site, const struct sftpc_opts *o,
			       struct hmx_err *err)
{
	const char *home = getenv("HOME");
	long timeout = o->timeout_s > 0 ? o->timeout_s : 30;
	int nodelay = 1;
	int verbosity = SSH_LOG_NOLOG;
	char sshdir[1000], *s = NULL;
	unsigned port = 0;

	if (home && *home) {
		if ((size_t)snprintf(sshdir, sizeof sshdir, "%s/.ssh", home) >= sizeof sshdir)
			return hmx_err_set(err, HMX_EINVAL, "HOME is too long");
		if (ssh_options_set(c->ssh, SSH_OPTIONS_SSH_DIR, sshdir) < 0)
			return hmx_err_set(err, HMX_EINVAL, "bad ssh directory %s", sshdir);
		/* explicit, so that we know its name; UserKnownHostsFile in
		 * ~/.ssh/config still wins */
		snprintf(c->info.known_hosts, sizeof c->info.known_hosts, "%s/known_hosts", sshdir);
		ssh_options_set(c->ssh, SSH_OPTIONS_KNOWNHOSTS, c->info.known_hosts);
	}
	ssh_options_set(c->ssh, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
	/* before the config file, so that a Ciphers line there still wins */
	if (cpu_has_aes()) {
		ssh_options_set(c->ssh, SSH_OPTIONS_CIPHERS_C_S, SFTPC_AES_FIRST);
		ssh_options_set(c->ssh, SSH_OPTIONS_CIPHERS_S_C, SFTPC_AES_FIRST);
	}
	if (ssh_options_set(c->ssh, SSH_OPTIONS_HOST, site->host) < 0)
		return hmx_err_set(err, HMX_EINVAL, "bad host \"%s\"", site->host);
	if (ssh_options_parse_config(c->ssh, NULL) < 0)
		return hmx_err_set(err, HMX_EINVAL, "cannot read ~/.ssh/config: %s",
				   ssh_get_error(c->ssh));
	/* the site's own settings win over the config file */
	if (site->port > 0) {
		unsigned p = (unsigned)site->port;
		ssh_options_set(c->ssh, SSH_OPTIONS_PORT, &p);
	}
	if (site->user[0] && ssh_options_set(c->ssh, SSH_OPTIONS_USER, site->user) < 0)
		return hmx_err_set(err, HMX_EINVAL, "bad user \"%s\"", site->user);
	ssh_options_set(c->ssh, SSH_OPTIONS_TIMEOUT, &timeout);
	/* SFTP requests are small packets sent while replies are in flight:
	 * with Nagle's algorithm they wait for the peer's delayed ACK and the
	 * pipeline runs dry (seconds lost per hundred MB on loopback). */
	ssh_options_set(c->ssh, SSH_OPTIONS_NODELAY, &nodelay);

	if (ssh_options_get(c->ssh, SSH_OPTIONS_HOST, &s) == SSH_OK && s) {
		hmx_strlcpy(c->info.host, s, sizeof c->info.host);
		ssh_string_free_char(s);
		s = NULL;
	}
	if (ssh_options_get(c->ssh, SSH_OPTIONS_USER, &s) == SSH_OK && s) {
		hmx_strlcpy(c->info.user, s, sizeof c->info.user);
		ssh_string_free_char(s);
		s = NULL;
	}
	if (ssh_options_get(c->ssh, SSH_OPTIONS_KNOWNHOSTS, &s) == SSH_OK && s) {
		if (*s && !strchr(s, '%'))
			hmx_strlcpy(c->info.known_hosts, s, sizeof c->info.known_hosts);
		ssh_string_free_char(s);
	}
	if (!c->info.known_hosts[0])
		hmx_strlcpy(c->info.known_hosts, "~/.ssh/known_hosts", sizeof c->info.known_hosts);
	c->info.port = ssh_options_get_port(c->ssh, &port) == SSH_OK ? port : 22;
	return HMX_OK;
}

/* ~/.ssh must exist (0700) before a first host key can be recorded. */
static void ensure_ssh_dir(const char *known_hosts)
{
	char dir[1024];
	char *slash;

	hmx_strlcpy(dir, known_hosts, sizeof dir);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		hmx_log(HMX_LOG_WARN, "cannot create %s: %s", dir, strerror(errno));
}

enum hmx_rc sftpc_open(const struct site *site, const struct sftpc_opts *o, struct sftpc **out,
		       struct hmx_err *err)
{
	struct sftpc *c = calloc(1, sizeof *c);
	double t0 = now_ms();
	enum hmx_rc rc;

	*out = NULL;
	if (!c || !(c->ssh = ssh_new())) {
		free(c);
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	}
	c->interactive = o->interactive;
	c->site = *site;
	c->opts = *o;
	c->opts.refused = NULL; /* the caller's, for this call only */
	c->opts.accept_fingerprint = NULL;
	if (o->accept_fingerprint) {
		hmx_strlcpy(c->accept_fp, o->accept_fingerprint, sizeof c->accept_fp);
		c->opts.accept_fingerprint = c->accept_fp;
	}
	hmx_strlcpy(c->remote_dir, site->remote_dir, sizeof c->remote_dir);
	c->cb.userdata = c;
	c->cb.auth_function = ask_secret;
	ssh_callbacks_init(&c->cb);
	ssh_set_callbacks(c->ssh, &c->cb);
	if ((rc = set_options(c, site, o, err)) != HMX_OK)
		goto fail;
	ensure_ssh_dir(c->info.known_hosts);
	if (ssh_connect(c->ssh) != SSH_OK) {
		rc = hmx_err_set(err, HMX_EIO, "cannot connect to %s port %u: %s", c->info.host,
				 c->info.port, ssh_get_error(c->ssh));
		goto fail;
	}
	if ((rc = check_host_key(c, o, err)) != HMX_OK || (rc = authenticate(c, site, err)) != HMX_OK)
		goto fail;
	if (!(c->sftp = sftp_new(c->ssh))) {
		rc = hmx_err_set(err, HMX_EIO, "%s: cannot open an SFTP channel: %s", c->info.host,
				 ssh_get_error(c->ssh));
		goto fail;
	}
	if (sftp_init(c->sftp) != SSH_OK) {
		rc = hmx_err_set(err, HMX_EIO, "%s: the server refused SFTP (error %d)", c->info.host,
				 sftp_get_error(c->sftp));
		goto fail;
	}
	c->info.connect_ms = now_ms() - t0;
	if (ssh_get_cipher_in(c->ssh))
		hmx_strlcpy(c->info.cipher, ssh_get_cipher_in(c->ssh), sizeof c->info.cipher);
	*out = c;
	return HMX_OK;
fail:
	sftpc_close(&c);
	return rc;
}

const struct sftpc_info *sftpc_info(const struct sftpc *c)
{
	return &c->info;
}

static enum hmx_rc sftp_fail(struct sftpc *c, const char *what, const char *path, struct hmx_err *err)
{
	int e = sftp_get_error(c->sftp);

	switch (e) {
	case SSH_FX_NO_SUCH_FILE:
	case SSH_FX_NO_SUCH_PATH:
		return hmx_err_set(err, HMX_ENOTFOUND, "%s: %s: no such file or directory", c->info.host,
				   path);
	case SSH_FX_PERMISSION_DENIED:
		return hmx_err_set(err, HMX_ESTATE, "%s: %s: permission denied", c->info.host, path);
	default:
		return hmx_err_set(err, HMX_EIO, "%s: cannot %s %s (SFTP error %d: %s)", c->info.host,
				   what, path, e, ssh_get_error(c->ssh));
	}
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sftpc_entry *)a)->name, ((const struct sftpc_entry *)b)->name);
}

enum hmx_rc sftpc_list(struct sftpc *c, const char *dir, struct sftpc_entry **out, size_t *n,
		       struct hmx_err *err)
{
	struct sftpc_entry *v = NULL;
	size_t cnt = 0, cap = 0;
	sftp_attributes a;
	sftp_dir d;
	enum hmx_rc rc = HMX_OK;

	*out = NULL;
	*n = 0;
	if (!dir || !*dir)
		dir = c->remote_dir[0] ? c->remote_dir : ".";
	if (!(d = sftp_opendir(c->sftp, dir)))
		return sftp_fail(c, "open", dir, err);
	while ((a = sftp_readdir(c->sftp, d))) {
		struct sftpc_entry *nv;

		if (!a->name || strcmp(a->name, ".") == 0 || strcmp(a->name, "..") == 0) {
			sftp_attributes_free(a);
			continue;
		}
		if (!(nv = hmx_grow(v, &cap, cnt, sizeof *v)) || !(nv[cnt].name = strdup(a->name))) {
			if (nv)
				v = nv;
			sftp_attributes_free(a);
			rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
			break;
		}
		v = nv;
		v[cnt].size = a->size;
		v[cnt].mtime = (int64_t)a->mtime;
		v[cnt].perms = a->permissions;
		v[cnt].is_dir = a->type == SSH_FILEXFER_TYPE_DIRECTORY;
		cnt++;
		sftp_attributes_free(a);
	}
	if (rc == HMX_OK && !sftp_dir_eof(d))
		rc = sftp_fail(c, "read", dir, err);
	sftp_closedir(d);
	if (rc != HMX_OK) {
		sftpc_entries_free(v, cnt);
		return rc;
	}
	if (cnt)
		qsort(v, cnt, sizeof *v, entry_cmp);
	*out = v;
	*n = cnt;
	return HMX_OK;
}

void sftpc_entries_free(struct sftpc_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].name);
	free(e);
}

enum hmx_rc sftpc_ping(struct sftpc *c, double *ms, struct hmx_err *err)
{
	double t0 = now_ms();
	sftp_attributes a = sftp_stat(c->sftp, ".");

	if (!a)
		return sftp_fail(c, "stat", ".", err);
	sftp_attributes_free(a);
	*ms = now_ms() - t0;
	return HMX_OK;
}

struct sftp_session_struct *sftpc_session(struct sftpc *c)
{
	return c->sftp;
}

enum hmx_rc sftpc_clone(struct sftpc *c, struct sftpc **out, struct hmx_err *err)
{
	struct sftpc_opts o = c->opts;

	o.interactive = false;
	o.refused = NULL;
	return sftpc_open(&c->site, &o, out, err);
}

enum hmx_rc sftpc_reconnect(struct sftpc *c, struct hmx_err *err)
{
	struct sftpc *n;
	enum hmx_rc rc;

	if ((rc = sftpc_open(&c->site, &c->opts, &n, err)) != HMX_OK)
		return rc;
	if (c->sftp)
		sftp_free(c->sftp);
	if (c->ssh) {
		if (ssh_is_connected(c->ssh))
			ssh_disconnect(c->ssh);
		ssh_free(c->ssh);
	}
	*c = *n;
	/* the callbacks and the accepted fingerprint live in the struct: point
	 * them at its new home */
	if (c->opts.accept_fingerprint)
		c->opts.accept_fingerprint = c->accept_fp;
	c->cb.userdata = c;
	ssh_set_callbacks(c->ssh, &c->cb);
	free(n);
	return HMX_OK;
}

bool sftpc_connected(struct sftpc *c)
{
	return c && c->ssh && ssh_is_connected(c->ssh);
}

void sftpc_close(struct sftpc **c)
{
	if (!c || !*c)
		return;
	if ((*c)->sftp)
		sftp_free((*c)->sftp);
	if ((*c)->ssh) {
		if (ssh_is_connected((*c)->ssh))
			ssh_disconnect((*c)->ssh);
		ssh_free((*c)->ssh);
	}
	free(*c);
	*c = NULL;
}
