// The Agents page: the agents of the current org context (every org, for "All
// organizations"), paged from the server; operators create, pause and resume them.
import { LitElement, html } from 'lit';
import { get, post, patch } from '../api.js';
import { orgContext } from '../org-context.js';
import { isOperator } from './organizations-page.js';
import { money } from '../format.js';

class AgentsPage extends LitElement {
  static properties = {
    me: { attribute: false },
    agents: { state: true },
    next: { state: true },
    loading: { state: true },
    error: { state: true },
    creating: { state: true },
    formError: { state: true },
    rowErrors: { state: true },
  };

  createRenderRoot() {
    return this;
  }

  constructor() {
    super();
    this.agents = [];
    this.rowErrors = {};
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

  async load(more = false) {
    this.loading = true;
    this.error = null;
    try {
      const params = new URLSearchParams({ limit: '50' });
      if (more && this.next) params.set('cursor', this.next);
      const page = await get(`/api/agents?${params}`);
      this.agents = more ? [...this.agents, ...page.items] : page.items;
      this.next = page.nextCursor;
    } catch (e) {
      this.error = e.message;
    } finally {
      this.loading = false;
    }
  }

  async create(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.formError = null;
    try {
      const agent = await post('/api/agents', {
        name: form.get('name'), email: form.get('email') || null, model: form.get('model') || null,
      });
      this.agents = [agent, ...this.agents];
      this.creating = false;
    } catch (e) {
      this.formError = e.message;
    }
  }

  async setStatus(agent, status) {
    this.rowErrors = { ...this.rowErrors, [agent.id]: null };
    try {
      const updated = await patch(`/api/agents/${agent.id}`, { status });
      this.agents = this.agents.map((a) => (a.id === agent.id ? updated : a));
    } catch (e) {
      this.rowErrors = { ...this.rowErrors, [agent.id]: e.message };
    }
  }

  render() {
    const operator = isOperator(this.me);
    return html`
      <div class="page-head">
        <h1>Agents</h1>
        ${operator ? html`<button @click=${() => { this.creating = !this.creating; }}>New Agent</button>` : ''}
      </div>
      ${this.creating ? html`<form class="card form" @submit=${(e) => this.create(e)}>
        <h2>New Agent${orgContext.selected ? '' : ' (in the default organization)'}</h2>
        <label>Name <input name="name" required maxlength="200"></label>
        <label>E-mail <input name="email" type="email"></label>
        <label>Model <input name="model" maxlength="100" placeholder="gpt-4o"></label>
        ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : ''}
        <div class="actions"><button type="submit">Create</button>
          <button type="button" class="secondary" @click=${() => { this.creating = false; }}>Cancel</button></div>
      </form>` : ''}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${!this.loading && !this.error && this.agents.length === 0 ? html`<p class="empty">No agents in this
        context yet.${operator ? ' Create one with New Agent.' : ''}</p>` : ''}
      <table class="list" aria-busy=${this.loading ? 'true' : 'false'}>
        <thead><tr><th>Name</th><th>Organization</th><th>Status</th><th>Rate</th>${operator ? html`<th></th>` : ''}
        </tr></thead>
        <tbody>${this.agents.map((a) => html`<tr data-agent-id=${a.id}>
          <td>${a.name}${a.email ? html`<br><small>${a.email}</small>` : ''}</td>
          <td>${a.clientOrgName}</td>
          <td><span class="badge ${a.effectiveStatus === 'active' ? 'ok' : 'off'}">${a.effectiveStatus}</span></td>
          <td>${money(a.effectiveBillingRate)}</td>
          ${operator ? html`<td>
            <button class="secondary" @click=${() => this.setStatus(a, a.status === 'active' ? 'paused' : 'active')}>
              ${a.status === 'active' ? 'Pause' : 'Resume'}</button>
            ${this.rowErrors[a.id] ? html`<p class="error" role="alert">${this.rowErrors[a.id]}</p>` : ''}</td>` : ''}
        </tr>`)}</tbody>
      </table>
      ${this.loading ? html`<p class="loading" role="status">Loading…</p>` : ''}
      ${this.next && !this.loading ? html`<button class="secondary" @click=${() => this.load(true)}>Show more</button>`
        : ''}`;
  }
}

customElements.define('agents-page', AgentsPage);
