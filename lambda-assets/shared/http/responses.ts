import type { APIGatewayProxyResult } from 'aws-lambda';

const JSON_HEADERS = {
  'content-type': 'application/json',
  // Answers carry certificates and ids of a single request: never cache them.
  'cache-control': 'no-store',
};

export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: JSON_HEADERS, body: JSON.stringify(body) };
}

export function errorResponse(statusCode: number, code: string, message: string, details?: Readonly<Record<string, unknown>>): APIGatewayProxyResult {
  return jsonResponse(statusCode, { ...details, error: { code, message } });
}
