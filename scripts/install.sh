#!/usr/bin/env bash
# Installs the `turbine` command from this checkout: packs src/Turbine.Cli as a .NET tool into artifacts/packages and
# installs that package (the version in Directory.Build.props) as a global .NET tool, in ~/.dotnet/tools.
# Safe to run again: it replaces an installed turbine with the one built from this checkout.
#
#   bash scripts/install.sh                    # global tool: ~/.dotnet/tools/turbine
#   bash scripts/install.sh --tool-path DIR    # into DIR instead (DIR/turbine)
#
# Needs only the .NET SDK pinned in global.json. See docs/packaging.md.
set -euo pipefail
cd "$(dirname "$0")/.."

tool_path=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tool-path) tool_path="${2:?--tool-path needs a folder}"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
if [ -z "$version" ]; then
  echo "install.sh: no <Version> in Directory.Build.props" >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
packages="$PWD/artifacts/packages"
mkdir -p "$packages"
echo "install.sh: packing turbine $version (dotnet pack src/Turbine.Cli -c Release)"
dotnet pack src/Turbine.Cli -c Release -o "$packages" -v quiet -nologo

# Install from that folder alone: another feed's package of the same name never wins.
config="$packages/nuget.config"
cat > "$config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="turbine-local" value="$packages" />
  </packageSources>
</configuration>
XML

if [ -n "$tool_path" ]; then
  mkdir -p "$tool_path"
  tool_path=$(cd "$tool_path" && pwd)
  scope=(--tool-path "$tool_path")
  bin="$tool_path"
else
  scope=(--global)
  bin="$HOME/.dotnet/tools"
fi

# Uninstall first: a rebuilt package keeps its version, and `dotnet tool update` would keep the old build.
if dotnet tool list "${scope[@]}" | awk 'NR > 2 { print $1 }' | grep -qx 'turbine.cli'; then
  dotnet tool uninstall "${scope[@]}" Turbine.Cli >/dev/null
fi
dotnet tool install "${scope[@]}" --configfile "$config" --version "$version" Turbine.Cli >/dev/null
echo "install.sh: installed turbine $("$bin/turbine" --version) in $bin"

case ":$PATH:" in
  *":$bin:"*) ;;
  *)
    echo "install.sh: $bin is not on your PATH; in this shell (and in ~/.bashrc to keep it):"
    echo "  export PATH=\"\$PATH:$bin\""
    ;;
esac
