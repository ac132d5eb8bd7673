export {
  ACTIVATION_ACK_KIND,
  type AcknowledgedActivation,
  type AcknowledgementExpectation,
  readAcknowledgement,
  signAcknowledgement,
  verifyAcknowledgement,
} from "./acknowledgement.js";
export {
  type ActivateInstanceOptions,
  type ActivationReceipt,
  activateInstance,
  DEFAULT_ACTIVATION_TIMEOUT_MS,
} from "./activate-instance.js";
export {
  type ActivationAnswer,
  ActivationEndpoint,
  type ActivationEndpointOptions,
  DEFAULT_MAX_ACTIVATION_BODY_BYTES,
} from "./activation-endpoint.js";
export {
  ActivationFailedError,
  ActivationRecordError,
  type ActivationRefusalStatus,
  ActivationRefusedError,
} from "./activation-errors.js";
export {
  ACTIVATION_PATH,
  ACTIVATION_PROTOCOL_VERSION,
  type ActivationOffer,
  activationOfferSchema,
} from "./activation-offer.js";
export type { ActivationPackage } from "./activation-package.js";
export {
  ACTIVATION_RECORD_FILE,
  type ActivationRecord,
  readActivationRecord,
} from "./activation-record.js";
export { EphemeralActivationKey } from "./ephemeral-key.js";
export {
  type ActivationAuth,
  type ActivationExpectation,
  authenticateActivation,
  type OpenedActivation,
  openActivation,
} from "./open-activation.js";
export {
  ACTIVATION_REFUSALS_FILE,
  ActivationRefusalLog,
  type ActivationRefusals,
  describeRefusals,
  readActivationRefusals,
} from "./refusal-log.js";
export { parseSealedActivation, type SealedActivation, sealActivationPackage } from "./sealed-package.js";
