export type { DocsOptions, DocsRoute } from './routes.js'
export { createDocsRoutes } from './routes.js'
