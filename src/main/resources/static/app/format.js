import { html } from 'lit';

// How amounts, counts and months are shown. The API sends exact decimals; these only format
// them. Every amount carries its currency code, so amounts in different currencies are
// never mistaken for one another.
export const money = (value, currency) => (value === null || value === undefined ? '—'
  : `${Number(value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}${
    currency ? ` ${currency}` : ''}`);

export const count = (value) => Number(value).toLocaleString('en-US');

/** "2026-11" as "Nov 2026". */
export const monthName = (month) => new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1, 1))
  .toLocaleDateString('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' });

/** The change from `before` to `now` in percent, signed and in words; null when there was nothing before. */
export const change = (now, before) => {
  if (now === null || before === null || Number(before) === 0) return null;
  const percent = ((Number(now) - Number(before)) / Math.abs(Number(before))) * 100;
  return `${percent >= 0 ? '+' : '−'}${Math.abs(percent).toFixed(1)} %`;
};

/** The decimal separator of a locale: "," for de-DE, "." for en-US. */
const decimalSeparator = (locale) => new Intl.NumberFormat(locale).formatToParts(1.5)
  .find((p) => p.type === 'decimal').value;

/**
 * An amount as typed, in the API's form ("1234.50"): "1.234,50" in a German browser,
 * "1,234.50" in an American one. Spaces group digits in either. A lone comma followed by
 * one or two digits is a decimal comma whatever the locale ("12,5"), since no one groups
 * digits in twos. What is not a number is returned as typed, for the server to refuse in
 * words.
 */
export function decimalInput(text, locale = navigator.language) {
  const typed = String(text ?? '').trim();
  const compact = typed.replace(/[\s\u00a0\u202f']/g, '');
  let decimal = decimalSeparator(locale);
  if (compact.includes('.') && compact.includes(',')) {
    decimal = compact.lastIndexOf(',') > compact.lastIndexOf('.') ? ',' : '.';
  } else if (/^-?\d+,\d{1,2}$/.test(compact)) {
    decimal = ',';
  }
  const group = decimal === ',' ? '.' : ',';
  const normal = compact.split(group).join('').replace(decimal, '.');
  return /^-?\d+(\.\d+)?$/.test(normal) ? normal : typed;
}

/** A model price in USD per million tokens: "$3.00 / 1M tokens". */
export const perMillion = (value) => `$${Number(value).toLocaleString('en-US', { minimumFractionDigits: 2,
  maximumFractionDigits: 6 })} / 1M tokens`;

/**
 * The exact sum of decimal amounts (up to 12 decimals, as the API sends them), rounded half
 * up to the cent once, at the end: "12.35". Null when one is null. In BigInt, so no binary
 * fraction creeps in.
 */
export function addAmounts(values) {
  if (values.some((v) => v === null || v === undefined)) return null;
  const SCALE = 12;
  const units = values.reduce((sum, v) => {
    const text = String(v);
    const [whole, fraction = ''] = text.replace('-', '').split('.');
    const value = BigInt(whole) * 10n ** BigInt(SCALE) + BigInt((fraction + '0'.repeat(SCALE)).slice(0, SCALE));
    return sum + (text.startsWith('-') ? -value : value);
  }, 0n);
  const abs = units < 0n ? -units : units;
  const step = 10n ** BigInt(SCALE - 2);
  const cents = (abs + step / 2n) / step;
  return `${units < 0n ? '-' : ''}${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}

/** A margin in percent; a loss is coloured and said in words, never by colour alone. */
/** Two decimals wherever it comes from, and a space that never breaks before the sign. */
export const margin = (value) => {
  if (value === null || value === undefined) return '—';
  const shown = `${Number(value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}\u00a0%`;
  return Number(value) < 0 ? html`<span class="negative">${shown} (loss)</span>` : shown;
};

/** A cost in its org's currency, or in USD (from the exact costUsd) where no exchange rate converts it. */
export const costOf = (figures, currency = figures.currency) => (figures.cost === null
  ? money(figures.costUsd, 'USD') : money(figures.cost, currency));

/** An ISO instant as the value of a datetime-local input, in the browser's time zone ('' for none). */
export function localInput(iso) {
  if (!iso) return '';
  const at = new Date(iso);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

/** An instant as people read it, in the browser's time zone: "4 Dec 2026, 10:00". */
export function dateTime(iso) {
  return new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit',
    minute: '2-digit' });
}
