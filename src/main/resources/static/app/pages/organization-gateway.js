// An organization's Gateway tab: its agents' calls through the gateway over time (requests,
// tokens, latency and time to first token), the latest calls with what the guardrails
// decided about them, and the org's gateway settings (models, budgets, rate limits, content
// logging), which owners and admins change here.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { get, patch } from '../api.js';
import { inWords } from '../messages.js';
import { count, dateTime } from '../format.js';
import { isOperator } from './organizations-page.js';
import '../gateway-chart.js';

const RANGES = { day: 'Last 24 hours', week: 'Last 7 days', month: 'Last 30 days' };
const SETTING_LABELS = { allowedModels: 'Models allowed', budgetEnforcement: 'Budgets',
  requestsPerMinute: 'Requests per minute (organization)', tokensPerMinute: 'Tokens per minute (organization)',
  agentRequestsPerMinute: 'Requests per minute (each agent)', agentTokensPerMinute: 'Tokens per minute (each agent)',
  contentLogging: 'Keep prompts and answers' };
const LIMITS = ['requestsPerMinute', 'tokensPerMinute', 'agentRequestsPerMinute', 'agentTokensPerMinute'];

const REQUEST_SERIES = [
  { name: 'Answered', color: '#2b59c3', type: 'bar', value: (b) => b.requests - b.errors - b.refused },
  { name: 'Refused', color: '#c26a12', type: 'bar', value: (b) => b.refused },
  { name: 'Errors', color: '#b3261e', type: 'bar', value: (b) => b.errors },
];
const TOKEN_SERIES = [
  { name: 'Input', color: '#2b59c3', type: 'bar', value: (b) => b.inputTokens },
  { name: 'Output', color: '#5b9c4a', type: 'bar', value: (b) => b.outputTokens },
];
const LATENCY_SERIES = [
  { name: 'Latency p50', color: '#2b59c3', type: 'line', value: (b) => b.latencyP50Ms },
  { name: 'Latency p95', color: '#b3261e', type: 'line', value: (b) => b.latencyP95Ms },
  { name: 'First token p50', color: '#5b9c4a', type: 'line', value: (b) => b.firstTokenP50Ms },
];

const DECISIONS = { allow: 'ok', redact: 'warn', block: 'danger', pause: 'danger' };
// What became of a route's target that did not answer the call (GatewayRouteStep.outcome).
const PASSED_OVER = {
  provider_key_missing: 'skipped: no key', provider_key_unusable: 'skipped: key unusable',
  provider_key_expired: 'skipped: key expired', platform_key_withheld: "skipped: own key expired before",
  upstream_rate_limited: 'rate limited', upstream_error: 'failed', upstream_unreachable: 'unreachable',
  upstream_timeout: 'timed out', upstream_cut: 'broke off', call_too_long: "call's time ran out",
};
// Whether the call's provider answered it (lines kept before routes were logged have no route).
const answeredBy = (r) => !r.route || r.route[r.route.length - 1].outcome === 'answered';

class OrganizationGateway extends LightElement {
  static properties = {
    org: { attribute: false },
    me: { attribute: false },
    range: { state: true },
    stats: { state: true },
    requests: { state: true },
    settings: { state: true },
    error: { state: true },
    settingsError: { state: true },
    saved: { state: true },
  };

  constructor() {
    super();
    this.range = 'day';
  }

  willUpdate(changed) {
    if (changed.has('org') && this.org) this.load();
  }

  async load() {
    this.error = null;
    const org = this.org.id;
    try {
      const [stats, requests, settings] = await Promise.all([
        get(`/api/gateway/stats?range=${this.range}`, { org }),
        get('/api/gateway/requests?limit=20', { org }),
        get('/api/gateway/settings', { org }),
      ]);
      if (org !== this.org.id) return;
      this.stats = stats;
      this.requests = requests.items;
      this.settings = settings;
    } catch (e) {
      this.error = e.message;
    }
  }

  async pickRange(range) {
    this.range = range;
    try {
      this.stats = await get(`/api/gateway/stats?range=${range}`, { org: this.org.id });
    } catch (e) {
      this.error = e.message;
    }
  }

