/* http-post: the client of bench/http.sh (a): POSTs NDJSON events as
   CloudEvents batches, one request after the other, over one keep-alive
   connection, so that what is measured is the receiver's work per batch.

   usage: http-post URL [N]
   Reads events, one JSON line each, on standard input and POSTs them to URL
   as JSON arrays of N events (default 100; the last may hold fewer),
   Content-Type application/cloudevents-batch+json, through one libcurl easy
   handle: its connection is kept and reused. Every answer must be 202 with
   the body {"stored":K}, K the events of the batch; the first that is not
   ends the run (status 1). At the end, prints "EVENTS events, REQUESTS
   requests, CONNECTIONS connections" on standard output. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#define LINE_MAX_BYTES (1024 * 1024)   /* flow-httpd's default body-max is about this */
#define BATCH_MAX 1000                 /* flow-httpd's default batch-max */
#define ANSWER_MAX 256                 /* {"stored":N} is far shorter */

struct batch {
	char *body;
	size_t len, cap;
	long events;
};

struct answer {
	char text[ANSWER_MAX];
	size_t len;
};

static const char *url;
static struct curl_slist *headers;

static void
die(const char *reason)
{
	fprintf(stderr, "http-post: %s: %s\n", url, reason);
	exit(1);
}

static void
append(struct batch *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		if (!(b->body = realloc(b->body, b->cap)))
			die("out of memory");
	}
	memcpy(b->body + b->len, s, n);
	b->len += n;
}

/* keeps the start of the answer's body; a longer one cannot be right */
static size_t
keep_answer(char *data, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t room = sizeof a->text - 1 - a->len;
	size_t take = size * n < room ? size * n : room;

	memcpy(a->text + a->len, data, take);
	a->len += take;
	a->text[a->len] = '\0';
	return size * n;
}

/* POSTs the batch and checks the answer; returns the connections it opened */
static long
post(CURL *e, struct batch *b)
{
	struct answer a = { .len = 0 };
	char want[64], why[ANSWER_MAX + 128];
	long code = 0, opened = 0;
	CURLcode rc;

	append(b, "]", 1);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, b->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)b->len);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &a);
	a.text[0] = '\0';
	if ((rc = curl_easy_perform(e)) != CURLE_OK)
		die(curl_easy_strerror(rc));
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &opened);
	snprintf(want, sizeof want, "{\"stored\":%ld}", b->events);
	if (code != 202 || strcmp(a.text, want) != 0) {
		snprintf(why, sizeof why, "answered %ld %s, not 202 %s", code, a.text, want);
		die(why);
	}
	b->len = 0;
	b->events = 0;
	return opened;
}

static CURL *
client(void)
{
	CURL *e;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || !(e = curl_easy_init()))
		die("libcurl cannot start");
	headers = curl_slist_append(NULL, "Content-Type: application/cloudevents-batch+json");
	/* no "Expect: 100-continue": it would cost a round trip per batch */
	headers = curl_slist_append(headers, "Expect:");
	if (!headers)
		die("out of memory");
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, keep_answer);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	return e;
}

int
main(int argc, char **argv)
{
	struct batch b = { .body = NULL };
	char *line = NULL;
	size_t size = 0;
	ssize_t n;
	long per = 100, events = 0, requests = 0, connections = 0;
	char *end = "";
	CURL *e;

	if (argc == 3)
		per = strtol(argv[2], &end, 10);
	if (argc < 2 || argc > 3 || *end != '\0' || per < 1 || per > BATCH_MAX) {
		fprintf(stderr, "usage: http-post URL [N (1 to %d)]\n", BATCH_MAX);
		return 64;
	}
	url = argv[1];
	e = client();
	while ((n = getline(&line, &size, stdin)) > 0) {
		if (line[n - 1] == '\n')
			n--;
		if (n == 0)
			continue;
		if (n > LINE_MAX_BYTES)
			die("an input line over 1 MiB");
		append(&b, b.events ? "," : "[", 1);
		append(&b, line, (size_t)n);
		events++;
		if (++b.events == per) {
			connections += post(e, &b);
			requests++;
		}
	}
	if (b.events > 0) {
		connections += post(e, &b);
		requests++;
	}
	printf("%ld events, %ld requests, %ld connections\n", events, requests, connections);
	curl_easy_cleanup(e);
	curl_slist_free_all(headers);
	free(line);
	free(b.body);
	return 0;
}
