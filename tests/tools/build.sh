#!/usr/bin/env bash
# Build the real tools the integration tests run (OPA, kube-apiserver, etcd, Helm, Kustomize)
# from source, at the versions pinned in tests/tools/versions.txt, with every dependency's
# checksum pinned by the go.mod/go.sum of tests/tools/<tool>/.
#
# Why from source: the only registries this project's machines reach are package registries;
# the Go module proxy serves these tools' source, not their release binaries.
#
# Where: ${KUBECOMPLY_TOOLS_CACHE:-$HOME/.cache/kubecomply-test-tools}/<tool>-<version>/<tool>,
# outside the clone so a fresh clone (CI) reuses what an earlier run built. The stable path
# the tests use is <cache>/bin/<tool>, a symlink this script points at the pinned version.
# The Go module and build caches live under <cache> too, so a rebuild after a bump is warm.
#
# A tool whose modules the proxy refuses is not fatal: the script prints the exact error,
# writes it to <cache>/bin/<tool>.error (the tests skip that tool with that reason, even on
# CI), goes on with the others and exits 0. A tool whose download worked but whose build
# failed is a real failure: the script goes on with the others, then exits 1.
#
# Usage: tests/tools/build.sh [tool ...]   (default: all tools, in the order of versions.txt)
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${KUBECOMPLY_TOOLS_CACHE:-$HOME/.cache/kubecomply-test-tools}
BIN_DIR=$CACHE/bin
mkdir -p "$BIN_DIR"

export GOPATH=$CACHE/gopath
export GOMODCACHE=$CACHE/gopath/pkg/mod
export GOCACHE=$CACHE/gocache
# The machine's own Go (go.mod files say go 1.26.0); never fetch another toolchain silently.
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
# -mod=readonly: build exactly what go.mod/go.sum pin, fail rather than re-resolve.
export GOFLAGS=-mod=readonly
export CGO_ENABLED=0

if ! command -v go >/dev/null 2>&1; then
    echo "tools: no 'go' command on PATH; no tool can be built" >&2
    for tool in $(awk '!/^#/ && NF {print $1}' "$HERE/versions.txt"); do
        echo "go is not installed on this machine" > "$BIN_DIR/$tool.error"
    done
    exit 0
fi

# One build at a time, also across concurrent callers (two worktrees, make tools during a CI run).
exec 9>"$CACHE/.build.lock"
if ! flock -n 9; then
    echo "tools: another build holds $CACHE/.build.lock; waiting for it"
    flock 9
fi

# -X flags so each tool reports its real version (the default is a development string).
ldflags_for() {
    local tool=$1 version=$2
    case $tool in
        kube-apiserver)
            local minor=${version#v1.}; minor=${minor%%.*}
            echo "-X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/client-go/pkg/version.gitVersion=$version" ;;
        helm) echo "-X helm.sh/helm/v4/internal/version.version=$version" ;;
        kustomize) echo "-X sigs.k8s.io/kustomize/api/provenance.version=kustomize/$version" ;;
        *) echo "" ;;
    esac
}

wanted=("$@")
status=0
summary=()
while read -r tool version package; do
    [[ -z "$tool" || "$tool" == \#* ]] && continue
    if ((${#wanted[@]})) && [[ ! " ${wanted[*]} " == *" $tool "* ]]; then
        continue
    fi
    dest_dir=$CACHE/$tool-$version
    dest=$dest_dir/$tool
    if [[ -x "$dest" ]]; then
        echo "tools: $tool $version: reusing $dest"
        summary+=("$tool $version reused")
    else
        mkdir -p "$dest_dir"
        started=$(date +%s)
        echo "tools: $tool $version: downloading modules"
        if ! err=$(cd "$HERE/$tool" && go mod download 2>&1); then
            echo "tools: $tool $version: the Go module proxy refused a module; $tool is not built and its tests skip:" >&2
            echo "$err" >&2
            { echo "go mod download failed for $tool $version:"; echo "$err"; } > "$BIN_DIR/$tool.error"
            summary+=("$tool $version NOT BUILT (module download failed)")
            continue
        fi
        echo "tools: $tool $version: building $package"
        tmp=$dest_dir/.$tool.tmp.$$
        if ! err=$(cd "$HERE/$tool" && go build -trimpath -ldflags="-s -w $(ldflags_for "$tool" "$version")" -o "$tmp" "$package" 2>&1); then
            echo "tools: $tool $version: build failed:" >&2
            echo "$err" >&2
            { echo "go build failed for $tool $version:"; echo "$err"; } > "$BIN_DIR/$tool.error"
            rm -f "$tmp"
            summary+=("$tool $version BUILD FAILED")
            status=1
            continue
        fi
        mv -f "$tmp" "$dest"
        took=$(($(date +%s) - started))
        echo "tools: $tool $version: built $dest in ${took}s ($(du -h "$dest" | cut -f1))"
        summary+=("$tool $version built in ${took}s")
    fi
    ln -sfn "$dest" "$BIN_DIR/$tool"
    rm -f "$BIN_DIR/$tool.error"
done < "$HERE/versions.txt"

echo "tools: summary (cache $CACHE):"
printf '  %s\n' "${summary[@]}"
exit $status
