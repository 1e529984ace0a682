// The Users page: list, create, edit, delete, and the permission editor (role, client
// organization, pages with Select all / none), saved together in one call.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { inWords } from '../messages.js';
import { askToConfirm } from '../confirm-dialog.js';
import { get, post, patch, del } from '../api.js';
import { orgContext } from '../org-context.js';
import { isOperator } from './organizations-page.js';
import { PagedList } from '../paged-list.js';

import { ALL_PAGES, PAGE_PARTS, opensAPage, pageLabel } from '../dashboard-pages.js';

const ROLES = ['user', 'admin', 'owner'];

/** An address that may wrap only before its @ and after its dots, never mid-word. */
function breakableEmail(email) {
  return email.split(/(?=@)|(?<=\.)/).map((part, i) => (i === 0 ? part : html`<wbr>${part}`));
}

/** The forms' labels for the API's field names, for error messages. */
const USER_LABELS = { name: 'Name', email: 'E-mail', password: 'Password', role: 'Role',
  clientOrgId: 'Client Organization', pages: 'Pages' };

class UsersPage extends LightElement {
  static properties = {
    me: { attribute: false },
    orgs: { state: true },
    ownOrg: { state: true },
    editing: { state: true },
    draft: { state: true },
    creating: { state: true },
    newRole: { state: true },
    error: { state: true },
    formError: { state: true },
  };

  constructor() {
    super();
    this.list = new PagedList(this, { url: '/api/users' });
    this.orgs = [];
  }

