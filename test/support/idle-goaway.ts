import { isIdleGoawayError } from "../../src/services/akash/index.js";

let tolerating = false;

/**
 * Lets connect-node's "received GOAWAY without any open streams" pass in this test file's process (see
 * src/services/akash/idle-goaway.ts): a devnet stopping under an idle client raises it as an uncaught
 * exception, even after the file's last hook. Anything else still fails the run. The listener stays
 * for the life of the process, which ends with the file.
 */
export function tolerateIdleGoaway(): void {
  if (tolerating) return;
  tolerating = true;
  process.on("uncaughtException", (error) => {
    if (!isIdleGoawayError(error)) throw error;
  });
}
