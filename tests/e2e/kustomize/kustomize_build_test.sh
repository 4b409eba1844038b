#!/usr/bin/env bash
# Builds every kustomization of the corpus with `fluxcpp kustomize build` and with the real kustomize (the
# pinned test peer) and requires byte-identical output. Cases named error-* must fail with both.
# Cases named refused-* must fail with ours only: they read outside the source root or from the
# network, which kustomize allows and Flux's builds must not. kustomize runs with
# `--load-restrictor LoadRestrictionsNone`, as Flux's kustomize-controller builds.
# A case named generated-* has no kustomization at its top: Flux generates one from the manifests
# below it, and so does ours; kustomize gets the equivalent file written into a copy.
#
# Usage: kustomize_build_test.sh [case...]   (FLUXCPP_SOURCE_DIR and FLUXCPP_BINARY_DIR default
# to this checkout and its build/ folder)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=${FLUXCPP_SOURCE_DIR:-$(cd "$here/../../.." && pwd)}
binary_dir=${FLUXCPP_BINARY_DIR:-$source_dir/build}
ours=$binary_dir/bin/fluxcpp
theirs=$("$source_dir/tests/env/build-peers" --bin-dir kustomize)/kustomize
corpus=$here/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
fail() {
  echo "FAIL: $*"
  failed=$((failed + 1))
}

# Every directory of a case holding a kustomization that is not a Component.
kustomization_dirs() {
  find "$1" -name kustomization.yaml -printf '%h\n' | sort | while read -r dir; do
    grep -q '^kind: Component' "$dir/kustomization.yaml" || echo "$dir"
  done
}

compare() {
  local root=$1 dir=$2 expect_error=$3 label
  label=${dir#"$corpus"/}
  local our_rc=0 their_rc=0
  (cd "$root" && "$ours" kustomize build --root "$root" "$dir") >"$work/ours" 2>"$work/ours.err" || our_rc=$?
  if [[ $expect_error == refused ]]; then
    if [[ $our_rc -ne 0 && -s $work/ours.err ]]; then
      passed=$((passed + 1))
      echo "ok    $label (refused: $(head -c 150 "$work/ours.err" | tr '\n' ' '))"
    else
      fail "$label: expected ours to refuse the build"
    fi
    return
  fi
  (cd "$root" && "$theirs" build --load-restrictor LoadRestrictionsNone "$dir") >"$work/theirs" \
    2>"$work/theirs.err" || their_rc=$?
  if [[ $expect_error == yes ]]; then
    if [[ $our_rc -ne 0 && $their_rc -ne 0 && -s $work/ours.err ]]; then
      passed=$((passed + 1))
      echo "ok    $label (both fail: $(head -c 150 "$work/ours.err" | tr '\n' ' '))"
    else
      fail "$label: expected an error from both (ours rc=$our_rc, kustomize rc=$their_rc)"
    fi
    return
  fi
  if [[ $their_rc -ne 0 ]]; then
    fail "$label: kustomize failed: $(cat "$work/theirs.err")"
  elif [[ $our_rc -ne 0 ]]; then
    fail "$label: ours failed: $(cat "$work/ours.err")"
  elif ! diff -u "$work/theirs" "$work/ours" >"$work/diff"; then
    fail "$label: output differs (--- kustomize, +++ ours)"
    head -60 "$work/diff"
  else
    passed=$((passed + 1))
    echo "ok    $label"
  fi
}

cases=("$@")
if [[ ${#cases[@]} -eq 0 ]]; then
  mapfile -t cases < <(cd "$corpus" && ls)
fi
for case_name in "${cases[@]}"; do
  root=$corpus/$case_name
  expect_error=no
  [[ $case_name == error-* ]] && expect_error=yes
  [[ $case_name == refused-* ]] && expect_error=refused
  if [[ $case_name == generated-* ]]; then
    # kustomize's view: the same tree with the kustomization Flux would generate.
    copy=$work/$case_name
    cp -r "$root" "$copy"
    (cd "$copy" && find . -type f \( -name '*.yaml' -o -name '*.yml' \) -printf '%P\n' | sort |
      sed 's/^/- /' | { echo "resources:"; cat; } >"$work/generated.yaml")
    mv "$work/generated.yaml" "$copy/kustomization.yaml"
    our_rc=0
    "$ours" kustomize build --root "$root" "$root" >"$work/ours" 2>"$work/ours.err" || our_rc=$?
    "$theirs" build "$copy" >"$work/theirs" 2>"$work/theirs.err" || true
    if [[ $our_rc -eq 0 ]] && diff -u "$work/theirs" "$work/ours" >"$work/diff"; then
      passed=$((passed + 1))
      echo "ok    $case_name (generated kustomization)"
    else
      fail "$case_name: generated kustomization build differs: $(cat "$work/ours.err")"
      head -60 "$work/diff"
    fi
    continue
  fi
  while read -r dir; do
    compare "$root" "$dir" "$expect_error"
  done < <(kustomization_dirs "$root")
done

echo "kustomize corpus: $passed identical, $failed failing"
[[ $failed -eq 0 ]]
