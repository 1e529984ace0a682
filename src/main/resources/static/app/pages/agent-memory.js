// An agent's memory, the Memory tab of its view on the Agents page: its entries by
// category, a search by words, adding, editing and forgetting entries, and when each one
// expires. What the agent remembers lives in the org that holds it now.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { inWords } from '../messages.js';
import { askToConfirm } from '../confirm-dialog.js';
import { post, patch, del } from '../api.js';
import { PagedList } from '../paged-list.js';
import { afterTyping } from '../typing.js';
import { localInput, dateTime, count } from '../format.js';

export const CATEGORIES = ['fact', 'preference', 'context', 'procedure', 'relationship'];
const HEADINGS = { fact: 'Facts', preference: 'Preferences', context: 'Context', procedure: 'Procedures',
  relationship: 'Relationships' };
const IMPORTANCE = { 1: 'trivia', 2: 'minor', 3: 'useful', 4: 'important', 5: 'vital' };
const LABELS = { category: 'Category', title: 'Title', content: 'What to remember', importance: 'Importance',
  tags: 'Tags', expiresAt: 'Forget on', q: 'Search' };

/** When an entry is forgotten, in words: "in 3 days (4 Dec 2026, 10:00)". */
export function expiryInWords(iso, now = Date.now()) {
  if (!iso) return 'kept until deleted';
  const at = new Date(iso);
  const hours = (at.getTime() - now) / 3600000;
  const when = dateTime(iso);
  const span = hours < 1 ? 'within the hour' : hours < 48 ? `in ${Math.round(hours)} hours`
    : `in ${count(Math.round(hours / 24))} days`;
  return `forgotten ${span} (${when})`;
}

class AgentMemoryTab extends LightElement {
  static properties = {
    agent: { attribute: false },
    editing: { state: true },
    formError: { state: true },
    rowError: { state: true },
    category: { state: true },
  };

  constructor() {
    super();
    this.list = new PagedList(this, { url: null, pageSize: 100 });
    this.query = '';
    this.category = '';
    this.editing = null;
  }

  willUpdate(changed) {
    if (changed.has('agent') && this.agent && this.list.url !== `/api/agents/${this.agent.id}/memory`) {
      this.list.url = `/api/agents/${this.agent.id}/memory`;
      this.editing = null;
      this.reload();
    }
  }

  reload() {
    return this.list.load({ params: { q: this.query, category: this.category } });
  }

  /** An opened form takes the focus, so keyboard users continue where they asked to write. */
  updated(changed) {
    if (changed.has('editing') && this.editing) this.querySelector('form.memory-form select')?.focus();
  }

  closeForm() {
    this.editing = null;
    this.formError = null;
  }

  /** A 404 means the agent left this org context (moved, deleted) or the entry is gone: show what is there now. */
  refused(e, show) {
    show(inWords(e, LABELS));
    if (e.status === 404) this.reload();
  }

  searchFor = afterTyping((text) => {
    this.query = text.trim();
    this.reload();
  });

  filterBy(category) {
    this.category = category;
    this.reload();
  }

  async save(event, entry) {
    event.preventDefault();
    const form = new FormData(event.target);
    const expires = form.get('expiresAt');
    const body = {
      category: form.get('category'), title: form.get('title'), content: form.get('content'),
      importance: Number(form.get('importance')),
      tags: String(form.get('tags') || '').split(',').map((t) => t.trim()).filter((t) => t),
      expiresAt: expires ? new Date(expires).toISOString() : null,
    };
    this.formError = null;
    try {
      if (entry) {
        this.list.replace(await patch(`${this.list.url}/${entry.id}`, body));
      } else {
        await post(this.list.url, body);
        await this.reload();
      }
      this.editing = null;
    } catch (e) {
      this.refused(e, (message) => { this.formError = message; });
    }
  }

  async forget(entry) {
    if (!await askToConfirm({ title: `Forget "${entry.title}"?`, message: `${this.agent.name} no longer
      remembers it, and it cannot be brought back.`, confirm: 'Forget', danger: true })) return;
    this.rowError = null;
    try {
      await del(`${this.list.url}/${entry.id}`);
      this.list.remove(entry.id);
    } catch (e) {
      this.refused(e, (message) => { this.rowError = message; });
    }
  }

