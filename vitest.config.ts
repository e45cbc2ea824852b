import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // Tests import from the package name so they exercise what users see.
    // The subpath comes first: an alias also matches `gatehouse/...`.
    alias: {
      'gatehouse/authorization-server': fileURLToPath(
        new URL('./src/authorization-server/index.ts', import.meta.url),
      ),
      gatehouse: fileURLToPath(new URL('./src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    // Builds once; and the run's one PostgreSQL cluster, started by the first test file needing it.
    globalSetup: ['tests/setup/build-once.ts', 'tests/helpers/postgres-global-setup.ts'],
    typecheck: { enabled: true, include: ['tests/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
})
