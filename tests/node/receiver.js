// receiver DIR [BEHAVIOUR...]: an HTTP(S) receiver of CloudEvents for
// tests/bats/0100-http-out.bats, built on implementations apart from ours:
// the official CloudEvents SDK for JavaScript (its HTTP binding, HTTP.toEvent,
// reads every request in structured, binary or batch mode) and the Standard
// Webhooks library (npm standardwebhooks) checking signatures.
//
// It listens on 127.0.0.1 at a port of the system's choosing, written to
// DIR/port once it listens. Each event of a request it answers 2xx is a line
// of DIR/events (NDJSON: the event as the SDK reads it, its toJSON, with
// "_mode", "_sig" (ok, bad or none), "_webhook_id" and "_headers", the
// request's headers a test asked about); each request is a line of
// DIR/requests ({"n", "status", "ms": since the first request}).
//
// BEHAVIOUR words, applied in order to each request number n (from 1):
//   fail=K:CODE       the first K requests are answered CODE ("busy\nmore")
//   retry-after=K:S   the first K answered 429 with Retry-After: S
//   status=CODE       every request answered CODE ("bad event: nope\nmore")
//   slow=MS           every answer waits MS first
//   secret=FILE       verify webhook signatures with FILE's whsec_ key
//   headers=a,b       report these request headers in "_headers"
//   tls=CERT:KEY      HTTPS with these PEM files
// Exit 1 with the reason on a request the SDK cannot read (after answering 500).
"use strict";
const fs = require("fs");
const http = require("http");
const https = require("https");
const { HTTP } = require("cloudevents");
const { Webhook, WebhookVerificationError } = require("standardwebhooks");

const [dir, ...words] = process.argv.slice(2);
const opt = { fail: [0, 0], retryAfter: [0, 0], status: 0, slow: 0, secret: null, headers: [], tls: null };
for (const w of words) {
	const [k, v] = [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)];
	if (k === "fail") opt.fail = v.split(":").map(Number);
	else if (k === "retry-after") opt.retryAfter = v.split(":").map(Number);
	else if (k === "status") opt.status = Number(v);
	else if (k === "slow") opt.slow = Number(v);
	else if (k === "secret") opt.secret = fs.readFileSync(v, "utf8").trim();
	else if (k === "headers") opt.headers = v.split(",");
	else if (k === "tls") opt.tls = v.split(":");
	else { console.error(`receiver: unknown word ${w}`); process.exit(2); }
}

let n = 0, t0 = 0;
const log = (file, obj) => fs.appendFileSync(`${dir}/${file}`, JSON.stringify(obj) + "\n");

// The binding percent-encodes string attributes in ce-* headers; the SDK
// takes header values as they are, so they are decoded first.
function decoded(headers) {
	const out = {};
	for (const [k, v] of Object.entries(headers))
		out[k] = k.startsWith("ce-") ? decodeURIComponent(v) : v;
	return out;
}

// verify also parses the payload as JSON once the signature matched: a
// binary body that is not JSON fails only that.
function signature(req, body) {
	if (!opt.secret) return "none";
	try {
		new Webhook(opt.secret).verify(body, req.headers);
	} catch (e) {
		if (e instanceof WebhookVerificationError) return "bad";
	}
	return "ok";
}

function deliver(req, body) {
	const ct = req.headers["content-type"] || "";
	const mode = ct.startsWith("application/cloudevents-batch") ? "batch" :
		ct.startsWith("application/cloudevents") ? "structured" : "binary";
	let got = HTTP.toEvent({ headers: decoded(req.headers), body: body.length ? body.toString("utf8") : undefined });
	if (!Array.isArray(got)) got = [got];
	const sig = signature(req, body);
	const headers = {};
	for (const h of opt.headers) headers[h] = req.headers[h] ?? null;
	for (const ev of got)
		log("events", { ...ev.toJSON(), _mode: mode, _sig: sig, _webhook_id: req.headers["webhook-id"] ?? null,
			_headers: headers });
}

function answer(req, res, body) {
	const k = ++n;
	if (k === 1) t0 = Date.now();
	let code = 202, text = "", extra = {};
	if (k <= opt.fail[0]) [code, text] = [opt.fail[1], "busy\nmore"];
	else if (k <= opt.retryAfter[0]) [code, text, extra] = [429, "slow down", { "Retry-After": String(opt.retryAfter[1]) }];
	else if (opt.status) [code, text] = [opt.status, "bad event: nope\nmore"];
	if (code >= 200 && code < 300) {
		try {
			deliver(req, body);
		} catch (e) {
			res.writeHead(500).end(String(e));
			console.error(`receiver: request ${k}: ${e}`);
			process.exit(1);
		}
	}
	log("requests", { n: k, status: code, ms: Date.now() - t0 });
	res.writeHead(code, { "Content-Type": "text/plain", ...extra }).end(text);
}

function handle(req, res) {
	const parts = [];
	req.on("data", (c) => parts.push(c));
	req.on("end", () => setTimeout(() => answer(req, res, Buffer.concat(parts)), opt.slow));
}

const server = opt.tls ?
	https.createServer({ cert: fs.readFileSync(opt.tls[0]), key: fs.readFileSync(opt.tls[1]) }, handle) :
	http.createServer(handle);
server.listen(0, "127.0.0.1", () => {
	fs.writeFileSync(`${dir}/port.tmp`, String(server.address().port));
	fs.renameSync(`${dir}/port.tmp`, `${dir}/port`);
});
