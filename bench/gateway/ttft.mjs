// Time to first token of streamed chat completions: STREAMS streams kept open at once for
// DURATION_S seconds, each timed from sending the request to the first event that carries
// text, and to its end. Prints the count, the median and the 99th percentile.
// Usage: node ttft.mjs URL STREAMS DURATION_S [header:value ...]
import http from 'node:http';

const [url, streamsArg, durationArg, ...headerArgs] = process.argv.slice(2);
const target = new URL(url);
const streams = Number(streamsArg);
const until = Date.now() + Number(durationArg) * 1000;
const headers = { 'Content-Type': 'application/json' };
for (const h of headerArgs) {
  const at = h.indexOf(':');
  headers[h.slice(0, at)] = h.slice(at + 1);
}
const body = JSON.stringify({ model: 'bench-model', stream: true, max_tokens: 64,
  messages: [{ role: 'user', content: 'Count to twenty, please.' }] });
const agent = new http.Agent({ keepAlive: true, maxSockets: streams });
const firsts = [];
const totals = [];
let failed = 0;

function one() {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    let first = null;
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST',
      headers: { ...headers, 'Content-Length': Buffer.byteLength(body) }, agent }, (res) => {
      if (res.statusCode !== 200) {
        failed++;
        res.resume();
        res.on('end', resolve);
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (text) => {
        if (first === null && text.includes('"content"')) first = process.hrtime.bigint();
      });
      res.on('end', () => {
        const end = process.hrtime.bigint();
        if (first !== null) {
          firsts.push(Number(first - start) / 1e6);
          totals.push(Number(end - start) / 1e6);
        } else {
          failed++;
        }
        resolve();
      });
    });
    req.on('error', () => { failed++; resolve(); });
    req.end(body);
  });
}

async function worker() {
  while (Date.now() < until) await one();
}

const pct = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN;
};
await Promise.all(Array.from({ length: streams }, worker));
agent.destroy();
console.log(`streams ${firsts.length} failed ${failed} ttft_p50_ms ${pct(firsts, 0.5).toFixed(2)} `
  + `ttft_p99_ms ${pct(firsts, 0.99).toFixed(2)} total_p50_ms ${pct(totals, 0.5).toFixed(1)}`);
