// The Agents page: the agents of the current org context (every org, for "All
// organizations"), paged from the server; operators create, pause, resume, move and delete them.
// An agent's view opens below its row, with tabs: details and keys (operators) and its
// memory (those with the memory page).
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { inWords } from '../messages.js';
import { askToConfirm, askForReason } from '../confirm-dialog.js';
import { get, post, del } from '../api.js';
import { PagedList } from '../paged-list.js';
import { moveAgent } from '../move-agent.js';
import './agent-memory.js';
import { orgContext } from '../org-context.js';
import { isOperator } from './organizations-page.js';
import { heldPauseNote } from '../pause-hold.js';
import { money } from '../format.js';
import { changedFrom, patchChanges } from '../changes.js';

/** The forms' labels for the API's field names, for error messages. */
const AGENT_LABELS = { name: 'Name', email: 'E-mail', model: 'Model', description: 'Description',
  billingRateOverride: 'Rate', reason: 'Reason', orgId: 'Organization' };

class AgentsPage extends LightElement {
  static properties = {
    me: { attribute: false },
    creating: { state: true },
    formError: { state: true },
    rowErrors: { state: true },
    open: { state: true },
    tab: { state: true },
    keys: { state: true },
    olderKeys: { state: true },
    issued: { state: true },
    orgs: { state: true },
  };

  constructor() {
    super();
    this.list = new PagedList(this, { url: '/api/agents' });
    this.rowErrors = {};
  }

  connectedCallback() {
    super.connectedCallback();
    this.unsubscribe = orgContext.subscribe(() => this.list.load());
    this.list.load();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  async create(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.formError = null;
    try {
      const agent = await post('/api/agents', {
        name: form.get('name'), email: form.get('email') || null, model: form.get('model') || null,
      });
      this.list.prepend(agent);
      this.creating = false;
    } catch (e) {
      this.formError = inWords(e, AGENT_LABELS);
    }
  }

  /** Opens a row's view on a tab (details: its keys and where it can be moved; memory), or closes it. */
  async toggle(agent, tab) {
    this.issued = null;
    if (this.open === agent.id && this.tab === tab) {
      this.open = null;
      return;
    }
    const opening = this.open !== agent.id;
    this.open = agent.id;
    this.tab = tab;
    if (tab !== 'details' || (!opening && this.keys)) return;
    this.keys = null;
    try {
      await this.loadKeys(agent);
      if (!this.orgs && isOperator(this.me)) this.orgs = (await get('/api/org-context', { org: null })).orgs;
    } catch (e) {
      this.rowErrors = { ...this.rowErrors, [agent.id]: inWords(e, AGENT_LABELS) };
    }
  }

  /** The keys that work come first, and an agent has at most 100: one page shows every one. */
  async loadKeys(agent) {
    const page = await get(`/api/agents/${agent.id}/keys?limit=100`, { org: null });
    this.keys = page.items;
    this.olderKeys = page.nextCursor !== null;
  }

  async issueKey(agent) {
    try {
      this.issued = await post(`/api/agents/${agent.id}/keys`, undefined, { org: null });
      await this.loadKeys(agent);
    } catch (e) {
      this.rowErrors = { ...this.rowErrors, [agent.id]: inWords(e, AGENT_LABELS) };
    }
  }

  async revoke(agent, key) {
    if (!await askToConfirm({ title: `Revoke key ${key.prefix}…?`, message: `Whatever uses this key for
      ${agent.name} stops working at once. This cannot be undone.`, confirm: 'Revoke key', danger: true })) return;
    try {
      await del(`/api/agents/${agent.id}/keys/${key.id}`, { org: null });
      await this.loadKeys(agent);
    } catch (e) {
      this.rowErrors = { ...this.rowErrors, [agent.id]: inWords(e, AGENT_LABELS) };
    }
  }

  async move(agent, event) {
    event.preventDefault();
    const orgId = new FormData(event.target).get('org');
    try {
      const moved = await moveAgent(agent, this.orgs.find((o) => o.id === orgId));
      if (moved) this.list.replace(moved);
      else event.target.reset();
    } catch (e) {
      this.rowErrors = { ...this.rowErrors, [agent.id]: inWords(e, AGENT_LABELS) };
    }
  }

  async saveDetails(agent, event) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.rowErrors = { ...this.rowErrors, [agent.id]: null };
    try {
      this.list.replace(await patchChanges(`/api/agents/${agent.id}`, agent, changedFrom(agent, {
        name: form.get('name'), email: form.get('email') || null, model: form.get('model') || null,
        description: form.get('description') || null,
      })));
    } catch (e) {
      this.rowErrors = { ...this.rowErrors, [agent.id]: inWords(e, AGENT_LABELS) };
    }
  }

