#!/usr/bin/env bash
# Build time and peak RSS of `fluxcpp kustomize build` against the real kustomize (the pinned test
# peer) on the same trees: a small app (the corpus's app/production overlay) and a generated
# monorepo (50 overlays of one base each, 10 resources per overlay: 500 resources, one top
# kustomization listing every overlay). Each build runs RUNS times (default 5); the figures are the
# median wall time and the largest peak RSS. Both outputs are compared first: a benchmark of
# different results would mean nothing.
#
# Prints one line of key=value figures. Needs no test ground.
# Usage: bench/kustomize_build.sh   (FLUXCPP_BINARY_DIR defaults to build/, RUNS to 5)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$here/.." && pwd)
binary_dir=${FLUXCPP_BINARY_DIR:-$source_dir/build}
runs=${RUNS:-5}
ours=$binary_dir/bin/fluxcpp
theirs=$("$source_dir/tests/env/build-peers" --bin-dir kustomize)/kustomize
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The monorepo: apps/appNN/{base,overlay}, each overlay patching, relabelling and renaming its base.
make_monorepo() {
  local top=$1 app
  mkdir -p "$top"
  echo "resources:" >"$top/kustomization.yaml"
  for ((app = 0; app < 50; app++)); do
    local name dir
    name=$(printf 'app%02d' "$app")
    dir=$top/apps/$name
    mkdir -p "$dir/base" "$dir/overlay"
    {
      for ((i = 0; i < 4; i++)); do
        cat <<EOF
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $name-svc$i
  labels:
    app: $name-svc$i
spec:
  replicas: 1
  selector:
    matchLabels:
      app: $name-svc$i
  template:
    metadata:
      labels:
        app: $name-svc$i
    spec:
      serviceAccountName: $name
      containers:
      - name: main
        image: registry.example.com/$name/svc$i:1.0.0
        envFrom:
        - configMapRef:
            name: $name-config
        resources:
          limits:
            cpu: 500m
            memory: 256Mi
---
apiVersion: v1
kind: Service
metadata:
  name: $name-svc$i
spec:
  selector:
    app: $name-svc$i
  ports:
  - port: 80
    targetPort: 8080
EOF
      done
      cat <<EOF
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: $name
EOF
    } >"$dir/base/resources.yaml"
    cat >"$dir/base/kustomization.yaml" <<EOF
resources:
- resources.yaml
configMapGenerator:
- name: $name-config
  literals:
  - APP=$name
  - LOG_LEVEL=info
EOF
    cat >"$dir/overlay/kustomization.yaml" <<EOF
namespace: $name
namePrefix: prod-
commonLabels:
  team: $name
resources:
- ../base
images:
- name: registry.example.com/$name/svc0
  newTag: 1.0.1
patches:
- target:
    kind: Deployment
  patch: |-
    - op: replace
      path: /spec/replicas
      value: 3
EOF
    echo "- apps/$name/overlay" >>"$top/kustomization.yaml"
  done
}

# "<seconds> <max RSS in KiB>" of one build; its output goes to $3.
measure() {
  local dir=$1 out=$3
  shift 3
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" "$dir" >"$out" 2>"$work/stderr" || {
    echo "build of $dir failed: $(cat "$work/stderr")" >&2
    exit 1
  }
  cat "$work/time"
}

# "<median ms> <max RSS KiB>" over $runs builds.
figures() {
  local dir=$1 label=$2
  shift 2
  local samples=() rss=0 line seconds kib
  for ((run = 0; run < runs; run++)); do
    line=$(measure "$dir" "$label" "$work/$label.out" "$@")
    read -r seconds kib <<<"$line"
    samples+=("$seconds")
    ((kib > rss)) && rss=$kib
  done
  local median
  median=$(printf '%s\n' "${samples[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
  echo "$(awk -v s="$median" 'BEGIN { printf "%d", s * 1000 }') $rss"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) b = 1; printf "%.2f", a / b }'; }

small=$source_dir/tests/e2e/kustomize/corpus/app
monorepo=$work/monorepo
make_monorepo "$monorepo"

result=""
for tree in small monorepo; do
  if [[ $tree == small ]]; then
    root=$small dir=$small/production
  else
    root=$monorepo dir=$monorepo
  fi
  read -r our_ms our_rss < <(figures "$dir" "ours-$tree" "$ours" kustomize build --root "$root")
  read -r their_ms their_rss < <(figures "$dir" "theirs-$tree" "$theirs" build \
    --load-restrictor LoadRestrictionsNone)
  if ! cmp -s "$work/ours-$tree.out" "$work/theirs-$tree.out"; then
    echo "the $tree build differs between fluxcpp and kustomize" >&2
    exit 1
  fi
  resources=$(grep -c '^kind: ' "$work/ours-$tree.out")
  result+="${tree}_resources=$resources ${tree}_ours_ms=$our_ms ${tree}_kustomize_ms=$their_ms "
  result+="${tree}_ours_rss_kb=$our_rss ${tree}_kustomize_rss_kb=$their_rss "
  result+="${tree}_time_ratio=$(ratio "$our_ms" "$their_ms") "
  result+="${tree}_rss_ratio=$(ratio "$our_rss" "$their_rss") "
done
echo "${result% }"
