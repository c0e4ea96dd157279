import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';

/**
 * The one request validator of every route: Fastify's schema validation through Ajv, its errors
 * rendered by http/errors.ts in the API's own shape. Bodies are JSON and must carry the declared
 * types (no coercion: `"name": 5` is a 400); query strings, path parameters and headers are text,
 * coerced to the declared scalar types, a repeated query parameter to an array.
 */
const common: Options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false };
const strictBodies = addFormats.default(new Ajv({ ...common, coerceTypes: false }));
const coercedText = addFormats.default(new Ajv({ ...common, coerceTypes: 'array' }));

const compile: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strictBodies : coercedText).compile(schema as object);

export function installValidation(app: FastifyInstance) {
  app.setValidatorCompiler(compile);
}
