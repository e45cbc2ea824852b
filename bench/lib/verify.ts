import type { Scenario } from './scenario.js'
import type { ServerProcess } from './server-process.js'

interface Answer {
  readonly status: number
  readonly contentType: string | null
  readonly body: string
}

async function ask(server: ServerProcess, scenario: Scenario): Promise<Answer> {
  const { request } = scenario
  const response = await fetch(`${server.url}${request.path}`, {
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
 * Fetch the scenario's request once from every target and throw unless all answer with the expected
 * status and the same content type and body as the baseline: otherwise the ratios would compare
 * different work.
 */
export async function verifySameAnswers(scenario: Scenario, servers: readonly ServerProcess[]) {
  const answers = await Promise.all(
    servers.map(async (server) => [server, await ask(server, scenario)] as const),
  )
  const baseline = answers.find(([server]) => server.target.name === scenario.baseline)
  if (!baseline) throw new Error(`scenario "${scenario.name}": baseline is not running`)
  const [, expected] = baseline
  const problems: string[] = []
  for (const [server, answer] of answers) {
    const name = server.target.name
    if (answer.status !== scenario.request.expectStatus)
      problems.push(`${name}: status ${answer.status}, expected ${scenario.request.expectStatus}`)
    if (answer.contentType !== expected.contentType)
      problems.push(`${name}: content-type ${answer.contentType}, baseline ${expected.contentType}`)
    if (answer.body !== expected.body) {
      let at = 0
      while (answer.body[at] === expected.body[at]) at++
      problems.push(
        `${name}: body differs from ${scenario.baseline} at character ${at}: ` +
          `${excerpt(answer.body, at)} vs ${excerpt(expected.body, at)}`,
      )
    }
  }
  if (problems.length > 0)
    throw new Error(
      `scenario "${scenario.name}": targets do not answer alike\n  ${problems.join('\n  ')}`,
    )
  return expected
}
