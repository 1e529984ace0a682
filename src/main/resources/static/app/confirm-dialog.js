// The dashboard's one confirmation dialog, in place of window.confirm(): a native modal
// <dialog>, so the page behind is inert and focus stays inside it; Escape cancels; it is
// named by its title and described by its message; the safe choice has the focus first.
// With no confirm label it only informs (why something cannot be done, and where to fix it).
import { html, render } from 'lit';

let open = null;

/**
 * Asks the user; resolves true for the confirm button, false for Cancel, Escape or a link
 * followed. `links` are [{ href, label }] to where the user can fix what is in the way.
 */
export function askToConfirm(options) {
  return ask(options, null).then((answer) => answer !== null);
}

/**
 * Asks the user to pick one of `choices` ([{ value, label, danger, plain }]; plain ones are
 * not drawn as the obvious button); resolves the value picked, null for Cancel or Escape.
 */
export function askToChoose(options) {
  return ask(options, null, options.choices);
}

/**
 * Asks for a reason in words (it goes on the record); resolves the reason for the confirm
 * button, null for Cancel or Escape. The confirm button waits for a reason.
 */
export function askForReason(options) {
  return ask(options, options.reasonLabel || 'Reason');
}

function ask({ title, message, details = [], confirm = null, danger = false, links = [] }, reasonLabel,
  choices = confirm ? [{ value: 'confirm', label: confirm, danger }] : []) {
  open?.close();
  const dialog = document.createElement('dialog');
  dialog.className = 'confirm';
  dialog.setAttribute('aria-labelledby', 'confirm-title');
  dialog.setAttribute('aria-describedby', 'confirm-message');
  document.body.append(dialog);
  open = dialog;
  return new Promise((resolve) => {
    // `answer` is the value of the choice picked, or null for Cancel.
    const finish = (answer) => {
      const reason = dialog.querySelector('textarea.reason')?.value.trim() ?? '';
      if (answer && reasonLabel && !reason) {
        dialog.querySelector('textarea.reason').focus();
        return;
      }
      dialog.returnValue = answer ?? 'cancel';
      dialog.dataset.reason = reason;
      dialog.close();
    };
    dialog.addEventListener('close', () => {
      if (open === dialog) open = null;
      dialog.remove();
      const picked = choices.some((c) => c.value === dialog.returnValue) ? dialog.returnValue : null;
      resolve(picked === null ? null : reasonLabel ? dialog.dataset.reason : picked);
    }, { once: true });
    render(html`
      <h2 id="confirm-title">${title}</h2>
      <p id="confirm-message">${message}</p>
      ${details.length ? html`<ul>${details.map((d) => html`<li>${d}</li>`)}</ul>` : ''}
      ${reasonLabel ? html`<label>${reasonLabel}
        <textarea class="reason" rows="3" maxlength="500" required></textarea></label>` : ''}
      ${links.length ? html`<p class="fixes">${links.map((l) => html`<a href=${l.href}
        @click=${() => finish(null)}>${l.label}</a>`)}</p>` : ''}
      <div class="actions">
        <button type="button" class="secondary cancel" autofocus @click=${() => finish(null)}>
          ${choices.length ? 'Cancel' : 'Close'}</button>
        ${choices.map((c) => html`<button type="button" class="confirm ${c.danger ? 'danger' : ''} ${c.plain
          ? 'secondary' : ''}"
          data-choice=${c.value} @click=${() => finish(c.value)}>${c.label}</button>`)}
      </div>`, dialog);
    dialog.showModal();
  });
}
