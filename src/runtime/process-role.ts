/**
 * The process role (DESIGN §12), distinct from the family role `agent.role`: `bootstrap` on the
 * operator's machine, `deployed` inside the agent's own deployment (its manifest sets AGENT_ROLE).
 */
export const PROCESS_ROLE_ENV = "AGENT_ROLE";

export function isDeployedInstance(env: NodeJS.ProcessEnv): boolean {
  return env[PROCESS_ROLE_ENV] === "deployed";
}
