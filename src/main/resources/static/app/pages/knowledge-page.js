// The Knowledge page: the current org context's documents, a search box whose results show
// where the words matched, documents written here or uploaded (with a progress bar), each
// document's chunks, and the documents the default organization shares with every org,
// read-only to those outside it.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { inWords } from '../messages.js';
import { askToConfirm } from '../confirm-dialog.js';
import { get, post, patch, del, upload } from '../api.js';
import { PagedList } from '../paged-list.js';
import { orgContext, DEFAULT_ORG } from '../org-context.js';

const LABELS = { title: 'Title', content: 'Text', tags: 'Tags', file: 'File', q: 'Search', shared: 'Shared' };
const KINDS = { 'text/markdown': 'Markdown', 'text/plain': 'Text', 'text/html': 'HTML', 'application/pdf': 'PDF' };
const ACCEPT = '.txt,.md,.markdown,.html,.htm,.pdf';

/** A size in bytes as people read it. */
export function readableSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** A snippet as text with its matched words marked: Lit escapes every piece. */
export function marked(snippet, highlights) {
  const parts = [];
  let at = 0;
  for (const h of highlights) {
    if (h.start < at) continue;
    parts.push(snippet.slice(at, h.start), html`<mark>${snippet.slice(h.start, h.end)}</mark>`);
    at = h.end;
  }
  parts.push(snippet.slice(at));
  return parts;
}

function tagList(text) {
  return text.split(',').map((t) => t.trim()).filter((t) => t);
}

class KnowledgePage extends LightElement {
  static properties = {
    me: { attribute: false },
    adding: { state: true },
    editing: { state: true },
    viewing: { state: true },
    chunks: { state: true },
    results: { state: true },
    searchError: { state: true },
    formError: { state: true },
    rowError: { state: true },
    progress: { state: true },
    tag: { state: true },
  };

  constructor() {
    super();
    this.documents = new PagedList(this, { url: '/api/knowledge/documents', pageSize: 50 });
    this.shared = new PagedList(this, { url: '/api/knowledge/shared', pageSize: 50 });
    this.adding = null;
    this.tag = '';
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

  load() {
    this.adding = null;
    this.editing = null;
    this.viewing = null;
    this.results = null;
    this.rowError = null;
    this.documents.load({ params: { tag: this.tag } });
    this.shared.load();
  }

  get operator() {
    return this.me?.role === 'owner' || this.me?.role === 'admin';
  }

  async search(event) {
    event.preventDefault();
    const q = new FormData(event.target).get('q');
    this.searchError = null;
    try {
      this.results = (await get(`/api/knowledge/search?${new URLSearchParams({ q, limit: '20' })}`)).items;
    } catch (e) {
      this.results = null;
      this.searchError = inWords(e, LABELS);
    }
  }

  filter(event) {
    event.preventDefault();
    this.tag = new FormData(event.target).get('tag').trim();
    this.documents.load({ params: { tag: this.tag } });
  }

  async write(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.formError = null;
    try {
      const body = { title: form.get('title'), content: form.get('content'), tags: tagList(form.get('tags')) };
      if (form.get('shared')) body.shared = true;
      const created = await post('/api/knowledge/documents', body);
      this.added(created);
    } catch (e) {
      this.formError = inWords(e, LABELS);
    }
  }

  async send(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.formError = null;
    this.progress = 0;
    try {
      const created = await upload('/api/knowledge/documents/upload', form, {
        onProgress: (part) => { this.progress = part; },
      });
      this.added(created);
    } catch (e) {
      this.formError = inWords(e, LABELS);
    } finally {
      this.progress = null;
    }
  }

  added(document) {
    this.adding = null;
    this.documents.prepend(document);
  }

  async save(event, document) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.formError = null;
    const changes = { title: form.get('title'), tags: tagList(form.get('tags')) };
    if (form.has('content') && form.get('content') !== this.editingText) changes.content = form.get('content');
    try {
      const saved = await patch(`/api/knowledge/documents/${document.id}`, changes, { org: null });
      this.documents.replace(saved);
      this.shared.replace(saved);
      this.editing = null;
    } catch (e) {
      this.formError = inWords(e, LABELS);
    }
  }

  async edit(document) {
    if (this.editing === document.id) {
      this.editing = null;
      return;
    }
    this.formError = null;
    try {
      this.editingText = (await get(`/api/knowledge/documents/${document.id}`, { org: null })).content;
      this.editing = document.id;
    } catch (e) {
      this.rowError = e.message;
    }
  }

