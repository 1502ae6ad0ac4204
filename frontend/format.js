// How the page writes numbers: counts, probabilities and centimetres.

export const UNIT = "cm";

export const count = new Intl.NumberFormat("en");
export const percent = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 1 });
export const cm = new Intl.NumberFormat("en", { minimumFractionDigits: 1, maximumFractionDigits: 3, useGrouping: false });
