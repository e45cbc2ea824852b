/** The `id` of the JSON data block that carries Swagger UI's configuration into the page. */
export const SWAGGER_UI_CONFIG_ID = 'swagger-ui-config'

/**
 * The static script that starts Swagger UI, as FastAPI's inline one does, from the JSON data
 * block: `{ url, parameters, oauth2RedirectUrl, initOAuth }`. Being a file served from the page's
 * origin, it runs under `script-src 'self'`; `oauth2RedirectUrl` is relative to the page and
 * made absolute here, like FastAPI's `window.location.origin + ...`.
 */
export const SWAGGER_UI_INIT_SCRIPT = `'use strict'
;(() => {
  const block = document.getElementById(${JSON.stringify(SWAGGER_UI_CONFIG_ID)})
  const config = JSON.parse(block.textContent)
  const options = Object.assign({ url: config.url }, config.parameters)
  if (config.oauth2RedirectUrl !== null) {
    options.oauth2RedirectUrl = new URL(config.oauth2RedirectUrl, document.baseURI).href
  }
  options.presets = [SwaggerUIBundle.presets.apis]
  const ui = SwaggerUIBundle(options)
  if (config.initOAuth !== null) ui.initOAuth(config.initOAuth)
  window.ui = ui
})()
`
