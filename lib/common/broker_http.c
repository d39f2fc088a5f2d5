#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <sodium.h>

#include "broker_http.h"
#include "http_event.h"
#include "util.h"

#define FIRST_LINE_MAX 200          /* of an error answer's body, kept for the reason */
#define CONNECT_TIMEOUT_MS 10000
#define ATTEMPT_TIMEOUT_MS 30000    /* a request answered later is retried */
#define WARN_MAX 3                  /* failed requests told on stderr; then a count at close */
#define STRUCTURED_TYPE "Content-Type: application/cloudevents+json; charset=utf-8"
#define BATCH_TYPE "Content-Type: application/cloudevents-batch+json; charset=utf-8"

/* One POST: an event, or a batch of them. */
struct http_req {
	uint64_t seq;               /* in the order of sending, from 0 */
	char *body;                 /* what is POSTed; NULL: the one kept line */
	size_t len;
	char *lines;                /* the events as given, each ended by '\n' */
	size_t lines_len, lines_cap;
	uint64_t *tags;             /* each event's tag (producer.tag) */
	size_t nevents, tags_cap;
	struct curl_slist *own;     /* Content-Type, and ce-* in binary mode */
	struct curl_slist *sent;    /* the attempt in flight's: -H, own, signature */
	crypto_hash_sha256_state idhash;
	char webhook_id[HTTP_WEBHOOK_ID_LEN];
	int attempts;
	int64_t not_before;         /* clock_ms() before which it is not tried again */
	int64_t retry_after;        /* the last answer's Retry-After, ms; -1: none */
	int slot;                   /* its easy handle while in flight, else -1 */
	int done;                   /* delivered or failed */
	char first_line[FIRST_LINE_MAX];
	size_t first_len;
	int first_ended;
	char errbuf[CURL_ERROR_SIZE];
};

struct http_producer {
	struct producer base;
	CURLM *multi;               /* its connection cache is what reuses connections */
	CURL *easy[HTTP_INFLIGHT];
	struct http_req *busy[HTTP_INFLIGHT];   /* the request each handle carries */
	struct http_req *queue[HTTP_QUEUE_MAX];  /* a ring, oldest at head */
	int head, count, inflight;
	struct http_req *open;      /* the batch being filled */
	uint64_t seq;               /* of the next request */
	char *url;
	struct curl_slist *user;    /* -H */
	int binary, batch, attempts;
	unsigned char key[HTTP_WEBHOOK_KEY_MAX];  /* --webhook-secret's */
	size_t keylen;              /* 0: no signature */
	int status;                 /* of the failures since the last flush */
	int stop;                   /* the first failure's, but a refused event's (65):
	                               sending stops; refused events do not stop the rest */
	uint64_t failed_reqs;
};

static int curl_users;          /* producers open: curl_global_* around them */

int
http_retry_after(const char *s, size_t n, time_t now, int64_t *ms)
{
	char text[64];
	int64_t secs;
	time_t t;

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n == 0 || n >= sizeof text)
		return -1;
	memcpy(text, s, n);
	text[n] = '\0';
	if (strspn(text, "0123456789") == n) {
		if (parse_int64(text, 0, INT64_MAX / 1000, &secs) < 0)
			secs = HTTP_RETRY_AFTER_CAP_MS / 1000;
	} else if ((t = curl_getdate(text, NULL)) == -1)
		return -1;
	else
		secs = t > now ? (int64_t)(t - now) : 0;
	*ms = secs * 1000 > HTTP_RETRY_AFTER_CAP_MS ? HTTP_RETRY_AFTER_CAP_MS : secs * 1000;
	return 0;
}

int64_t
http_backoff_ms(int attempt)
{
	int64_t d = HTTP_BACKOFF_MS;

	while (--attempt > 0 && d < HTTP_BACKOFF_CAP_MS)
		d *= 2;
	if (d > HTTP_BACKOFF_CAP_MS)
		d = HTTP_BACKOFF_CAP_MS;
	/* jitter, so that senders told off at once do not come back at once */
	return d - randombytes_uniform((uint32_t)(d / 2 + 1));
}

/* -- the requests -- */

static struct http_req *
req_new(void)
{
	struct http_req *r = xcalloc(1, sizeof *r);

	r->slot = -1;
	r->retry_after = -1;
	http_webhook_id_start(&r->idhash);
	return r;
}

static void
req_free(struct http_req *r)
{
	free(r->body);
	free(r->lines);
	free(r->tags);
	curl_slist_free_all(r->own);
	curl_slist_free_all(r->sent);
	free(r);
}

