// ce-http URL structured|binary|batch: CloudEvents sent to URL by the
// official JavaScript SDK's HTTP binding (npm cloudevents), an
// implementation apart from ours, for tests/bats/0101-flow-httpd.bats.
//
// Each line of stdin is an event as the SDK's constructor takes it. In
// structured and binary mode each event is one POST, as HTTP.structured or
// HTTP.binary encodes it; in batch mode all of them are one POST of the
// SDK's events as JSON, typed with the SDK's batch media type (the SDK
// reads batches but has no serializer for them). Prints "STATUS BODY" per
// POST; exit 1 with the reason on any error.
"use strict";
const { CloudEvent, HTTP, CONSTANTS } = require("cloudevents");
const readline = require("readline");

const [url, mode] = process.argv.slice(2);

async function post(headers, body) {
	const r = await fetch(url, { method: "POST", headers, body });
	console.log(`${r.status} ${await r.text()}`);
}

function encodeBody(body) {
	if (body === undefined || typeof body === "string" || body instanceof Uint8Array)
		return body;
	return JSON.stringify(body);
}

async function main() {
	const events = [];
	for await (const line of readline.createInterface({ input: process.stdin }))
		if (line.trim())
			events.push(new CloudEvent(JSON.parse(line)));
	if (mode === "batch")
		return post({ "content-type": CONSTANTS.MIME_CE_BATCH }, JSON.stringify(events.map((e) => e.toJSON())));
	for (const e of events) {
		const msg = mode === "binary" ? HTTP.binary(e) : HTTP.structured(e);
		const headers = {};
		for (const [k, v] of Object.entries(msg.headers))
			if (v !== undefined && v !== null)
				headers[k] = String(v);
		await post(headers, encodeBody(msg.body));
	}
}

main().catch((err) => {
	console.error(`ce-http: ${err.message}`);
	process.exit(1);
});