  connectedCallback() {
    super.connectedCallback();
    this.unsubscribe = orgContext.subscribe(() => this.list.load());
    this.list.load();
    get('/api/org-context', { org: null }).then((view) => {
      this.orgs = view.orgs.filter((o) => !o.isDefault);
      this.ownOrg = view.orgs.find((o) => o.isDefault) ?? null;
    })
      .catch((e) => { this.error = e.message; });
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  edit(user) {
    this.editing = user.id;
    this.formError = null;
    this.draft = { role: user.role, clientOrgId: user.clientOrgId ?? '', pages: new Set(user.pages),
      name: user.name, email: user.email, password: '' };
  }

  setDraft(changes) {
    this.draft = { ...this.draft, ...changes };
  }

  renderComing(draft) {
    const coming = ALL_PAGES.filter((p) => !opensAPage(p));
    if (!coming.length) return '';
    const held = coming.filter((p) => draft.pages.has(p));
    return html`<p class="hint coming">Coming, not offered until the dashboard has them: ${coming.join(', ')}.
      ${held.length ? html`This user already holds ${held.join(', ')}, which stay as they are.` : ''}</p>`;
  }

  /** The pages the dashboard has, as chosen; pages still to come that the user holds stay as they are. */
  selectPages(pages) {
    this.setDraft({ pages: new Set([...pages, ...[...this.draft.pages].filter((p) => !opensAPage(p))]) });
  }

  /** Costs add to what Billing shows: giving costs gives billing, and taking billing takes costs. */
  togglePage(page, on) {
    const pages = new Set(this.draft.pages);
    if (on) pages.add(page); else pages.delete(page);
    if (on && page === 'costs') pages.add('billing');
    if (!on && page === 'billing') pages.delete('costs');
    this.setDraft({ pages });
  }

  async save(user) {
    this.formError = null;
    const bindable = this.draft.role === 'user';
    try {
      // One request, so that a refused part (a taken e-mail address, a role the caller may
      // not give) leaves the user exactly as they were.
      const saved = await patch(`/api/users/${user.id}`, {
        ...(this.draft.name !== user.name ? { name: this.draft.name } : {}),
        ...(this.draft.email !== user.email ? { email: this.draft.email } : {}),
        ...(this.draft.password ? { password: this.draft.password } : {}),
        role: this.draft.role, pages: [...this.draft.pages],
        clientOrgId: bindable && this.draft.clientOrgId ? this.draft.clientOrgId : null,
      }, { org: null });
      // Moved out of the organization being looked at, the user is no longer one of its users.
      const client = this.clientContext();
      if (client && saved.clientOrgId !== client) this.list.remove(saved.id); else this.list.replace(saved);
      this.editing = null;
    } catch (e) {
      this.formError = inWords(e, USER_LABELS);
    }
  }

  // Not named remove(): that would replace the element's own remove(), which the dashboard
  // calls to take this page away when another one opens.
  async deleteUser(user) {
    if (!await askToConfirm({ title: `Delete ${user.name}?`, message: `${user.email} will no longer be able to
      sign in. This cannot be undone.`, confirm: 'Delete user', danger: true })) return;
    this.formError = null;
    try {
      await del(`/api/users/${user.id}`, { org: null });
      this.list.remove(user.id);
      this.editing = null;
    } catch (e) {
      this.formError = inWords(e, USER_LABELS);
    }
  }

  async create(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.formError = null;
    try {
      // In a client organization's context the user is made there, in that context, so that
      // the server holds the form to it; elsewhere, bound as the form says.
      const client = this.clientContext();
      const role = client ? 'user' : form.get('role');
      const clientOrgId = client ?? (role === 'user' && form.get('clientOrgId') ? form.get('clientOrgId') : null);
      const user = await post('/api/users', {
        name: form.get('name'), email: form.get('email'), password: form.get('password'), role,
        pages: [], clientOrgId,
      }, client ? {} : { org: null });
      this.list.prepend(user);
      this.creating = false;
      this.edit(user);
    } catch (e) {
      this.formError = inWords(e, USER_LABELS);
    }
  }

  /** The client organization being looked at, if one is. */
  clientContext() {
    return this.orgs.some((o) => o.id === orgContext.selected) ? orgContext.selected : null;
  }

  /**
   * A new user is bound to the client organization being looked at: created in a client's
   * context and left unbound, or bound to another, a user would not be one of its users.
   */
  startCreating() {
    this.creating = !this.creating;
    this.newRole = 'user';
    this.formError = null;
  }

  bindingChoice() {
    return html`<label>Client Organization <select name="clientOrgId">
      <option value="" selected>None: every organization, by pages</option>
      ${this.bindingOptions(null)}
    </select><small>A user bound to an organization sees that organization's data and nothing else.</small></label>`;
  }

  /** Owners edit everyone; an admin edits users of role user, and their own account. */
  mayEdit(user) {
    return this.me?.role === 'owner' || user.role === 'user' || user.id === this.me?.id;
  }

  /**
   * The organizations a user may be bound to: the clients, then the operator's own (for staff
   * who keep to the operator's own agents), named as such so a binding to it is shown as one.
   */
  bindingOptions(selected) {
    const own = this.ownOrg;
    return html`${this.orgs.map((o) => html`<option value=${o.id} ?selected=${selected === o.id}>${o.name}</option>`)}
      ${own ? html`<option value=${own.id} ?selected=${selected === own.id}>${this.orgName(own.id)}</option>` : ''}`;
  }

  orgName(id) {
    if (this.ownOrg?.id === id) return `${this.ownOrg.name} (your own)`;
    return this.orgs.find((o) => o.id === id)?.name ?? id;
  }

  render() {
    const operator = isOperator(this.me);
    return html`
      <div class="page-head">
        <h1>Users</h1>
        ${operator ? html`<button @click=${() => this.startCreating()}>New User</button>` : ''}
      </div>
      ${this.creating ? html`<form class="card form" @submit=${(e) => this.create(e)}>
        <h2>New User</h2>
        <label>Name <input name="name" required maxlength="200"></label>
        <label>E-mail <input name="email" type="email" required></label>
        <label>Password <input name="password" type="password" minlength="10" required autocomplete="new-password">
          <small>At least 10 characters; the user can change it later.</small></label>
        ${this.clientContext() ? html`<p class="hint new-user-binding">A user of
          <strong>${this.orgName(this.clientContext())}</strong>, who sees its data and nothing else. To
          make an owner, an admin or another organization's user, look at all organizations first.</p>`
        : html`<label>Role <select name="role" @change=${(e) => { this.newRole = e.target.value; }}>
          ${ROLES.map((r) => html`<option ?selected=${this.newRole === r}>${r}</option>`)}</select></label>
        ${this.newRole === 'user' ? this.bindingChoice() : ''}`}
        ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : ''}
        <div class="actions"><button type="submit">Create</button>
          <button type="button" class="secondary" @click=${() => { this.creating = false; }}>Cancel</button></div>
      </form>` : ''}
      ${this.error || this.list.error ? html`<p class="error" role="alert">${this.error || this.list.error}</p>`
        : ''}
      <table class="list users">
        <thead><tr><th>Name</th><th>Role</th><th>Client organization</th><th>Pages</th>
          ${operator ? html`<th></th>` : ''}</tr></thead>
        <tbody>${this.list.items.map((u) => html`<tr data-user-id=${u.id}>
          <td>${u.name}<br><small class="email">${breakableEmail(u.email)}</small></td>
          <td><span class="badge">${u.role}</span></td>
          <td class="text">${u.role !== 'user' ? html`<small>not bindable (${u.role}s see every org)</small>`
            : u.clientOrgId ? this.orgName(u.clientOrgId) : html`<small>none: every org, by pages</small>`}</td>
          <td><small>${u.role !== 'user' ? 'all' : u.pages.length ? u.pages.map(pageLabel).join(', ')
            : 'none yet'}</small></td>
          ${operator ? html`<td>${this.mayEdit(u) ? html`<button class="secondary" @click=${() => this.edit(u)}>Edit
            </button>` : ''}</td>` : ''}
        </tr>${this.editing === u.id ? html`<tr class="editor"><td colspan="5">${this.editor(u)}</td></tr>` : ''}`)}
        </tbody>
      </table>
      ${!this.list.loading && !this.list.error && this.list.items.length === 0 ? html`<p class="empty">No user
        ${this.clientContext() ? html`of ${this.orgName(this.clientContext())}` : 'here'} yet.</p>` : ''}
      ${this.list.loading ? html`<p class="loading" role="status">Loading…</p>` : ''}
      ${this.list.next && !this.list.loading ? html`<button class="secondary"
        @click=${() => this.list.load({ more: true })}>Show more</button>` : ''}`;
  }

