import { escapeHTML, serializeJSONForScript } from './html.js'
import { SWAGGER_UI_CONFIG_ID } from './swagger-ui-init.js'

/** What the Swagger UI page needs: its title, asset links and the configuration for the browser. */
export interface SwaggerUIPage {
  title: string
  cssHref: string
  faviconHref: string
  bundleSrc: string
  initSrc: string
  config: {
    url: string
    parameters: Record<string, unknown>
    oauth2RedirectUrl: string | null
    initOAuth: Record<string, unknown> | null
  }
}

/** FastAPI's `get_swagger_ui_html`, with the inline script replaced by a data block and a file. */
export function swaggerUIHTML(page: SwaggerUIPage): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link type="text/css" rel="stylesheet" href="${escapeHTML(page.cssHref)}">
<link rel="icon" type="image/png" href="${escapeHTML(page.faviconHref)}">
<title>${escapeHTML(page.title)}</title>
</head>
<body>
<div id="swagger-ui"></div>
<script type="application/json" id="${SWAGGER_UI_CONFIG_ID}">${serializeJSONForScript(page.config)}</script>
<script src="${escapeHTML(page.bundleSrc)}"></script>
<script src="${escapeHTML(page.initSrc)}"></script>
</body>
</html>
`
}

/** What the ReDoc page needs: its title, the document's URL and asset links. */
export interface RedocPage {
  title: string
  openapiUrl: string
  faviconHref: string
  standaloneSrc: string
}

/**
 * FastAPI's `get_redoc_html` without the Google Fonts link. ReDoc's standalone bundle starts
 * itself from the `spec-url` attribute, so no script of ours is needed.
 */
export function redocHTML(page: RedocPage): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="${escapeHTML(page.faviconHref)}">
<title>${escapeHTML(page.title)}</title>
<style>body { margin: 0; padding: 0; }</style>
</head>
<body>
<noscript>ReDoc requires Javascript to function. Please enable it to browse the documentation.</noscript>
<redoc spec-url="${escapeHTML(page.openapiUrl)}"></redoc>
<script src="${escapeHTML(page.standaloneSrc)}"></script>
</body>
</html>
`
}

/** swagger-ui-dist's `oauth2-redirect.html`, loading its `oauth2-redirect.js` from our assets. */
export function oauth2RedirectHTML(scriptSrc: string): string {
  return `<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<title>Swagger UI: OAuth2 Redirect</title>
</head>
<body>
<script src="${escapeHTML(scriptSrc)}"></script>
</body>
</html>
`
}
