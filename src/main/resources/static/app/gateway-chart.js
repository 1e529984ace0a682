// One measure of the gateway over time (requests, tokens or latency). Bars stack; lines do
// not. The figure says in words what it shows, for screen readers.
import { html } from 'lit';
import { ChartElement, LABEL } from './chart-element.js';

/** A bucket's start as the axis shows it: the hour for a day's range, else the date (and hour). */
function tick(start, bucketSeconds) {
  const d = new Date(start);
  const date = d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const hour = d.toISOString().slice(11, 16);
  if (bucketSeconds >= 86400) return date;
  return bucketSeconds <= 3600 ? hour : `${date} ${hour}`;
}

class GatewayChart extends ChartElement {
  static properties = {
    /** The stats' buckets, oldest first. */
    buckets: { attribute: false },
    bucketSeconds: { attribute: false },
    /** [{ name, color, type: 'bar' | 'line', value: (bucket) => number | null }] */
    series: { attribute: false },
    label: { type: String },
    unit: { type: String },
  };

  render() {
    return html`<figure class="chart gateway">
      <div class="plot" role="img" aria-label=${this.describe()}></div>
      <figcaption>${this.label}${this.unit ? html` <small>(${this.unit})</small>` : ''}:
        ${(this.series ?? []).map((s) => html`<span class="key" data-series=${s.name}></span> ${s.name} `)}
      </figcaption>
    </figure>`;
  }

  describe() {
    const totals = (this.series ?? []).map((s) => {
      const values = (this.buckets ?? []).map(s.value).filter((v) => v !== null && v !== undefined);
      if (s.type === 'bar') return `${s.name}: ${values.reduce((a, b) => a + b, 0).toLocaleString('en-US')} in all`;
      return `${s.name}: ${values.length ? `at most ${Math.max(...values).toLocaleString('en-US')}` : 'none'}`;
    });
    return `${this.label}. ${totals.join('; ')}`;
  }

  updated() {
    this.querySelectorAll('.key[data-series]').forEach((key) => {
      const series = this.series.find((s) => s.name === key.dataset.series);
      if (series) key.style.background = series.color;
    });
    this.draw();
  }

  async draw() {
    const chart = await this.plotChart();
    if (!chart) return;
    const buckets = this.buckets ?? [];
    chart.setOption({
      animation: false,
      grid: { left: 56, right: 16, top: 16, bottom: 28 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: buckets.map((b) => tick(b.start, this.bucketSeconds)),
        axisLabel: LABEL },
      yAxis: { type: 'value', axisLabel: { ...LABEL,
        formatter: (v) => Number(v).toLocaleString('en-US', { notation: 'compact' }) } },
      series: (this.series ?? []).map((s) => ({
        name: s.name, type: s.type, stack: s.type === 'bar' ? 'total' : undefined, color: s.color,
        connectNulls: false, showSymbol: true, symbolSize: 5, data: buckets.map(s.value),
      })),
    }, true);
  }
}

customElements.define('gateway-chart', GatewayChart);