  /**
   * Deleting is for good: its keys stop at once; its usage and history stay on its
   * organizations' records. (Not named remove: the shell calls the element's own.)
   */
  async deleteAgent(agent) {
    if (!await askToConfirm({ title: `Delete ${agent.name}?`, message: `Its keys stop working at once; its usage
      and history stay on its organizations' records. This cannot be undone.`, confirm: 'Delete agent',
    danger: true })) return;
    try {
      await del(`/api/agents/${agent.id}`, { org: null });
      this.open = null;
      this.list.remove(agent.id);
    } catch (e) {
      this.rowErrors = { ...this.rowErrors, [agent.id]: inWords(e, AGENT_LABELS) };
    }
  }

  copy(text) {
    navigator.clipboard?.writeText(text).catch(() => {});
    this.querySelector('input.new-key')?.select();
  }

  /** Pause or resume, with a reason: it goes on the intervention log with the user's name. */
  async setStatus(agent, change) {
    this.rowErrors = { ...this.rowErrors, [agent.id]: null };
    const reason = await askForReason({
      title: `${change === 'pause' ? 'Pause' : 'Resume'} ${agent.name}?`,
      message: change === 'pause' ? 'Its calls are refused until someone resumes it.'
        : 'It may call again with its keys.',
      confirm: change === 'pause' ? 'Pause' : 'Resume',
    });
    if (reason === null) return;
    try {
      const updated = await post(`/api/agents/${agent.id}/${change}`, { reason });
      this.list.replace(updated);
    } catch (e) {
      this.rowErrors = { ...this.rowErrors, [agent.id]: inWords(e, AGENT_LABELS) };
    }
  }

  /** The agent's view: the tabs this user may open, and the one open. */
  view(agent) {
    const tabs = [...(isOperator(this.me) ? [['details', 'Details & keys']] : []),
      ...(this.mayKeepMemory() ? [['memory', 'Memory']] : [])];
    return html`
      <div role="tablist" class="tabs" aria-label="${agent.name}">${tabs.map(([tab, label]) => html`<button
        type="button" role="tab" aria-selected=${this.tab === tab ? 'true' : 'false'}
        @click=${() => { if (this.tab !== tab) this.toggle(agent, tab); }}>${label}</button>`)}</div>
      ${this.tab === 'memory' ? html`<agent-memory .agent=${agent}></agent-memory>` : this.details(agent)}`;
  }

  /** Pausing and resuming is the Interventions page's right: a user given it acts here too, as the server allows. */
  mayControl() {
    return isOperator(this.me) || Boolean(this.me?.pages?.includes('interventions'));
  }

  /** The pause or resume an agent's row offers; a pause the operator or a platform rule holds, only to operators. */
  statusControl(a) {
    const held = a.status === 'active' ? null : heldPauseNote(a.pausedBy, this.me);
    if (held) return held;
    const change = a.status === 'active' ? 'pause' : 'resume';
    return html`<button class="secondary" aria-label=${`${change === 'pause' ? 'Pause' : 'Resume'} ${a.name}`}
      @click=${() => this.setStatus(a, change)}>${change === 'pause' ? 'Pause' : 'Resume'}</button>`;
  }

  mayKeepMemory() {
    return Boolean(this.me?.pages?.includes('memory'));
  }

