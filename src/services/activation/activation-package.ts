import type { Secret } from "../keys/index.js";

/** What the leader sends an instance, before sealing. */
export interface ActivationPackage {
  readonly agentId: string;
  readonly nonce: string;
  /** The new leader's generation (at least 1: 0 is the bootstrap's before any handover). */
  readonly generation: number;
  /**
   * `encodeKeystorePlaintext(contents)`. `activateInstance` zeroes these bytes once they are sealed:
   * build them for the one call.
   */
  readonly keystore: Secret<Uint8Array>;
  /** An agent store image (`exportStore(db).bytes`). */
  readonly store: Uint8Array;
  /** Public config overrides: JSON data, no secrets. */
  readonly settings: Record<string, unknown>;
  /**
   * `canary`: an upgrade's trial (issue 18). The instance takes the keystore and the state but does not
   * lead: it syncs the relay at `syncFrom`, runs its self-test and waits for a leader activation.
   */
  readonly mode?: "canary";
  /** The serving leader's relay (`host[:port]` or a ws URL), which a canary copies the events of. */
  readonly syncFrom?: string;
}
