// Revenue against token cost per month (ECharts, see chart-element.js). Revenue and cost
// share one value axis only when they are in one currency; otherwise cost gets its own axis
// on the right, labelled with its currency. Without a costCurrency (a user who may not see
// token cost) the chart is revenue alone. Clicking a month picks it ("month-picked"); the picked month is the one
// drawn at full strength.
import { html } from 'lit';
import { ChartElement, REVENUE, COST, LABEL } from './chart-element.js';
import { money, monthName } from './format.js';

class MoneyChart extends ChartElement {
  static properties = {
    /** [{ month: 'YYYY-MM', revenue, cost }], oldest first; amounts as the API sends them. */
    months: { attribute: false },
    revenueCurrency: { attribute: false },
    costCurrency: { attribute: false },
    selected: { attribute: false },
    label: { attribute: false },
  };

  get withCost() {
    return this.costCurrency != null;
  }

  render() {
    const split = this.withCost && this.costCurrency !== this.revenueCurrency;
    return html`<figure class="chart">
      <div class="plot" role="img" aria-label=${this.describe()}></div>
      <figcaption><span class="key revenue"></span> Revenue (${this.revenueCurrency})
        ${this.withCost ? html`<span class="key cost"></span> Token cost (${this.costCurrency})` : ''}${split
          ? html`, on the right-hand axis: no exchange rate converts it to ${this.revenueCurrency}` : ''}</figcaption>
    </figure>`;
  }

  /** What the chart shows, in words, for screen readers. */
  describe() {
    const parts = (this.months ?? []).map((m) => `${monthName(m.month)}: revenue ${money(m.revenue,
      this.revenueCurrency)}${this.withCost ? `, cost ${money(m.cost, this.costCurrency)}` : ''}`);
    return `${this.label ?? (this.withCost ? 'Revenue against token cost' : 'Revenue')}. ${parts.join('; ')}`;
  }

  updated() {
    this.draw();
  }

  async draw() {
    const chart = await this.plotChart((made) => made.on('click', (e) => this.dispatchEvent(
      new CustomEvent('month-picked', { detail: this.months[e.dataIndex].month, bubbles: true }))));
    chart?.setOption(this.option(), true);
  }

  option() {
    const months = this.months ?? [];
    const split = this.withCost && this.costCurrency !== this.revenueCurrency;
    const faded = (m) => (this.selected && m.month !== this.selected ? 0.45 : 1);
    const axis = (currency, position) => ({
      type: 'value', position, name: currency, nameTextStyle: LABEL, axisLabel: { ...LABEL,
        formatter: (v) => Number(v).toLocaleString('en-US', { notation: 'compact' }) },
      splitLine: { show: position === 'left' },
    });
    // On one axis a month's token cost is often a few hundredths of its revenue, which would
    // draw it at no height at all: any amount above zero is drawn at least a few pixels high
    // (its tooltip says how much), and zero not at all.
    const bars = (name, key, color, currency, yAxisIndex) => ({
      name, type: 'bar', yAxisIndex, barMaxWidth: 28, barMinHeight: 3,
      data: months.map((m) => ({ value: m[key] === null ? null : Number(m[key]),
        itemStyle: { color, opacity: Number(m[key]) === 0 ? 0 : faded(m) } })),
      tooltip: { valueFormatter: (v) => money(v, currency) },
    });
    return {
      animation: false,
      aria: { enabled: false },
      grid: { left: 56, right: split ? 56 : 16, top: 32, bottom: 32 },
      // Rich text, not HTML: the page's policy forbids inline styles, which an HTML tooltip carries.
      tooltip: { trigger: 'axis', renderMode: 'richText', axisPointer: { type: 'shadow' }, textStyle: { fontSize: 13 } },
      xAxis: { type: 'category', data: months.map((m) => monthName(m.month)), axisLabel: LABEL },
      yAxis: split ? [axis(this.revenueCurrency, 'left'), axis(this.costCurrency, 'right')]
        : [axis(this.revenueCurrency, 'left')],
      series: [bars('Revenue', 'revenue', REVENUE, this.revenueCurrency, 0),
        ...(this.withCost ? [bars('Token cost', 'cost', COST, this.costCurrency, split ? 1 : 0)] : [])],
    };
  }
}

customElements.define('money-chart', MoneyChart);
