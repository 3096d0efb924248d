#!/usr/bin/env bash
# A throwaway certificate for the local stand-ins: MSAL refuses a non-https authority,
# and the add-in only ever talks https, so every local server serves TLS with this one.
# Idempotent: keeps an existing certificate until it is within a day of expiring.
set -euo pipefail
dir="${1:-.local/certs}"
mkdir -p "$dir"
if [ -f "$dir/cert.pem" ] && openssl x509 -checkend 86400 -noout -in "$dir/cert.pem" >/dev/null 2>&1; then
  exit 0
fi
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1
echo "made a local certificate in $dir"
