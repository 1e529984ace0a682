// The benchmark's upstream: an OpenAI-compatible chat completions endpoint answering at
// once, whole (with usage) or as a stream of CHUNKS content chunks and a usage chunk, so
// that what a gateway adds is all that is measured. Listens on 127.0.0.1 only.
import http from 'node:http';

const port = Number(process.env.UPSTREAM_PORT ?? 18500);
const chunks = Number(process.env.CHUNKS ?? 20);
const gapMs = Number(process.env.GAP_MS ?? 5);

const whole = (model) => JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 1, model,
  choices: [{ index: 0, message: { role: 'assistant', content: 'A short answer from the benchmark upstream.' },
    finish_reason: 'stop' }],
  usage: { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 },
});

const chunk = (model, delta, finish) => `data: ${JSON.stringify({ id: 'chatcmpl-bench',
  object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', () => {
    let request = {};
    try { request = JSON.parse(body || '{}'); } catch { /* answered as a whole answer */ }
    const model = request.model ?? 'bench';
    if (!request.stream) {
      const text = whole(model);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.write(chunk(model, { role: 'assistant', content: 'word0 ' }, null));
    let sent = 1;
    const next = () => {
      if (sent < chunks) {
        res.write(chunk(model, { content: `word${sent} ` }, null));
        sent++;
        setTimeout(next, gapMs);
        return;
      }
      res.write(chunk(model, {}, 'stop'));
      if (request.stream_options?.include_usage) {
        res.write(`data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1,
          model, choices: [], usage: { prompt_tokens: 20, completion_tokens: chunks, total_tokens: 20 + chunks } })}\n\n`);
      }
      res.end('data: [DONE]\n\n');
    };
    setTimeout(next, gapMs);
  });
}).listen(port, '127.0.0.1', () => console.log(`upstream on 127.0.0.1:${port}`));
