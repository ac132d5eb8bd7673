export {
  type AlertChannel,
  alertSeverityRank,
  DeliveryError,
  type OutgoingAlert,
  type OutgoingSeverity,
  type RateLimitSettings,
} from "./alert-channel.js";
export {
  type AlertDispatcher,
  createAlertDispatcher,
  incidentKey,
  type RaisedAlert,
  type RetrySettings,
} from "./alert-dispatcher.js";
export { alertJson, alertText } from "./alert-text.js";
export {
  ChannelSecretError,
  type ChannelSecrets,
  channelSecretEnv,
  readChannelSecrets,
  type StoredChannelSecrets,
} from "./channel-secrets.js";
export { sendWithoutOutbox } from "./direct-alert.js";
export {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
  webhookSignature,
} from "./webhook-signature.js";
