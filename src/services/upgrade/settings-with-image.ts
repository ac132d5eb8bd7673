/** Public settings (see `publicSettings`) with `agent.image` set to `image`: what an upgrade's instance runs. */
export function settingsWithImage(settings: Record<string, unknown>, image: string): Record<string, unknown> {
  const agent = settings.agent;
  const agentSettings = typeof agent === "object" && agent !== null && !Array.isArray(agent) ? agent : {};
  return { ...settings, agent: { ...agentSettings, image } };
}