/* Keep an event of r as it was given, with its tag. */
static void
req_keep(struct http_req *r, const char *line, size_t len, uint64_t tag)
{
	if (r->lines_len + len + 1 > r->lines_cap) {
		r->lines_cap = (r->lines_len + len + 1) * 2;
		r->lines = xrealloc(r->lines, r->lines_cap);
	}
	memcpy(r->lines + r->lines_len, line, len);
	r->lines[r->lines_len + len] = '\n';
	r->lines_len += len + 1;
	if (r->nevents == r->tags_cap) {
		r->tags_cap = r->tags_cap ? 2 * r->tags_cap : 1;
		r->tags = xrealloc(r->tags, r->tags_cap * sizeof *r->tags);
	}
	r->tags[r->nevents++] = tag;
}

/* Every event of r goes to on_fail with reason; the run's status is set. */
static void
req_fail(struct http_producer *h, struct http_req *r, const char *reason, int status)
{
	const char *s = r->lines, *nl;
	size_t i;

	if (++h->failed_reqs <= WARN_MAX)
		warnmsg("%s: %s (%zu event%s not delivered)", h->url, reason, r->nevents, r->nevents == 1 ? "" : "s");
	if (!h->status)
		h->status = status;
	if (!h->stop && status != EX_FLOW_DATAERR)
		h->stop = status;
	for (i = 0; i < r->nevents; i++, s = nl + 1) {
		nl = memchr(s, '\n', r->lines + r->lines_len - s);
		h->base.failed++;
		h->base.fail_tag = r->tags[i];
		if (h->base.on_fail)
			h->base.on_fail(h->base.fail_ctx, s, nl - s, reason);
	}
	h->base.fail_tag = 0;
	r->done = 1;
}

/* The first line of an answer's body, printable, for the reason. */
static size_t
on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct http_req *r = ctx;
	size_t i;

	for (i = 0; i < n && !r->first_ended && r->first_len + 1 < FIRST_LINE_MAX; i++) {
		if (p[i] == '\n' || p[i] == '\r')
			r->first_ended = 1;
		else
			r->first_line[r->first_len++] = (unsigned char)p[i] < 0x20 || p[i] == 0x7f ? '?' : p[i];
	}
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct http_req *r = ctx;
	int64_t ms;

	if (n > 12 && strncasecmp(p, "Retry-After:", 12) == 0 && http_retry_after(p + 12, n - 12, time(NULL), &ms) == 0)
		r->retry_after = ms;
	return size * n;
}

/* Put r on the wire with easy handle slot: its headers made now, with a
   signature of this moment. */
static void
req_start(struct http_producer *h, struct http_req *r, int slot)
{
	CURL *e = h->easy[slot];
	struct curl_slist *l;

	curl_slist_free_all(r->sent);
	r->sent = curl_slist_append(NULL, "Expect:");  /* no 100-continue round trip */
	for (l = h->user; l; l = l->next)
		r->sent = curl_slist_append(r->sent, l->data);
	for (l = r->own; l; l = l->next)
		r->sent = curl_slist_append(r->sent, l->data);
	if (h->keylen)
		http_webhook_sign(&r->sent, h->key, h->keylen, r->webhook_id, time(NULL),
		    r->body ? r->body : r->lines, r->body ? r->len : r->lines_len - 1);
	r->attempts++;
	r->retry_after = -1;
	r->first_len = 0;
	r->first_ended = 0;
	r->errbuf[0] = '\0';
	r->slot = slot;
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->sent);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body ? r->body : r->lines);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(r->body ? r->len : r->lines_len - 1));
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_multi_add_handle(h->multi, e);
	h->inflight++;
}

/* Transport errors that another try would not mend. */
static int
transport_final(CURLcode c)
{
	return c == CURLE_UNSUPPORTED_PROTOCOL || c == CURLE_URL_MALFORMAT || c == CURLE_PEER_FAILED_VERIFICATION ||
	    c == CURLE_SSL_CACERT_BADFILE || c == CURLE_SSL_CERTPROBLEM || c == CURLE_OUT_OF_MEMORY;
}

/* The exit status of a request that failed for good. */
static int
failed_status(CURLcode c, long code, int retryable)
{
	if (c != CURLE_OK)
		return EX_FLOW_UNAVAILABLE;
	if (code == 401 || code == 403)
		return EX_FLOW_NOPERM;
	if (retryable)
		return EX_FLOW_TEMPFAIL;
	return code >= 400 && code < 500 ? EX_FLOW_DATAERR : EX_FLOW_UNAVAILABLE;
}

