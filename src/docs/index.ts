export type { DocsOptions, DocsRoute } from './routes.js'
export { createDocsRoutes, isReDocInstalled } from './routes.js'
