// ce-sdk produce|consume BOOTSTRAP TOPIC MODE|N: CloudEvents through the
// official JavaScript SDK (npm cloudevents) and kafkajs, an implementation
// of both apart from ours, for tests/bats/0023-cloudevents-sdk.bats.
//
// produce BOOTSTRAP TOPIC structured|binary: each line of stdin is an event
// (as the SDK's constructor takes it), encoded by the SDK's Kafka binding and
// sent; each event is printed as the SDK sees it (its toJSON), one a line.
// consume BOOTSTRAP TOPIC N: the first N records, decoded by the SDK, printed
// the same way. Exit 1 with the reason on any error, after 60 s at most.
"use strict";
const { Kafka, logLevel } = require("kafkajs");
const { CloudEvent, Kafka: Binding } = require("cloudevents");
const readline = require("readline");

const [cmd, bootstrap, topic, arg] = process.argv.slice(2);
const kafka = new Kafka({ brokers: bootstrap.split(","), clientId: "ce-sdk", logLevel: logLevel.ERROR });

// What the SDK hands over is not always what a Kafka client takes: its
// binary mode gives data and header values as they are in the event
// (objects, numbers, booleans, undefined). Made bytes as the binding says:
// JSON text for JSON data, the bytes of binary data, strings as they are.
function record(msg) {
	const headers = {};
	for (const [k, v] of Object.entries(msg.headers))
		if (v !== undefined && v !== null)
			headers[k] = String(v);
	let value = msg.value;
	if (value instanceof Uint8Array)
		value = Buffer.from(value);
	else if (value !== undefined && typeof value !== "string")
		value = JSON.stringify(value);
	return { key: msg.key === undefined ? null : msg.key, value: value === undefined ? null : value, headers };
}

async function produce(mode) {
	const producer = kafka.producer();
	await producer.connect();
	const rl = readline.createInterface({ input: process.stdin });
	for await (const line of rl) {
		const ev = new CloudEvent(JSON.parse(line));
		await producer.send({ topic, messages: [record(mode === "binary" ? Binding.binary(ev) : Binding.structured(ev))] });
		console.log(JSON.stringify(ev));
	}
	await producer.disconnect();
}

async function consume(n) {
	const consumer = kafka.consumer({ groupId: "ce-sdk-" + process.pid });
	await consumer.connect();
	await consumer.subscribe({ topic, fromBeginning: true });
	let got = 0;
	await new Promise((resolve, reject) => {
		consumer.run({
			eachMessage: async ({ message }) => {
				const headers = {};
				for (const [k, v] of Object.entries(message.headers || {}))
					headers[k] = v.toString();
				try {
					const key = message.key === null ? undefined : message.key.toString();
					console.log(JSON.stringify(Binding.toEvent({ headers, key, value: message.value })));
				} catch (e) {
					reject(e);
				}
				if (++got === n)
					resolve();
			},
		}).catch(reject);
	});
	await consumer.disconnect();
}

setTimeout(() => { console.error("ce-sdk: no answer in 60 s"); process.exit(1); }, 60000).unref();
(cmd === "produce" ? produce(arg) : consume(Number(arg))).then(() => process.exit(0), (e) => {
	console.error("ce-sdk: " + (e && e.message ? e.message : e));
	process.exit(1);
});
