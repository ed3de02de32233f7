/** HTTP API entry: every route of shared/api/routes.ts. (Implementation lands with ingest.) */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';

export const handler = async (_event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyResultV2> => {
  throw new Error('ingest is not built yet');
};
