// Settings → Providers and routes, for owners and admins: the upstreams the agent gateway
// calls (their keys chosen by name from the default organization's vault, never shown) and
// the routes from a model name agents ask for to providers, tried in order.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { get, post, put, del } from '../api.js';
import { inWords } from '../messages.js';
import { askToConfirm } from '../confirm-dialog.js';
import { DEFAULT_ORG } from '../org-context.js';

const PROVIDER_LABELS = { name: 'Name', baseUrl: 'Base URL', keyCredential: 'Key', keyHeader: 'Key header',
  outputLimitField: 'Output limit field', connectTimeoutMs: 'Connect timeout',
  firstByteTimeoutMs: 'First byte timeout', idleTimeoutMs: 'Idle timeout' };
const ROUTE_LABELS = { model: 'Model name', 'targets[0].provider': 'Provider', 'targets[0].model': 'Provider\'s model',
  'targets[0].maxOutputTokens': 'Output limit', 'targets[1].provider': 'Fallback provider',
  'targets[1].model': 'Fallback model', targets: 'Providers' };

const OUTPUT_LIMIT_FIELDS = ['max_tokens', 'max_completion_tokens'];

/** What the add and the edit forms both say of a provider; the add form's name field is named apart. */
function providerFields(form, nameField) {
  return { name: String(form.get(nameField)).trim(), baseUrl: String(form.get('baseUrl')).trim(),
    keyCredential: form.get('keyCredential') || null, keyHeader: String(form.get('keyHeader')).trim() || null,
    outputLimitField: form.get('outputLimitField') };
}

class ProvidersRoutes extends LightElement {
  static properties = {
    providers: { state: true },
    routes: { state: true },
    keys: { state: true },
    error: { state: true },
    providerError: { state: true },
    editingProvider: { state: true },
    editError: { state: true },
    routeError: { state: true },
  };

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  async load() {
    try {
      const [providers, routes, keys] = await Promise.all([
        get('/api/settings/providers', { org: null }),
        get('/api/settings/routes', { org: null }),
        get('/api/credentials?limit=200', { org: DEFAULT_ORG }),
      ]);
      this.providers = providers.items;
      this.routes = routes.items;
      this.keys = keys.items.filter((c) => !c.agentId).map((c) => c.name);
    } catch (e) {
      this.error = e.message;
    }
  }

  async addProvider(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.providerError = null;
    try {
      await post('/api/settings/providers', providerFields(form, 'providerName'), { org: null });
      event.target.reset();
      await this.load();
    } catch (e) {
      this.providerError = inWords(e, PROVIDER_LABELS);
    }
  }

  /**
   * A provider changed in place (a provider that routes use cannot be removed and added
   * again). The definition is replaced whole, so what the form does not show (extra headers)
   * is sent back as it was.
   */
  async saveProvider(event, provider) {
    event.preventDefault();
    const form = new FormData(event.target);
    const millis = (name) => (String(form.get(name)).trim() === '' ? null : Number(form.get(name)));
    this.editError = null;
    try {
      await put(`/api/settings/providers/${provider.id}`, {
        ...providerFields(form, 'name'), headers: provider.headers, connectTimeoutMs: millis('connectTimeoutMs'),
        firstByteTimeoutMs: millis('firstByteTimeoutMs'), idleTimeoutMs: millis('idleTimeoutMs'),
      }, { org: null });
      this.editingProvider = null;
      await this.load();
    } catch (e) {
      this.editError = inWords(e, PROVIDER_LABELS);
    }
  }

