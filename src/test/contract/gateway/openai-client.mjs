// OpenAI's official Node client against the agent gateway, configured as an agent would be:
// the gateway's address and the agent key, nothing else. Prints one line per check; exits
// non-zero on the first surprise. Run by gateway.GatewayTest.
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.GATEWAY_URL, apiKey: process.env.AGENT_KEY, maxRetries: 0 });
const model = process.env.MODEL;
const messages = [{ role: 'user', content: 'Say hello' }];
const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object',
  properties: { city: { type: 'string' } }, required: ['city'] } } }];

function check(condition, what) {
  if (!condition) {
    console.log('FAILED ' + what);
    process.exit(1);
  }
  console.log('ok ' + what);
}

const whole = await client.chat.completions.create({ model, messages });
check(whole.choices[0].message.content === process.env.EXPECTED_TEXT, 'whole answer');
check(whole.usage && whole.usage.prompt_tokens === 11, 'whole usage');

let streamed = '';
let usageChunks = 0;
const stream = await client.chat.completions.create({ model, messages, stream: true,
  stream_options: { include_usage: true } });
for await (const chunk of stream) {
  streamed += chunk.choices[0]?.delta?.content ?? '';
  if (chunk.usage) usageChunks++;
}
check(streamed === process.env.EXPECTED_TEXT, 'streamed answer');
check(usageChunks === 1, 'streamed usage when asked');

const called = await client.chat.completions.create({ model, messages, tools });
check(called.choices[0].message.tool_calls[0].function.name === 'get_weather', 'tool call');

let argumentsStreamed = '';
for await (const chunk of await client.chat.completions.create({ model, messages, tools, stream: true })) {
  argumentsStreamed += chunk.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '';
}
check(JSON.parse(argumentsStreamed).city === 'Paris', 'streamed tool call');

const models = await client.models.list();
check(models.data.some((m) => m.id === model), 'models list');

const embedded = await client.embeddings.create({ model, input: 'some text' });
check(embedded.data[0].embedding.length === 3, 'embeddings');

async function refused(call, type, what) {
  try {
    await call();
  } catch (error) {
    check(error instanceof type, what + ' is ' + type.name + ' (' + error.constructor.name + ' ' + error.status + ')');
    return error;
  }
  check(false, what + ' was refused');
}

await refused(() => new OpenAI({ baseURL: process.env.GATEWAY_URL, apiKey: 'not-a-key', maxRetries: 0 })
  .chat.completions.create({ model, messages }), OpenAI.AuthenticationError, 'a wrong key');
await refused(() => client.chat.completions.create({ model: 'no-such-model', messages }), OpenAI.NotFoundError,
  'an unknown model');
await refused(() => client.chat.completions.create({ model, messages: [] }), OpenAI.BadRequestError,
  'no messages');
const limited = await refused(() => client.chat.completions.create({ model, messages }), OpenAI.RateLimitError,
  'an upstream that keeps rate limiting');
check(limited.headers.get('retry-after') !== null, 'Retry-After on 429');
