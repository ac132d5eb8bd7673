import { SDL } from "@akashnetwork/chain-sdk";
import type { GroupSpec } from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";
import { EffectError } from "../../domain/effect-failure.js";

/** What the chain and a provider need from an SDL. */
export interface SdlDeployment {
  readonly groups: GroupSpec[];
  /** Hex of the manifest version (the deployment's on-chain hash). */
  readonly manifestVersion: string;
  /** The manifest in the sorted-key JSON providers hash and accept (`PUT /deployment/{dseq}/manifest`). */
  readonly manifestJson: string;
}

/** Env values in an SDL (`- NAME=value`): the places its secrets sit. */
function envValues(sdlYaml: string): string[] {
  return [...sdlYaml.matchAll(/^\s*-\s*"?[A-Za-z_][A-Za-z0-9_]*=(.+?)"?\s*$/gm)]
    .map((match) => match[1] ?? "")
    .filter((value) => value.length >= 4);
}

function parseSdl(sdlYaml: string): SDL {
  try {
    return SDL.fromString(sdlYaml, "beta3");
  } catch (error: unknown) {
    // The SDL holds secrets: keep the first line of the reason, with every env value blanked out.
    const firstLine = error instanceof Error ? (error.message.split("\n")[0] ?? "") : "unreadable";
    const reason = envValues(sdlYaml).reduce(
      (text, value) => text.split(value).join("[redacted]"),
      firstLine,
    );
    // No `cause`: the original error may quote the document.
    throw new EffectError("fatal", `the SDL is not a valid beta3 SDL: ${reason}`);
  }
}

/** Reads an SDL (with its secrets injected) into groups, manifest version and manifest JSON. */
export async function readSdl(sdlYaml: string): Promise<SdlDeployment> {
  const sdl = parseSdl(sdlYaml);
  const version = await sdl.manifestVersion();
  return {
    groups: sdl.groups() as GroupSpec[],
    manifestVersion: Buffer.from(version).toString("hex"),
    manifestJson: sdl.manifestSortedJSON(),
  };
}

/** The manifest to send a provider and its version (hex), for an SDL with its secrets injected. */
export async function manifestOfSdl(
  sdlYaml: string,
): Promise<{ manifestVersion: string; manifestJson: string }> {
  const { manifestVersion, manifestJson } = await readSdl(sdlYaml);
  return { manifestVersion, manifestJson };
}
