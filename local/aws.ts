/**
 * AWS SDK clients for the local servers, and the constants that make local ARNs and contexts look
 * like the ones in AWS. The handlers themselves build their clients from the environment
 * (AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_SQS); these are for the local tooling around them.
 */
import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

/** The account local-aws-sqs writes into its queue URLs and ARNs. */
export const LOCAL_ACCOUNT_ID = '123456789012';
export const LOCAL_REGION = 'eu-central-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export const localRegion = (): string => process.env.AWS_REGION ?? LOCAL_REGION;

export function localDynamoDocumentClient(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: localRegion(), credentials: LOCAL_CREDENTIALS }),
    {
      marshallOptions: { removeUndefinedValues: true },
    },
  );
}

/**
 * Long polls hold a socket each for up to 20 s; the SDK's default agent allows 50 sockets, after
 * which deletes and sends would queue behind idle polls. Pollers therefore get an unlimited agent.
 */
export function localSqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: localRegion(),
    credentials: LOCAL_CREDENTIALS,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: Infinity }) },
  });
}
