#!/usr/bin/env bash
# Exports the evaluation corpus (../shared/corpus/*.tsv) from bare mirrors into .cache/corpus/<owner+name>/ with
# `git archive` — never a checkout, never an install, nothing run. Real lures are live malware: read, never run.
# Mirrors come from wherever you keep them: MIRRORS=<dir> holding <owner+name>/repo (bare), or <owner+name>.git.
# Usage: MIRRORS=/work/.mirror scripts/corpus-export.sh [lists-dir] [out-dir]
set -euo pipefail
lists=${1:-../shared/corpus}
out=${2:-.cache/corpus}
mirrors=${MIRRORS:-/work/.mirror}
mkdir -p "$out"
exported=0; missing=0
for list in "$lists/real-lures.tsv" "$lists/benign-repos.tsv"; do
  [ -f "$list" ] || continue
  tail -n +2 "$list" | while IFS=$'\t' read -r repo commit _rest; do
    [ -n "$repo" ] || continue
    key=${repo/\//+}
    git_dir=""
    for cand in "$mirrors/$key/repo" "$mirrors/$key.git" "$mirrors/$key"; do
      if [ -d "$cand" ] && git --git-dir="$cand" rev-parse --git-dir >/dev/null 2>&1; then git_dir=$cand; break; fi
    done
    if [ -z "$git_dir" ]; then echo "missing mirror: $repo"; continue; fi
    [ -d "$out/$key" ] && continue
    mkdir -p "$out/$key.tmp"
    if git --git-dir="$git_dir" -c core.hooksPath=/dev/null archive "${commit:-HEAD}" | tar -x -C "$out/$key.tmp"; then
      mv "$out/$key.tmp" "$out/$key"; echo "exported $repo@${commit:-HEAD}"
    else
      # Mirrors may lack their largest blobs: export blob by blob and list what is absent beside the folder.
      rm -rf "$out/$key.tmp"; mkdir -p "$out/$key.tmp"; : > "$out/$key.missing"
      git --git-dir="$git_dir" ls-tree -r -z "${commit:-HEAD}" | while IFS= read -r -d '' entry; do
        meta=${entry%%$'\t'*}; file=${entry#*$'\t'}
        set -- $meta
        [ "$2" = blob ] && [ "$1" != 120000 ] || continue
        mkdir -p "$out/$key.tmp/$(dirname "$file")"
        git --git-dir="$git_dir" cat-file blob "$3" > "$out/$key.tmp/$file" 2>/dev/null || { rm -f "$out/$key.tmp/$file"; echo "$file" >> "$out/$key.missing"; }
      done
      mv "$out/$key.tmp" "$out/$key"; echo "exported $repo@${commit:-HEAD} ($(wc -l < "$out/$key.missing") blobs absent from the mirror)"
    fi
  done
done