  async save(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const models = String(form.get('allowedModels') ?? '').split(/[\s,]+/).filter(Boolean);
    const changes = {
      allowedModels: models.length ? models : null,
      budgetEnforcement: form.get('budgetEnforcement'),
      contentLogging: form.get('contentLogging') === 'on',
    };
    for (const field of LIMITS) {
      // Whole numbers: thousands separators (1,000 or 1 000) are read past, as people type them.
      const value = String(form.get(field) ?? '').replace(/[\s,.'’_]/g, '');
      changes[field] = value === '' ? null : value;
    }
    this.settingsError = null;
    this.saved = false;
    try {
      this.settings = await patch('/api/gateway/settings', changes, { org: this.org.id });
      this.saved = true;
    } catch (e) {
      this.settingsError = inWords(e, SETTING_LABELS);
    }
  }

  render() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    if (!this.stats) return html`<p class="loading" role="status">Loading…</p>`;
    const total = this.stats.buckets.reduce((sum, b) => sum + b.requests, 0);
    return html`
      <section aria-label="Gateway calls of ${this.org.name}">
        <div class="range" role="group" aria-label="Time range">
          ${Object.entries(RANGES).map(([range, label]) => html`<button class=${range === this.range ? ''
            : 'secondary'} aria-pressed=${range === this.range ? 'true' : 'false'}
            @click=${() => this.pickRange(range)}>${label}</button>`)}
        </div>
        ${total === 0 ? html`<p class="empty">No calls through the gateway in this time. Agents call it at
          <code>/agent/v1</code> with their key, as OpenAI's API.</p>` : html`
          <div class="charts">
            <gateway-chart label="Requests" .buckets=${this.stats.buckets} .bucketSeconds=${this.stats.bucketSeconds}
              .series=${REQUEST_SERIES}></gateway-chart>
            <gateway-chart label="Tokens" .buckets=${this.stats.buckets} .bucketSeconds=${this.stats.bucketSeconds}
              .series=${TOKEN_SERIES}></gateway-chart>
            <gateway-chart label="Latency" unit="ms" .buckets=${this.stats.buckets}
              .bucketSeconds=${this.stats.bucketSeconds} .series=${LATENCY_SERIES}></gateway-chart>
          </div>`}
        <h2>Latest calls</h2>
        ${this.requestsTable()}
        ${this.settingsCard()}
      </section>`;
  }

  requestsTable() {
    if (!this.requests?.length) return html`<p class="empty">No calls yet.</p>`;
    return html`<table class="list gateway-requests">
      <thead><tr><th>When</th><th>Agent</th><th>Model</th><th>Status</th><th class="num">Tokens in / out</th>
        <th class="num">Latency</th><th>Guardrails</th></tr></thead>
      <tbody>${this.requests.map((r) => html`<tr data-request-id=${r.id}>
        <td>${dateTime(r.startedAt)}</td><td>${r.agentName}</td>
        <td>${r.model}${r.provider && answeredBy(r) ? html`<br><small>${r.provider}${r.byok ? ', own key' : ''}</small>`
          : ''}${this.passedOver(r)}</td>
        <td><span class="badge ${r.status === 'ok' ? 'ok' : r.status === 'refused' ? 'warn' : 'danger'}">${r.status}</span>
          ${r.errorCode ? html`<br><small>${r.errorCode}</small>` : ''}</td>
        <td class="num">${count(r.inputTokens + r.cachedInputTokens)} / ${count(r.outputTokens)}${r.estimated
          ? html`<br><small>estimated</small>` : ''}</td>
        <td class="num">${count(r.latencyMs)} ms${r.firstTokenMs !== undefined && r.firstTokenMs !== null
          ? html`<br><small>first token ${count(r.firstTokenMs)} ms</small>` : ''}</td>
        <td>${this.decision('in', r.inputDecision)} ${this.decision('out', r.outputDecision)}</td>
      </tr>`)}</tbody>
    </table>`;
  }

  /** The route's targets the call went past before its answer (or its failure), if any. */
  passedOver(r) {
    const steps = (r.route ?? []).filter((s) => s.outcome !== 'answered');
    if (!steps.length) return '';
    return html`<br><small class="route" title="Targets of the route this call went past">${steps.map((s, i) => html`${
      i ? ' · ' : ''}<span title=${s.upstreamModel}>${s.provider}: ${PASSED_OVER[s.outcome] ?? s.outcome}${
      s.attempts > 1 ? ` (${s.attempts} tries)` : ''}</span>`)}</small>`;
  }

  decision(which, decision) {
    if (!decision) return '';
    return html`<span class="badge ${DECISIONS[decision]}" title="What the rules decided about the
      ${which === 'in' ? 'prompt' : 'answer'}">${which}: ${decision}</span>`;
  }

  settingsCard() {
    const s = this.settings;
    if (!s) return '';
    if (!isOperator(this.me)) {
      return html`<section class="card" aria-label="Gateway settings">
        <h2>Settings</h2>
        <dl class="facts">
          <dt>Models allowed</dt><dd>${s.allowedModels ? s.allowedModels.join(', ') : 'Every routed model'}</dd>
          <dt>Budgets</dt><dd>${s.budgetEnforcement === 'block' ? 'Block calls over budget' : 'Alert only'}</dd>
          ${LIMITS.map((f) => html`<dt>${SETTING_LABELS[f]}</dt><dd>${s[f] ?? 'No limit'}</dd>`)}
          <dt>Prompts and answers</dt><dd>${s.contentLogging ? 'Kept in the request log' : 'Not kept'}</dd>
        </dl>
      </section>`;
    }
    return html`<form class="card form gateway-settings" @submit=${(e) => this.save(e)}>
      <h2>Settings</h2>
      <label>Models allowed <input name="allowedModels" .value=${(s.allowedModels ?? []).join(', ')}
        placeholder="Every routed model"><small>Model names, separated by commas; empty for every routed
        model.</small></label>
      <label>Budgets <select name="budgetEnforcement">
        <option value="alert" ?selected=${s.budgetEnforcement === 'alert'}>Alert only</option>
        <option value="block" ?selected=${s.budgetEnforcement === 'block'}>Block calls that would go over
          budget</option></select>
        <small>The organization's and each agent's monthly budget. Blocking reserves each call's worst case before
          it starts.</small></label>
      <div class="row">
        ${LIMITS.map((f) => html`<label>${SETTING_LABELS[f]} <input name=${f} inputmode="numeric"
          .value=${s[f] === null || s[f] === undefined ? '' : String(s[f])} placeholder="No limit"></label>`)}
      </div>
      <label class="check"><input type="checkbox" name="contentLogging" ?checked=${s.contentLogging}>
        Keep prompts and answers in the request log</label>
      ${this.settingsError ? html`<p class="error" role="alert">${this.settingsError}</p>` : ''}
      ${this.saved ? html`<p class="ok" role="status">Saved.</p>` : ''}
      <div class="actions"><button type="submit">Save settings</button></div>
    </form>`;
  }
}

customElements.define('organization-gateway', OrganizationGateway);