  editor(user) {
    const d = this.draft;
    const bindable = d.role === 'user';
    return html`<form class="form permissions" @submit=${(e) => { e.preventDefault(); this.save(user); }}>
      <div class="row">
        <label>Name <input .value=${d.name} @input=${(e) => this.setDraft({ name: e.target.value })}></label>
        <label>E-mail <input type="email" .value=${d.email} @input=${(e) => this.setDraft({ email: e.target.value })}>
        </label>
        ${user.id === this.me?.id ? html`<p class="hint">Your own password you change with Password at the top,
          with the one you have now.</p>` : html`<label>New password <input name="password" type="password"
          minlength="10" autocomplete="new-password" .value=${d.password}
          @input=${(e) => this.setDraft({ password: e.target.value })}><small>Leave empty to keep theirs. A new one
          signs them out everywhere.</small></label>`}
      </div>
      <div class="row">
        <label>Role <select name="role" @change=${(e) => this.setDraft({ role: e.target.value })}>
          ${ROLES.map((r) => html`<option ?selected=${d.role === r}>${r}</option>`)}</select></label>
        <label>Client Organization <select name="clientOrgId" ?disabled=${!bindable}
          @change=${(e) => this.setDraft({ clientOrgId: e.target.value })}>
          <option value="" ?selected=${!d.clientOrgId}>None: every organization, by pages</option>
          ${this.bindingOptions(d.clientOrgId)}
        </select>
        ${bindable ? '' : html`<small>Owners and admins see every organization: their role overrides any binding.
          </small>`}</label>
      </div>
      <fieldset>
        <legend>Pages
          <button type="button" class="link-dark" @click=${() => this.selectPages(ALL_PAGES.filter(opensAPage))}>
            Select all</button>
          <button type="button" class="link-dark" @click=${() => this.selectPages([])}>Select none
          </button></legend>
        <div class="checks">${ALL_PAGES.filter(opensAPage).map((p) => html`<label class="check"
          title=${PAGE_PARTS.find((part) => part.page === p)?.about ?? ''}><input
          type="checkbox" name="page" value=${p} .checked=${d.pages.has(p)}
          @change=${(e) => this.togglePage(p, e.target.checked)}> ${pageLabel(p)}</label>`)}</div>
        ${this.renderComing(d)}
      </fieldset>
      ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : ''}
      <div class="actions">
        <button type="submit">Save</button>
        <button type="button" class="secondary" @click=${() => { this.editing = null; }}>Cancel</button>
        <button type="button" class="danger" @click=${() => this.deleteUser(user)}>Delete user</button>
      </div>
    </form>`;
  }
}

customElements.define('users-page', UsersPage);
