// The Guardrails page: the current org context's guardrail rules and policies, their
// editors, the platform baseline (read-only unless you are an owner in the default
// organization), and a test box that shows what a text would trigger without recording it.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { inWords } from '../messages.js';
import { askToConfirm } from '../confirm-dialog.js';
import { get, post, patch, del, ApiError } from '../api.js';
import { PagedList } from '../paged-list.js';
import { appliesToText } from '../applies-to.js';
import { orgContext, DEFAULT_ORG } from '../org-context.js';
import { LatestAsk } from '../latest-ask.js';
import { orgNames } from '../org-names.js';
import './rule-form.js';
import './policy-form.js';


const TEST_LABELS = { content: 'Text', agentId: 'Agent', direction: 'Direction' };

/** What a rule looks for, in a few words, for the list. */
export function ruleSummary(rule) {
  switch (rule.type) {
    // Quoted: a phrase may hold a comma, and "banana, apple" must not read as two words.
    case 'keyword': return `Words: ${(rule.keywords ?? []).map((k) => `“${k}”`).join(', ')}`;
    case 'regex': return `Pattern: ${rule.pattern}`;
    case 'pii': return `Personal data: ${rule.detectors?.length ? rule.detectors.join(', ') : 'every kind'}`;
    case 'prompt_injection': return 'Prompt injection (heuristic)';
    case 'max_tokens': return `More than ${Number(rule.maxTokens).toLocaleString('en-US')} tokens`;
    case 'rate': return `More than ${rule.limit} checks per ${rule.window}`;
    case 'off_hours': return `Outside ${rule.allowedHours}${rule.allowedDays?.length
      ? ` on ${rule.allowedDays.join(', ')}` : ''}`;
    default: return rule.type;
  }
}

class GuardrailsPage extends LightElement {
  static properties = {
    me: { attribute: false },
    editing: { state: true },
    editingPolicy: { state: true },
    baseline: { state: true },
    agents: { state: true },
    orgNames: { state: true },
    verdict: { state: true },
    testError: { state: true },
    rowError: { state: true },
  };

  constructor() {
    super();
    this.rules = new PagedList(this, { url: '/api/guardrails/rules', pageSize: 100 });
    this.policies = new PagedList(this, { url: '/api/policies', pageSize: 100 });
    this.editing = null;
    this.editingPolicy = null;
    this.orgNames = {};
  }

