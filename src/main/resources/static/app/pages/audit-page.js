// The audit log in the current org context, filterable by action and date, paged.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { PagedList } from '../paged-list.js';
import { orgContext } from '../org-context.js';

class AuditPage extends LightElement {
  static properties = {
    filter: { state: true },
  };

  constructor() {
    super();
    this.list = new PagedList(this, { url: '/api/audit' });
    this.filter = { action: '', from: '', to: '' };
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

  /** Dates are days in UTC: from the start of "from" to the end of "to". */
  load(more = false) {
    const to = this.filter.to
      ? new Date(Date.parse(`${this.filter.to}T00:00:00Z`) + 86_400_000).toISOString() : null;
    return this.list.load({ more, params: { action: this.filter.action,
      from: this.filter.from ? `${this.filter.from}T00:00:00Z` : null, to } });
  }

  apply(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.filter = { action: form.get('action').trim(), from: form.get('from'), to: form.get('to') };
    this.load();
  }

  render() {
    return html`
      <div class="page-head"><h1>Audit log</h1></div>
      <form class="inline" @submit=${(e) => this.apply(e)}>
        <label>Action <input name="action" placeholder="agent.created" .value=${this.filter.action}></label>
        <label>From <input name="from" type="date" .value=${this.filter.from}></label>
        <label>To <input name="to" type="date" .value=${this.filter.to}></label>
        <button type="submit">Filter</button>
      </form>
      ${this.list.error ? html`<p class="error" role="alert">${this.list.error}</p>` : ''}
      ${!this.list.loading && !this.list.error && this.list.items.length === 0 ? html`<p class="empty">No events
        match.</p>` : ''}
      <table class="list" aria-busy=${this.list.loading ? 'true' : 'false'}>
        <thead><tr><th>When (UTC)</th><th>Who</th><th>Organization</th><th>Action</th><th>Target</th></tr></thead>
        <tbody>${this.list.items.map((e) => html`<tr>
          <td>${e.occurredAt.replace('T', ' ').slice(0, 19)}</td>
          <td><span title=${e.actorId ?? ''}>${e.actorLabel}</span> <small>(${e.actorType})</small></td>
          <td class="text">${e.orgId ? html`<span title=${e.orgId}>${e.orgName ?? 'a deleted organization'}</span>` : '—'}</td>
          <td>${inWords(e.action)} <small><code>${e.action}</code></small></td>
          <td class="text">${e.targetType}${e.targetId ? html` ${e.targetName
            ? html`<span class="target" title=${e.targetId}>${e.targetName}</span>`
            : html`<small>${e.targetId}</small>`}` : ''}</td>
        </tr>`)}</tbody>
      </table>
      ${this.list.loading ? html`<p class="loading" role="status">Loading…</p>` : ''}
      ${this.list.next && !this.list.loading ? html`<button class="secondary" @click=${() => this.load(true)}>
        Show more</button>` : ''}`;
  }
}

/** "agent_key.revoked" read as "Agent key revoked"; its code stays beside it, for the filter. */
function inWords(action) {
  const words = action.replaceAll('.', ' ').replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

customElements.define('audit-page', AuditPage);
