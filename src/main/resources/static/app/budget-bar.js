// A small bar for how much of a monthly budget is used: amber past the first alert
// threshold, red past 100 %. The state is also said in words, never by colour alone. The
// width is set on the element's style object, which the page's policy allows; a style
// attribute (lit's styleMap renders one at first) it refuses.
import { html } from 'lit';
import { ref } from 'lit/directives/ref.js';

export function budgetState(used, thresholds = []) {
  const value = Number(used);
  if (value > 100) return 'over';
  const first = thresholds.length ? Math.min(...thresholds) : 80;
  return value >= first ? 'near' : 'ok';
}

const WORDS = { over: 'Over budget', near: 'Near budget', ok: 'Within budget' };

export function budgetBar(used, thresholds) {
  const state = budgetState(used, thresholds);
  return html`<span class="budget-bar ${state}" role="img" aria-label="${WORDS[state]}: ${used} % used">
    <span class="fill" ${ref((fill) => { if (fill) fill.style.width = `${Math.min(100, Number(used))}%`; })}></span></span>
    ${state === 'ok' ? '' : html`<span class="badge ${state === 'over' ? 'danger' : 'warn'}">${WORDS[state]}</span>`}`;
}
