// "Password" beside "Sign out": every user changes their own password here, with the one
// they have now (the server asks for it, so a session left open elsewhere cannot take the
// account over). The change signs the account out everywhere else; this tab goes on with the
// new session the server set in its cookie.
import { html } from 'lit';
import { LightElement } from './light-element.js';
import { post } from './api.js';
import { inWords } from './messages.js';

const LABELS = { currentPassword: 'Current password', newPassword: 'New password' };

class PasswordDialog extends LightElement {
  static properties = {
    opened: { state: true },
    error: { state: true },
    saving: { state: true },
    done: { state: true },
  };

  // The form exists only while the dialog is open: closed, nothing of it is on the page.
  async open() {
    this.error = null;
    this.done = false;
    this.saving = false;
    this.opened = true;
    await this.updateComplete;
    this.querySelector('dialog').showModal();
  }

  close() {
    this.querySelector('dialog').close();
  }

  async save(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    if (form.get('newPassword') !== form.get('repeated')) {
      this.error = 'The new password and its repetition differ: type it the same way twice.';
      return;
    }
    this.error = null;
    this.saving = true;
    try {
      await post('/api/me/password', { currentPassword: form.get('currentPassword'),
        newPassword: form.get('newPassword') }, { org: null });
      event.target.reset();
      this.done = true;
    } catch (e) {
      this.error = inWords(e, LABELS);
    } finally {
      this.saving = false;
    }
  }

  render() {
    return html`<button class="link" @click=${() => this.open()}>Password</button>
      <dialog class="confirm password" aria-labelledby="password-title" @close=${() => { this.opened = false; }}>
        ${this.opened ? this.renderForm() : ''}
      </dialog>`;
  }

  renderForm() {
    return html`<h2 id="password-title">Change your password</h2>
        ${this.done ? html`<p role="status">Your password is changed. Every other session of your account is signed
            out; this one goes on.</p>
          <div class="actions">
            <button type="button" class="secondary cancel" @click=${() => this.close()}>Close</button>
          </div>`
        : html`<form class="form" @submit=${(e) => this.save(e)} @input=${() => { this.error = null; }}>
          <label>Current password <input name="currentPassword" type="password" required
            autocomplete="current-password"></label>
          <label>New password <input name="newPassword" type="password" minlength="10" required
            autocomplete="new-password"><small>At least 10 characters. Every other session of your account is signed
            out.</small></label>
          <label>New password again <input name="repeated" type="password" minlength="10" required
            autocomplete="new-password"></label>
          ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
          <div class="actions">
            <button type="button" class="secondary cancel" @click=${() => this.close()}>Cancel</button>
            <button type="submit" class="confirm" ?disabled=${this.saving}>Change password</button>
          </div>
        </form>`}`;
  }
}

customElements.define('password-dialog', PasswordDialog);
