// One organization, with three tabs: its agents (assign, unassign, move from other orgs),
// its billing (monthly revenue against token cost, per-agent rates, a month's breakdown)
// and its gateway (calls over time, the latest calls, the org's gateway settings).
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { get, post } from '../api.js';
import { moveAgent } from '../move-agent.js';
import { DEFAULT_ORG } from '../org-context.js';
import { isOperator } from './organizations-page.js';
import './organization-billing.js';
import './organization-gateway.js';
import { money } from '../format.js';
import { billingTitle } from '../dashboard-pages.js';
import { afterTyping } from '../typing.js';

class OrganizationDetail extends LightElement {
  static properties = {
    orgId: { attribute: false },
    tab: { attribute: false },
    me: { attribute: false },
    org: { state: true },
    error: { state: true },
    candidates: { state: true },
    actionError: { state: true },
    busy: { state: true },
  };

  willUpdate(changed) {
    if (changed.has('orgId')) this.load();
  }

  async load() {
    this.error = null;
    this.org = null;
    try {
      this.org = await get(`/api/organizations/${encodeURIComponent(this.orgId)}`, { org: null });
      if (isOperator(this.me)) this.loadCandidates();
    } catch (e) {
      this.error = e.message;
    }
  }

  /**
   * Agents of every org but this one that may be assigned to it, by name: the first 100 or
   * the matches. Not narrowed by the switcher, which shows this org while its page is open.
   */
  async loadCandidates(query = '') {
    const params = new URLSearchParams({ limit: '100' });
    if (query) params.set('q', query);
    // An earlier, slower answer must not replace the answer to what was typed last.
    const asked = (this.asked = (this.asked ?? 0) + 1);
    const page = await get(`/api/agents?${params}`, { org: null });
    if (asked !== this.asked) return;
    this.candidates = page.items.filter((a) => a.clientOrgId !== this.org.id);
  }

  // A search typed on one org's page is dropped if another org's page opened meanwhile.
  findCandidates = afterTyping(({ query, orgId }) => { if (orgId === this.orgId) this.loadCandidates(query); });

  async assign(event) {
    event.preventDefault();
    const agentId = new FormData(event.target).get('agent');
    const agent = this.candidates.find((a) => a.id === agentId);
    if (!agent) return;
    await this.run(() => moveAgent(agent, this.org));
  }

  async unassign(agent) {
    await this.run(() => moveAgent({ ...agent, clientOrgId: this.org.id, clientOrgName: this.org.name },
      { id: DEFAULT_ORG, name: 'the default organization' }));
  }

  async run(call) {
    this.busy = true;
    this.actionError = null;
    try {
      await call();
      await this.load();
    } catch (e) {
      this.actionError = e.message;
    } finally {
      this.busy = false;
    }
  }

  render() {
    if (this.error) {
      return html`<p class="error" role="alert">${this.error}</p><a href="#/organizations">Organizations</a>`;
    }
    if (!this.org) return html`<p class="loading" role="status">Loading…</p>`;
    const org = this.org;
    const base = `#/organizations/${org.id}`;
    return html`
      <a href="#/organizations">← Organizations</a>
      <div class="page-head">
        <h1>${org.name}</h1>
        <span class="slug">${org.slug}</span>
        <span class="badge ${org.active ? 'ok' : 'off'}">${org.active ? 'Active' : 'Inactive'}</span>
      </div>
      <div role="tablist" class="tabs">
        <a role="tab" href="${base}/agents" aria-selected=${this.tab !== 'billing' && this.tab !== 'gateway'
          ? 'true' : 'false'}>Agents</a>
        ${this.me.pages.includes('billing') ? html`<a role="tab" href="${base}/billing"
          aria-selected=${this.tab === 'billing' ? 'true' : 'false'}>${billingTitle(this.me)}</a>` : ''}
        <a role="tab" href="${base}/gateway" aria-selected=${this.tab === 'gateway' ? 'true' : 'false'}>Gateway</a>
      </div>
      ${this.tab === 'billing' ? html`<organization-billing .org=${org} .me=${this.me}></organization-billing>`
        : this.tab === 'gateway' ? html`<organization-gateway .org=${org} .me=${this.me}></organization-gateway>`
          : this.agents(org)}`;
  }

  agents(org) {
    const operator = isOperator(this.me);
    // Rates are the billing page's: the server sends them as null to anyone without it.
    const rates = this.me.pages.includes('billing');
    return html`
      <section aria-label="Agents of ${org.name}">
        ${org.agents.length === 0 ? html`<p class="empty">No agents are assigned to ${org.name} yet.
          ${operator ? 'Pick one below to assign it.' : ''}</p>` : ''}
        <table class="list">
          <thead><tr><th>Name</th><th>E-mail</th><th>Status</th>${rates ? html`<th>Rate</th>` : ''}${operator ? html`<th></th>` : ''}</tr></thead>
          <tbody>
            ${org.agents.map((a) => html`<tr data-agent-id=${a.id}>
              <td>${a.name}</td><td>${a.email ?? '—'}</td>
              <td><span class="badge ${a.effectiveStatus === 'active' ? 'ok' : 'off'}">${a.effectiveStatus}</span></td>
              ${rates ? html`<td>${money(a.effectiveBillingRate, org.currency)}</td>` : ''}
              ${operator ? html`<td><button class="secondary" ?disabled=${this.busy || org.isDefault}
                @click=${() => this.unassign(a)}>Unassign</button></td>` : ''}
            </tr>`)}
          </tbody>
        </table>
        ${operator ? html`<form class="inline" @submit=${(e) => this.assign(e)}>
          <label>Find <input type="search" placeholder="Agent name" aria-label="Find an agent to assign"
            @input=${(e) => this.findCandidates({ query: e.target.value.trim(), orgId: this.orgId })}></label>
          <label>Agent <select name="agent" required aria-label="Agent to assign">
            <option value="">${(this.candidates ?? []).length === 0 ? 'No agent to assign in this context'
              : 'Choose an agent…'}</option>
            ${(this.candidates ?? []).map((a) => html`<option value=${a.id}>${a.name}
              (${a.clientOrgName ?? 'unassigned'})</option>`)}
          </select></label>
          <button type="submit" ?disabled=${this.busy}>Assign</button>
        </form>` : ''}
        ${this.actionError ? html`<p class="error" role="alert">${this.actionError}</p>` : ''}
      </section>`;
  }
}

customElements.define('organization-detail', OrganizationDetail);
