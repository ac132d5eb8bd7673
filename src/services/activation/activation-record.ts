import { readFileSync } from "node:fs";
import type { NostrEvent } from "nostr-tools/pure";
import { z } from "zod";
import { writeFileAtomic } from "../keys/atomic-write.js";
import { ActivationRecordError } from "./activation-errors.js";
import { hex64Schema, nostrEventSchema } from "./activation-offer.js";

/** The file name the instance keeps its record under, in its data directory. */
export const ACTIVATION_RECORD_FILE = "activation.json";

/**
 * What an activated instance remembers (public data only): a restart answers the same offer, the same
 * acknowledgement to a leader that retries, and refuses the auth event that activated it.
 */
export interface ActivationRecord {
  readonly version: 1;
  readonly activated: true;
  readonly agentId: string;
  readonly nonce: string;
  readonly generation: number;
  /** The Nostr key (hex) that signed the activation: the agent's. */
  readonly signer: string;
  /** The NIP-98 event id that activated it. */
  readonly authEventId: string;
  readonly acknowledgement: NostrEvent;
  /** ISO time of the activation. */
  readonly activatedAt: string;
  /** `canary`: activated as an upgrade's trial; a leader activation may still follow. */
  readonly mode?: "canary";
}

const recordSchema = z.strictObject({
  version: z.literal(1),
  activated: z.literal(true),
  agentId: z.string().min(1),
  nonce: z.string().min(1),
  generation: z.number().int().min(1),
  signer: hex64Schema,
  authEventId: hex64Schema,
  acknowledgement: nostrEventSchema,
  activatedAt: z.iso.datetime(),
  mode: z.literal("canary").optional(),
});

/** The record at `path`, or null when there is none (the instance was never activated). */
export function readActivationRecord(path: string): ActivationRecord | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new ActivationRecordError(
      `cannot read the activation record ${path}: ${(error as Error).message}`,
      1,
      {
        cause: error,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ActivationRecordError(
      `the activation record ${path} is not JSON: it was damaged; this instance cannot tell whether it was activated, so redeploy it`,
    );
  }
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") || "record";
    throw new ActivationRecordError(
      `the activation record ${path} has an invalid field ${field}: it was damaged or written by another build; redeploy this instance`,
    );
  }
  return parsed.data as ActivationRecord;
}

/** Writes the record durably (temporary file, fsync, rename, directory fsync). */
export async function writeActivationRecord(path: string, record: ActivationRecord): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`, 0o600);
}
