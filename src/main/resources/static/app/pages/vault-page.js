// The Vault page: the current org context's credentials as metadata (never a value), with
// their expiry marked, adding one, rotating its value (typed once, never shown again),
// editing its details, deleting it, and which agents read it when. Owners also rotate the
// master key here, with its progress.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { inWords } from '../messages.js';
import { askToConfirm } from '../confirm-dialog.js';
import { get, post, patch, del } from '../api.js';
import { PagedList } from '../paged-list.js';
import { orgContext, DEFAULT_ORG } from '../org-context.js';
import { LatestAsk } from '../latest-ask.js';
import { orgNames } from '../org-names.js';
import { localInput, dateTime } from '../format.js';

export const KINDS = { api_key: 'API key', oauth_token: 'OAuth token', password: 'Password', smtp: 'SMTP login',
  webhook_secret: 'Webhook secret', other: 'Other' };
const LABELS = { name: 'Name', kind: 'Kind', scope: 'Scope', agentId: 'Agent', description: 'Description',
  expiresAt: 'Expires on', agentReadable: 'Agents may read it', value: 'Value' };

function when(iso) {
  return iso ? dateTime(iso) : 'never';
}

/**
 * A span of milliseconds in its two largest units, rounded down: "4 days, 23 hours", "5 hours,
 * 2 minutes", "40 minutes". One unit alone read 4 days for a credential with nearly five left.
 */
function timeLeft(ms) {
  const minutes = Math.max(1, Math.floor(ms / 60000));
  const units = (n, unit) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  const [big, bigUnit, small, smallUnit] = minutes >= 1440
    ? [Math.floor(minutes / 1440), 'day', Math.floor((minutes % 1440) / 60), 'hour']
    : [Math.floor(minutes / 60), 'hour', minutes % 60, 'minute'];
  if (big === 0) return units(small, smallUnit);
  return small === 0 ? units(big, bigUnit) : `${units(big, bigUnit)}, ${units(small, smallUnit)}`;
}

/** Where a credential's expiry stands now: the server's word, or expired since it said so. */
export function expiryNow(credential, now = Date.now()) {
  if (credential.expiresAt && new Date(credential.expiresAt).getTime() <= now) return 'expired';
  return credential.expiry;
}

/** The expiry a rotation's form starts from: the current one, or none once it has passed. */
function rotationExpiry(credential) {
  return expiryNow(credential) === 'expired' ? '' : localInput(credential.expiresAt);
}

/** A credential's expiry as a badge: expired, expiring within 14 days, or nothing. */
export function expiryBadge(credential, now = Date.now()) {
  const expiry = expiryNow(credential, now);
  if (expiry === 'expired') {
    return html`<span class="badge danger">Expired ${when(credential.expiresAt)}</span>`;
  }
  if (expiry === 'expiring') {
    return html`<span class="badge warn">Expires in ${timeLeft(new Date(credential.expiresAt).getTime() - now)}
      </span>`;
  }
  return '';
}

class VaultPage extends LightElement {
  static properties = {
    me: { attribute: false },
    adding: { state: true },
    editing: { state: true },
    rotating: { state: true },
    history: { state: true },
    reads: { state: true },
    agents: { state: true },
    formError: { state: true },
    rowError: { state: true },
    scope: { state: true },
    reveal: { state: true },
    masterKey: { state: true },
    orgNames: { state: true },
  };

  constructor() {
    super();
    this.list = new PagedList(this, { url: '/api/credentials', pageSize: 100 });
    this.adding = false;
    this.scope = 'org';
    this.agents = null;
    this.agentAsks = new LatestAsk();
  }

  connectedCallback() {
    super.connectedCallback();
    // Expiry badges count down while the page stays open.
    this.ticking = setInterval(() => this.requestUpdate(), 30000);
    this.unsubscribe = orgContext.subscribe(() => this.load());
    this.load();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.unsubscribe?.();
    clearTimeout(this.polling);
    clearInterval(this.ticking);
  }

