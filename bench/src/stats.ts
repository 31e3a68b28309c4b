export const quantile = (values: ReadonlyArray<number>, q: number): number => {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[index]!
}
export const median = (values: ReadonlyArray<number>) => {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
export const ms = (value: number) => Number.isNaN(value) ? "—" : value < 10 ? value.toFixed(2) : value.toFixed(1)
export const mb = (bytes: number) => Number.isNaN(bytes) ? "—" : (bytes / 1024 / 1024).toFixed(0)
export const ratio = (a: number, b: number) => Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : "—"
