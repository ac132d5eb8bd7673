export { PLACEMENT_NAME, POSTGRES_IMAGE, REDIS_IMAGE } from "./sdl-document.js";
export {
  AGENT_ROLES,
  type AgentIdentity,
  type AgentRole,
  type PlacementInput,
  type SdlInput,
  type SdlSizing,
} from "./sdl-input.js";
export { REDACTED_MARKER, SDL_SECRET_NAMES, type SdlSecretName, type SdlSecrets } from "./sdl-secrets.js";
export { type DeployableSdl, generateSdlTemplate, injectSecrets, type SdlTemplate } from "./sdl-template.js";
