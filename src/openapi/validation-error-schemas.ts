import type { JSONSchema } from './schema-collector.js'

/** FastAPI's `HTTPValidationError` and `ValidationError` components, describing every 422 body. */
export function validationErrorSchemas(): [JSONSchema, JSONSchema] {
  return [
    {
      type: 'object',
      properties: {
        detail: {
          type: 'array',
          items: { $ref: '#/components/schemas/ValidationError' },
          title: 'Detail',
        },
      },
      title: 'HTTPValidationError',
    },
    {
      type: 'object',
      properties: {
        loc: {
          type: 'array',
          items: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
          title: 'Location',
        },
        msg: { type: 'string', title: 'Message' },
        type: { type: 'string', title: 'Error Type' },
        input: { title: 'Input' },
        ctx: { type: 'object', title: 'Context' },
      },
      required: ['loc', 'msg', 'type'],
      title: 'ValidationError',
    },
  ]
}
