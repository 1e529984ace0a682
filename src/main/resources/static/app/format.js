// How amounts and counts are shown. The API sends exact decimals; these only format them.
export const money = (value, currency) => (value === null || value === undefined ? '—'
  : `${Number(value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}${
    currency ? ` ${currency}` : ''}`);

export const count = (value) => Number(value).toLocaleString('en-US');
