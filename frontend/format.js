// How the page writes numbers: counts, probabilities and centimetres.

export const UNIT = "cm";

export const count = new Intl.NumberFormat("en");
export const percent = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 1 });
export const cm = new Intl.NumberFormat("en", { minimumFractionDigits: 1, maximumFractionDigits: 3, useGrouping: false });

/** A duration as "0.4 s", "12 s" or "2 min 5 s". @param {number} ms */
export function seconds(ms) {
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
