// The Interventions page: each rule's hits over the last seven days (shadow hits apart, so
// an operator sees what a trial rule would do before enforcing it), and the log itself,
// filterable, with pause, resume and stop on an agent's row, each with a reason.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { inWords } from '../messages.js';
import { askForReason } from '../confirm-dialog.js';
import { get, post, ApiError } from '../api.js';
import { PagedList } from '../paged-list.js';
import { orgContext } from '../org-context.js';
import { LatestAsk } from '../latest-ask.js';
import { orgNames } from '../org-names.js';
import { heldPauseNote } from '../pause-hold.js';
import '../hit-sparkline.js';

const ACTIONS = [['block', 'Block'], ['redact', 'Redact'], ['flag', 'Flag'], ['pause_agent', 'Pause agent (rule)'],
  ['pause', 'Paused by a person'], ['resume', 'Resumed by a person'], ['stop', 'Stopped by a person']];
const CONTROL = {
  pause: { title: 'Pause', message: 'Its calls are refused until someone resumes it.' },
  resume: { title: 'Resume', message: 'It may call again with its keys.' },
  stop: { title: 'Stop', message: 'It is paused and every key it has is revoked: it needs a new key to call again.' },
};

class InterventionsPage extends LightElement {
  static properties = {
    me: { attribute: false },
    filter: { state: true },
    summary: { state: true },
    summaryError: { state: true },
    agents: { state: true },
    rowErrors: { state: true },
    orgNames: { state: true },
  };

  constructor() {
    super();
    this.list = new PagedList(this, { url: '/api/interventions' });
    this.filter = { agentId: '', ruleId: '', action: '', from: '', to: '' };
    this.rowErrors = {};
    this.orgNames = {};
  }

