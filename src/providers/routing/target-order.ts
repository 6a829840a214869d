/**
 * The order in which a route tries its targets: as configured for `fallback`; for `weighted`, a
 * weighted draw without replacement (so the first pick follows the weights and the others remain,
 * in weighted order, as fallbacks), with zero-weight targets last in configured order.
 */

export type RouteStrategy = 'fallback' | 'weighted';

export function targetOrder<T extends { weight: number }>(
  targets: readonly T[],
  strategy: RouteStrategy,
  random: () => number,
): readonly T[] {
  // Configured order: the targets as they are (the caller only reads them).
  if (strategy === 'fallback' || targets.length < 2) return targets;
  const pool = targets.filter((target) => target.weight > 0);
  const order: T[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, target) => sum + target.weight, 0);
    let point = random() * total;
    let index = pool.findIndex((target) => {
      point -= target.weight;
      return point < 0;
    });
    if (index < 0) index = pool.length - 1;
    order.push(...pool.splice(index, 1));
  }
  return [...order, ...targets.filter((target) => target.weight <= 0)];
}