  async view(document) {
    if (this.viewing === document.id) {
      this.viewing = null;
      return;
    }
    try {
      this.chunks = (await get(`/api/knowledge/documents/${document.id}/chunks?limit=200`, { org: null })).items;
      this.viewing = document.id;
    } catch (e) {
      this.rowError = e.message;
    }
  }

  async removeDocument(document) {
    if (!await askToConfirm({ title: `Delete ${document.title}?`, message: 'Its text and chunks are removed and '
      + 'no search finds it any more.', confirm: 'Delete document', danger: true })) return;
    try {
      await del(`/api/knowledge/documents/${document.id}`, { org: null });
      this.documents.remove(document.id);
      this.shared.remove(document.id);
      // "No search finds it any more": nor do the results already on the page.
      if (this.results) this.results = this.results.filter((r) => r.documentId !== document.id);
    } catch (e) {
      this.rowError = e.message;
    }
  }

  renderSearch() {
    return html`
      <section aria-labelledby="search-title" class="card">
        <h2 id="search-title">Search</h2>
        <form class="form search" role="search" @submit=${(e) => this.search(e)}>
          <label>Words to look for <input name="q" type="search" required maxlength="1000"></label>
          <div class="actions"><button type="submit">Search</button></div>
        </form>
        ${this.searchError ? html`<p class="error" role="alert">${this.searchError}</p>` : ''}
        ${this.results ? html`<div role="status">${this.results.length === 0
          ? html`<p class="empty">Nothing found.</p>`
          : html`<ol class="results">${this.results.map((r) => html`<li class="result" data-document-id=${r.documentId}>
              <strong>${r.title}</strong>${r.shared ? html` <span class="badge">Shared</span>` : ''}
              ${r.heading ? html`<small> · ${r.heading}</small>` : ''}
              <p class="snippet">${marked(r.snippet, r.highlights)}</p>
              <small>Chunk ${r.position + 1} · score ${r.score.toFixed(2)}</small></li>`)}</ol>`}</div>` : ''}
      </section>`;
  }

