// A rule's hits per day as a small bar chart: enforced hits solid, shadow hits (which
// decided nothing) hatched on top. An SVG drawn from the numbers, with the same numbers in
// words for screen readers and as a tooltip per bar.
import { html, svg } from 'lit';
import { LightElement } from './light-element.js';

const WIDTH = 140;
const HEIGHT = 36;
let drawn = 0;

class HitSparkline extends LightElement {
  static properties = {
    days: { attribute: false },
    enforced: { attribute: false },
    shadow: { attribute: false },
    label: { attribute: false },
  };

  constructor() {
    super();
    drawn += 1;
    this.hatch = `hatch-${drawn}`;
  }

  render() {
    const days = this.days ?? [];
    const enforced = this.enforced ?? [];
    const shadow = this.shadow ?? [];
    const totals = days.map((_, i) => Number(enforced[i] ?? 0) + Number(shadow[i] ?? 0));
    const top = Math.max(1, ...totals);
    const step = WIDTH / Math.max(1, days.length);
    const bar = Math.max(2, step - 3);
    const words = days.map((d, i) => `${d}: ${enforced[i] ?? 0} enforced, ${shadow[i] ?? 0} shadow`).join('; ');
    return html`<svg class="sparkline" width=${WIDTH} height=${HEIGHT} viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img"
      aria-label=${`${this.label ?? 'Hits'} per day: ${words}`}>
      <defs><pattern id=${this.hatch} width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <rect width="2" height="4" fill="#8a5a00"></rect></pattern></defs>
      <line x1="0" y1=${HEIGHT - 0.5} x2=${WIDTH} y2=${HEIGHT - 0.5} stroke="#d9dee8"></line>
      ${days.map((d, i) => {
        const e = (Number(enforced[i] ?? 0) / top) * (HEIGHT - 2);
        const s = (Number(shadow[i] ?? 0) / top) * (HEIGHT - 2);
        return svg`<g><title>${d}: ${enforced[i] ?? 0} enforced, ${shadow[i] ?? 0} shadow</title>
          <rect class="enforced" x=${i * step} y=${HEIGHT - 1 - e} width=${bar} height=${e} fill="#2b59c3"></rect>
          <rect class="shadow" x=${i * step} y=${HEIGHT - 1 - e - s} width=${bar} height=${s} fill="url(#${this.hatch})"
            stroke="#8a5a00" stroke-width="0.5"></rect></g>`;
      })}
    </svg>`;
  }
}

customElements.define('hit-sparkline', HitSparkline);
