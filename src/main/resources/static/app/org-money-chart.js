// One currency's clients side by side for a month: revenue against token cost per
// organization, the largest revenue on top (ECharts, see chart-element.js). A client whose
// cost no exchange rate converts has no cost bar (its tooltip says why) rather than a USD
// amount on a scale of another currency. Clicking a client opens its billing.
import { html } from 'lit';
import { ChartElement, REVENUE, COST, LABEL } from './chart-element.js';
import { money } from './format.js';

/** The clients drawn; the table under the chart lists them all. */
const SHOWN = 10;

class OrgMoneyChart extends ChartElement {
  static properties = {
    /** Statements of one currency: [{ orgId, orgName, revenue, cost }]. */
    statements: { attribute: false },
    currency: { attribute: false },
  };

  /** The largest clients by revenue, largest first. */
  get shown() {
    return [...(this.statements ?? [])].sort((a, b) => Number(b.revenue) - Number(a.revenue)).slice(0, SHOWN);
  }

  /** The same, in the order of ECharts' category axis (bottom to top), so that the largest is on top. */
  get rows() {
    return this.shown.reverse();
  }

  render() {
    const all = this.statements?.length ?? 0;
    return html`<figure class="chart orgs">
      <div class="plot" role="img" aria-label=${this.describe()}></div>
      <figcaption><span class="key revenue"></span> Revenue <span class="key cost"></span> Token cost
        (${this.currency})${all > SHOWN ? `: the ${SHOWN} largest of ${all} clients by revenue` : ''}</figcaption>
    </figure>`;
  }

  describe() {
    const parts = this.shown.map((s) => `${s.orgName}: revenue ${money(s.revenue, this.currency)}, cost ${
      s.cost === null ? 'not converted (no exchange rate)' : money(s.cost, this.currency)}`);
    return `${this.currency} clients, revenue against token cost. ${parts.join('; ')}`;
  }

  updated() {
    this.draw();
  }

  async draw() {
    const chart = await this.plotChart((made) => made.on('click', (e) => {
      location.hash = `#/organizations/${this.rows[e.dataIndex].orgId}/billing`;
    }));
    chart?.setOption(this.option(), true);
  }

  option() {
    const { rows } = this;
    const bars = (name, key, color) => ({
      name, type: 'bar', barMaxWidth: 14, barMinHeight: 2,
      data: rows.map((s) => ({ value: s[key] === null ? null : Number(s[key]),
        itemStyle: { color, opacity: Number(s[key]) === 0 ? 0 : 1 } })),
      tooltip: { valueFormatter: (v) => (v === null || v === undefined ? 'no exchange rate'
        : money(v, this.currency)) },
    });
    return {
      animation: false,
      aria: { enabled: false },
      grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
      tooltip: { trigger: 'axis', renderMode: 'richText', axisPointer: { type: 'shadow' }, textStyle: { fontSize: 13 } },
      xAxis: { type: 'value', axisLabel: { ...LABEL,
        formatter: (v) => Number(v).toLocaleString('en-US', { notation: 'compact' }) } },
      yAxis: { type: 'category', data: rows.map((s) => s.orgName), axisLabel: { ...LABEL, width: 160,
        overflow: 'truncate' } },
      series: [bars('Revenue', 'revenue', REVENUE), bars('Token cost', 'cost', COST)],
    };
  }
}

customElements.define('org-money-chart', OrgMoneyChart);
