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

/** Whether `text` is a decimal in the API's form: "-1234.5". */
export const isDecimal = (text) => /^-?\d+(\.\d+)?$/.test(text);

/** The decimal separator of a locale: "," for de-DE, "." for en-US. */
export const decimalSeparator = (locale) => new Intl.NumberFormat(locale).formatToParts(1.5)
  .find((p) => p.type === 'decimal').value;

/**
 * An amount as typed, in the API's form ("1234.50"). The browser's language decides only
 * what nothing else can: one separator followed by exactly three digits after a whole part
 * that is not zero ("1.500" is 1500 in a German browser, 1.5 in an American one). Everywhere
 * else the form decides, so that an amount the dashboard itself wrote ("99.00") reads back
 * as itself in every language: both separators (the last one is the decimal one); one
 * separator written more than once (groups); one separator followed by other than three
 * digits, or after a zero ("12,5", "1.50", "0,150": decimals). Spaces and apostrophes group
 * digits too. Groups are of three digits (or India's lakhs and crores). What is not such a
 * number is returned as typed, for the server to refuse in words.
 */
export function decimalInput(text, locale = navigator.language) {
  const typed = String(text ?? '').trim();
  const compact = typed.replace(/[\s\u00a0\u202f']/g, '');
  const number = /^(-?)([\d.,]+)$/.exec(compact);
  if (!number) return typed;
  const [, sign, digits] = number;
  const dots = digits.split('.').length - 1;
  const commas = digits.split(',').length - 1;
  let decimal = null;
  if (dots && commas) {
    decimal = digits.lastIndexOf(',') > digits.lastIndexOf('.') ? ',' : '.';
  } else if (dots + commas === 1) {
    const separator = dots ? '.' : ',';
    const [whole, fraction] = digits.split(separator);
    const plainlyDecimal = fraction.length !== 3 || /^0*$/.test(whole);
    decimal = plainlyDecimal || separator === decimalSeparator(locale) ? separator : null;
  }
  const cut = decimal ? digits.lastIndexOf(decimal) : digits.length;
  const whole = digits.slice(0, cut);
  const fraction = decimal ? digits.slice(cut + 1) : '';
  const group = decimal === ',' ? '.' : decimal === '.' ? ',' : dots ? '.' : ',';
  // Thousands ("1,234,567"), or lakhs and crores as India writes them ("12,34,567").
  const grouped = new RegExp(`^(\\d{1,3}(\\${group}\\d{3})+|\\d{1,2}(\\${group}\\d{2})*\\${group}\\d{3})$`);
  if ((whole !== '' && !/^\d+$/.test(whole) && !grouped.test(whole)) || (decimal && !/^\d+$/.test(fraction))) {
    return typed;
  }
  const wholeDigits = whole.split(group).join('') || '0';
  return `${sign}${wholeDigits}${fraction ? `.${fraction}` : ''}`;
}

/**
 * A decimal ("1234.5", 0.0000001) as the dashboard writes amounts everywhere
 * (1,234.50): grouped in threes, at least `min` decimals and no trailing zero past them. One
 * separator followed by exactly three digits would read as a thousands group to many people
 * ("1.234"), so such a number gets a fourth decimal ("1.2340"): every amount shown reads one
 * way only.
 */
export function plainDecimal(value, min = 2) {
  // JSON numbers arrive as doubles: written out in full (0.0000001, not 1e-7), to 12 places.
  const text = typeof value === 'number' ? value.toFixed(12) : String(value);
  if (!isDecimal(text)) return text;
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  let decimals = fraction.replace(/0+$/, '');
  if (decimals.length < min) decimals = decimals.padEnd(min, '0');
  const grouped = whole.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  if (decimals.length === 3 && !grouped.includes(',')) decimals += '0';
  return `${text.startsWith('-') ? '-' : ''}${grouped}${decimals ? `.${decimals}` : ''}`;
}

/**
 * How {@link decimalInput} reads what was typed, written as the dashboard writes amounts
 * ("1.500" in a German browser: 1,500.00; in an American one: 1.50), so that whoever meant
 * another amount sees it before saving; null for nothing typed or what is not a number.
 */
export function readAs(text, locale = navigator.language) {
  const amount = decimalInput(text, locale);
  return isDecimal(amount) ? plainDecimal(amount) : null;
}

/** A model price in USD per million tokens: "$3.00 / 1M tokens". */
export const perMillion = (value) => `$${plainDecimal(value)} / 1M tokens`;

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

/**
 * A percentage with two decimals wherever it comes from (a budget's 12 and 10.8 read alike,
 * 12.00 % and 10.80 %), and a space that never breaks before the sign.
 */
export const percent = (value) => `${Number(value).toLocaleString('en-US',
  { minimumFractionDigits: 2, maximumFractionDigits: 2 })}\u00a0%`;

/** A margin in percent; a loss is coloured and said in words, never by colour alone. */
export const margin = (value) => {
  if (value === null || value === undefined) return '—';
  const shown = percent(value);
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

/**
 * A server's sentence as a page shows it: the API writes menu paths in ASCII ("Settings ->
 * Models"), which would wrap between its "-" and ">"; here the arrow is one character.
 */
export const sentence = (text) => text.replaceAll(' -> ', ' → ');
