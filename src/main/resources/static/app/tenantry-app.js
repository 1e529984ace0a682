// The dashboard shell: first-run setup or login, then navigation limited to the pages the
// user may open, the org switcher, and a hash route per page and per open organization,
// so a reload or the back button keeps the user where they were.
import { html } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { LightElement } from './light-element.js';
import { get, post, ApiError, cookie } from './api.js';
import { orgContext } from './org-context.js';
import './org-switcher.js';
import './password-dialog.js';
import './pages/sign-in.js';
import './pages/home-page.js';
import './pages/organizations-page.js';
import './pages/organization-detail.js';
import './pages/agents-page.js';
import './pages/billing-overview.js';
import './pages/audit-page.js';
import './pages/guardrails-page.js';
import './pages/knowledge-page.js';
import './pages/vault-page.js';
import './pages/interventions-page.js';
import './pages/users-page.js';
import './pages/settings-page.js';
import { DASHBOARD_PAGES as PAGES } from './dashboard-pages.js';

export function parseRoute(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return { page: parts[0] || null, id: parts[1] || null, tab: parts[2] || null };
}

class TenantryApp extends LightElement {
  static properties = {
    state: { state: true },
    me: { state: true },
    route: { state: true },
    visit: { state: true },
    error: { state: true },
    signOutError: { state: true },
  };

  constructor() {
    super();
    this.state = 'loading';
    this.route = parseRoute(location.hash);
    this.visit = 0;
    window.addEventListener('hashchange', () => {
      this.route = parseRoute(location.hash);
      this.followOpenOrg();
    });
    // A session that ends while the dashboard is open; at start, a 401 is the question start() asks.
    window.addEventListener('tenantry-signed-out', () => {
      if (this.state === 'ready') {
        this.me = null;
        this.state = 'login';
      }
    });
    window.addEventListener('tenantry-refused', () => this.checkStillTheSame());
  }

  /**
   * A refusal may mean the user was changed while the dashboard was open (bound to another
   * organization, another role, pages taken away): then everything shown was made for the
   * user as they were, and the dashboard starts again as they are now.
   */
  async checkStillTheSame() {
    if (this.state !== 'ready' || this.checking) return;
    this.checking = true;
    try {
      const now = await get('/api/me', { org: null });
      const shape = (me) => JSON.stringify([me.id, me.role, me.clientOrgId ?? null, [...(me.pages ?? [])].sort()]);
      if (this.me && shape(now) !== shape(this.me)) location.reload();
    } catch {
      // Signed out (handled by its own event) or unreachable: nothing to compare.
    } finally {
      this.checking = false;
    }
  }

  /** An organization's page makes it the org context, so the switcher shows the org that is open. */
  followOpenOrg() {
    if (this.state === 'ready' && this.route.page === 'organizations' && this.route.id
      && orgContext.selected !== this.route.id) {
      orgContext.select(this.route.id);
    }
  }

  /** Picking another org in the switcher while an org's page is open opens that org's page. */
  openPickedOrg(orgId) {
    if (this.route.page !== 'organizations' || !this.route.id || orgId === this.route.id) return;
    location.hash = orgId ? `#/organizations/${orgId}/${this.route.tab || 'agents'}` : '#/organizations';
  }

  connectedCallback() {
    // The boot message in index.html is for the moment before this module runs.
    this.replaceChildren();
    super.connectedCallback();
    this.start();
  }

