/** Types of aws-inference-image-accounts.cjs. */
export function awsInferenceImageAccount(region: string): string;
export function ecrDomain(region: string): string;
