#!/usr/bin/env bash
# Builds the deployable pieces:
#   out/functionapp/     the Azure Functions app (.NET isolated worker, framework-dependent):
#                        functions.metadata, worker.config.json, .azurefunctions/ (the
#                        extensions the host loads), host.json and the app's assemblies
#   out/functionapp.zip  the same, zipped for `az functionapp deployment source config-zip`
#                        (Flex Consumption: `az functionapp deploy --src-path ... --type zip`)
#   the GPU host image (with --image): docker build -f src/GpuHost/Dockerfile [--build-arg BASE=cuda]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-out}"
app="$out/functionapp"
rm -rf "$app" "$out/functionapp.zip"
mkdir -p "$app"

# Framework-dependent: the platform's dotnet-isolated 10.0 stack provides the runtime.
dotnet publish src/Functions/Functions.csproj -c Release -o "$app" -p:DebugType=None -nologo -v q
for needed in functions.metadata worker.config.json host.json .azurefunctions; do
  [ -e "$app/$needed" ] || { echo "publish: $app/$needed is missing" >&2; exit 1; }
done
# -y keeps .azurefunctions' layout; dot files are included by -r.
(cd "$app" && zip -qry ../functionapp.zip .) 2>/dev/null \
  || echo "note: zip not found; $app is ready, zip it to deploy" >&2
echo "function app -> $app ($(grep -c '"scriptFile"' "$app/functions.metadata") functions)"

if [ "${1:-}" = "--image" ]; then
  base="${BASE:-cpu}"
  docker build -f src/GpuHost/Dockerfile --build-arg BASE="$base" -t "padellm-gpuhost:$base" .
fi
