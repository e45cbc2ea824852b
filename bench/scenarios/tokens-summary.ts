import { type ResultRow, round } from '../lib/report.js'
import { LOGIN_CONNECTIONS } from './tokens.js'

/** A measured ratio and the target for it. */
interface Check {
  readonly ratio: number
  readonly target: number
  readonly met: boolean
}

const check = (value: number | undefined, over: number | undefined, target: number) => {
  if (value === undefined || over === undefined || over === 0) return undefined
  const ratio = round(value / over, 3)
  return { ratio, target, met: ratio >= target } satisfies Check
}

/**
 * The `tokens` scenario's figures against the targets: with EdDSA ≥ 3 × oidc-provider
 * (tokens and introspections), with RS256 ≥ 0.8 × the node:crypto signing loop, and password
 * logins ≥ 0.9 × the hasher alone. `undefined` when the scenario did not run.
 */
export function tokensSummary(rows: readonly ResultRow[]) {
  const rate = (scenario: string, target: string) =>
    rows.find((row) => row.scenario === scenario && row.target === target)?.rps
  if (rate('tokens-eddsa', 'gatehouse') === undefined) return undefined
  const figures = (alg: 'eddsa' | 'rs256') => {
    const gatehouse = rate(`tokens-${alg}`, 'gatehouse')
    const oidc = rate(`tokens-${alg}`, 'oidc-provider')
    const limit = rate(`tokens-${alg}`, 'node:crypto sign')
    const raw = rate(`tokens-${alg}`, 'raw')
    const introspect = rate(`introspect-${alg}`, 'gatehouse')
    const introspectOIDC = rate(`introspect-${alg}`, 'oidc-provider')
    return {
      tokens_per_s: { gatehouse, oidc_provider: oidc, raw, sign_limit: limit },
      introspections_per_s: { gatehouse: introspect, oidc_provider: introspectOIDC },
      tokens_vs_oidc_provider: check(gatehouse, oidc, alg === 'eddsa' ? 3 : 0),
      tokens_vs_sign_limit: check(gatehouse, limit, alg === 'rs256' ? 0.8 : 0),
      tokens_vs_raw: check(gatehouse, raw, 0),
      introspections_vs_oidc_provider: check(introspect, introspectOIDC, alg === 'eddsa' ? 3 : 0),
    }
  }
  const logins = rate('password-login', 'gatehouse')
  const hasher = rate('password-login', 'argon2id verify')
  return {
    eddsa: figures('eddsa'),
    rs256: figures('rs256'),
    password_logins: {
      gatehouse_per_s: logins,
      hasher_per_s: hasher,
      vs_hasher: check(logins, hasher, 0.9),
    },
  }
}

const fmt = (value: number | undefined) =>
  value === undefined ? '?' : Math.round(value).toLocaleString('en-US')
const verdict = (c: Check | undefined) =>
  c === undefined
    ? '?'
    : c.target === 0
      ? `${c.ratio}x`
      : `${c.ratio}x, target ≥ ${c.target}x: ${c.met ? 'met' : 'NOT met'}`

/** The lines `npm run bench` prints after the table. */
export function tokensLines(summary: NonNullable<ReturnType<typeof tokensSummary>>): string[] {
  const { eddsa, rs256, password_logins: logins } = summary
  return [
    `tokens/s (client_credentials, one core): EdDSA gatehouse ${fmt(eddsa.tokens_per_s.gatehouse)} vs oidc-provider ${fmt(eddsa.tokens_per_s.oidc_provider)} (${verdict(eddsa.tokens_vs_oidc_provider)}), raw node:http ${fmt(eddsa.tokens_per_s.raw)} (${verdict(eddsa.tokens_vs_raw)}), signing loop ${fmt(eddsa.tokens_per_s.sign_limit)}`,
    `  RS256 gatehouse ${fmt(rs256.tokens_per_s.gatehouse)} vs signing loop ${fmt(rs256.tokens_per_s.sign_limit)} (${verdict(rs256.tokens_vs_sign_limit)}), oidc-provider ${fmt(rs256.tokens_per_s.oidc_provider)} (${verdict(rs256.tokens_vs_oidc_provider)}), raw node:http ${fmt(rs256.tokens_per_s.raw)} (${verdict(rs256.tokens_vs_raw)})`,
    `introspections/s: EdDSA gatehouse ${fmt(eddsa.introspections_per_s.gatehouse)} vs oidc-provider ${fmt(eddsa.introspections_per_s.oidc_provider)} (${verdict(eddsa.introspections_vs_oidc_provider)}); RS256 ${fmt(rs256.introspections_per_s.gatehouse)} vs ${fmt(rs256.introspections_per_s.oidc_provider)} (${verdict(rs256.introspections_vs_oidc_provider)})`,
    `password logins/s (argon2id, ${LOGIN_CONNECTIONS} connections): gatehouse ${logins.gatehouse_per_s ?? '?'} vs the hasher alone ${logins.hasher_per_s ?? '?'} (${verdict(logins.vs_hasher)})`,
  ]
}
