/** Plan levels a flag can require. Users without a plan count as free (level 0). */
export const PLAN_LEVELS = { free: 0, pro: 10, enterprise: 20 } as const;
export type PlanName = keyof typeof PLAN_LEVELS;

export function planName(level: number): PlanName {
  if (level >= PLAN_LEVELS.enterprise) return 'enterprise';
  if (level >= PLAN_LEVELS.pro) return 'pro';
  return 'free';
}