/* The attempt of r ended with c: delivered, retried later, or failed. */
static void
req_ended(struct http_producer *h, struct http_req *r, CURLcode c)
{
	CURL *e = h->easy[r->slot];
	char reason[FIRST_LINE_MAX + CURL_ERROR_SIZE + 32];
	long code = 0;
	int retryable;

	curl_multi_remove_handle(h->multi, e);
	h->inflight--;
	h->busy[r->slot] = NULL;
	r->slot = -1;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	if (c == CURLE_OK && code >= 200 && code < 300) {
		r->done = 1;
		return;
	}
	retryable = c != CURLE_OK ? !transport_final(c) : code == 408 || code == 429 || (code >= 500 && code < 600);
	if (retryable && r->attempts < h->attempts) {
		r->not_before = clock_ms() +
		    (c == CURLE_OK && r->retry_after >= 0 ? r->retry_after : http_backoff_ms(r->attempts));
		return;
	}
	if (c != CURLE_OK)
		snprintf(reason, sizeof reason, "connection: %s", r->errbuf[0] ? r->errbuf : curl_easy_strerror(c));
	else
		snprintf(reason, sizeof reason, "HTTP %ld: %.*s", code, (int)r->first_len, r->first_line);
	req_fail(h, r, reason, failed_status(c, code, retryable));
}

/* -- the queue -- */

/* Drop the ended requests at the head: what is left starts at the oldest
   request not ended. */
static void
prune(struct http_producer *h)
{
	while (h->count > 0 && h->queue[h->head]->done) {
		req_free(h->queue[h->head]);
		h->head = (h->head + 1) % HTTP_QUEUE_MAX;
		h->count--;
	}
}

/* Start the requests due, oldest first, while a handle is free; the time
   the next waiting one is due (INT64_MAX: none). */
static int64_t
start_due(struct http_producer *h)
{
	int64_t now = clock_ms(), next = INT64_MAX;
	struct http_req *r;
	int i, slot;

	for (i = 0; i < h->count; i++) {
		r = h->queue[(h->head + i) % HTTP_QUEUE_MAX];
		if (r->done || r->slot >= 0)
			continue;
		if (r->not_before > now) {
			next = r->not_before < next ? r->not_before : next;
			continue;
		}
		if (h->inflight == HTTP_INFLIGHT)
			break;
		for (slot = 0; slot < HTTP_INFLIGHT; slot++)
			if (!h->busy[slot])
				break;
		h->busy[slot] = r;
		req_start(h, r, slot);
	}
	return next;
}

/* One round: start what is due, let libcurl work, take in what ended;
   waiting up to wait_ms for something to happen (less when a retry is due
   sooner). */
static void
drive(struct http_producer *h, int wait_ms)
{
	int64_t next = start_due(h), now;
	CURLMsg *m;
	int running, left, slot;

	if (wait_ms > 0) {
		now = clock_ms();
		if (next != INT64_MAX && next - now < wait_ms)
			wait_ms = next > now ? (int)(next - now) : 0;
		curl_multi_poll(h->multi, NULL, 0, wait_ms, NULL);
	}
	curl_multi_perform(h->multi, &running);
	while ((m = curl_multi_info_read(h->multi, &left)))
		for (slot = 0; m->msg == CURLMSG_DONE && slot < HTTP_INFLIGHT; slot++)
			if (h->easy[slot] == m->easy_handle && h->busy[slot]) {
				req_ended(h, h->busy[slot], m->data.result);
				break;
			}
	prune(h);
	start_due(h);
}

/* Queue r, once there is room: sending waits for the receiver. */
static void
enqueue(struct http_producer *h, struct http_req *r)
{
	while (h->count == HTTP_QUEUE_MAX)
		drive(h, 100);
	r->seq = h->seq++;
	http_webhook_id_end(&r->idhash, r->webhook_id);
	h->queue[(h->head + h->count++) % HTTP_QUEUE_MAX] = r;
	drive(h, 0);
}

/* The batch being filled, ended and queued. */
static void
close_batch(struct http_producer *h)
{
	struct http_req *r = h->open;

	if (!r)
		return;
	h->open = NULL;
	r->body = xrealloc(r->body, r->len + 1);
	r->body[r->len++] = ']';
	r->own = curl_slist_append(r->own, BATCH_TYPE);
	enqueue(h, r);
}

/* Add the event to the batch being filled (opened if none). */
static void
batch_add(struct http_producer *h, const char *line, size_t len)
{
	struct http_req *r = h->open;

	if (!r) {
		r = h->open = req_new();
		r->body = xmalloc(1);
		r->len = 1;
		r->body[0] = '[';
	}
	r->body = xrealloc(r->body, r->len + len + 2);
	if (r->nevents > 0)
		r->body[r->len++] = ',';
	memcpy(r->body + r->len, line, len);
	r->len += len;
}

