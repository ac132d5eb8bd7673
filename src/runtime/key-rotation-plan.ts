import { KEYS_NOT_ROTATED } from "../actors/keys-actors.js";
import type { AgentConfig } from "../config/index.js";
import { UsageError } from "../errors.js";
import type { KeyName } from "../machines/index.js";
import type { KeystoreBackend } from "../services/keys/index.js";

export interface KeyRotationPlan {
  /** The keys the keys machine rotates on schedule; empty turns rotation off. */
  rotating: KeyName[];
  /** What an operator must read at start (never a secret). */
  warnings: string[];
  /** What the agent leaves out of the schedule and why. */
  notes: string[];
}

const rotatable: KeyName[] = (["akash", "payment", "identity", "encryption"] as const).filter(
  (name) => KEYS_NOT_ROTATED[name] === undefined,
);

const AKASH_ROTATION_NOTE =
  "the akash key rotates by self-migration into a deployment of the next key, then the old account is swept: " +
  "only an agent that runs inside its own lease does it (a bootstrap refuses it with an alert and tries again later)";

/**
 * Decides at start which keys rotate. Rotation needs a keystore that keeps a rotated index across
 * restarts (the file keystore): with another one an explicit `keyRotation.enabled: true` is refused
 * here (exit code 2) rather than failing at the first rotation, weeks later; left unset, rotation is
 * off with a warning.
 */
export function planKeyRotation(
  config: Pick<AgentConfig, "keyRotation"> & { reproduction?: Pick<AgentConfig["reproduction"], "parent"> },
  keystore: Pick<KeystoreBackend, "durable" | "describe">,
): KeyRotationPlan {
  const plan = planScheduledRotation(config, keystore);
  if (!config.reproduction?.parent || !plan.rotating.includes("akash")) return plan;
  return {
    ...plan,
    rotating: plan.rotating.filter((name) => name !== "akash"),
    notes: [...plan.notes.filter((note) => note !== AKASH_ROTATION_NOTE), CHILD_AKASH_NOTE],
  };
}

const CHILD_AKASH_NOTE =
  "the akash key is not rotated: this agent is a child, and its parent's deposit grant and fee allowance are to this address";

function planScheduledRotation(
  config: Pick<AgentConfig, "keyRotation">,
  keystore: Pick<KeystoreBackend, "durable" | "describe">,
): KeyRotationPlan {
  const { enabled } = config.keyRotation;
  if (enabled === false)
    return { rotating: [], warnings: [], notes: ["key rotation is off (keyRotation.enabled: false)"] };
  if (!keystore.durable) {
    const why = `the keystore (${keystore.describe()}) cannot save a rotated key index`;
    if (enabled === true) {
      throw new UsageError(
        `keyRotation.enabled is true but ${why}, so every rotation would fail: ` +
          "use a keystore file (`akash-agent init`, keystore.backend: file) or set keyRotation.enabled: false",
      );
    }
    return {
      rotating: [],
      warnings: [
        `key rotation is off: ${why}; use a keystore file (\`akash-agent init\`) to rotate keys, ` +
          "or set keyRotation.enabled: false to turn it off on purpose",
      ],
      notes: [],
    };
  }
  return {
    rotating: rotatable,
    warnings: [],
    notes: [
      ...Object.entries(KEYS_NOT_ROTATED).map(
        ([name, reason]) => `the ${name} key is not rotated on schedule: ${reason}`,
      ),
      AKASH_ROTATION_NOTE,
    ],
  };
}