  /**
   * Who is signed in, asked first: a signed-in user's page needs no other call before its
   * own. Only someone not signed in is then asked for the first-run setup or the sign-in.
   */
  async start() {
    this.error = null;
    // The server's readable mark that this browser holds a session: without it, asking who is
    // signed in could only be refused.
    if (cookie('TENANTRY_SIGNED_IN') === null) {
      await this.signInOrSetUp();
      return;
    }
    try {
      this.signedIn(await get('/api/me', { org: null }));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        // A session that ended on the server (expired, or signed out elsewhere): the mark goes with it.
        document.cookie = 'TENANTRY_SIGNED_IN=; Max-Age=0; Path=/; SameSite=Lax';
        await this.signInOrSetUp();
      } else {
        this.failed(e);
      }
    }
  }

  async signInOrSetUp() {
    try {
      const setup = await get('/api/setup', { org: null });
      this.state = setup.setupRequired ? 'setup' : 'login';
    } catch (e) {
      this.failed(e);
    }
  }

  failed(e) {
    this.error = e.message;
    this.state = 'failed';
  }

  signedIn(me) {
    this.me = me;
    this.signOutError = null;
    orgContext.restore(me);
    this.state = 'ready';
    const allowed = this.pages();
    if (!allowed.some((p) => p.page === this.route.page) && allowed.length > 0) {
      location.hash = `#/${allowed[0].page}`;
    }
    this.followOpenOrg();
  }

  pages() {
    return PAGES.filter((p) => this.me?.pages?.includes(p.page));
  }

  /**
   * Shows the sign-in only once the server has ended the session (or says there was none):
   * a sign-out that did not reach it leaves the session alive, and a page that showed the
   * sign-in anyway would have the user walk away from a dashboard a reload brings back.
   */
  async signOut() {
    this.signOutError = null;
    try {
      await post('/api/auth/logout', undefined, { org: null });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) {
        const reason = e instanceof ApiError ? e.message : 'the server could not be reached';
        this.signOutError = `You are still signed in: signing out failed (${reason}). Try again.`;
        return;
      }
    }
    this.me = null;
    this.state = 'login';
  }

  render() {
    switch (this.state) {
      case 'loading':
        return html`<p class="boot" role="status">Loading Tenantry…</p>`;
      case 'failed':
        return html`<main class="center"><p class="error" role="alert">${this.error}</p>
          <button @click=${() => this.start()}>Try again</button></main>`;
      case 'setup':
        return html`<sign-in mode="setup" @signed-in=${(e) => this.signedIn(e.detail)}></sign-in>`;
      case 'login':
        return html`<sign-in mode="login" @signed-in=${(e) => this.signedIn(e.detail)}></sign-in>`;
      default:
        return this.renderDashboard();
    }
  }

  renderDashboard() {
    const pages = this.pages();
    const current = pages.find((p) => p.page === this.route.page);
    return html`
      <header class="top">
        <a class="skip" href="#/${this.route.page}" @click=${(e) => this.skipToContent(e)}>Skip to content</a>
        <a class="brand" href="#/">Tenantry</a>
        <nav aria-label="Pages">
          ${pages.map((p) => html`<a href="#/${p.page}" aria-current=${p.page === this.route.page ? 'page' : 'false'}
            @click=${() => this.revisit(p.page)}>${p.label}</a>`)}
        </nav>
        <span class="who">${this.me.name} <span class="badge">${this.me.role}</span></span>
        <password-dialog></password-dialog>
        <button class="link" @click=${() => this.signOut()}>Sign out</button>
      </header>
      ${this.signOutError ? html`<p class="error sign-out-failed" role="alert">${this.signOutError}</p>` : ''}
      ${current?.orgAware || (current?.page === 'organizations' && this.route.id)
        ? html`<org-switcher @org-picked=${(e) => this.openPickedOrg(e.detail)}></org-switcher>` : ''}
      <main tabindex="-1">${keyed(this.visit, current ? this.renderPage(current.page) : this.renderNoPage(pages))}
      </main>`;
  }

  /**
   * A page's link followed while on that very address changes no hash, so nothing would load
   * again: the page is made afresh instead, and reads everything anew, as a person clicking
   * it expects.
   */
  revisit(page) {
    if (location.hash === `#/${page}`) this.visit += 1;
  }

  /** Past the header's links to the page itself: the address stays (routes live in the hash). */
  skipToContent(event) {
    event.preventDefault();
    this.querySelector('main')?.focus();
  }

  renderPage(page) {
    if (page === 'dashboard') {
      return html`<home-page .me=${this.me}></home-page>`;
    }
    if (page === 'agents') {
      return html`<agents-page .me=${this.me}></agents-page>`;
    }
    if (page === 'billing') {
      return html`<billing-overview .me=${this.me} .routeMonth=${this.route.id}></billing-overview>`;
    }
    if (page === 'settings') {
      return html`<settings-page .me=${this.me}></settings-page>`;
    }
    if (page === 'users') {
      return html`<users-page .me=${this.me}></users-page>`;
    }
    if (page === 'audit') {
      return html`<audit-page></audit-page>`;
    }
    if (page === 'knowledge') {
      return html`<knowledge-page .me=${this.me}></knowledge-page>`;
    }
    if (page === 'guardrails') {
      return html`<guardrails-page .me=${this.me}></guardrails-page>`;
    }
    if (page === 'vault') {
      return html`<vault-page .me=${this.me}></vault-page>`;
    }
    if (page === 'interventions') {
      return html`<interventions-page .me=${this.me}></interventions-page>`;
    }
    if (page === 'organizations') {
      return this.route.id
        ? html`<organization-detail .orgId=${this.route.id} .tab=${this.route.tab || 'agents'}
            .me=${this.me}></organization-detail>`
        : html`<organizations-page .me=${this.me}></organizations-page>`;
    }
    return '';
  }

  /** Says why nothing shows: no page granted, a page not granted, or no such page (a link followed, say). */
  renderNoPage(pages) {
    if (pages.length === 0) {
      return html`<p class="empty">Your account may not open any page of the dashboard yet. Ask whoever runs the
        dashboard for you (an owner or admin) to give you pages.</p>`;
    }
    const wanted = this.route.page;
    const known = PAGES.find((p) => p.page === wanted);
    if (known) {
      return html`<p class="empty no-page">Your account is not given the ${known.label} page. Ask whoever runs the
        dashboard for you (an owner or admin) for it, or pick a page above.</p>`;
    }
    return wanted
      ? html`<p class="empty no-page">The dashboard has no page “${wanted}”. Pick a page above.</p>`
      : html`<p class="empty">Pick a page above.</p>`;
  }
}

customElements.define('tenantry-app', TenantryApp);
