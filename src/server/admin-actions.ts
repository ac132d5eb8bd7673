/** The admin actions under /api/admin/<action>. */
export const ADMIN_ACTIONS = [
  "pause",
  "resume",
  "terminate",
  "migrate",
  "rotate-keys",
  "config",
  "spawn",
  "retire",
  "upgrade",
] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];
