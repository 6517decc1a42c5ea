/** Rounds away floating-point noise for display: 3.3000000000000003 → "3.3", 715.0000000000001 → "715". */
export function formatNumber(v: number, digits = 12): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(digits)));
}

/** A fixed number of decimals, for matrices and probabilities. */
export function fixed(v: number, decimals = 3): string {
  return Number.isFinite(v) ? v.toFixed(decimals) : String(v);
}
