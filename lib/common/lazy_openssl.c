/* TLS and signing as the agent and the broker programs link them
   (module.h): the first context made, or the first key read or looked
   up, or keyring made, loads openssl.so, and with it OpenSSL; a session
   or a run without TLS that signs and verifies nothing never maps it. A
   struct tls, a key or a keyring only exists once the module is loaded,
   so whatever takes one goes straight to it. */
#include "config.h"

#include <stddef.h>

#include <stdio.h>

#include "flowkey.h"
#include "module.h"
#include "provenance.h"
#include "sigkey.h"
#include "tls.h"
#include "util.h"

static const struct openssl_module *loaded;

/* The module's table, or NULL with *why. */
static const struct openssl_module *
openssl(const char **why)
{
	if (!loaded && !(loaded = module_load("openssl", why)))
		return NULL;
	return loaded;
}

struct tls_ctx *
tls_server_ctx(const char *cert, const char *key, const char **why)
{
	const struct openssl_module *m = openssl(why);

	return m ? m->server_ctx(cert, key, why) : NULL;
}

struct tls_ctx *
tls_client_ctx(const char *cafile, const char **why)
{
	const struct openssl_module *m = openssl(why);

	return m ? m->client_ctx(cafile, why) : NULL;
}

void
tls_ctx_free(struct tls_ctx *x)
{
	if (x)
		loaded->ctx_free(x);
}

struct tls *
tls_accept(struct tls_ctx *x, int in, int out, int timeout_ms, const char **why)
{
	return loaded->accept(x, in, out, timeout_ms, why);
}

struct tls *
tls_connect(struct tls_ctx *x, int fd, const char *host, int timeout_ms, const char **why)
{
	return loaded->connect(x, fd, host, timeout_ms, why);
}

ssize_t
tls_read(struct tls *t, void *p, size_t n, int timeout_ms)
{
	return loaded->read(t, p, n, timeout_ms);
}

int
tls_write(struct tls *t, const void *p, size_t n, int timeout_ms)
{
	return loaded->write(t, p, n, timeout_ms);
}

void
tls_close(struct tls *t)
{
	if (t)
		loaded->close(t);
}

int
sigkey_load(struct sigkey *k, const char *path, int need_private, char *why, size_t whysize)
{
	const char *bad;
	const struct openssl_module *m = openssl(&bad);

	if (!m) {
		snprintf(why, whysize, "%s", bad);
		return -1;
	}
	return m->sigkey_load(k, path, need_private, why, whysize);
}

void
sigkey_free(struct sigkey *k)
{
	if (loaded)  /* nothing of OpenSSL's to free before it is loaded */
		loaded->sigkey_free(k);
}

long
flowkey_record_format(const struct sigkey *k, char *out)
{
	return loaded->record_format(k, out);
}

int
sigkey_write_pem(const struct sigkey *k, FILE *f)
{
	return loaded->write_pem(k, f);
}

int
flowkey_lookup(struct resolver *res, const char *name, struct sigkey *k, const char **why)
{
	const struct openssl_module *m = openssl(why);

	return m ? m->key_lookup(res, name, k, why) : EX_FLOW_SOFTWARE;
}

struct keyring *
keyring_new(void)
{
	const char *why;
	const struct openssl_module *m = openssl(&why);

	if (!m)  /* as the real one, it does not fail: the installation is broken */
		die(EX_FLOW_SOFTWARE, "%s", why);
	return m->keyring_new();
}

void
keyring_free(struct keyring *kr)
{
	if (loaded)  /* nothing of OpenSSL's to free before it is loaded */
		loaded->keyring_free(kr);
}

int
keyring_add_file(struct keyring *kr, const char *keyid, const char *path, char *why,
    size_t whysize)
{
	return loaded->keyring_add_file(kr, keyid, path, why, whysize);
}

int
keyring_use_dns(struct keyring *kr, const struct resolver_opts *o, const char **why)
{
	return loaded->keyring_use_dns(kr, o, why);
}

int
keyring_set_namespace(struct keyring *kr, const char *ns, const char **why)
{
	return loaded->keyring_set_namespace(kr, ns, why);
}

int
prov_sign_line(const struct prov_signer *s, struct prov_work *w, const char *line, size_t len,
    const char **out, size_t *outlen, char *why, size_t whysize)
{
	return loaded->sign_line(s, w, line, len, out, outlen, why, whysize);
}

int
prov_verify_line(const struct prov_verifier *v, struct prov_work *w, const char *line,
    size_t len, const char **out, size_t *outlen, struct dsse_fail *f)
{
	return loaded->verify_line(v, w, line, len, out, outlen, f);
}

void
prov_work_free(struct prov_work *w)
{
	if (loaded)  /* nothing of OpenSSL's to free before it is loaded */
		loaded->work_free(w);
}

int
prov_exts_check(const char *const *names, const size_t *lens, int n, const char **why)
{
	return loaded->exts_check(names, lens, n, why);
}