  updated(changed) {
    if ((changed.has('adding') && this.adding) || (changed.has('rotating') && this.rotating)) {
      this.querySelector(this.adding && changed.has('adding') ? 'form input[name=name]'
        : 'tr.editor input[name=value]')?.focus();
    }
  }

  get owner() {
    return this.me?.role === 'owner';
  }

  load() {
    this.adding = false;
    this.editing = null;
    this.rotating = null;
    this.history = null;
    this.rowError = null;
    this.list.load();
    this.loadAgents();
    if (this.owner) this.loadMasterKey();
    if (!orgContext.selected) this.loadOrgNames();
  }

  /** In the all-organizations view, whose each credential is: one name may be several organizations'. */
  async loadOrgNames() {
    this.orgNames = await orgNames();
  }

  /** Whom the credential is for: its agent, or its organization (named in the all-organizations view). */
  holder(c) {
    const org = orgContext.selected ? null : this.orgNames?.[c.orgId];
    if (c.scope === 'agent') return `Agent: ${this.agentName(c.agentId)}${org ? ` (${org})` : ''}`;
    return org ?? 'Organization';
  }

  /** The context's agents, for agent-scoped credentials; null when this user may not list them. */
  async loadAgents() {
    const operator = this.me?.role === 'owner' || this.me?.role === 'admin';
    if (!operator && !this.me?.pages?.includes('agents')) {
      this.agents = null;
      return;
    }
    const current = this.agentAsks.ask();
    try {
      const agents = (await get('/api/agents?limit=500')).items;
      if (current()) this.agents = agents;
    } catch {
      if (current()) this.agents = null;
    }
  }

  async loadMasterKey() {
    try {
      this.masterKey = await get('/api/credentials/rotate-master-key', { org: null });
      if (this.masterKey.state === 'running') {
        this.polling = setTimeout(() => this.loadMasterKey(), 500);
      }
    } catch (e) {
      this.rowError = e.message;
    }
  }

  async rotateMasterKey() {
    if (!await askToConfirm({ title: 'Rotate the master key?', message: 'Every organization\'s data key is '
      + 'wrapped again under a new master key; stored values are not touched. With TENANTRY_MASTER_KEY, set the new '
      + 'key first (and the old one in TENANTRY_PREVIOUS_MASTER_KEYS) and restart.', confirm: 'Rotate master key' })) {
      return;
    }
    try {
      this.masterKey = await post('/api/credentials/rotate-master-key', undefined, { org: null });
      this.loadMasterKey();
    } catch (e) {
      this.rowError = e.message;
    }
  }

  /** The agents a new agent-scoped credential may name: those of the org it is added to. */
  targetAgents() {
    const target = orgContext.selected || DEFAULT_ORG;
    return (this.agents ?? []).filter((a) => a.clientOrgId === target);
  }

  agentName(id) {
    return this.agents?.find((a) => a.id === id)?.name ?? id;
  }

  async create(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.formError = null;
    const body = { name: form.get('name').trim(), kind: form.get('kind'), scope: this.scope,
      description: form.get('description') || null, agentReadable: form.get('agentReadable') === 'on',
      value: form.get('value') };
    if (this.scope === 'agent') body.agentId = form.get('agentId');
    const expires = form.get('expiresAt');
    if (expires) body.expiresAt = new Date(expires).toISOString();
    try {
      const created = await post('/api/credentials', body);
      event.target.reset();
      this.adding = false;
      this.reveal = false;
      this.list.prepend(created);
      // An organization's first credential makes its data key: the master key's count changes.
      if (this.masterKey) this.loadMasterKey();
    } catch (e) {
      this.formError = inWords(e, LABELS);
    }
  }

