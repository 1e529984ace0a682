// What the dashboard's charts share: ECharts, loaded on first use (pages without a chart
// never fetch it), drawn on a canvas (ECharts' SVG output styles text with style attributes,
// which the page's Content-Security-Policy, style-src 'self', refuses), resized with the
// window and disposed of when the element leaves the page.
import { LightElement } from './light-element.js';

let echarts;
const loadECharts = () => (echarts ??= import('echarts'));

export class ChartElement extends LightElement {
  disconnectedCallback() {
    super.disconnectedCallback();
    window.removeEventListener('resize', this.resize);
    this.chart?.dispose();
    this.chart = null;
  }

  resize = () => this.chart?.resize();

  /**
   * The chart drawn in this element's `.plot`, made on first use (and again if the plot was
   * rendered anew, when `made` is called with it); null once the element has left the page.
   */
  async plotChart(made = () => {}) {
    const lib = await loadECharts();
    const plot = this.querySelector('.plot');
    if (!this.isConnected || !plot) return null;
    if (!this.chart || this.chart.getDom() !== plot) {
      this.chart?.dispose();
      this.chart = lib.init(plot, null, { renderer: 'canvas' });
      made(this.chart);
      window.addEventListener('resize', this.resize);
    }
    return this.chart;
  }
}
