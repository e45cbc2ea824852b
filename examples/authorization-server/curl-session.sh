#!/bin/sh
# A curl session against `npm run start:authorization-server`: every grant, the API, refresh,
# introspection and revocation. Set PASSWORD, APP_SECRET and SERVICE_SECRET to what the first
# start printed (and ISSUER if it is not http://127.0.0.1:8000).
set -eu
ISSUER=${ISSUER:-http://127.0.0.1:8000}
json() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; } # one string field of a JSON answer

# 1. Password grant: demo-app signs the demo user in.
TOKENS=$(curl -s -u "demo-app:$APP_SECRET" -d grant_type=password -d username=demo \
  --data-urlencode "password=$PASSWORD" --data-urlencode 'scope=read write' "$ISSUER/token")
echo "password: $TOKENS"
ACCESS=$(echo "$TOKENS" | json access_token)
REFRESH=$(echo "$TOKENS" | json refresh_token)

# 2. The API: GET /api/whoami needs the scope read.
echo "whoami: $(curl -s -H "Authorization: Bearer $ACCESS" "$ISSUER/api/whoami")"

# 3. Client credentials: demo-service, the one client allowed admin.
echo "client_credentials: $(curl -s -u "demo-service:$SERVICE_SECRET" \
  -d grant_type=client_credentials --data-urlencode 'scope=read admin' "$ISSUER/token")"

# 4. Refresh: a new pair, and the old refresh token is spent (presenting it again would revoke
#    the whole grant).
ROTATED=$(curl -s -u "demo-app:$APP_SECRET" -d grant_type=refresh_token \
  -d "refresh_token=$REFRESH" "$ISSUER/token")
echo "refresh_token: $ROTATED"
REFRESH=$(echo "$ROTATED" | json refresh_token)

# 5. Introspection, by a confidential client (a resource server would ask this way).
echo "introspect: $(curl -s -u "demo-service:$SERVICE_SECRET" -d "token=$ACCESS" "$ISSUER/introspect")"

# 6. Revocation: the refresh token takes its grant with it, access tokens included.
echo "revoke: HTTP $(curl -s -o /dev/null -w '%{http_code}' -u "demo-app:$APP_SECRET" \
  -d "token=$REFRESH" "$ISSUER/revoke")"
echo "refresh after revoke: $(curl -s -u "demo-app:$APP_SECRET" -d grant_type=refresh_token \
  -d "refresh_token=$REFRESH" "$ISSUER/token")"
echo "introspect after revoke: $(curl -s -u "demo-service:$SERVICE_SECRET" -d "token=$ACCESS" \
  "$ISSUER/introspect")"

# 7. Authorization code with PKCE. The verifier stays with the client; the authorization
#    request carries its challenge, BASE64URL(SHA-256(verifier)) (RFC 7636).
VERIFIER=$(openssl rand -base64 48 | tr '+/' '-_' | tr -d '=\n')
CHALLENGE=$(printf '%s' "$VERIFIER" | openssl dgst -sha256 -binary | openssl base64 -A |
  tr '+/' '-_' | tr -d '=')
REDIRECT=http://127.0.0.1:8765/callback
AUTHORIZE="$ISSUER/authorize?response_type=code&client_id=demo-app&redirect_uri=$REDIRECT"
AUTHORIZE="$AUTHORIZE&scope=read+write&state=s-42&code_challenge=$CHALLENGE&code_challenge_method=S256"
# Open $AUTHORIZE in a browser, sign in as demo and allow: the browser lands on
# $REDIRECT?code=...&state=s-42&iss=... (nothing listens there; the code is in the address bar).
# Here curl plays the browser, cookies and all: the login page, then the consent page.
JAR=$(mktemp)
field() { sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p"; } # a hidden field of the page
post_form() { # posts the page's form with its hidden fields; prints where it redirects
  curl -s -b "$JAR" -c "$JAR" -o /dev/null -w '%{redirect_url}' \
    --data-urlencode "step=$(echo "$PAGE" | field step)" \
    --data-urlencode "request=$(echo "$PAGE" | field request)" \
    --data-urlencode "csrf_token=$(echo "$PAGE" | field csrf_token)" "$@" "$ISSUER/authorize"
}
PAGE=$(curl -s -b "$JAR" -c "$JAR" "$AUTHORIZE")
post_form -d username=demo --data-urlencode "password=$PASSWORD" >/dev/null
PAGE=$(curl -s -b "$JAR" -c "$JAR" "$AUTHORIZE")
CALLBACK=$(post_form -d decision=allow)
rm -f "$JAR"
echo "callback: $CALLBACK"
CODE=$(echo "$CALLBACK" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
echo "authorization_code: $(curl -s -u "demo-app:$APP_SECRET" -d grant_type=authorization_code \
  -d "code=$CODE" -d "redirect_uri=$REDIRECT" -d "code_verifier=$VERIFIER" "$ISSUER/token")"