  async save(event, credential) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.formError = null;
    const expires = form.get('expiresAt');
    const changes = { name: form.get('name').trim(), kind: form.get('kind'),
      description: form.get('description') || null, agentReadable: form.get('agentReadable') === 'on',
      expiresAt: expires ? new Date(expires).toISOString() : null };
    try {
      this.list.replace(await patch(`/api/credentials/${credential.id}`, changes, { org: null }));
      this.editing = null;
    } catch (e) {
      this.formError = inWords(e, LABELS);
    }
  }

  async rotate(event, credential) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.formError = null;
    const expires = form.get('expiresAt');
    const body = { value: form.get('value') };
    // The field shows the expiry to the minute: left as shown, the expiry stays exactly as it was.
    if (expires !== rotationExpiry(credential)) body.expiresAt = expires ? new Date(expires).toISOString() : null;
    try {
      const rotated = await post(`/api/credentials/${credential.id}/rotate`, body, { org: null });
      event.target.reset();
      this.rotating = null;
      this.reveal = false;
      this.list.replace(rotated);
    } catch (e) {
      this.formError = inWords(e, LABELS);
    }
  }

  async removeCredential(credential) {
    if (!await askToConfirm({ title: `Delete ${credential.name}?`, message: 'Every version of its value is destroyed '
      + 'at once; agents that read it get nothing from now on.', confirm: 'Delete credential', danger: true })) return;
    try {
      await del(`/api/credentials/${credential.id}`, { org: null });
      this.list.remove(credential.id);
    } catch (e) {
      this.rowError = e.message;
    }
  }

  async showReads(credential) {
    if (this.history === credential.id) {
      this.history = null;
      return;
    }
    try {
      this.reads = (await get(`/api/credentials/${credential.id}/reads?limit=50`, { org: null })).items;
      this.history = credential.id;
    } catch (e) {
      this.rowError = e.message;
    }
  }

  toggle(what, credential) {
    this.formError = null;
    this.reveal = false;
    if (what === 'edit') {
      this.editing = this.editing === credential.id ? null : credential.id;
      this.rotating = null;
    } else {
      this.rotating = this.rotating === credential.id ? null : credential.id;
      this.editing = null;
    }
  }

  /** The value's field: hidden as it is typed unless asked, and never filled in by the browser. */
  renderValue(label) {
    return html`<label>${label} <input name="value" required autocomplete="new-password" spellcheck="false"
        type=${this.reveal ? 'text' : 'password'}></label>
      <label class="check"><input type="checkbox" .checked=${Boolean(this.reveal)}
        @change=${(e) => { this.reveal = e.target.checked; }}> Show while typing</label>
      <p class="hint">Stored encrypted; nobody is shown it again, here or anywhere.</p>`;
  }

  renderKindOptions(selected) {
    return Object.entries(KINDS).map(([kind, label]) => html`<option value=${kind} ?selected=${kind === selected}>
      ${label}</option>`);
  }

  renderAdd() {
    if (!this.adding) {
      return html`<div class="actions"><button @click=${() => { this.adding = true; this.formError = null; }}>
        Add a credential</button></div>`;
    }
    return html`<div class="card"><h3>New credential${orgContext.selected ? '' : ' (in the default organization)'}
      </h3>
      <form class="form" autocomplete="off" @submit=${(e) => this.create(e)}>
        <label>Name <input name="name" required maxlength="128" pattern="[A-Za-z0-9][A-Za-z0-9._\\-]*"
          title="Letters, digits, '.', '_' and '-', starting with a letter or digit"
          placeholder="OPENAI_API_KEY"></label>
        <label>Kind <select name="kind">${this.renderKindOptions('api_key')}</select></label>
        <fieldset><legend>Who may use it</legend>
          <label class="check"><input type="radio" name="scope" value="org" .checked=${this.scope === 'org'}
            @change=${() => { this.scope = 'org'; }}> Every agent of the organization</label>
          <label class="check"><input type="radio" name="scope" value="agent" .checked=${this.scope === 'agent'}
            @change=${() => { this.scope = 'agent'; }}> One agent</label>
        </fieldset>
        ${this.scope === 'agent' ? (this.agents
          ? html`<label>Agent <select name="agentId" required>${this.targetAgents().map((a) => html`<option value=${a.id}>
              ${a.name}</option>`)}</select></label>`
          : html`<label>Agent id <input name="agentId" required></label>`) : ''}
        <label>Description <input name="description" maxlength="1000"></label>
        <label>Expires on <input name="expiresAt" type="datetime-local"></label>
        <label class="check"><input type="checkbox" name="agentReadable" checked> Agents may read it (leave off
          for keys only the server uses)</label>
        ${this.renderValue('Value')}
        ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : ''}
        <div class="actions"><button type="submit">Store credential</button>
          <button type="button" class="secondary" @click=${() => { this.adding = false; }}>Cancel</button></div>
      </form></div>`;
  }

  renderRow(c) {
    return html`<tr data-credential-id=${c.id}>
      <td><strong>${c.name}</strong> ${expiryBadge(c)}${c.agentReadable ? ''
        : html` <span class="badge off" title="Agents may not read it">Server only</span>`}
        ${c.description ? html`<br><small>${c.description}</small>` : ''}</td>
      <td>${KINDS[c.kind] ?? c.kind}</td>
      <td>${this.holder(c)}</td>
      <td>${c.lastFour ? html`<code>…${c.lastFour}</code>` : html`<small>hidden</small>`}</td>
      <td class="num">${c.version}</td>
      <td><small>Changed ${when(c.valueChangedAt)}<br>Read ${when(c.lastReadAt)}</small></td>
      <td><div class="actions">
        <button class="secondary" aria-expanded=${this.rotating === c.id ? 'true' : 'false'}
          @click=${() => this.toggle('rotate', c)}>Rotate</button>
        <button class="secondary" aria-expanded=${this.editing === c.id ? 'true' : 'false'}
          @click=${() => this.toggle('edit', c)}>Edit</button>
        <button class="secondary" aria-expanded=${this.history === c.id ? 'true' : 'false'}
          @click=${() => this.showReads(c)}>Reads</button>
        <button class="danger" @click=${() => this.removeCredential(c)}>Delete</button>
      </div></td>
    </tr>
    ${this.rotating === c.id ? html`<tr class="editor"><td colspan="7">
      <form class="form" autocomplete="off" @submit=${(e) => this.rotate(e, c)}>
        ${this.renderValue(`New value for ${c.name}`)}
        <label>Expires on <input name="expiresAt" type="datetime-local" .value=${rotationExpiry(c)}></label>
        <p class="hint">Agents get the new value at once, and the current one beside it for a grace period.
          ${expiryNow(c) === 'expired' ? html`The current value expired ${when(c.expiresAt)}: give the new one
          an expiry, or leave it empty for none.` : 'Leave the expiry empty for none.'}</p>
        ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : ''}
        <div class="actions"><button type="submit">Rotate value</button>
          <button type="button" class="secondary" @click=${() => { this.rotating = null; }}>Cancel</button></div>
      </form></td></tr>` : ''}
    ${this.editing === c.id ? html`<tr class="editor"><td colspan="7">
      <form class="form" @submit=${(e) => this.save(e, c)}>
        <label>Name <input name="name" required maxlength="128" .value=${c.name}></label>
        <label>Kind <select name="kind">${this.renderKindOptions(c.kind)}</select></label>
        <label>Description <input name="description" maxlength="1000" .value=${c.description ?? ''}></label>
        <label>Expires on <input name="expiresAt" type="datetime-local" .value=${localInput(c.expiresAt)}></label>
        <label class="check"><input type="checkbox" name="agentReadable" .checked=${c.agentReadable}> Agents may
          read it</label>
        ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : ''}
        <div class="actions"><button type="submit">Save</button>
          <button type="button" class="secondary" @click=${() => { this.editing = null; }}>Cancel</button></div>
      </form></td></tr>` : ''}
    ${this.history === c.id ? html`<tr class="editor"><td colspan="7">
      ${this.reads.length === 0 ? html`<p class="empty">No agent has read it yet.</p>`
        : html`<table class="list reads"><caption>Reads of ${c.name}, newest first</caption>
          <thead><tr><th>When</th><th>Agent</th><th class="num">Version</th></tr></thead>
          <tbody>${this.reads.map((r) => html`<tr><td>${when(r.at)}</td><td>${r.agentName}</td>
            <td class="num">${r.version}${r.previousVersion ? html` <small>and ${r.previousVersion}, in its grace
              period</small>` : ''}</td></tr>`)}</tbody></table>`}
    </td></tr>` : ''}`;
  }

  renderSummary(items) {
    const expired = items.filter((c) => expiryNow(c) === 'expired').length;
    const expiring = items.filter((c) => expiryNow(c) === 'expiring').length;
    if (!expired && !expiring) return '';
    return html`<p class="hint expiry-summary" role="status">${expired ? html`<span class="badge danger">${expired} expired</span>`
      : ''} ${expiring ? html`<span class="badge warn">${expiring} expiring within 14 days</span>` : ''}
      Agents get nothing from an expired credential: rotate it and set a new expiry.</p>`;
  }

  renderMasterKey() {
    if (!this.owner || !this.masterKey) return '';
    const k = this.masterKey;
    return html`<section class="card" aria-labelledby="master-title">
      <h2 id="master-title">Master key</h2>
      <p>Key <code>${k.masterKeyId}</code>, from ${k.source === 'file' ? 'the key file in the data directory (back it up)'
        : 'TENANTRY_MASTER_KEY'}; it wraps ${k.total} organization ${k.total === 1 ? 'key' : 'keys'}.</p>
      ${k.state === 'running' || k.state === 'incomplete' ? html`<label>Re-wrapping
        <progress max=${Math.max(1, k.total)} .value=${k.done}></progress> ${k.done} of ${k.total}</label>` : ''}
      ${k.state === 'failed' || k.state === 'incomplete' ? html`<p class="error" role="alert">The last rotation
        stopped before every key was re-wrapped: rotate again to resume it.</p>` : ''}
      <div class="actions"><button class="secondary" ?disabled=${k.state === 'running'}
        @click=${() => this.rotateMasterKey()}>${k.state === 'incomplete' ? 'Resume rotation' : 'Rotate master key'}
        </button></div>
    </section>`;
  }

  render() {
    const list = this.list;
    return html`
      <div class="page-head"><h1>Vault</h1></div>
      <p class="hint">Credentials your agents use. Values are stored encrypted and never shown; an agent of this
        organization reads them with its key, and every read is recorded.</p>
      ${this.rowError ? html`<p class="error" role="alert">${this.rowError}</p>` : ''}
      ${this.renderAdd()}
      ${this.renderSummary(list.items)}
      ${list.error ? html`<p class="error" role="alert">${list.error}</p>` : ''}
      ${!list.loading && !list.error && list.items.length === 0 ? html`<p class="empty">No credentials yet.</p>` : ''}
      ${list.items.length ? html`<table class="list credentials" aria-busy=${list.loading ? 'true' : 'false'}>
        <caption class="visually-hidden">Credentials</caption>
        <thead><tr><th>Credential</th><th>Kind</th><th>For</th><th>Value ends</th><th class="num">Version</th>
          <th>Activity</th><th></th></tr></thead>
        <tbody>${list.items.map((c) => this.renderRow(c))}</tbody></table>` : ''}
      ${list.loading ? html`<p class="loading" role="status">Loading…</p>` : ''}
      ${list.next && !list.loading ? html`<button class="secondary" @click=${() => list.load({ more: true })}>
        Show more credentials</button>` : ''}
      ${this.renderMasterKey()}`;
  }
}

customElements.define('vault-page', VaultPage);
