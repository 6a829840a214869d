/** Unix seconds, as the API's `created_at` / `completed_at` fields carry them. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
