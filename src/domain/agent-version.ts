import { isImageTag, withImageTag } from "./image-reference.js";

/** Which build of the agent runs: its package version and the image it runs as. */
export interface AgentVersion {
  /** package.json's `version` of the running code. */
  readonly package: string;
  /** `repository:tag` of the image the agent runs as (its configured `agent.image` outside a provider). */
  readonly image: string;
}

/**
 * The image an agent runs as: its configured `agent.image` (the SDL's `AGENT_AGENT_IMAGE`) with the
 * tag replaced by the one its provider started (`AGENT_IMAGE_TAG`), when a provider says which
 * (a value that is not a tag is not one).
 */
export function runningImage(configuredImage: string, providerTag: string | undefined): string {
  const tag = providerTag?.trim();
  return tag && isImageTag(tag) ? withImageTag(configuredImage, tag) : configuredImage;
}
