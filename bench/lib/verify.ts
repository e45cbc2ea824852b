import type { RequestSpec } from './scenario.js'
import type { ServerProcess } from './server-process.js'

export interface Answer {
  readonly status: number
  readonly contentType: string | null
  readonly body: string
}

/** Send `request` once and read the whole answer. */
export async function ask(url: string, request: RequestSpec): Promise<Answer> {
  const response = await fetch(`${url}${request.path}`, {
    method: request.method,
    ...(request.headers ? { headers: request.headers } : {}),
    ...(request.body !== undefined ? { body: request.body } : {}),
  })
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: await response.text(),
  }
}

function excerpt(text: string, at: number): string {
  return JSON.stringify(text.slice(Math.max(0, at - 40), at + 40))
}

/**
 * Send `request` once to every server and throw unless all answer with the expected status and the
 * same content type and body as the baseline: otherwise the ratios would compare different work.
 * Resolves to the baseline's answer.
 */
export async function verifySameAnswers(
  label: string,
  baseline: string,
  request: RequestSpec,
  servers: readonly ServerProcess[],
): Promise<Answer> {
  const answers = await Promise.all(
    servers.map(async (server) => [server, await ask(server.url, request)] as const),
  )
  const expected = answers.find(([server]) => server.target.name === baseline)?.[1]
  if (!expected) throw new Error(`${label}: baseline "${baseline}" is not running`)
  const problems: string[] = []
  for (const [server, answer] of answers) {
    const name = server.target.name
    if (answer.status !== request.expectStatus)
      problems.push(`${name}: status ${answer.status}, expected ${request.expectStatus}`)
    if (answer.contentType !== expected.contentType)
      problems.push(`${name}: content-type ${answer.contentType}, baseline ${expected.contentType}`)
    if (answer.body !== expected.body) {
      let at = 0
      while (answer.body[at] === expected.body[at]) at++
      problems.push(
        `${name}: body differs from ${baseline} at character ${at}: ` +
          `${excerpt(answer.body, at)} vs ${excerpt(expected.body, at)}`,
      )
    }
  }
  if (problems.length > 0)
    throw new Error(
      `${label} ${request.method} ${request.path}: targets do not answer alike\n  ` +
        problems.join('\n  '),
    )
  return expected
}
