// Load generator, run as its own process so it does not share a core's event loop with the
// server under test. Reads length-prefixed DNS queries from a file, keeps `window` of them
// outstanding against HOST:PORT, and prints {sent, answered, seconds, qps} as JSON.
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';

const [file, port, window = '64', host = '127.0.0.1'] = process.argv.slice(2);
const blob = readFileSync(file);
const queries = [];
for (let o = 0; o < blob.length; ) {
  const n = blob.readUInt16BE(o);
  queries.push(blob.subarray(o + 2, o + 2 + n));
  o += 2 + n;
}
const socket = dgram.createSocket('udp4');
let next = 0;
let answered = 0;
let outstanding = 0;
const started = process.hrtime.bigint();
const send = () => {
  while (outstanding < Number(window) && next < queries.length) {
    outstanding++;
    socket.send(queries[next++], Number(port), host);
  }
};
socket.on('message', () => {
  answered++;
  outstanding--;
  if (answered === queries.length) finish();
  else send();
});
// Datagrams lost under load would stall the window: top it up on a timer.
const topUp = setInterval(() => {
  outstanding = Math.min(outstanding, Number(window) / 2);
  send();
  if (next >= queries.length) setTimeout(finish, 500);
}, 200);
function finish() {
  clearInterval(topUp);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ sent: next, answered, seconds, qps: Math.round(answered / seconds) }) + '\n');
  process.exit(0);
}
socket.bind(0, '127.0.0.1', send);