  connectedCallback() {
    super.connectedCallback();
    this.unsubscribe = orgContext.subscribe(() => this.reload());
    this.reload();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  reload() {
    this.filter = { agentId: '', ruleId: '', action: '', from: '', to: '' };
    this.rowErrors = {};
    this.load();
    this.loadSummary();
    this.loadAgents();
    if (!orgContext.selected) this.loadOrgNames();
  }

  /** Names for the organization column of the all-organizations view, where one rule name may be several orgs'. */
  async loadOrgNames() {
    this.orgNames = await orgNames();
  }

  orgName(id) {
    return this.orgNames[id] ?? '';
  }

  /** The filter as the API takes it. Dates are days in UTC: from the start of "from" to the end of "to". */
  apiFilter() {
    const to = this.filter.to
      ? new Date(Date.parse(`${this.filter.to}T00:00:00Z`) + 86_400_000).toISOString() : null;
    return { agentId: this.filter.agentId, ruleId: this.filter.ruleId, action: this.filter.action,
      from: this.filter.from ? `${this.filter.from}T00:00:00Z` : null, to };
  }

  load(more = false) {
    return this.list.load({ more, params: this.apiFilter() });
  }

  summaryAsks = new LatestAsk();

  agentAsks = new LatestAsk();

  async loadSummary() {
    this.summaryError = null;
    const current = this.summaryAsks.ask();
    try {
      const summary = await get('/api/interventions/summary?days=7');
      if (current()) this.summary = summary;
    } catch (e) {
      if (current()) this.summaryError = e.message;
    }
  }

  /** The agents to filter by; without the Agents page, the filter offers those the log names. */
  async loadAgents() {
    const current = this.agentAsks.ask();
    try {
      const agents = (await get('/api/agents?limit=500')).items;
      if (current()) this.agents = agents;
    } catch (e) {
      if (!current()) return;
      if (!(e instanceof ApiError && e.status === 403)) this.summaryError = e.message;
      this.agents = null;
    }
  }

  apply(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.filter = { agentId: form.get('agentId'), ruleId: form.get('ruleId'), action: form.get('action'),
      from: form.get('from'), to: form.get('to') };
    this.load();
  }

  showRule(ruleId) {
    this.filter = { ...this.filter, ruleId };
    this.load();
  }

  async control(entry, change) {
    this.rowErrors = { ...this.rowErrors, [entry.id]: null };
    const name = entry.agentName ?? 'this agent';
    const reason = await askForReason({ title: `${CONTROL[change].title} ${name}?`, message: CONTROL[change].message,
      confirm: CONTROL[change].title, danger: change === 'stop' });
    if (reason === null) return;
    try {
      await post(`/api/agents/${entry.agentId}/${change}`, { reason }, { org: null });
      this.load();
    } catch (e) {
      this.rowErrors = { ...this.rowErrors, [entry.id]: inWords(e, { reason: 'Reason' }) };
    }
  }

  agentOptions() {
    if (this.agents) return this.agents.map((a) => [a.id, a.name]);
    const named = new Map();
    this.list.items.forEach((i) => { if (i.agentName) named.set(i.agentId, i.agentName); });
    return [...named];
  }

  renderSummary() {
    const s = this.summary;
    const showOrg = !orgContext.selected;
    return html`<section aria-labelledby="hits-title">
      <h2 id="hits-title">Hits per rule, last 7 days</h2>
      ${this.summaryError ? html`<p class="error" role="alert">${this.summaryError}</p>` : ''}
      ${!s ? html`<p class="loading">Loading…</p>` : s.rules.length === 0 ? html`<p class="empty">No rule fired in
        the last 7 days.</p>` : html`
        <p class="hint"><span class="key enforced-key"></span> enforced <span class="key shadow-key"></span> shadow
          (recorded only, decided nothing). Days in UTC, ${s.days[0]} to ${s.days[s.days.length - 1]}.</p>
        <table class="list hits">
          <thead><tr><th>Rule</th>${showOrg ? html`<th>Organization</th>` : ''}<th>Per day</th>
            <th class="num">Enforced</th><th class="num">Shadow</th><th></th></tr></thead>
          <tbody>${s.rules.map((r) => {
            const enforced = r.enforced.reduce((a, b) => a + b, 0);
            const shadow = r.shadow.reduce((a, b) => a + b, 0);
            return html`<tr data-rule-id=${r.ruleId}><td>${r.ruleName}${shadow > 0 && enforced === 0 ? html` <span
              class="badge">Shadow</span>` : ''}</td>${showOrg ? html`<td>${this.orgName(r.orgId)}</td>` : ''}
              <td><hit-sparkline .days=${s.days} .enforced=${r.enforced} .shadow=${r.shadow} .label=${r.ruleName}>
                </hit-sparkline></td>
              <td class="num">${enforced}</td><td class="num">${shadow}</td>
              <td><button class="link-dark" aria-label=${`Show entries of ${r.ruleName}`}
                @click=${() => this.showRule(r.ruleId)}>Show entries</button></td></tr>`;
          })}</tbody>
        </table>
        ${s.truncated ? html`<p class="hint">Only the busiest rules are shown.</p>` : ''}`}
    </section>`;
  }

  renderFilter() {
    const f = this.filter;
    // One option a rule: a baseline rule's hits are listed once for each organization.
    const rules = [...new Map((this.summary?.rules ?? []).map((r) => [r.ruleId, r])).values()];
    const orgsOf = (ruleId) => [...new Set(this.summary.rules.filter((r) => r.ruleId === ruleId)
      .map((r) => this.orgName(r.orgId)))].join(', ');
    // Options are chosen by property: the filter reset on another org's view shows as reset, a
    // choice made by hand before notwithstanding.
    return html`<form class="inline" aria-label="Filter" @submit=${(e) => this.apply(e)}>
      <label>Agent <select name="agentId"><option value="" .selected=${!f.agentId}>Any agent</option>
        ${this.agentOptions().map(([id, name]) => html`<option value=${id} .selected=${id === f.agentId}>${name}
        </option>`)}</select></label>
      <label>Rule <select name="ruleId"><option value="" .selected=${!f.ruleId}>Any rule</option>
        ${rules.map((r) => html`<option value=${r.ruleId} .selected=${r.ruleId === f.ruleId}>${r.ruleName}${
          orgContext.selected ? '' : ` (${orgsOf(r.ruleId)})`}</option>`)}
        ${f.ruleId && !rules.some((r) => r.ruleId === f.ruleId) ? html`<option value=${f.ruleId} selected>The chosen
          rule</option>` : ''}</select></label>
      <label>Action <select name="action"><option value="" .selected=${!f.action}>Any action</option>
        ${ACTIONS.map(([v, l]) => html`<option value=${v} .selected=${v === f.action}>${l}</option>`)}</select></label>
      <label>From <input name="from" type="date" .value=${f.from}></label>
      <label>To <input name="to" type="date" .value=${f.to}></label>
      <button type="submit">Filter</button>
    </form>`;
  }

  rowActions(i) {
    if (!i.agentStatus) return html`<small>Not in this organization any more</small>`;
    return html`<div class="actions">
      ${i.agentStatus === 'active'
        ? html`<button class="secondary" @click=${() => this.control(i, 'pause')}>Pause</button>`
        : heldPauseNote(i.agentPausedBy, this.me)
          ?? html`<button class="secondary" @click=${() => this.control(i, 'resume')}>Resume</button>`}
      <button class="danger" @click=${() => this.control(i, 'stop')}>Stop</button></div>
      ${this.rowErrors[i.id] ? html`<p class="error" role="alert">${this.rowErrors[i.id]}</p>` : ''}`;
  }

  render() {
    // A download sends no header: the org context goes as the orgId parameter.
    const csv = new URLSearchParams(Object.entries({ ...this.apiFilter(), orgId: orgContext.selected })
      .filter(([, v]) => v));
    const showOrg = !orgContext.selected;
    return html`
      <div class="page-head"><h1>Interventions</h1>
        <a class="button secondary" href=${`/api/interventions.csv?${csv}`} download>Export CSV</a></div>
      ${this.renderSummary()}
      <section aria-labelledby="log-title">
        <h2 id="log-title">Log</h2>
        ${this.renderFilter()}
        ${this.list.error ? html`<p class="error" role="alert">${this.list.error}</p>` : ''}
        ${!this.list.loading && !this.list.error && this.list.items.length === 0 ? html`<p class="empty">No
          interventions match.</p>` : ''}
        ${this.list.items.length ? html`<table class="list interventions"
          aria-busy=${this.list.loading ? 'true' : 'false'}>
          <thead><tr><th>When (UTC)</th>${showOrg ? html`<th>Organization</th>` : ''}<th>Agent</th>
            <th>Rule or person</th><th>Action</th><th>Evidence or reason</th><th>Agent now</th></tr></thead>
          <tbody>${this.list.items.map((i) => html`<tr data-intervention-id=${i.id}>
            <td>${i.createdAt.replace('T', ' ').slice(0, 19)}</td>${showOrg ? html`<td>${this.orgName(i.orgId)}</td>`
              : ''}
            <td>${i.agentName ?? html`<small title=${i.agentId}>a moved or deleted agent</small>`}</td>
            <td>${i.ruleId ? html`${i.ruleName} <small>v${i.ruleVersion}</small>` : html`${i.actor}`}
              ${i.mode === 'shadow' ? html` <span class="badge">Shadow</span>` : ''}</td>
            <td><span class="badge ${i.decision === 'allow' ? '' : 'danger'}">${i.action.replace('_', ' ')}</span>
              ${i.direction ? html`<small>${i.direction}</small>` : ''}</td>
            <td><code class="evidence">${i.evidence}</code>${i.occurrences > 1 ? html` <small>(${i.occurrences}
              times)</small>` : ''}</td>
            <td>${i.agentStatus ? html`<span class="badge ${i.agentStatus === 'active' ? 'ok' : 'off'}">
              ${i.agentStatus}</span>` : ''}${this.rowActions(i)}</td>
          </tr>`)}</tbody></table>` : ''}
        ${this.list.loading ? html`<p class="loading" role="status">Loading…</p>` : ''}
        ${this.list.next && !this.list.loading ? html`<button class="secondary" @click=${() => this.load(true)}>
          Show more</button>` : ''}
      </section>`;
  }
}

customElements.define('interventions-page', InterventionsPage);
