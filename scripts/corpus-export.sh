#!/usr/bin/env bash
# Exports the evaluation corpus from bare mirrors into .cache/corpus/<owner+name>/ with `git archive` — never a
# checkout, never an install, nothing run. Real lures are live malware: read, never run.
# Lists: <lists-dir>/real-lures.tsv and <lists-dir>/benign-repos.tsv (kept outside the project), and the project's own
# bench/corpus/benign-extra.tsv. Each export records the commit it came from in <out-dir>/<owner+name>.commit (a list
# entry of HEAD is resolved in the mirror), which `npm run eval` reports as the commit scanned.
# Mirrors come from wherever you keep them: MIRRORS=<dir> holding <owner+name>/repo (bare), or <owner+name>.git.
# Usage: MIRRORS=/work/.mirror scripts/corpus-export.sh [lists-dir] [out-dir]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
lists=${1:-../shared/corpus}
out=${2:-.cache/corpus}
mirrors=${MIRRORS:-/work/.mirror}
mkdir -p "$out"
for list in "$lists/real-lures.tsv" "$lists/benign-repos.tsv" "$here/bench/corpus/benign-extra.tsv"; do
  [ -f "$list" ] || { echo "no list $list"; continue; }
  tail -n +2 "$list" | while IFS=$'\t' read -r repo commit _rest; do
    [ -n "$repo" ] || continue
    case $repo in \#*) continue ;; esac
    key=${repo/\//+}
    git_dir=""
    for cand in "$mirrors/$key/repo" "$mirrors/$key.git" "$mirrors/$key"; do
      if [ -d "$cand" ] && git --git-dir="$cand" rev-parse --git-dir >/dev/null 2>&1; then git_dir=$cand; break; fi
    done
    if [ -z "$git_dir" ]; then echo "missing mirror: $repo"; continue; fi
    rev=$(git --git-dir="$git_dir" rev-parse --verify "${commit:-HEAD}^{commit}" 2>/dev/null) || { echo "no commit ${commit:-HEAD} in the mirror of $repo"; continue; }
    if [ -d "$out/$key" ]; then
      # Exported earlier (by a version of this script that kept no record): the mirror's answer today.
      [ -f "$out/$key.commit" ] || echo "$rev" > "$out/$key.commit"
      continue
    fi
    mkdir -p "$out/$key.tmp"
    if git --git-dir="$git_dir" -c core.hooksPath=/dev/null archive "$rev" | tar -x -C "$out/$key.tmp"; then
      mv "$out/$key.tmp" "$out/$key"; echo "$rev" > "$out/$key.commit"; echo "exported $repo@$rev"
    else
      # Mirrors may lack their largest blobs: export blob by blob and list what is absent beside the folder.
      rm -rf "$out/$key.tmp"; mkdir -p "$out/$key.tmp"; : > "$out/$key.missing"
      git --git-dir="$git_dir" ls-tree -r -z "$rev" | while IFS= read -r -d '' entry; do
        meta=${entry%%$'\t'*}; file=${entry#*$'\t'}
        set -- $meta
        [ "$2" = blob ] && [ "$1" != 120000 ] || continue
        mkdir -p "$out/$key.tmp/$(dirname "$file")"
        git --git-dir="$git_dir" cat-file blob "$3" > "$out/$key.tmp/$file" 2>/dev/null || { rm -f "$out/$key.tmp/$file"; echo "$file" >> "$out/$key.missing"; }
      done
      mv "$out/$key.tmp" "$out/$key"; echo "$rev" > "$out/$key.commit"
      echo "exported $repo@$rev ($(wc -l < "$out/$key.missing") blobs absent from the mirror)"
    fi
  done
done
