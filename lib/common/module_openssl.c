/* openssl.so's table (module.h). */
#include "config.h"

#include "flowkey.h"
#include "module.h"
#include "provenance.h"
#include "sigkey.h"
#include "tls.h"

const struct openssl_module openssl_module = {
	.server_ctx = tls_server_ctx,
	.client_ctx = tls_client_ctx,
	.ctx_free = tls_ctx_free,
	.accept = tls_accept,
	.connect = tls_connect,
	.read = tls_read,
	.write = tls_write,
	.close = tls_close,
	.sigkey_load = sigkey_load,
	.sigkey_free = sigkey_free,
	.record_format = flowkey_record_format,
	.write_pem = sigkey_write_pem,
	.key_lookup = flowkey_lookup,
	.keyring_new = keyring_new,
	.keyring_free = keyring_free,
	.keyring_add_file = keyring_add_file,
	.keyring_set_namespace = keyring_set_namespace,
	.keyring_use_dns = keyring_use_dns,
	.sign_line = prov_sign_line,
	.verify_line = prov_verify_line,
	.work_free = prov_work_free,
	.exts_check = prov_exts_check,
};