static int
http_send(struct producer *p, const char *line, size_t len, const struct ce_event *ev)
{
	struct http_producer *h = (struct http_producer *)p;
	struct ce_event parsed;
	struct ce_error err;
	struct http_req *r;

	/* the webhook-id and binary mode need the event's attributes */
	if (!ev && (h->binary || h->keylen)) {
		if (ce_parse(&parsed, line, len, 0, &err) < 0) {
			r = req_new();
			req_keep(r, line, len, p->tag);
			req_fail(h, r, err.msg, EX_FLOW_DATAERR);
			req_free(r);
			return EX_FLOW_DATAERR;
		}
		ev = &parsed;
	}
	if (h->batch) {
		batch_add(h, line, len);
		r = h->open;
	} else {
		r = req_new();
		if (!h->binary || http_binary(ev, &r->own, &r->body, &r->len) != 0)
			r->own = curl_slist_append(r->own, STRUCTURED_TYPE);
		else if (!r->body)
			r->body = xmalloc(1);  /* no data: an empty body, not the line */
	}
	req_keep(r, line, len, p->tag);
	if (ev)
		http_webhook_id_add(&r->idhash, ev);
	if (!h->batch)
		enqueue(h, r);
	else if (r->nevents == (size_t)h->batch)
		close_batch(h);
	return h->stop;
}

static int
http_flush(struct producer *p)
{
	struct http_producer *h = (struct http_producer *)p;
	int status;

	close_batch(h);
	while (h->count > 0)
		drive(h, 1000);
	status = h->status;
	h->status = h->stop = 0;
	return status;
}

static int
http_push(struct producer *p)
{
	struct http_producer *h = (struct http_producer *)p;

	close_batch(h);
	drive(h, 0);
	return h->stop;
}

static int
http_mark(struct producer *p, uint64_t *id)
{
	struct http_producer *h = (struct http_producer *)p;

	close_batch(h);
	*id = h->seq;
	p->marks++;
	drive(h, 0);
	return h->stop;
}

/* Settled: every request before id ended (the queue holds none older). */
static int
http_settled(struct producer *p, uint64_t id, int timeout_ms)
{
	struct http_producer *h = (struct http_producer *)p;
	int64_t deadline = clock_ms() + timeout_ms;
	int left;

	for (;;) {
		prune(h);
		if (h->count == 0 || h->queue[h->head]->seq >= id)
			return 1;
		if ((left = (int)(deadline - clock_ms())) <= 0)
			return 0;
		drive(h, left < 100 ? left : 100);
	}
}

static void
http_close(struct producer *p)
{
	struct http_producer *h = (struct http_producer *)p;
	int i;

	http_flush(p);
	if (h->failed_reqs > WARN_MAX)
		warnmsg("%s: %llu requests failed in all", h->url, (unsigned long long)h->failed_reqs);
	for (i = 0; i < HTTP_INFLIGHT; i++)
		curl_easy_cleanup(h->easy[i]);
	curl_multi_cleanup(h->multi);
	curl_slist_free_all(h->user);
	sodium_memzero(h->key, sizeof h->key);
	free(h->url);
	free(h);
	if (--curl_users == 0)
		curl_global_cleanup();
}

static const struct producer_ops http_producer_ops = {
	http_send, http_flush, http_push, http_mark, http_settled, http_close,
};

/* What every request of h shares, set once on each handle. */
static void
easy_setup(struct http_producer *h, CURL *e, const char *cafile)
{
	curl_easy_setopt(e, CURLOPT_URL, h->url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "flow/" FLOW_VERSION);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)ATTEMPT_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	if (cafile)
		curl_easy_setopt(e, CURLOPT_CAINFO, cafile);
}

struct producer *
http_producer_open(const struct flow_url *u, const struct broker_opts *o, int *status)
{
	struct http_producer *h;
	size_t i;

	if (o->batch && o->binary) {
		warnmsg("%s: --batch and --binary: a batch is in structured mode", u->path);
		*status = EX_FLOW_USAGE;
		return NULL;
	}
	if (curl_users++ == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		warnmsg("%s: libcurl: cannot initialise", u->path);
		curl_users = 0;
		*status = EX_FLOW_SOFTWARE;
		return NULL;
	}
	h = xcalloc(1, sizeof *h);
	h->base.ops = &http_producer_ops;
	h->binary = o->binary;
	h->batch = o->batch;
	h->attempts = o->http_attempts ? o->http_attempts : HTTP_RETRIES_DEFAULT + 1;
	if (o->webhook_key && o->webhook_keylen <= sizeof h->key) {
		memcpy(h->key, o->webhook_key, o->webhook_keylen);
		h->keylen = o->webhook_keylen;
	}
	h->url = xstrdup(u->path);
	for (i = 0; i < o->nheaders; i++)
		h->user = curl_slist_append(h->user, o->headers[i]);
	h->multi = curl_multi_init();
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)HTTP_INFLIGHT);
	for (i = 0; i < HTTP_INFLIGHT; i++) {
		h->easy[i] = curl_easy_init();
		easy_setup(h, h->easy[i], o->cafile);
	}
	return &h->base;
}