  renderAdd() {
    const sharable = this.operator && (!orgContext.selected || orgContext.selected === DEFAULT_ORG);
    return html`
      <div class="actions">
        <button aria-expanded=${this.adding === 'write' ? 'true' : 'false'}
          @click=${() => { this.adding = this.adding === 'write' ? null : 'write'; this.formError = null; }}>
          Write a document</button>
        <button class="secondary" aria-expanded=${this.adding === 'upload' ? 'true' : 'false'}
          @click=${() => { this.adding = this.adding === 'upload' ? null : 'upload'; this.formError = null; }}>
          Upload a file</button>
      </div>
      ${this.adding === 'write' ? html`<div class="card"><h3>New document${orgContext.selected ? ''
        : ' (in the default organization)'}</h3>
        <form class="form" @submit=${(e) => this.write(e)}>
          <label>Title <input name="title" required maxlength="300"></label>
          <label>Tags <input name="tags" placeholder="Separated by commas"></label>
          <label>Text (Markdown) <textarea name="content" rows="10" required></textarea></label>
          ${sharable ? html`<label class="check"><input type="checkbox" name="shared"> Share with every
            organization's agents</label>` : ''}
          ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : ''}
          <div class="actions"><button type="submit">Add document</button>
            <button type="button" class="secondary" @click=${() => { this.adding = null; }}>Cancel</button></div>
        </form></div>` : ''}
      ${this.adding === 'upload' ? html`<div class="card"><h3>Upload${orgContext.selected ? ''
        : ' (to the default organization)'}</h3>
        <p class="hint">Plain text, Markdown, HTML or PDF, up to 10 MB. Its text is cut into chunks for search.</p>
        <form class="form" @submit=${(e) => this.send(e)}>
          <label>File <input name="file" type="file" required accept=${ACCEPT}></label>
          <label>Title <input name="title" maxlength="300" placeholder="The file's name"></label>
          <label>Tags <input name="tags" placeholder="Separated by commas"></label>
          ${sharable ? html`<label class="check"><input type="checkbox" name="shared" value="true"> Share with every
            organization's agents</label>` : ''}
          ${this.progress != null ? html`<label>Uploading <progress max="1" .value=${this.progress}>
            ${Math.round(this.progress * 100)} %</progress></label>` : ''}
          ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : ''}
          <div class="actions"><button type="submit" ?disabled=${this.progress != null}>Upload</button>
            <button type="button" class="secondary" @click=${() => { this.adding = null; }}>Cancel</button></div>
        </form></div>` : ''}`;
  }

  documentRows(items) {
    return items.map((d) => html`<tr data-document-id=${d.id}>
      <td class="text">${d.title}${d.shared ? html` <span class="badge" title="Searchable by every organization's agents">Shared
        </span>` : ''}<br><small>${d.tags.join(', ')}</small></td>
      <td>${KINDS[d.contentType] ?? d.contentType}</td>
      <td class="num">${d.chunkCount}</td>
      <td class="num">${readableSize(d.sizeBytes)}</td>
      <td class="num">${d.version}</td>
      <td><div class="actions">
        <button class="secondary" aria-expanded=${this.viewing === d.id ? 'true' : 'false'}
          @click=${() => this.view(d)}>Chunks</button>
        ${d.editable ? html`<button class="secondary" aria-expanded=${this.editing === d.id ? 'true' : 'false'}
          @click=${() => this.edit(d)}>Edit</button>
          <button class="danger" @click=${() => this.removeDocument(d)}>Delete</button>` : html`<small>Read-only</small>`}
      </div></td>
    </tr>${this.viewing === d.id ? html`<tr class="editor"><td colspan="6"><ol class="chunks">${this.chunks.map((c) =>
      html`<li><small>${c.heading ?? ''}</small><p>${c.content}</p></li>`)}</ol></td></tr>` : ''}
    ${this.editing === d.id ? html`<tr class="editor"><td colspan="6">
      <form class="form" @submit=${(e) => this.save(e, d)}>
        <label>Title <input name="title" required maxlength="300" .value=${d.title}></label>
        <label>Tags <input name="tags" .value=${d.tags.join(', ')}></label>
        ${d.contentType === 'text/markdown' || d.contentType === 'text/plain' ? html`<label>Text
          <textarea name="content" rows="10" .value=${this.editingText}></textarea></label>`
          : html`<p class="hint">The text of an uploaded ${KINDS[d.contentType]} file is changed by uploading it
            again.</p>`}
        ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : ''}
        <div class="actions"><button type="submit">Save</button>
          <button type="button" class="secondary" @click=${() => { this.editing = null; }}>Cancel</button></div>
      </form></td></tr>` : ''}`);
  }

  renderTable(list, caption) {
    return html`<table class="list documents" aria-busy=${list.loading ? 'true' : 'false'}>
      <caption class="visually-hidden">${caption}</caption>
      <thead><tr><th>Document</th><th>Kind</th><th class="num">Chunks</th><th class="num">Size</th>
        <th class="num">Version</th><th></th></tr></thead>
      <tbody>${this.documentRows(list.items)}</tbody></table>`;
  }

  renderDocuments() {
    const list = this.documents;
    return html`
      <section aria-labelledby="documents-title">
        <div class="page-head"><h2 id="documents-title">Documents</h2></div>
        ${this.renderAdd()}
        <form class="form row" @submit=${(e) => this.filter(e)}>
          <label>Tag <input name="tag" .value=${this.tag}></label>
          <div class="actions"><button type="submit" class="secondary">Filter</button></div>
        </form>
        ${list.error ? html`<p class="error" role="alert">${list.error}</p>` : ''}
        ${!list.loading && !list.error && list.items.length === 0 ? html`<p class="empty">No documents${this.tag
          ? ' with this tag' : ' yet: write one or upload a file'}.</p>` : ''}
        ${list.items.length ? this.renderTable(list, 'Documents') : ''}
        ${list.loading ? html`<p class="loading" role="status">Loading…</p>` : ''}
        ${list.next && !list.loading ? html`<button class="secondary"
          @click=${() => list.load({ more: true, params: { tag: this.tag } })}>Show more documents</button>` : ''}
      </section>`;
  }

  /**
   * Shared documents are the default organization's: listed apart only where they are not
   * among the context's own documents already.
   */
  renderShared() {
    const client = orgContext.selected && orgContext.selected !== DEFAULT_ORG;
    if (!client || !this.shared.items.length) return '';
    return html`
      <section aria-labelledby="shared-title">
        <h2 id="shared-title">Shared knowledge</h2>
        <p class="hint">The platform shares these documents with every organization's agents${this.operator ? ''
          : '; they are read-only here'}.</p>
        ${this.renderTable(this.shared, 'Shared documents')}
      </section>`;
  }

  render() {
    return html`
      <div class="page-head"><h1>Knowledge</h1></div>
      ${this.rowError ? html`<p class="error" role="alert">${this.rowError}</p>` : ''}
      ${this.renderSearch()}
      ${this.renderDocuments()}
      ${this.renderShared()}`;
  }
}

customElements.define('knowledge-page', KnowledgePage);
