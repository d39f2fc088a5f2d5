/* module: the parts of the library that need a large shared library
   (librdkafka, libcurl, OpenSSL), built a second time as shared objects that a
   program loads the first time it needs one. The agent is started once
   per connection: mapping and relocating librdkafka and OpenSSL cost more
   than most of its sessions, which touch none (a file flow, no TLS); and
   flow-pub, flow-sub, flow-bridge, flow-stat and flow-resolve took twice
   as long to start with them, whatever the flow. So these link forwarding
   functions (lib/common/lazy_*.c) in place of the real ones, and the
   first call loads the module; the other programs, which always need
   what they link (flow-sign, flow-verify), or an HTTP or YAML library of
   their own besides (fnap, flow-httpd), link the real ones directly.

   A module NAME is NAME.so, looked for in the running program's own
   directory (the build tree) and then in MODULEDIR; it exports one table
   of the functions it offers, NAME_module. The program exports its own
   symbols (--export-dynamic), which the module's code calls (util,
   json, ce...): one copy of each, and of their state, in the process. */
#ifndef FLOW_MODULE_H
#define FLOW_MODULE_H

#include <stdio.h>
#include <sys/types.h>

struct broker_opts;
struct consumer;
struct flow_stat;
struct flow_url;
struct dsse_fail;
struct kafka_topic_spec;
struct keyring;
struct producer;
struct prov_signer;
struct prov_verifier;
struct prov_work;
struct resolver;
struct resolver_opts;
struct sigkey;
struct stat_query;
struct tls;
struct tls_ctx;

/* kafka.so: the Kafka broker (broker_kafka.h, kafka_admin.h, flowstat.h). */
struct kafka_module {
	struct producer *(*producer_open)(const struct flow_url *u, const struct broker_opts *o,
	    int *status);
	struct consumer *(*consumer_open)(const struct flow_url *u, const struct broker_opts *o,
	    int *status);
	int (*topic_create)(const struct kafka_topic_spec *s, const char **why);
	int (*topic_delete)(const struct kafka_topic_spec *s, const char **why);
	int (*topic_retain)(const struct kafka_topic_spec *s, const char **why);
	int (*stat)(const struct flow_url *u, const struct broker_opts *o, const struct stat_query *q,
	    struct flow_stat *st);
};

/* curl.so: http:// and https:// destinations (broker_http.h) and the
   checks of their options (http_event.h), which brokeropt calls. */
struct curl_module {
	struct producer *(*producer_open)(const struct flow_url *u, const struct broker_opts *o,
	    int *status);
	int (*header_check)(const char *h, const char **why);
	int (*webhook_secret)(const char *text, size_t n, unsigned char *key, size_t *keylen,
	    const char **why);
};

/* openssl.so: TLS (tls.h) and what the agent signs with (fnap_sign.c:
   sigkey.h, flowkey.h, provenance.h). */
struct openssl_module {
	struct tls_ctx *(*server_ctx)(const char *cert, const char *key, const char **why);
	struct tls_ctx *(*client_ctx)(const char *cafile, const char **why);
	void (*ctx_free)(struct tls_ctx *x);
	struct tls *(*accept)(struct tls_ctx *x, int in, int out, int timeout_ms, const char **why);
	struct tls *(*connect)(struct tls_ctx *x, int fd, const char *host, int timeout_ms,
	    const char **why);
	ssize_t (*read)(struct tls *t, void *p, size_t n, int timeout_ms);
	int (*write)(struct tls *t, const void *p, size_t n, int timeout_ms);
	void (*close)(struct tls *t);

	int (*sigkey_load)(struct sigkey *k, const char *path, int need_private, char *why,
	    size_t whysize);
	void (*sigkey_free)(struct sigkey *k);
	long (*record_format)(const struct sigkey *k, char *out);
	int (*write_pem)(const struct sigkey *k, FILE *f);
	int (*key_lookup)(struct resolver *res, const char *name, struct sigkey *k, const char **why);
	struct keyring *(*keyring_new)(void);
	void (*keyring_free)(struct keyring *kr);
	int (*keyring_add_file)(struct keyring *kr, const char *keyid, const char *path, char *why,
	    size_t whysize);
	int (*keyring_set_namespace)(struct keyring *kr, const char *ns, const char **why);
	int (*keyring_use_dns)(struct keyring *kr, const struct resolver_opts *o, const char **why);
	int (*sign_line)(const struct prov_signer *s, struct prov_work *w, const char *line,
	    size_t len, const char **out, size_t *outlen, char *why, size_t whysize);
	int (*verify_line)(const struct prov_verifier *v, struct prov_work *w, const char *line,
	    size_t len, const char **out, size_t *outlen, struct dsse_fail *f);
	void (*work_free)(struct prov_work *w);
	int (*exts_check)(const char *const *names, const size_t *lens, int n, const char **why);
};

/* The table of module name, loaded now if it is not yet: NULL with *why
   (the module missing or broken; said once more at each call). */
const void *module_load(const char *name, const char **why);

#endif
