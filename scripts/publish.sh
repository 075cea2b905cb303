#!/usr/bin/env bash
# Builds the deployable pieces:
#   out/functionapp/   the Azure Functions app: host.json, one folder per function (function.json),
#                      handler/ (the self-contained linux-x64 custom handler, PaDeLLM.Functions)
#   out/functionapp.zip  the same, zipped for `az functionapp deployment source config-zip`
#   the GPU host image (with --image): docker build -f src/GpuHost/Dockerfile [--build-arg BASE=cuda]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-out}"
app="$out/functionapp"
rm -rf "$app" "$out/functionapp.zip"
mkdir -p "$app"

dotnet publish src/Functions/Functions.csproj -c Release -r linux-x64 --self-contained true \
  -p:PublishSingleFile=false -p:DebugType=None -o "$app/handler" -nologo -v q
cp host.json "$app/host.json"
dotnet "$app/handler/PaDeLLM.Functions.dll" --write-function-json "$app" >/dev/null \
  || "$app/handler/PaDeLLM.Functions" --write-function-json "$app"
(cd "$app" && zip -qr ../functionapp.zip .) 2>/dev/null || echo "note: zip not found; $app is ready, zip it to deploy" >&2
echo "function app -> $app ($(find "$app" -name function.json | wc -l) functions)"

if [ "${1:-}" = "--image" ]; then
  base="${BASE:-cpu}"
  docker build -f src/GpuHost/Dockerfile --build-arg BASE="$base" -t "padellm-gpuhost:$base" .
fi
