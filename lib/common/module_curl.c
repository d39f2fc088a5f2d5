/* curl.so's table (module.h). */
#include "config.h"

#include "broker_http.h"
#include "http_event.h"
#include "module.h"

const struct curl_module curl_module = {
	.producer_open = http_producer_open,
	.header_check = http_header_check,
	.webhook_secret = http_webhook_secret,
};
