#!/usr/bin/env bash
# Validate a SARIF file with Microsoft's SARIF multitool, SARIF and GitHub rule sets
# ("Sarif;Gh"), and fail on any error or warning it reports (notes are printed only).
#
# Usage: tests/sarif_multitool.sh FILE.sarif [OUT.sarif]
#   OUT.sarif       where the multitool writes its own SARIF log (default: a temp file)
#   SARIF_MULTITOOL_PREFIX
#                   an npm prefix holding the tool
#                   (npm install --prefix DIR @microsoft/sarif-multitool);
#                   unset: npx --yes @microsoft/sarif-multitool
#   PYTHON          interpreter that reads the log (default: python3)
# Exit status: 0 clean, 1 errors or warnings reported, 2 the tool could not run.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ ! -f "$1" ]; then
    echo "usage: $0 FILE.sarif [OUT.sarif]" >&2
    exit 2
fi
input=$1
if [ $# -eq 2 ]; then
    output=$2
else
    tmpdir=$(mktemp -d)
    trap 'rm -rf "$tmpdir"' EXIT
    output=$tmpdir/multitool.sarif
fi

if [ -n "${SARIF_MULTITOOL_PREFIX:-}" ]; then
    tool=("$SARIF_MULTITOOL_PREFIX/node_modules/.bin/sarif-multitool")
else
    tool=(npx --yes @microsoft/sarif-multitool)
fi
# The .NET tool needs ICU unless told to run culture-invariant.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=${DOTNET_SYSTEM_GLOBALIZATION_INVARIANT:-1}

# The npm launcher (bin.js) runs the tool through a shell, which would split "Sarif;Gh"
# at the ";": every argument goes in single quotes for that shell.
shq() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }
args=()
for a in validate --rule-kind "Sarif;Gh" --level "Error;Warning;Note" \
    --log ForceOverwrite --output "$output" "$input"; do
    args+=("$(shq "$a")")
done

rm -f "$output"
# Its exit status says little (non-zero for notes too); the log it writes is what counts.
"${tool[@]}" "${args[@]}" >&2 || true
if [ ! -s "$output" ]; then
    echo "$0: the multitool wrote no log to $output" >&2
    exit 2
fi

"${PYTHON:-python3}" - "$output" <<'EOF'
import json
import sys

log = json.load(open(sys.argv[1], encoding="utf-8"))
bad = 0
for run in log.get("runs", []):
    rules = run.get("tool", {}).get("driver", {}).get("rules", [])
    for inv in run.get("invocations", []):
        for n in inv.get("toolExecutionNotifications", []) + inv.get(
            "toolConfigurationNotifications", []
        ):
            if n.get("level", "warning") in ("error", "warning"):
                bad += 1
                print(f"tool {n.get('level', 'warning')}: {n['message'].get('text', '')}")
    for r in run.get("results", []):
        rule = rules[r["ruleIndex"]] if 0 <= r.get("ruleIndex", -1) < len(rules) else {}
        level = r.get("level") or rule.get("defaultConfiguration", {}).get("level", "warning")
        msg = r.get("message", {})
        text = msg.get("text")
        if text is None:  # a message template from the rule, filled with its arguments
            text = rule.get("messageStrings", {}).get(msg.get("id"), {}).get("text", "")
            for i, arg in enumerate(msg.get("arguments", [])):
                text = text.replace("{%d}" % i, str(arg))
        rule_id = r.get("ruleId", "?")
        name = rule.get("name", "")
        print(f"{level}: {rule_id} {name}: {text}")
        if level in ("error", "warning"):
            bad += 1
print(f"sarif-multitool: {bad} error(s)/warning(s)")
sys.exit(1 if bad else 0)
EOF
