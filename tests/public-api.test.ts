import * as api from 'gatehouse'
import { expect, test } from 'vitest'

// Changes to the public surface must be deliberate: this list shows them in review.
test('the package exports exactly these values', () => {
  expect(Object.keys(api).sort()).toEqual([
    'APIKeyCookie',
    'APIKeyHeader',
    'APIKeyQuery',
    'BadRequestError',
    'Body',
    'BodyTooLargeError',
    'Cookie',
    'Depends',
    'ERROR_ANSWERS',
    'Form',
    'Gatehouse',
    'GatehouseError',
    'HTTPBasic',
    'HTTPBearer',
    'HTTPDigest',
    'HTTPException',
    'Header',
    'InsufficientScopeError',
    'InvalidTokenError',
    'KeySourceUnavailableError',
    'OAuth2',
    'OAuth2AuthorizationCodeBearer',
    'OAuth2ClientCredentials',
    'OAuth2Error',
    'OAuth2PasswordBearer',
    'OAuth2PasswordRequestForm',
    'OAuth2PasswordRequestFormStrict',
    'OpenIdConnect',
    'Path',
    'Query',
    'RequestTimeoutError',
    'RequestValidationError',
    'ResponseValidationError',
    'Router',
    'Security',
    'SecurityScheme',
    'SecurityScopes',
    'ServiceUnavailableError',
    'TooManyRequestsError',
    'UnsupportedMediaTypeError',
    'bearerChallenge',
    'createCurrentPrincipal',
    'createDocsRoutes',
    'createJWTCodec',
    'createPasswordHasher',
    'dependency',
    'isGatehouseError',
    'isInvalidTokenError',
    'isOAuth2Error',
    'serve',
  ])
})

// The authorization server is a subpath, so apps that only verify tokens never load Kysely.
test('gatehouse/authorization-server exports exactly these values', async () => {
  const server = await import('gatehouse/authorization-server')
  expect(Object.keys(server).sort()).toEqual([
    'AuthorizationServerBearer',
    'LoginThrottledError',
    'createAdministration',
    'createAuthorizationServer',
    'createKyselyStore',
    'createMemoryStore',
    'createMigrator',
    'migrateToLatest',
    'openSQLiteStore',
  ])
})
