// What the dashboard's charts share: ECharts, loaded on first use (pages without a chart
// never fetch it), drawn on a canvas (ECharts' SVG output styles text with style attributes,
// which the page's Content-Security-Policy, style-src 'self', refuses), resized with the
// window and disposed of when the element leaves the page.
import { LightElement } from './light-element.js';

/** The colours of revenue and token cost, as the legends' keys in styles.css draw them. */
export const REVENUE = '#2b59c3';
export const COST = '#c26a12';
/** The text of axis labels and names. */
export const LABEL = { fontSize: 12, color: '#4a5366' };

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