  connectedCallback() {
    super.connectedCallback();
    this.unsubscribe = orgContext.subscribe(() => this.load());
    this.load();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  /** The org a new rule or policy goes to: the one picked, or the default organization. */
  get targetOrg() {
    return orgContext.selected || DEFAULT_ORG;
  }

  load() {
    this.editing = null;
    this.editingPolicy = null;
    this.verdict = null;
    this.rowError = null;
    this.rules.load();
    this.policies.load();
    this.loadBaseline();
    this.loadAgents();
    this.loadOrgNames();
  }

  baselineAsks = new LatestAsk();

  agentAsks = new LatestAsk();

  async loadBaseline() {
    const current = this.baselineAsks.ask();
    try {
      const baseline = (await get('/api/guardrails/baseline?limit=200')).items;
      if (current()) this.baseline = baseline;
    } catch (e) {
      if (!current()) return;
      this.baseline = [];
      this.rowError = e.message;
    }
  }

  /** The agents rules may name; null when this user may not list agents (rules then apply to all). */
  async loadAgents() {
    const current = this.agentAsks.ask();
    try {
      const agents = (await get('/api/agents?limit=500')).items;
      if (current()) this.agents = agents;
    } catch (e) {
      if (!current()) return;
      if (!(e instanceof ApiError && e.status === 403)) this.rowError = e.message;
      this.agents = null;
    }
  }

  async loadOrgNames() {
    this.orgNames = await orgNames();
  }

  agentsOf(orgId) {
    return this.agents?.filter((a) => a.clientOrgId === orgId) ?? null;
  }

  /** Owners alone mark, change or delete baseline rules. */
  get owner() {
    return this.me?.role === 'owner';
  }

  async removeRule(rule) {
    if (!await askToConfirm({ title: `Delete the rule ${rule.name}?`, message: 'It stops judging agents at once. '
      + 'Its interventions stay on the record.', confirm: 'Delete rule', danger: true })) return;
    try {
      await del(`/api/guardrails/rules/${rule.id}`, { org: null });
      this.rules.remove(rule.id);
      if (rule.baseline) this.loadBaseline();
    } catch (e) {
      this.rowError = e.message;
    }
  }

  async removePolicy(policy) {
    if (!await askToConfirm({ title: `Delete the policy ${policy.name}?`, message: 'Agents no longer receive it.',
      confirm: 'Delete policy', danger: true })) return;
    try {
      await del(`/api/policies/${policy.id}`, { org: null });
      this.policies.remove(policy.id);
    } catch (e) {
      this.rowError = e.message;
    }
  }

  ruleSaved(rule, created) {
    if (created) this.rules.prepend(rule);
    else this.rules.replace(rule);
    this.editing = null;
    this.loadBaseline();
  }

  policySaved(policy, created) {
    if (created) this.policies.prepend(policy);
    else this.policies.replace(policy);
    this.editingPolicy = null;
  }

  async test(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.testError = null;
    this.verdict = null;
    try {
      this.verdict = await post('/api/guardrails/test', {
        content: form.get('content'), direction: form.get('direction'), agentId: form.get('agentId') || null,
      }, { org: this.targetOrg });
    } catch (e) {
      this.testError = inWords(e, TEST_LABELS);
    }
  }

  editable(rule) {
    return !rule.baseline || this.owner;
  }

  ruleRows() {
    const showOrg = !orgContext.selected;
    return this.rules.items.map((r) => html`<tr data-rule-id=${r.id}>
      <td>${r.name}
        ${r.baseline ? html` <span class="badge warn" title="Applies to every organization">Baseline</span>` : ''}
        ${r.mode === 'shadow' ? html` <span class="badge" title="Recorded, never decides">Shadow</span>` : ''}
        ${r.enabled ? '' : html` <span class="badge off">Off</span>`}
        <br><small>${ruleSummary(r)}</small></td>
      ${showOrg ? html`<td class="text">${this.orgNames[r.orgId] ?? ''}</td>` : ''}
      <td>${r.action.replace('_', ' ')}</td>
      <td>${r.severity}</td>
      <td>${r.direction}</td>
      <td>${appliesToText(r.appliesTo)}</td>
      <td class="num">${r.version}</td>
      <td>${this.editable(r) ? html`<div class="actions">
        <button class="secondary" aria-expanded=${this.editing === r.id ? 'true' : 'false'}
          @click=${() => { this.editing = this.editing === r.id ? null : r.id; }}>Edit</button>
        <button class="danger" @click=${() => this.removeRule(r)}>Delete</button></div>`
        : html`<small>Owners only</small>`}</td>
    </tr>${this.editing === r.id ? html`<tr class="editor"><td colspan=${showOrg ? 8 : 7}>
      <rule-form .rule=${r} .agents=${this.agentsOf(r.orgId)} .canMarkBaseline=${this.owner && r.orgId === DEFAULT_ORG}
        @saved=${(e) => this.ruleSaved(e.detail, false)} @cancel=${() => { this.editing = null; }}></rule-form>
    </td></tr>` : ''}`);
  }

  renderRules() {
    const showOrg = !orgContext.selected;
    return html`
      <section aria-labelledby="rules-title">
        <div class="page-head"><h2 id="rules-title">Rules</h2>
          <button @click=${() => { this.editing = this.editing === 'new' ? null : 'new'; }}>New rule</button></div>
        ${this.editing === 'new' ? html`<div class="card">
          <h3>New rule${orgContext.selected ? '' : ' (in the default organization)'}</h3>
          <rule-form .agents=${this.agentsOf(this.targetOrg)} .org=${this.targetOrg}
            .canMarkBaseline=${this.owner && this.targetOrg === DEFAULT_ORG}
            @saved=${(e) => this.ruleSaved(e.detail, true)} @cancel=${() => { this.editing = null; }}></rule-form>
        </div>` : ''}
        ${this.rules.error ? html`<p class="error" role="alert">${this.rules.error}</p>` : ''}
        ${!this.rules.loading && !this.rules.error && this.rules.items.length === 0 ? html`<p class="empty">No rules of
          this organization yet: its agents are judged by the platform baseline alone.</p>` : ''}
        ${this.rules.items.length ? html`<table class="list rules" aria-busy=${this.rules.loading ? 'true' : 'false'}>
          <thead><tr><th>Rule</th>${showOrg ? html`<th>Organization</th>` : ''}<th>Action</th><th>Severity</th>
            <th>Direction</th><th>Applies to</th><th class="num">Version</th><th></th></tr></thead>
          <tbody>${this.ruleRows()}</tbody></table>` : ''}
        ${this.rules.loading ? html`<p class="loading" role="status">Loading…</p>` : ''}
        ${this.rules.next && !this.rules.loading ? html`<button class="secondary"
          @click=${() => this.rules.load({ more: true })}>Show more rules</button>` : ''}
      </section>`;
  }

  renderBaseline() {
    if (!this.baseline?.length) return '';
    return html`
      <section aria-labelledby="baseline-title" class="baseline">
        <h2 id="baseline-title">Platform baseline</h2>
        <p class="hint">The platform applies these rules to every organization's agents. They are read-only here${
          this.owner ? ': change them as rules of the default organization' : ''}.</p>
        <table class="list">
          <thead><tr><th>Rule</th><th>Action</th><th>Severity</th><th>Direction</th><th class="num">Version</th>
          </tr></thead>
          <tbody>${this.baseline.map((b) => html`<tr data-baseline-id=${b.id}>
            <td>${b.name} <span class="badge warn">Baseline</span>
              ${b.mode === 'shadow' ? html` <span class="badge">Shadow</span>` : ''}<br><small>${ruleSummary(b)}</small></td>
            <td>${b.action.replace('_', ' ')}</td><td>${b.severity}</td><td>${b.direction}</td>
            <td class="num">${b.version}</td></tr>`)}</tbody>
        </table>
      </section>`;
  }

  renderPolicies() {
    const showOrg = !orgContext.selected;
    return html`
      <section aria-labelledby="policies-title">
        <div class="page-head"><h2 id="policies-title">Policies</h2>
          <button @click=${() => { this.editingPolicy = this.editingPolicy === 'new' ? null : 'new'; }}>New policy
          </button></div>
        ${this.editingPolicy === 'new' ? html`<div class="card">
          <h3>New policy${orgContext.selected ? '' : ' (in the default organization)'}</h3>
          <policy-form .agents=${this.agentsOf(this.targetOrg)} .org=${this.targetOrg}
            @saved=${(e) => this.policySaved(e.detail, true)} @cancel=${() => { this.editingPolicy = null; }}>
          </policy-form></div>` : ''}
        ${this.policies.error ? html`<p class="error" role="alert">${this.policies.error}</p>` : ''}
        ${!this.policies.loading && !this.policies.error && this.policies.items.length === 0 ? html`<p class="empty">No
          policies yet: agents receive written rules from here.</p>` : ''}
        ${this.policies.items.length ? html`<table class="list policies">
          <thead><tr><th>Policy</th>${showOrg ? html`<th>Organization</th>` : ''}<th>Category</th><th>Enforcement</th>
            <th>Applies to</th><th class="num">Version</th><th></th></tr></thead>
          <tbody>${this.policies.items.map((p) => html`<tr data-policy-id=${p.id}>
            <td>${p.name}${p.enabled ? '' : html` <span class="badge off">Off</span>`}</td>
            ${showOrg ? html`<td class="text">${this.orgNames[p.orgId] ?? ''}</td>` : ''}
            <td>${p.category.replaceAll('_', ' ')}</td><td>${p.enforcement}</td>
            <td>${appliesToText(p.appliesTo)}</td>
            <td class="num">${p.version}</td>
            <td><div class="actions"><button class="secondary" aria-expanded=${this.editingPolicy === p.id ? 'true'
              : 'false'} @click=${() => { this.editingPolicy = this.editingPolicy === p.id ? null : p.id; }}>Edit
              </button><button class="danger" @click=${() => this.removePolicy(p)}>Delete</button></div></td>
          </tr>${this.editingPolicy === p.id ? html`<tr class="editor"><td colspan=${showOrg ? 7 : 6}>
            <policy-form .policy=${p} .agents=${this.agentsOf(p.orgId)}
              @saved=${(e) => this.policySaved(e.detail, false)} @cancel=${() => { this.editingPolicy = null; }}>
            </policy-form></td></tr>` : ''}`)}</tbody></table>` : ''}
        ${this.policies.next && !this.policies.loading ? html`<button class="secondary"
          @click=${() => this.policies.load({ more: true })}>Show more policies</button>` : ''}
      </section>`;
  }

  renderTest() {
    const agents = this.agentsOf(this.targetOrg);
    const v = this.verdict;
    return html`
      <section aria-labelledby="test-title" class="card test-box">
        <h2 id="test-title">Try a text</h2>
        <p class="hint">Runs the text against ${orgContext.selected ? "this organization's" : "the default "
          + "organization's"} enabled rules and the baseline, shadow rules included. Nothing is recorded.</p>
        <form class="form" @submit=${(e) => this.test(e)}>
          <label>Text <textarea name="content" rows="4" required></textarea></label>
          <div class="row">
            <label>Direction <select name="direction"><option value="input">Input (to the model)</option>
              <option value="output">Output (from the model)</option></select></label>
            ${agents ? html`<label>As agent <select name="agentId"><option value="">Any agent (every rule)</option>
              ${agents.map((a) => html`<option value=${a.id}>${a.name}</option>`)}</select></label>` : ''}
          </div>
          ${this.testError ? html`<p class="error" role="alert">${this.testError}</p>` : ''}
          <div class="actions"><button type="submit">Test</button></div>
        </form>
        ${v ? html`<div class="verdict" role="status">
          <p>Decision: <span class="badge ${v.decision === 'allow' ? 'ok' : 'danger'}" data-decision=${v.decision}>
            ${v.decision}</span></p>
          ${v.matches.length ? html`<table class="list matches">
            <thead><tr><th>Rule</th><th>Action</th><th>Mode</th><th>Found</th><th class="num">Times</th></tr></thead>
            <tbody>${v.matches.map((m) => html`<tr><td>${m.ruleName}${m.baseline ? html` <span
              class="badge warn">Baseline</span>` : ''}</td><td>${m.action.replace('_', ' ')}</td><td>${m.mode}</td>
              <td><code>${m.evidence}</code></td><td class="num">${m.occurrences}</td></tr>`)}</tbody>
          </table>` : html`<p class="empty">No rule matched.</p>`}
          ${v.decision === 'redact' ? html`<label>Redacted text <textarea class="redacted" readonly rows="4"
            .value=${v.content}></textarea></label>` : ''}
        </div>` : ''}
      </section>`;
  }

  render() {
    return html`
      <div class="page-head"><h1>Guardrails</h1></div>
      ${this.rowError ? html`<p class="error" role="alert">${this.rowError}</p>` : ''}
      ${this.renderRules()}
      ${this.renderBaseline()}
      ${this.renderTest()}
      ${this.renderPolicies()}`;
  }
}

customElements.define('guardrails-page', GuardrailsPage);