  providerEditor(p) {
    const keys = this.keys ?? [];
    return html`<form class="provider-editor" aria-label="Change ${p.name}" @submit=${(e) => this.saveProvider(e, p)}>
      <div class="row">
        <label>Name <input name="name" required maxlength="64" .value=${p.name}></label>
        <label>Base URL <input name="baseUrl" required maxlength="2000" type="url" .value=${p.baseUrl}></label>
      </div>
      <div class="row">
        <label>Key <select name="keyCredential"><option value="" ?selected=${!p.keyCredential}>No key</option>
          ${[...new Set([...keys, ...(p.keyCredential ? [p.keyCredential] : [])])].map((k) => html`<option
            ?selected=${k === p.keyCredential}>${k}</option>`)}</select></label>
        <label>Key header <input name="keyHeader" maxlength="64" .value=${p.keyHeader}></label>
        <label>Output limit field <select name="outputLimitField">
          ${OUTPUT_LIMIT_FIELDS.map((f) => html`<option ?selected=${f === p.outputLimitField}>
            ${f}</option>`)}</select></label>
      </div>
      <div class="row">
        <label>Connect timeout (ms) <input name="connectTimeoutMs" inputmode="numeric" .value=${String(
          p.connectTimeoutMs)}></label>
        <label>First byte timeout (ms) <input name="firstByteTimeoutMs" inputmode="numeric" .value=${String(
          p.firstByteTimeoutMs)}></label>
        <label>Idle timeout (ms) <input name="idleTimeoutMs" inputmode="numeric" .value=${String(
          p.idleTimeoutMs)}></label>
      </div>
      ${this.editError ? html`<p class="error" role="alert">${this.editError}</p>` : ''}
      <div class="actions"><button type="submit">Save provider</button>
        <button type="button" class="secondary" @click=${() => { this.editingProvider = null; }}>Cancel</button>
      </div>
    </form>`;
  }

  edit(provider) {
    this.editingProvider = this.editingProvider === provider.id ? null : provider.id;
    this.editError = null;
  }

  async removeProvider(provider) {
    if (!await askToConfirm({ title: `Remove the provider ${provider.name}?`, message: 'Routes cannot use it any '
      + 'more; one that still does keeps it from being removed.', confirm: 'Remove provider', danger: true })) return;
    this.providerError = null;
    try {
      await del(`/api/settings/providers/${provider.id}`, { org: null });
      await this.load();
    } catch (e) {
      this.providerError = e.message;
    }
  }

  async addRoute(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const limit = String(form.get('maxOutputTokens')).trim();
    const targets = [{ provider: form.get('targetProvider'), model: String(form.get('upstreamModel')).trim(),
      maxOutputTokens: limit === '' ? null : limit }];
    if (form.get('fallbackProvider')) {
      targets.push({ provider: form.get('fallbackProvider'), model: String(form.get('fallbackModel')).trim() });
    }
    this.routeError = null;
    try {
      await post('/api/settings/routes', { model: String(form.get('routeModel')).trim(), targets }, { org: null });
      event.target.reset();
      await this.load();
    } catch (e) {
      this.routeError = inWords(e, ROUTE_LABELS);
    }
  }

  async removeRoute(route) {
    if (!await askToConfirm({ title: `Remove the route for ${route.model}?`, message: `Agents asking for
      ${route.model} are told it does not exist from now on.`, confirm: 'Remove route', danger: true })) return;
    this.routeError = null;
    try {
      await del(`/api/settings/routes/${route.id}`, { org: null });
      await this.load();
    } catch (e) {
      this.routeError = e.message;
    }
  }