  details(agent) {
    return html`
      <form class="form agent-details" @submit=${(e) => this.saveDetails(agent, e)}>
        <div class="row">
          <label>Name <input name="name" required maxlength="200" .value=${agent.name}></label>
          <label>E-mail <input name="email" type="email" .value=${agent.email ?? ''}></label>
          <label>Model <input name="model" maxlength="100" .value=${agent.model ?? ''}></label>
        </div>
        <label>Description <textarea name="description" rows="2" maxlength="2000"
          .value=${agent.description ?? ''}></textarea></label>
        <div class="actions"><button type="submit">Save details</button>
          <button type="button" class="danger" @click=${() => this.deleteAgent(agent)}>Delete agent</button></div>
      </form>
      <div class="row">
        <section aria-label="Keys of ${agent.name}">
          <h3>API keys</h3>
          ${this.issued ? html`<div class="issued" role="status">
            <p>The new key, shown this once: copy it now.</p>
            <input class="new-key" readonly .value=${this.issued.key} aria-label="New agent key" size="48">
            <button type="button" @click=${() => this.copy(this.issued.key)}>Copy</button></div>` : ''}
          ${this.keys === null ? html`<p class="loading">Loading…</p>` : html`<ul class="keys">
            ${this.keys.map((k) => html`<li><code>${k.prefix}…</code> <small>issued ${k.createdAt.slice(0, 10)}</small>
              ${k.revokedAt ? html`<span class="badge off">revoked</span>` : html`<button class="danger"
                @click=${() => this.revoke(agent, k)}>Revoke</button>`}</li>`)}
            ${this.keys.length === 0 ? html`<li class="empty">No keys yet.</li>` : ''}
            ${this.olderKeys ? html`<li class="empty">Older revoked keys are not shown.</li>` : ''}</ul>`}
          <button class="secondary" @click=${() => this.issueKey(agent)}>Issue a key</button>
        </section>
        ${this.orgs ? html`<form class="inline" @submit=${(e) => this.move(agent, e)}>
          <label>Organization <select name="org">${this.orgs.map((o) => html`<option value=${o.id}
            ?selected=${o.id === agent.clientOrgId}>${o.name}</option>`)}</select></label>
          <button type="submit">Move</button>
        </form>` : ''}
      </div>`;
  }

  render() {
    const operator = isOperator(this.me);
    const actions = this.mayControl() || this.mayKeepMemory();
    // Rates are the billing page's: the server sends them as null to anyone without it.
    const rates = Boolean(this.me?.pages?.includes('billing'));
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
      ${this.list.error ? html`<p class="error" role="alert">${this.list.error}</p>` : ''}
      ${!this.list.loading && !this.list.error && this.list.items.length === 0 ? html`<p class="empty">No agents in this
        context yet.${operator ? ' Create one with New Agent.' : ''}</p>` : ''}
      <table class="list" aria-busy=${this.list.loading ? 'true' : 'false'}>
        <thead><tr><th>Name</th><th>Organization</th><th>Status</th>${rates ? html`<th class="num">Rate</th>` : ''}${actions ? html`<th></th>` : ''}
        </tr></thead>
        <tbody>${this.list.items.map((a) => html`<tr data-agent-id=${a.id}>
          <td>${a.name}${a.email ? html`<br><small>${a.email}</small>` : ''}</td>
          <td class="text">${a.clientOrgName}</td>
          <td><span class="badge ${a.effectiveStatus === 'active' ? 'ok' : 'off'}">${a.effectiveStatus}</span></td>
          ${rates ? html`<td class="num">${money(a.effectiveBillingRate, a.clientOrgCurrency)}</td>` : ''}
          ${actions ? html`<td><div class="actions">
            ${this.mayControl() ? this.statusControl(a) : ''}
            ${operator ? html`<button class="secondary"
              aria-expanded=${this.open === a.id && this.tab === 'details' ? 'true' : 'false'}
              @click=${() => this.toggle(a, 'details')}>Details &amp; keys</button>` : ''}
            ${this.mayKeepMemory() ? html`<button class="secondary"
              aria-expanded=${this.open === a.id && this.tab === 'memory' ? 'true' : 'false'}
              @click=${() => this.toggle(a, 'memory')}>Memory</button>` : ''}</div>
            ${this.rowErrors[a.id] ? html`<p class="error" role="alert">${this.rowErrors[a.id]}</p>` : ''}</td>` : ''}
        </tr>${this.open === a.id ? html`<tr class="editor"><td colspan="5">${this.view(a)}</td></tr>` : ''}`)}
        </tbody>
      </table>
      ${this.list.loading ? html`<p class="loading" role="status">Loading…</p>` : ''}
      ${this.list.next && !this.list.loading ? html`<button class="secondary"
        @click=${() => this.list.load({ more: true })}>Show more</button>` : ''}`;
  }
}

customElements.define('agents-page', AgentsPage);
