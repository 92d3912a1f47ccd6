import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

/** Created once per cold start; the endpoint comes from AWS_ENDPOINT_URL(_<SERVICE>). */
export const eventBridge = new EventBridgeClient({});
