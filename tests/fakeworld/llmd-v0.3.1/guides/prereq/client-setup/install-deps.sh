#!/usr/bin/env bash
# Client tools for the guides: pinned helm, helm-diff and helmfile; latest yq and kubectl.
set -euo pipefail
HELM_VERSION="v3.17.3"
HELMDIFF_VERSION="v3.11.0"
HELMFILE_VERSION="1.1.3"
echo "installs helm ${HELM_VERSION}, helm-diff ${HELMDIFF_VERSION}, helmfile ${HELMFILE_VERSION} into /usr/local/bin"
if ! helm plugin list | awk 'NR>1 {print $1}' | grep -qx diff; then
  helm plugin install --version "${HELMDIFF_VERSION}" https://github.com/databus23/helm-diff
fi