  entryForm(entry) {
    const e = entry ?? { category: this.category || 'fact', importance: 3, tags: [] };
    return html`<form class="card form memory-form" @submit=${(ev) => this.save(ev, entry)}
      @keydown=${(ev) => { if (ev.key === 'Escape') this.closeForm(); }}>
      <h4>${entry ? `Edit "${entry.title}"` : `Add to ${this.agent.name}'s memory`}</h4>
      <div class="row">
        <label>Category <select name="category">${CATEGORIES.map((c) => html`<option value=${c}
          ?selected=${e.category === c}>${c}</option>`)}</select></label>
        <label>Importance <select name="importance">${[5, 4, 3, 2, 1].map((i) => html`<option value=${i}
          ?selected=${e.importance === i}>${i} – ${IMPORTANCE[i]}</option>`)}</select></label>
        <label>Forget on <input name="expiresAt" type="datetime-local" .value=${localInput(e.expiresAt)}></label>
      </div>
      <label>Title <input name="title" required maxlength="200" .value=${e.title ?? ''}></label>
      <label>What to remember <textarea name="content" rows="4" required .value=${e.content ?? ''}></textarea>
        <small>Up to 16 KB.</small></label>
      <label>Tags <input name="tags" placeholder="comma, separated" .value=${e.tags.join(', ')}></label>
      ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : ''}
      <div class="actions"><button type="submit">${entry ? 'Save' : 'Add'}</button>
        <button type="button" class="secondary" @click=${() => this.closeForm()}>Cancel</button></div>
    </form>`;
  }

  entryView(entry) {
    if (this.editing === entry.id) return html`<li>${this.entryForm(entry)}</li>`;
    return html`<li class="memory-entry" data-entry-id=${entry.id}>
      <div class="memory-head"><strong>${entry.title}</strong>
        <span class="importance" title="Importance ${entry.importance} of 5"
          aria-label="Importance ${entry.importance} of 5, ${IMPORTANCE[entry.importance]}">${
  '●'.repeat(entry.importance)}<span class="dim">${'●'.repeat(5 - entry.importance)}</span></span>
        ${entry.tags.map((t) => html`<span class="badge">${t}</span>`)}</div>
      <p class="memory-content">${entry.content}</p>
      <small>${entry.expiresAt ? html`<span class="badge warn">${expiryInWords(entry.expiresAt)}</span>`
    : 'kept until deleted'} · by ${entry.updatedBy}, ${entry.updatedAt.slice(0, 10)}</small>
      <div class="actions">
        <button class="secondary" aria-label="Edit ${entry.title}"
          @click=${() => { this.editing = entry.id; this.formError = null; }}>Edit</button>
        <button class="danger" aria-label="Forget ${entry.title}" @click=${() => this.forget(entry)}>Forget</button>
      </div>
    </li>`;
  }

  render() {
    if (!this.agent) return '';
    const groups = CATEGORIES.map((c) => ({ category: c, entries: this.list.items.filter((e) => e.category === c) }))
      .filter((g) => g.entries.length > 0);
    const searching = Boolean(this.query || this.category);
    return html`<section class="memory" aria-label="Memory of ${this.agent.name}">
      <div class="memory-tools">
        <label>Search <input type="search" name="q" maxlength="1000" placeholder="Words it remembers"
          @input=${(e) => this.searchFor(e.target.value)}></label>
        <label>Category <select name="category" @change=${(e) => this.filterBy(e.target.value)}>
          <option value="">All categories</option>
          ${CATEGORIES.map((c) => html`<option value=${c} ?selected=${this.category === c}>${c}</option>`)}
        </select></label>
        <button @click=${() => { this.editing = 'new'; this.formError = null; }}>Add to memory</button>
      </div>
      ${this.editing === 'new' ? this.entryForm(null) : ''}
      ${this.list.error ? html`<p class="error" role="alert">${this.list.error}</p>` : ''}
      ${this.rowError ? html`<p class="error" role="alert">${this.rowError}</p>` : ''}
      ${!this.list.loading && !this.list.error && this.list.items.length === 0 ? html`<p class="empty">${searching
    ? 'Nothing it remembers matches.' : `${this.agent.name} remembers nothing yet.`}</p>` : ''}
      ${groups.map((g) => html`<section class="memory-group" data-category=${g.category}>
        <h4>${HEADINGS[g.category]} <small>(${g.entries.length})</small></h4>
        <ul class="memory-entries">${g.entries.map((e) => this.entryView(e))}</ul>
      </section>`)}
      ${this.list.loading ? html`<p class="loading" role="status">Loading…</p>` : ''}
      ${this.list.next && !this.list.loading ? html`<button class="secondary"
        @click=${() => this.list.load({ more: true, params: { q: this.query, category: this.category } })}>
        Show more</button>` : ''}
    </section>`;
  }
}

customElements.define('agent-memory', AgentMemoryTab);
