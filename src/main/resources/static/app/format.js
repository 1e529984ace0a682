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