  render() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    if (!this.providers) return html`<p class="loading" role="status">Loading…</p>`;
    return html`
      <section aria-labelledby="providers-title">
        <h2 id="providers-title">Providers</h2>
        <p class="hint">Upstreams that speak OpenAI's API. The key is a credential of the default organization's
          vault, named here and never shown; an organization with its own credential of that name pays with its
          own key.</p>
        ${this.providers.length ? html`<table class="list providers">
          <thead><tr><th>Name</th><th>Base URL</th><th>Key</th><th></th></tr></thead>
          <tbody>${this.providers.map((p) => html`<tr><td>${p.name}</td><td><code>${p.baseUrl}</code></td>
            <td>${p.keyCredential ? html`<code>${p.keyCredential}</code>` : html`<small>none</small>`}
              ${p.keyHeader !== 'Authorization' ? html`<br><small>as ${p.keyHeader}</small>` : ''}
              ${p.outputLimitField !== 'max_tokens' ? html`<br><small>limits by ${p.outputLimitField}</small>` : ''}</td>
            <td><button class="secondary" aria-expanded=${this.editingProvider === p.id}
              @click=${() => this.edit(p)}>Edit</button>
              <button class="danger" @click=${() => this.removeProvider(p)}>Remove</button></td></tr>
            ${this.editingProvider === p.id ? html`<tr class="editor"><td colspan="4">${this.providerEditor(p)}</td>
              </tr>` : ''}`)}</tbody>
        </table>` : html`<p class="empty">No providers yet.</p>`}
        <form class="card form" @submit=${(e) => this.addProvider(e)}>
          <h3>Add a provider</h3>
          <div class="row">
            <label>Name <input name="providerName" required maxlength="64" placeholder="openai"></label>
            <label>Base URL <input name="baseUrl" required maxlength="2000" type="url"
              placeholder="https://api.openai.com/v1"></label>
          </div>
          <div class="row">
            <label>Key <select name="keyCredential"><option value="">No key</option>
              ${(this.keys ?? []).map((k) => html`<option>${k}</option>`)}</select>
              <small>From the default organization's vault.</small></label>
            <label>Key header <input name="keyHeader" maxlength="64" placeholder="Authorization">
              <small>api-key for Azure OpenAI.</small></label>
            <label>Output limit field <select name="outputLimitField">
              ${OUTPUT_LIMIT_FIELDS.map((f) => html`<option>${f}</option>`)}</select>
              <small>Sent with calls that set none when a budget blocks or tokens per minute are limited;
                OpenAI's reasoning models need max_completion_tokens.</small></label>
          </div>
          ${this.providerError ? html`<p class="error" role="alert">${this.providerError}</p>` : ''}
          <div class="actions"><button type="submit">Add provider</button></div>
        </form>
      </section>
      <section aria-labelledby="routes-title">
        <h2 id="routes-title">Routes</h2>
        <p class="hint">A model name agents ask for, and the providers that serve it: the next one is tried when
          one fails before answering.</p>
        ${this.routes.length ? html`<table class="list routes">
          <thead><tr><th>Model</th><th>Served by, in order</th><th></th></tr></thead>
          <tbody>${this.routes.map((r) => html`<tr><td><code>${r.model}</code></td>
            <td><ol class="targets">${r.targets.map((t) => html`<li>${t.provider}: <code>${t.model}</code>${
              t.maxOutputTokens ? html` <small>(at most ${t.maxOutputTokens} tokens out)</small>` : ''}</li>`)}</ol></td>
            <td><button class="danger" @click=${() => this.removeRoute(r)}>Remove</button></td></tr>`)}</tbody>
        </table>` : html`<p class="empty">No routes yet.</p>`}
        ${this.providers.length ? html`<form class="card form" @submit=${(e) => this.addRoute(e)}>
          <h3>Add a route</h3>
          <label>Model name <input name="routeModel" required maxlength="100" placeholder="gpt-4o">
            <small>What agents ask for.</small></label>
          <div class="row">
            <label>Provider <select name="targetProvider" required><option value="">Choose…</option>
              ${this.providers.map((p) => html`<option>${p.name}</option>`)}</select></label>
            <label>Provider's model <input name="upstreamModel" required maxlength="200"></label>
            <label>Output limit <input name="maxOutputTokens" inputmode="numeric" placeholder="Gateway default">
              <small>Tokens; what a call without max_tokens reserves against a budget, and is sent with where a budget blocks or tokens per minute are limited.</small></label>
          </div>
          <div class="row">
            <label>Fallback provider <select name="fallbackProvider"><option value="">None</option>
              ${this.providers.map((p) => html`<option>${p.name}</option>`)}</select></label>
            <label>Fallback model <input name="fallbackModel" maxlength="200"></label>
          </div>
          ${this.routeError ? html`<p class="error" role="alert">${this.routeError}</p>` : ''}
          <div class="actions"><button type="submit">Add route</button></div>
        </form>` : html`<p class="hint">Add a provider first.</p>`}
      </section>`;
  }
}

customElements.define('providers-routes', ProvidersRoutes);
