#!/usr/bin/env bash
# The project's test command: builds and runs every test project, then prints one
# summary line "N passed, N failed, N skipped" (the sum over the projects).
set -uo pipefail
cd "$(dirname "$0")/.."
config="${CONFIGURATION:-Release}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

shared="${PADELLM_SHARED:-../shared}"
if [ ! -d "$shared/data" ]; then
  echo "note: $shared/data not found: tests that need the shared data and fixtures are SKIPPED (set PADELLM_SHARED to its path)" >&2
fi

# The Azure Storage code is tested against a real Azurite (npm); installed once into .tools/
# (again when the pinned version changes). 3.37 accepts the Azure SDK's API versions when
# started with --skipApiVersionCheck; it declares node >= 22 but runs on node 20.
azurite_version=3.37.0
if [ -z "${AZURITE:-}" ] && ! grep -qs "\"version\": \"${azurite_version}\"" .tools/azurite/node_modules/azurite/package.json; then
  if command -v npm >/dev/null 2>&1; then
    npm install --prefix .tools/azurite "azurite@${azurite_version}" --no-audit --no-fund --loglevel=error >/dev/null \
      || echo "note: npm could not install azurite@${azurite_version}: the Azurite tests are SKIPPED" >&2
  else
    echo "note: npm not found: the Azurite tests are SKIPPED (install Node.js, or set AZURITE)" >&2
  fi
fi

# The try-it page's browser tests (tests/Page.Tests) need Debian's Chromium; .ci/run installs it.
if [ -z "${PADELLM_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  echo "note: /usr/bin/chromium not found: the page's browser tests are SKIPPED (apt-get install chromium)" >&2
fi

dotnet build PaDeLLM.Functions.sln -c "$config" -nologo -clp:ErrorsOnly || exit 1
dotnet test PaDeLLM.Functions.sln -c "$config" --no-build -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# dotnet test prints one "Passed!/Failed!  - Failed: F, Passed: P, Skipped: S, Total: T" line per project.
read -r passed failed skipped < <(awk -F'[:,]' '/(Passed|Failed)! +- Failed:/ {
    for (i = 1; i <= NF; i++) {
      if ($i ~ /Failed$/)  f += $(i+1);
      if ($i ~ /Passed$/)  p += $(i+1);
      if ($i ~ /Skipped$/) s += $(i+1);
    }
  } END { printf "%d %d %d\n", p, f, s }' "$log")
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "no test results found" >&2
  status=1
fi
[ "$skipped" -gt 0 ] \
  && echo "note: ${skipped} skipped: each skip's reason is printed above (missing $shared, azurite or chromium)" >&2
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
